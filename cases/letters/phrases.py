# Letters use typographic apostrophes and dashes, as printed French and English do.
# ruff: noqa: RUF001
"""The words letters share, in each letter language: labels, issue titles, legal explanations,
and the words of the layout every letter shares (subject, references, date line).

The prose of each letter lives in its template (`templates/letters/<language>/<kind>.html`); what
several letters say the same way (an Article 15 item, an incident, a clock, a ground for
complaint) is written once here per language, so that a reminder and a complaint name a missing
item in the same words. Keys are the values of the model's choices.

Citations are built from references such as "15(1)(h)" by `cite`, in each language's own style:
"Art. 15(1)(h) GDPR", "art. 15, paragraphe 1, point h) du RGPD", "Art. 15 Abs. 1 lit. h DSGVO".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

LANGUAGES = ("en", "fr", "de")

# --- Citations -------------------------------------------------------------------------------

_REF = re.compile(r"^(\d+)(?:\((\d+)\))?(?:\(([a-z])\))?$")
_LAW = {"en": "GDPR", "fr": "du RGPD", "de": "DSGVO"}


def _one(ref: str, language: str) -> str:
    match = _REF.match(ref)
    if match is None:
        raise ValueError(f"not an article reference: {ref!r}")
    article, paragraph, point = match.groups()
    if language == "fr":
        if article == "4" and paragraph:  # Art. 4 is a list of definitions: "point 12)"
            return f"art. 4, point {paragraph})"
        text = f"art. {article}"
        text += f", paragraphe {paragraph}" if paragraph else ""
        return text + (f", point {point})" if point else "")
    if language == "de":
        if article == "4" and paragraph:
            return f"Art. 4 Nr. {paragraph}"
        text = f"Art. {article}"
        text += f" Abs. {paragraph}" if paragraph else ""
        return text + (f" lit. {point}" if point else "")
    text = f"Art. {article}"
    text += f"({paragraph})" if paragraph else ""
    return text + (f"({point})" if point else "")


def cite(refs: Iterable[str], language: str) -> str:
    """Cite GDPR articles in the letter's language: `cite(["12(3)", "15(1)"], "de")` gives
    "Art. 12 Abs. 3, Art. 15 Abs. 1 DSGVO"."""
    refs = list(refs)
    separator = " ; " if language == "fr" else ", "
    text = separator.join(_one(ref, language) for ref in refs)
    # French sets a subdivision off with commas: "art. 15, paragraphe 3, du RGPD".
    if language == "fr" and refs and "(" in refs[-1]:
        return f"{text}, {_LAW[language]}"
    return f"{text} {_LAW[language]}"


# --- Article 15 items ------------------------------------------------------------------------

ITEM_ARTICLES: dict[str, tuple[str, ...]] = {
    "audio": ("15(1)", "15(3)"),
    "transcripts": ("15(3)",),
    "annotations": ("15(3)",),
    "purposes": ("15(1)(a)",),
    "categories": ("15(1)(b)",),
    "recipients": ("15(1)(c)",),
    "safeguards": ("15(2)",),
    "retention": ("15(1)(d)",),
    "rights": ("15(1)(e)", "15(1)(f)"),
    "source": ("15(1)(g)",),
    "automated_decisions": ("15(1)(h)",),
}

ITEMS: dict[str, dict[str, str]] = {
    "en": {
        "audio": "a copy of every audio recording of my voice, including recordings made "
        "without the wake word",
        "transcripts": "the transcripts of these recordings",
        "annotations": "the annotations, labels and assessments that human reviewers or "
        "automated systems added to the recordings",
        "purposes": "the purposes of the processing",
        "categories": "the categories of personal data concerned",
        "recipients": "the recipients or categories of recipients to whom my data have been or "
        "will be disclosed, in particular processors and recipients in third countries, with "
        "those countries",
        "safeguards": "the safeguards for transfers to countries outside the EU/EEA",
        "retention": "the retention period for each category of data, or the criteria used "
        "to set it",
        "rights": "information on the rights to rectification, erasure, restriction and "
        "objection, and on the right to lodge a complaint",
        "source": "the source of any data not collected from me",
        "automated_decisions": "the existence of automated decision-making, including "
        "profiling, with meaningful information about its logic and consequences",
    },
    "fr": {
        "audio": "une copie de chacun des enregistrements audio de ma voix, y compris ceux "
        "réalisés sans que le mot d’activation ait été prononcé",
        "transcripts": "les transcriptions de ces enregistrements",
        "annotations": "les annotations, étiquettes et évaluations ajoutées aux "
        "enregistrements par des réviseurs humains ou par des systèmes automatisés",
        "purposes": "les finalités du traitement",
        "categories": "les catégories de données à caractère personnel concernées",
        "recipients": "les destinataires ou catégories de destinataires auxquels mes données "
        "ont été ou seront communiquées, en particulier les sous-traitants et les "
        "destinataires établis dans des pays tiers, avec ces pays",
        "safeguards": "les garanties encadrant les transferts vers des pays situés hors de "
        "l’UE/EEE",
        "retention": "la durée de conservation de chaque catégorie de données ou, à défaut, "
        "les critères utilisés pour la déterminer",
        "rights": "l’information sur les droits de rectification, d’effacement, de limitation "
        "et d’opposition, ainsi que sur le droit d’introduire une réclamation",
        "source": "la source des données qui n’ont pas été collectées auprès de moi",
        "automated_decisions": "l’existence d’une prise de décision automatisée, y compris un "
        "profilage, et des informations utiles sur sa logique et ses conséquences",
    },
    "de": {
        "audio": "eine Kopie jeder Audioaufnahme meiner Stimme, auch der Aufnahmen, die ohne "
        "das Aktivierungswort entstanden sind",
        "transcripts": "die Transkripte dieser Aufnahmen",
        "annotations": "die Anmerkungen, Labels und Bewertungen, die menschliche Prüfer oder "
        "automatisierte Systeme den Aufnahmen hinzugefügt haben",
        "purposes": "die Verarbeitungszwecke",
        "categories": "die Kategorien der verarbeiteten personenbezogenen Daten",
        "recipients": "die Empfänger oder Kategorien von Empfängern, gegenüber denen meine Daten "
        "offengelegt worden sind oder noch offengelegt werden, insbesondere Auftragsverarbeiter "
        "und Empfänger in Drittländern, mit diesen Ländern",
        "safeguards": "die geeigneten Garantien für Übermittlungen in Länder außerhalb der "
        "EU bzw. des EWR",
        "retention": "die Speicherdauer je Datenkategorie oder, falls das nicht möglich ist, "
        "die Kriterien für ihre Festlegung",
        "rights": "die Belehrung über die Rechte auf Berichtigung, Löschung, Einschränkung der "
        "Verarbeitung und Widerspruch sowie über das Beschwerderecht",
        "source": "die Herkunft der Daten, die nicht bei mir erhoben wurden",
        "automated_decisions": "das Bestehen einer automatisierten Entscheidungsfindung "
        "einschließlich Profiling sowie aussagekräftige Informationen über die involvierte "
        "Logik und ihre Auswirkungen",
    },
}

# --- Incidents -------------------------------------------------------------------------------

INCIDENT_ARTICLES: dict[str, tuple[str, ...]] = {
    "misdirected_export": ("4(12)", "5(1)(f)", "32", "33", "34"),
    "undisclosed_review": ("5(1)(a)", "6(1)", "12(1)", "13", "14"),
    "recording_without_wake_word": ("5(1)(a)", "5(1)(c)", "6(1)"),
    "incomplete_answer": ("15(1)", "15(3)"),
    "no_answer": ("12(3)", "12(4)"),
    "excessive_identity_demand": ("12(2)", "12(6)"),
    "late_extension_notice": ("12(3)",),
    "other_breach": ("5(1)(f)", "32", "33", "34"),
}

# Recordings that reveal health, sex life, beliefs and the like: Art. 9(1) applies as well.
SPECIAL_CATEGORY_ARTICLE = "9(1)"


def incident_articles(incident: object) -> tuple[str, ...]:
    """The articles an incident engages: a personal data breach Art. 4(12), 5(1)(f), 32, 33 and
    34; undisclosed human review Art. 5(1)(a), 6(1), 12(1), 13 and 14, and Art. 9(1) where the
    person says the recordings touched a special category of data."""
    refs = INCIDENT_ARTICLES[incident.kind]  # type: ignore[attr-defined]
    if getattr(incident, "special_categories", False) and SPECIAL_CATEGORY_ARTICLE not in refs:
        refs = tuple(sorted((*refs, SPECIAL_CATEGORY_ARTICLE), key=article_order))
    return refs


def article_order(ref: str) -> tuple[int | str, ...]:
    """Sort "9(1)" before "12(1)" and "15(1)(c)" before "15(3)": article, paragraph, point."""
    return tuple(int(part) if part.isdigit() else part for part in re.findall(r"\w+", ref))


# The incident form's data categories (cases.forms.common.DATA_CATEGORY_CHOICES), as words.
DATA_CATEGORIES: dict[str, dict[str, str]] = {
    "en": {
        "audio": "audio recordings",
        "transcripts": "transcripts",
        "annotations": "reviewers’ annotations",
        "contacts": "contacts",
        "location": "location data",
        "purchase history": "purchase history",
        "device identifiers": "device identifiers and serial numbers",
        "account details": "name, e-mail address and account details",
        "voice of a third party": "voices of other people",
    },
    "fr": {
        "audio": "enregistrements audio",
        "transcripts": "transcriptions",
        "annotations": "annotations des réviseurs",
        "contacts": "contacts",
        "location": "données de localisation",
        "purchase history": "historique d’achats",
        "device identifiers": "identifiants et numéros de série des appareils",
        "account details": "nom, adresse électronique et données du compte",
        "voice of a third party": "voix d’autres personnes",
    },
    "de": {
        "audio": "Audioaufnahmen",
        "transcripts": "Transkripte",
        "annotations": "Anmerkungen der Prüfer",
        "contacts": "Kontakte",
        "location": "Standortdaten",
        "purchase history": "Kaufhistorie",
        "device identifiers": "Gerätekennungen und Seriennummern",
        "account details": "Name, E-Mail-Adresse und Kontodaten",
        "voice of a third party": "Stimmen anderer Personen",
    },
}

INCIDENTS: dict[str, dict[str, str]] = {
    "en": {
        "misdirected_export": "disclosure of personal data to the wrong person "
        "(misdirected data export)",
        "undisclosed_review": "review of voice recordings by people without prior information",
        "recording_without_wake_word": "recording without the wake word being spoken",
        "incomplete_answer": "incomplete answer to the access request",
        "no_answer": "no answer to the access request",
        "excessive_identity_demand": "excessive demand for proof of identity",
        "late_extension_notice": "extension of the time limit notified too late",
        "other_breach": "other personal data breach",
    },
    "fr": {
        "misdirected_export": "communication de données personnelles à une mauvaise personne "
        "(export de données mal adressé)",
        "undisclosed_review": "écoute d’enregistrements vocaux par des personnes sans "
        "information préalable",
        "recording_without_wake_word": "enregistrement sans que le mot d’activation ait été "
        "prononcé",
        "incomplete_answer": "réponse incomplète à la demande d’accès",
        "no_answer": "absence de réponse à la demande d’accès",
        "excessive_identity_demand": "exigence excessive de justificatifs d’identité",
        "late_extension_notice": "prolongation du délai notifiée tardivement",
        "other_breach": "autre violation de données à caractère personnel",
    },
    "de": {
        "misdirected_export": "Offenlegung personenbezogener Daten gegenüber einer falschen "
        "Person (fehlgeleiteter Datenexport)",
        "undisclosed_review": "Auswertung von Sprachaufnahmen durch Menschen ohne vorherige "
        "Information",
        "recording_without_wake_word": "Aufzeichnung, ohne dass das Aktivierungswort "
        "gesprochen wurde",
        "incomplete_answer": "unvollständige Antwort auf das Auskunftsersuchen",
        "no_answer": "keine Antwort auf das Auskunftsersuchen",
        "excessive_identity_demand": "überzogene Anforderung von Identitätsnachweisen",
        "late_extension_notice": "verspätet mitgeteilte Fristverlängerung",
        "other_breach": "sonstige Verletzung des Schutzes personenbezogener Daten",
    },
}

# --- Clocks ----------------------------------------------------------------------------------

DEADLINES: dict[str, dict[str, str]] = {
    "en": {
        "response": "time limit for answering the request",
        "extension_notice": "time limit for notifying an extension",
        "extended_response": "extended time limit for answering the request",
        "admonition": "time limit set in the reminder",
        "breach_notification": "72-hour time limit for notifying the breach to the "
        "supervisory authority",
        "authority_progress": "time limit for the authority to report on the complaint",
    },
    "fr": {
        "response": "délai de réponse à la demande",
        "extension_notice": "délai pour notifier une prolongation",
        "extended_response": "délai de réponse prolongé",
        "admonition": "délai fixé dans la lettre de relance",
        "breach_notification": "délai de 72 heures pour notifier la violation à l’autorité de "
        "contrôle",
        "authority_progress": "délai d’information de l’autorité sur la réclamation",
    },
    "de": {
        "response": "Frist zur Beantwortung des Antrags",
        "extension_notice": "Frist zur Mitteilung einer Fristverlängerung",
        "extended_response": "verlängerte Frist zur Beantwortung des Antrags",
        "admonition": "in der Erinnerung gesetzte Frist",
        "breach_notification": "72-Stunden-Frist für die Meldung der Verletzung an die "
        "Aufsichtsbehörde",
        "authority_progress": "Frist der Aufsichtsbehörde zur Unterrichtung über die Beschwerde",
    },
}

# --- Timeline --------------------------------------------------------------------------------

EVENTS: dict[str, dict[str, str]] = {
    "en": {
        "created": "Case opened",
        "sent": "Access request sent",
        "delivered": "Request received by the controller",
        "identity_requested": "Controller asked for identification or clarification",
        "identity_provided": "Identification or clarification provided",
        "acknowledged": "Controller acknowledged receipt of the request",
        "extension_notified": "Controller announced an extension",
        "response_received": "Answer received",
        "reminder_sent": "Reminder sent to the controller",
        "incident_recorded": "Incident recorded",
        "evidence_added": "Evidence added",
        "complaint_filed": "Complaint lodged",
        "authority_replied": "Authority replied",
        "deadline_missed": "Deadline missed",
        "closed": "Case closed",
        "note": "Note",
        "incident_reported": "Incident reported to the controller",
    },
    "fr": {
        "created": "Ouverture du dossier",
        "sent": "Envoi de la demande d’accès",
        "delivered": "Réception de la demande par le responsable du traitement",
        "identity_requested": "Demande d’identification ou de précision du responsable",
        "identity_provided": "Identification ou précision fournie",
        "acknowledged": "Accusé de réception de la demande par le responsable du traitement",
        "extension_notified": "Annonce d’une prolongation par le responsable",
        "response_received": "Réception d’une réponse",
        "reminder_sent": "Envoi d’une relance au responsable",
        "incident_recorded": "Constat d’un incident",
        "evidence_added": "Ajout d’une pièce",
        "complaint_filed": "Introduction d’une réclamation",
        "authority_replied": "Réponse de l’autorité",
        "deadline_missed": "Délai dépassé",
        "closed": "Clôture du dossier",
        "note": "Note",
        "incident_reported": "Signalement de l’incident au responsable",
    },
    "de": {
        "created": "Vorgang angelegt",
        "sent": "Auskunftsersuchen versandt",
        "delivered": "Antrag beim Verantwortlichen eingegangen",
        "identity_requested": "Verantwortlicher verlangte Identitätsnachweis oder Präzisierung",
        "identity_provided": "Identitätsnachweis oder Präzisierung übermittelt",
        "acknowledged": "Verantwortlicher bestätigte den Eingang des Antrags",
        "extension_notified": "Verantwortlicher kündigte Fristverlängerung an",
        "response_received": "Antwort erhalten",
        "reminder_sent": "Erinnerung an den Verantwortlichen versandt",
        "incident_recorded": "Vorfall festgestellt",
        "evidence_added": "Beweisstück hinzugefügt",
        "complaint_filed": "Beschwerde eingereicht",
        "authority_replied": "Antwort der Aufsichtsbehörde",
        "deadline_missed": "Frist versäumt",
        "closed": "Vorgang abgeschlossen",
        "note": "Notiz",
        "incident_reported": "Vorfall dem Verantwortlichen gemeldet",
    },
}

# How the request went, as a letter to an authority says it: "your web form" would be the
# authority's own.
CHANNELS_TO_THIRD_PARTY: dict[str, dict[str, str]] = {
    "en": {
        "email": "by e-mail",
        "webform": "through the controller’s web form",
        "post": "by post",
    },
    "fr": {
        "email": "par courrier électronique",
        "webform": "au moyen du formulaire en ligne du responsable du traitement",
        "post": "par voie postale",
    },
    "de": {
        "email": "per E-Mail",
        "webform": "über das Webformular des Verantwortlichen",
        "post": "per Post",
    },
}

# The same, in a sentence that has just named the controller: "asked the controller through its
# web form".
CHANNELS_ITS: dict[str, dict[str, str]] = {
    "en": {"email": "by e-mail", "webform": "through its web form", "post": "by post"},
    "fr": {
        "email": "par courrier électronique",
        "webform": "au moyen de son formulaire en ligne",
        "post": "par voie postale",
    },
    "de": {"email": "per E-Mail", "webform": "über dessen Webformular", "post": "per Post"},
}

# How the request went, as a letter to the vendor says it.
CHANNELS: dict[str, dict[str, str]] = {
    "en": {"email": "by e-mail", "webform": "through your web form", "post": "by post"},
    "fr": {
        "email": "par courrier électronique",
        "webform": "au moyen de votre formulaire en ligne",
        "post": "par voie postale",
    },
    "de": {"email": "per E-Mail", "webform": "über Ihr Webformular", "post": "per Post"},
}

# --- Grounds ---------------------------------------------------------------------------------
# Each ground a complaint relies on: a title, the rule in one or two sentences, the articles.

GROUND_ARTICLES: dict[str, tuple[str, ...]] = {
    "no_answer": ("12(3)", "12(4)", "15(1)"),
    "late_answer": ("12(3)",),
    "late_extension": ("12(3)",),
}

GROUNDS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "no_answer": (
            "No answer within the time limit",
            "A controller must act on an access request within one month of receipt; it may "
            "extend that time only by telling the data subject, with reasons, within the first "
            "month, and if it does not act it must say why within the same month. The "
            "controller did none of this.",
        ),
        "late_answer": (
            "Answer after the time limit",
            "The controller answered only after the time limit for answering had expired.",
        ),
        "late_extension": (
            "Extension notified too late",
            "An extension is available only if the data subject is informed of it, with "
            "reasons, within one month of receipt. The notice came later and could not extend "
            "the time limit.",
        ),
        "items": (
            "Incomplete answer",
            "The answer lacks the information and copies listed above as missing from it; an "
            "answer to an access request must include each of them.",
        ),
        "misdirected_export": (
            "",
            "The data subject’s personal data were disclosed to a person who was not entitled "
            "to them: a personal data breach, which calls into question whether the security of "
            "the processing was appropriate. Such a breach is to be notified to the competent "
            "supervisory authority and, where the risk is high, communicated to the data "
            "subject; the authority can check whether and when this was done.",
        ),
        "undisclosed_review": (
            "",
            "People listened to recordings of the data subject’s voice, and the data subject "
            "was not told beforehand that this could happen, for what purpose, or by whom. "
            "Processing must be lawful and transparent, and the purposes and recipients must be "
            "disclosed when the data are collected; whether this review had a legal basis and "
            "was disclosed is for the authority to examine.",
        ),
        "recording_without_wake_word": (
            "",
            "The device recorded speech although the wake word had not been said. Such "
            "recordings have no legal basis and go beyond what the service needs.",
        ),
        "incomplete_answer": (
            "",
            "The answer leaves out information and copies to which the data subject is entitled.",
        ),
        "no_answer_incident": (
            "",
            "The controller did not answer the request, nor did it explain why it would not "
            "act on it.",
        ),
        "excessive_identity_demand": (
            "",
            "The controller made its answer depend on proof of identity it did not need. "
            "Further information may be asked for only where there is reasonable doubt about "
            "the requester's identity, and the controller must make the exercise of rights "
            "easy, not harder.",
        ),
        "late_extension_notice": (
            "",
            "The extension was notified after the first month and therefore did not extend "
            "the time limit.",
        ),
        "other_breach": (
            "",
            "The security of the data subject's personal data was breached; the controller "
            "had to prevent it and must handle the breach as the law requires.",
        ),
    },
    "fr": {
        "no_answer": (
            "Absence de réponse dans le délai",
            "Le responsable du traitement doit donner suite à une demande d’accès dans un délai "
            "d’un mois à compter de sa réception ; il ne peut prolonger ce délai qu’en informant "
            "la personne concernée, motifs à l’appui, dans ce premier mois, et s’il ne donne "
            "pas suite il doit en indiquer les raisons dans le même délai. Rien de tel n’a été "
            "fait.",
        ),
        "late_answer": (
            "Réponse tardive",
            "Le responsable du traitement n’a répondu qu’après l’expiration du délai de réponse.",
        ),
        "late_extension": (
            "Prolongation notifiée tardivement",
            "Une prolongation n’est possible que si la personne concernée en est informée, "
            "motifs à l’appui, dans le mois suivant la réception de la demande. L’information "
            "est arrivée plus tard et n’a donc pas pu prolonger le délai.",
        ),
        "items": (
            "Réponse incomplète",
            "La réponse ne comporte pas les informations et copies énumérées ci-dessus comme y "
            "manquant ; la réponse à une demande d’accès doit comporter chacune d’elles.",
        ),
        "misdirected_export": (
            "",
            "Des données à caractère personnel de la personne concernée ont été communiquées à "
            "une personne qui n’y avait pas droit : il s’agit d’une violation de données à "
            "caractère personnel, qui met en cause le caractère approprié de la sécurité du "
            "traitement. Une telle violation doit être notifiée à l’autorité de contrôle "
            "compétente et, en cas de risque élevé, communiquée à la personne concernée ; "
            "l’autorité peut vérifier si et quand cela a été fait.",
        ),
        "undisclosed_review": (
            "",
            "Des personnes ont écouté des enregistrements de la voix de la personne concernée, "
            "sans qu’elle ait été informée au préalable de cette possibilité, de sa finalité ni "
            "de ceux qui y procèdent. Le traitement doit être licite et transparent, et les "
            "finalités comme les destinataires doivent être indiqués lors de la collecte ; il "
            "appartient à l’autorité d’examiner si cette écoute reposait sur une base juridique "
            "et avait été annoncée.",
        ),
        "recording_without_wake_word": (
            "",
            "L’appareil a enregistré des paroles alors que le mot d’activation n’avait pas été "
            "prononcé. De tels enregistrements n’ont aucune base juridique et dépassent ce qui "
            "est nécessaire au service.",
        ),
        "incomplete_answer": (
            "",
            "La réponse omet des informations et des copies auxquelles la personne concernée a "
            "droit.",
        ),
        "no_answer_incident": (
            "",
            "Le responsable n’a pas répondu à la demande et n’a pas non plus expliqué pourquoi "
            "il n’y donnait pas suite.",
        ),
        "excessive_identity_demand": (
            "",
            "Le responsable a subordonné sa réponse à des justificatifs d’identité dont il "
            "n’avait pas besoin. Des informations supplémentaires ne peuvent être demandées "
            "qu’en cas de doute raisonnable sur l’identité du demandeur, et le responsable doit "
            "faciliter l’exercice des droits, non le compliquer.",
        ),
        "late_extension_notice": (
            "",
            "La prolongation a été notifiée après le premier mois et n’a donc pas prolongé le "
            "délai.",
        ),
        "other_breach": (
            "",
            "La sécurité des données de la personne concernée a été compromise ; le "
            "responsable devait l’empêcher et doit traiter la violation comme la loi l’exige.",
        ),
    },
    "de": {
        "no_answer": (
            "Keine Antwort innerhalb der Frist",
            "Der Verantwortliche muss ein Auskunftsersuchen innerhalb eines Monats nach "
            "Eingang beantworten; verlängern kann er diese Frist nur, wenn er die betroffene "
            "Person innerhalb dieses ersten Monats unter Angabe der Gründe unterrichtet, und "
            "wird er nicht tätig, muss er dies innerhalb derselben Frist begründen. Nichts "
            "davon ist geschehen.",
        ),
        "late_answer": (
            "Antwort nach Fristablauf",
            "Der Verantwortliche hat erst nach Ablauf der Antwortfrist geantwortet.",
        ),
        "late_extension": (
            "Verspätete Mitteilung der Fristverlängerung",
            "Eine Verlängerung setzt voraus, dass die betroffene Person innerhalb eines Monats "
            "nach Eingang des Antrags unter Angabe der Gründe unterrichtet wird. Die Mitteilung "
            "kam später und konnte die Frist daher nicht verlängern.",
        ),
        "items": (
            "Unvollständige Auskunft",
            "In der Antwort fehlen die oben als fehlend aufgeführten Informationen und Kopien; "
            "die Antwort auf ein Auskunftsersuchen muss jede davon enthalten.",
        ),
        "misdirected_export": (
            "",
            "Personenbezogene Daten der betroffenen Person wurden einer Person offengelegt, die "
            "keinen Anspruch darauf hatte. Das ist eine Verletzung des Schutzes "
            "personenbezogener Daten und stellt in Frage, ob die Sicherheit der Verarbeitung "
            "angemessen war. Eine solche Verletzung ist der zuständigen Aufsichtsbehörde zu "
            "melden und bei hohem Risiko der betroffenen Person mitzuteilen; die "
            "Aufsichtsbehörde kann prüfen, ob und wann dies geschehen ist.",
        ),
        "undisclosed_review": (
            "",
            "Menschen haben Aufnahmen der Stimme der betroffenen Person angehört, ohne dass sie "
            "vorher darüber informiert war, dass, wozu und durch wen dies geschehen kann. Die "
            "Verarbeitung muss rechtmäßig und transparent sein, und Zwecke und Empfänger sind "
            "bei der Erhebung mitzuteilen; ob dieses Anhören eine Rechtsgrundlage hatte und "
            "offengelegt war, hat die Aufsichtsbehörde zu prüfen.",
        ),
        "recording_without_wake_word": (
            "",
            "Das Gerät hat Gesprochenes aufgezeichnet, obwohl das Aktivierungswort nicht gesagt "
            "wurde. Für solche Aufnahmen gibt es keine Rechtsgrundlage, und sie gehen über das "
            "für den Dienst Erforderliche hinaus.",
        ),
        "incomplete_answer": (
            "",
            "Die Antwort lässt Informationen und Kopien aus, auf die die betroffene Person "
            "Anspruch hat.",
        ),
        "no_answer_incident": (
            "",
            "Der Verantwortliche hat den Antrag weder beantwortet noch begründet, warum er "
            "nicht tätig wird.",
        ),
        "excessive_identity_demand": (
            "",
            "Der Verantwortliche hat seine Antwort von Identitätsnachweisen abhängig gemacht, "
            "die er nicht benötigte. Zusätzliche Informationen darf er nur bei begründeten "
            "Zweifeln an der Identität verlangen, und er muss die Ausübung der Rechte "
            "erleichtern, nicht erschweren.",
        ),
        "late_extension_notice": (
            "",
            "Die Fristverlängerung wurde erst nach dem ersten Monat mitgeteilt und hat die "
            "Frist daher nicht verlängert.",
        ),
        "other_breach": (
            "",
            "Der Schutz der Daten der betroffenen Person wurde verletzt; der Verantwortliche "
            "hätte dies verhindern müssen und muss die Verletzung gesetzeskonform behandeln.",
        ),
    },
}

# Added to the undisclosed review's ground where the person says special categories were touched.
SPECIAL_CATEGORIES: dict[str, str] = {
    "en": "According to the data subject, the recordings reveal data of a special category "
    "(such as health or sex life), whose processing is prohibited unless an exception applies.",
    "fr": "Selon la personne concernée, les enregistrements révèlent des données relevant de "
    "catégories particulières (telles que la santé ou la vie sexuelle), dont le traitement est "
    "interdit sauf exception.",
    "de": "Nach Angaben der betroffenen Person lassen die Aufnahmen besondere Kategorien "
    "personenbezogener Daten erkennen (etwa Gesundheit oder Sexualleben), deren Verarbeitung "
    "untersagt ist, sofern keine Ausnahme greift.",
}

# The letters a complaint encloses, as it names them.
LETTER_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "access_request": "Access request",
        "reminder": "Reminder to the controller",
        "incident_notice": "Incident notice to the controller",
    },
    "fr": {
        "access_request": "Demande d’accès",
        "reminder": "Relance adressée au responsable du traitement",
        "incident_notice": "Signalement d’incident adressé au responsable du traitement",
    },
    "de": {
        "access_request": "Auskunftsersuchen",
        "reminder": "Erinnerung an den Verantwortlichen",
        "incident_notice": "Vorfallsmeldung an den Verantwortlichen",
    },
}

# --- Subjects --------------------------------------------------------------------------------

SUBJECTS: dict[str, dict[str, str]] = {
    "en": {
        "access_request": "Access request under Article 15 GDPR – {brand}",
        "reminder": "Reminder: my access request of {sent_on} under Article 15 GDPR – {brand}",
        "incident_notice": "Incident concerning my personal data: {incident}",
        "incident_notice_others_data": "Another person’s personal data sent to me – {brand}",
        "complaint": "Complaint under Article 77 GDPR against {controller}",
        "breach_report": "Report of a personal data breach by {controller}",
        "breach_report_others_data": "Report of a personal data breach by {controller}",
    },
    "fr": {
        "access_request": "Demande d’accès au titre de l’article 15 du RGPD – {brand}",
        "reminder": "Relance : ma demande d’accès du {sent_on} (article 15 du RGPD) – {brand}",
        "incident_notice": "Incident concernant mes données personnelles : {incident}",
        "incident_notice_others_data": "Données personnelles d’une autre personne qui m’ont été "
        "transmises – {brand}",
        "complaint": "Réclamation au titre de l’article 77 du RGPD contre {controller}",
        "breach_report": "Signalement d’une violation de données à caractère personnel par "
        "{controller}",
        "breach_report_others_data": "Signalement d’une violation de données à caractère "
        "personnel par {controller}",
    },
    "de": {
        "access_request": "Auskunftsersuchen nach Art. 15 DSGVO – {brand}",
        "reminder": "Erinnerung: mein Auskunftsersuchen vom {sent_on} nach Art. 15 DSGVO – {brand}",
        "incident_notice": "Vorfall betreffend meine personenbezogenen Daten: {incident}",
        "incident_notice_others_data": "Mir übermittelte personenbezogene Daten einer anderen "
        "Person – {brand}",
        "complaint": "Beschwerde nach Art. 77 DSGVO gegen {controller}",
        "breach_report": "Hinweis auf eine Verletzung des Schutzes personenbezogener Daten durch "
        "{controller}",
        "breach_report_others_data": "Hinweis auf eine Verletzung des Schutzes "
        "personenbezogener Daten durch {controller}",
    },
}

# --- Layout ----------------------------------------------------------------------------------
# The words around a letter's text: the subject line, references, date line, enclosures.

LAYOUT = {
    "en": {
        "subject": "Subject",
        "colon": ": ",
        "our_reference": "Our reference",
        "your_reference": "Your reference",
        "controller_reference": "Controller's reference",
        "case": "case",
        "email": "E-mail",
        "on_behalf_of": "on behalf of",
        # An organisation created on the site, before staff have checked its Art. 80(1) status.
        "not_verified": "not yet verified as a body under Art. 80(1) GDPR",
        "enclosures": "Enclosures",
        "date_line": "{place}, {date}",
        "date_only": "{date}",
    },
    "fr": {
        "subject": "Objet",
        "colon": " : ",  # French typography: a space before the colon
        "our_reference": "Notre référence",
        "your_reference": "Votre référence",
        "controller_reference": "Référence du responsable du traitement",
        "case": "dossier",
        "email": "Courriel",
        "on_behalf_of": "pour le compte de",
        "not_verified": (
            "qualité d’organisme au sens de l’article 80, paragraphe 1, du RGPD non encore vérifiée"
        ),
        "enclosures": "Pièces jointes",
        "date_line": "{place}, le {date}",
        "date_only": "Le {date}",
    },
    "de": {
        "subject": "Betreff",
        "colon": ": ",
        "our_reference": "Unser Zeichen",
        "your_reference": "Ihr Zeichen",
        "controller_reference": "Zeichen des Verantwortlichen",
        "case": "Vorgang",
        "email": "E-Mail",
        "on_behalf_of": "im Auftrag von",
        "not_verified": "Eigenschaft als Einrichtung nach Art. 80 Abs. 1 DSGVO noch nicht geprüft",
        "enclosures": "Anlagen",
        "date_line": "{place}, {date}",
        "date_only": "{date}",
    },
}

# --- Follow-up requests (erasure, objection, withdrawal, restriction, portability) ------------
# Each kind's checklist item, as a letter names what the answer must contain: the request asks
# for it, a reminder or a complaint lists it as missing. Codes are those of the model's
# checklists (`cases.models.CHECKLISTS`); no code names items of two kinds.

FOLLOW_UP_ITEM_ARTICLES: dict[str, tuple[str, ...]] = {
    "erase_audio": ("17(1)",),
    "erase_transcripts": ("17(1)",),
    "erase_annotations": ("17(1)",),
    "erase_processor_copies": ("17(1)", "28(3)(g)"),
    "retained_explained": ("17(3)",),
    "recipients_told": ("19",),
    "human_review_stopped": ("21(1)",),
    "training_stopped": ("21(1)",),
    "consent_processing_stopped": ("7(3)",),
    "processing_restricted": ("18(1)(d)", "18(2)"),
    "portable_audio": ("20(1)",),
    "portable_transcripts": ("20(1)",),
}

FOLLOW_UP_ITEMS: dict[str, dict[str, str]] = {
    "en": {
        "erase_audio": "confirmation that every audio recording of my voice has been erased, "
        "including recordings made without the wake word",
        "erase_transcripts": "confirmation that the transcripts, and the records of my requests "
        "and of the actions they triggered, have been erased, including those kept in other "
        "storage systems after a recording is deleted",
        "erase_annotations": "confirmation that the annotations, labels and assessments that "
        "reviewers or automated systems added to my recordings have been erased",
        "erase_processor_copies": "confirmation that the copies held by your processors, "
        "including contractors who transcribed or reviewed recordings, have been erased",
        "retained_explained": "which of my data you keep despite this request, on which ground "
        "of Article 17(3) and for how long",
        "recipients_told": "confirmation that every recipient to whom my data were disclosed "
        "has been told of the erasure, and who those recipients are",
        "human_review_stopped": "confirmation that people no longer listen to, transcribe or "
        "annotate my recordings",
        "training_stopped": "confirmation that my recordings and transcripts are no longer used "
        "to train or improve your services",
        "consent_processing_stopped": "confirmation that every processing of my recordings and "
        "transcripts based on my consent has stopped",
        "processing_restricted": "confirmation that the processing of my recordings and "
        "transcripts is restricted to storage while my objection is decided",
        "portable_audio": "the audio recordings of my voice that I provided to you, in a "
        "structured, commonly used and machine-readable format, with their date and time",
        "portable_transcripts": "the transcripts of my requests, in a structured, commonly used "
        "and machine-readable format such as JSON or CSV",
    },
    "fr": {
        "erase_audio": "la confirmation que chacun des enregistrements audio de ma voix a été "
        "effacé, y compris ceux réalisés sans que le mot d’activation ait été prononcé",
        "erase_transcripts": "la confirmation que les transcriptions, ainsi que les traces de "
        "mes requêtes et des actions qu’elles ont déclenchées, ont été effacées, y compris "
        "celles conservées dans d’autres systèmes de stockage après la suppression d’un "
        "enregistrement",
        "erase_annotations": "la confirmation que les annotations, étiquettes et évaluations "
        "ajoutées à mes enregistrements par des réviseurs ou des systèmes automatisés ont été "
        "effacées",
        "erase_processor_copies": "la confirmation que les copies détenues par vos "
        "sous-traitants, y compris les prestataires qui ont transcrit ou écouté des "
        "enregistrements, ont été effacées",
        "retained_explained": "les données me concernant que vous conservez malgré cette "
        "demande, le motif de l’article 17, paragraphe 3, invoqué et la durée de conservation",
        "recipients_told": "la confirmation que chaque destinataire auquel mes données ont été "
        "communiquées a été informé de l’effacement, et l’identité de ces destinataires",
        "human_review_stopped": "la confirmation que plus personne n’écoute, ne transcrit ni "
        "n’annote mes enregistrements",
        "training_stopped": "la confirmation que mes enregistrements et transcriptions ne sont "
        "plus utilisés pour entraîner ou améliorer vos services",
        "consent_processing_stopped": "la confirmation que tout traitement de mes "
        "enregistrements et transcriptions fondé sur mon consentement a cessé",
        "processing_restricted": "la confirmation que le traitement de mes enregistrements et "
        "transcriptions est limité à leur conservation tant qu’il n’a pas été statué sur mon "
        "opposition",
        "portable_audio": "les enregistrements audio de ma voix que je vous ai fournis, dans un "
        "format structuré, couramment utilisé et lisible par machine, avec leur date et heure",
        "portable_transcripts": "les transcriptions de mes requêtes, dans un format structuré, "
        "couramment utilisé et lisible par machine, tel que JSON ou CSV",
    },
    "de": {
        "erase_audio": "die Bestätigung, dass jede Audioaufnahme meiner Stimme gelöscht wurde, "
        "auch die Aufnahmen, die ohne das Aktivierungswort entstanden sind",
        "erase_transcripts": "die Bestätigung, dass die Transkripte sowie die Aufzeichnungen "
        "meiner Anfragen und der dadurch ausgelösten Aktionen gelöscht wurden, auch soweit sie "
        "nach dem Löschen einer Aufnahme in anderen Speichersystemen verbleiben",
        "erase_annotations": "die Bestätigung, dass die Anmerkungen, Labels und Bewertungen, die "
        "Prüfer oder automatisierte Systeme meinen Aufnahmen hinzugefügt haben, gelöscht wurden",
        "erase_processor_copies": "die Bestätigung, dass die Kopien bei Ihren "
        "Auftragsverarbeitern, auch bei Dienstleistern, die Aufnahmen transkribiert oder "
        "angehört haben, gelöscht wurden",
        "retained_explained": "welche meiner Daten Sie trotz dieses Antrags aufbewahren, aus "
        "welchem Grund nach Art. 17 Abs. 3 und wie lange",
        "recipients_told": "die Bestätigung, dass jeder Empfänger, dem meine Daten offengelegt "
        "wurden, über die Löschung unterrichtet wurde, und wer diese Empfänger sind",
        "human_review_stopped": "die Bestätigung, dass niemand mehr meine Aufnahmen anhört, "
        "transkribiert oder mit Anmerkungen versieht",
        "training_stopped": "die Bestätigung, dass meine Aufnahmen und Transkripte nicht mehr "
        "zum Training oder zur Verbesserung Ihrer Dienste verwendet werden",
        "consent_processing_stopped": "die Bestätigung, dass jede auf meine Einwilligung "
        "gestützte Verarbeitung meiner Aufnahmen und Transkripte beendet ist",
        "processing_restricted": "die Bestätigung, dass die Verarbeitung meiner Aufnahmen und "
        "Transkripte auf deren Speicherung beschränkt ist, solange über meinen Widerspruch "
        "nicht entschieden ist",
        "portable_audio": "die Audioaufnahmen meiner Stimme, die ich Ihnen bereitgestellt habe, "
        "in einem strukturierten, gängigen und maschinenlesbaren Format, mit Datum und Uhrzeit",
        "portable_transcripts": "die Transkripte meiner Anfragen in einem strukturierten, "
        "gängigen und maschinenlesbaren Format wie JSON oder CSV",
    },
}
ITEM_ARTICLES.update(FOLLOW_UP_ITEM_ARTICLES)
for _language, _items in FOLLOW_UP_ITEMS.items():
    ITEMS[_language].update(_items)

# The article each kind of request exercises; a complaint about an unanswered request cites it.
KIND_ARTICLES: dict[str, tuple[str, ...]] = {
    "access": ("15(1)",),
    "erasure": ("17(1)",),
    "objection": ("21(1)",),
    "withdrawal": ("7(3)",),
    "restriction": ("18(1)(d)",),
    "portability": ("20(1)",),
}

# Erasure grounds in plain words (Art. 17(1)(b), (c), (d)), as the request states them.
ERASURE_GROUNDS: dict[str, dict[str, str]] = {
    "en": {
        "consent_withdrawn": "I withdraw my consent to the processing of my recordings, and no "
        "other legal ground allows it",
        "objection": "I object to the processing of my recordings, and there are no overriding "
        "legitimate grounds for it",
        "unlawful": "my personal data have been processed unlawfully",
    },
    "fr": {
        "consent_withdrawn": "je retire mon consentement au traitement de mes enregistrements, "
        "et aucun autre fondement juridique ne le permet",
        "objection": "je m’oppose au traitement de mes enregistrements, et il n’existe pas de "
        "motif légitime impérieux pour ce traitement",
        "unlawful": "mes données à caractère personnel ont fait l’objet d’un traitement illicite",
    },
    "de": {
        "consent_withdrawn": "ich widerrufe meine Einwilligung in die Verarbeitung meiner "
        "Aufnahmen, und es fehlt an einer anderweitigen Rechtsgrundlage",
        "objection": "ich lege Widerspruch gegen die Verarbeitung meiner Aufnahmen ein, und es "
        "liegen keine vorrangigen berechtigten Gründe für sie vor",
        "unlawful": "meine personenbezogenen Daten wurden unrechtmäßig verarbeitet",
    },
}
ERASURE_GROUND_ARTICLES: dict[str, str] = {
    "consent_withdrawn": "17(1)(b)",
    "objection": "17(1)(c)",
    "unlawful": "17(1)(d)",
}

# What a reminder and a complaint call the request, for each kind but access (whose letters
# keep their own words). The same words fit both letters.
REQUEST_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "erasure": "a request for erasure under Article 17 GDPR",
        "objection": "an objection under Article 21(1) GDPR",
        "withdrawal": "a withdrawal of consent under Article 7(3) GDPR",
        "restriction": "a request for restriction of processing under Article 18(1)(d) GDPR",
        "portability": "a request for data portability under Article 20 GDPR",
    },
    "fr": {
        "erasure": "une demande d’effacement au titre de l’article 17 du RGPD",
        "objection": "une opposition au titre de l’article 21, paragraphe 1, du RGPD",
        "withdrawal": "une déclaration de retrait du consentement au titre de l’article 7, "
        "paragraphe 3, du RGPD",
        "restriction": "une demande de limitation du traitement au titre de l’article 18, "
        "paragraphe 1, point d), du RGPD",
        "portability": "une demande de portabilité au titre de l’article 20 du RGPD",
    },
    "de": {
        "erasure": "einen Antrag auf Löschung nach Art. 17 DSGVO",
        "objection": "einen Widerspruch nach Art. 21 Abs. 1 DSGVO",
        "withdrawal": "einen Widerruf der Einwilligung nach Art. 7 Abs. 3 DSGVO",
        "restriction": "einen Antrag auf Einschränkung der Verarbeitung nach Art. 18 Abs. 1 "
        "lit. d DSGVO",
        "portability": "einen Antrag auf Datenübertragbarkeit nach Art. 20 DSGVO",
    },
}

# What a complaint about a follow-up says the controller did not do, how it heads the request's
# section, and what it asks the authority to order (Art. 58(2)(c); erasure and restriction
# Art. 58(2)(g), which also orders the recipients told).
COMPLAINT_WORDS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "erasure": {
            "heading": "The request for erasure",
            "not_done": "The controller has not erased the data subject’s personal data, or "
            "has not confirmed doing so, as Articles 17 and 19 GDPR require.",
            "order": "to order the controller to erase the data subject’s personal data and to "
            "notify every recipient of the erasure (Art. 58(2)(g) GDPR)",
        },
        "objection": {
            "heading": "The objection",
            "not_done": "The controller has not stopped, or has not confirmed stopping, the "
            "processing to which the data subject objected under Article 21(1) GDPR, and has "
            "shown no compelling legitimate grounds to continue it.",
            "order": "to order the controller to stop the processing objected to (Art. 58(2)(c) "
            "and (f) GDPR)",
        },
        "withdrawal": {
            "heading": "The withdrawal of consent",
            "not_done": "The controller has not stopped, or has not confirmed stopping, the "
            "processing for which the data subject withdrew consent under Article 7(3) GDPR.",
            "order": "to order the controller to stop the processing for which consent was "
            "withdrawn (Art. 58(2)(c) and (f) GDPR)",
        },
        "restriction": {
            "heading": "The request for restriction",
            "not_done": "The controller has not restricted, or has not confirmed restricting, "
            "the processing while the objection is decided, as Article 18(1)(d) GDPR requires.",
            "order": "to order the controller to restrict the processing (Art. 58(2)(g) GDPR)",
        },
        "portability": {
            "heading": "The request for data portability",
            "not_done": "The controller has not provided the data subject’s data in a "
            "structured, commonly used and machine-readable format as Article 20(1) GDPR "
            "requires.",
            "order": "to order the controller to comply with the request for portability "
            "(Art. 58(2)(c) GDPR)",
        },
    },
    "fr": {
        "erasure": {
            "heading": "La demande d’effacement",
            "not_done": "Le responsable du traitement n’a pas effacé les données à caractère "
            "personnel de la personne concernée, ou n’a pas confirmé l’avoir fait, comme "
            "l’exigent les articles 17 et 19 du RGPD.",
            "order": "ordonner au responsable du traitement d’effacer les données à caractère "
            "personnel de la personne concernée et de notifier cet effacement à chaque "
            "destinataire (article 58, paragraphe 2, point g), du RGPD)",
        },
        "objection": {
            "heading": "L’opposition",
            "not_done": "Le responsable du traitement n’a pas cessé, ou n’a pas confirmé avoir "
            "cessé, le traitement auquel la personne concernée s’est opposée au titre de "
            "l’article 21, paragraphe 1, du RGPD, et n’a démontré aucun motif légitime "
            "impérieux de le poursuivre.",
            "order": "ordonner au responsable du traitement de cesser le traitement faisant "
            "l’objet de l’opposition (article 58, paragraphe 2, points c) et f), du RGPD)",
        },
        "withdrawal": {
            "heading": "Le retrait du consentement",
            "not_done": "Le responsable du traitement n’a pas cessé, ou n’a pas confirmé avoir "
            "cessé, le traitement pour lequel la personne concernée a retiré son consentement "
            "au titre de l’article 7, paragraphe 3, du RGPD.",
            "order": "ordonner au responsable du traitement de cesser le traitement pour lequel "
            "le consentement a été retiré (article 58, paragraphe 2, points c) et f), du RGPD)",
        },
        "restriction": {
            "heading": "La demande de limitation du traitement",
            "not_done": "Le responsable du traitement n’a pas limité, ou n’a pas confirmé avoir "
            "limité, le traitement dans l’attente de la décision sur l’opposition, comme "
            "l’exige l’article 18, paragraphe 1, point d), du RGPD.",
            "order": "ordonner au responsable du traitement de limiter le traitement (article "
            "58, paragraphe 2, point g), du RGPD)",
        },
        "portability": {
            "heading": "La demande de portabilité",
            "not_done": "Le responsable du traitement n’a pas fourni les données de la personne "
            "concernée dans un format structuré, couramment utilisé et lisible par machine, "
            "comme l’exige l’article 20, paragraphe 1, du RGPD.",
            "order": "ordonner au responsable du traitement de satisfaire à la demande de "
            "portabilité (article 58, paragraphe 2, point c), du RGPD)",
        },
    },
    "de": {
        "erasure": {
            "heading": "Der Antrag auf Löschung",
            "not_done": "Der Verantwortliche hat die personenbezogenen Daten der betroffenen "
            "Person nicht gelöscht oder die Löschung nicht bestätigt, wie es Art. 17 und 19 "
            "DSGVO verlangen.",
            "order": "den Verantwortlichen anzuweisen, die personenbezogenen Daten der "
            "betroffenen Person zu löschen und jeden Empfänger über die Löschung zu "
            "unterrichten (Art. 58 Abs. 2 lit. g DSGVO)",
        },
        "objection": {
            "heading": "Der Widerspruch",
            "not_done": "Der Verantwortliche hat die Verarbeitung, der die betroffene Person "
            "nach Art. 21 Abs. 1 DSGVO widersprochen hat, nicht eingestellt oder die "
            "Einstellung nicht bestätigt, und er hat keine zwingenden schutzwürdigen Gründe für "
            "ihre Fortsetzung nachgewiesen.",
            "order": "den Verantwortlichen anzuweisen, die Verarbeitung, der widersprochen "
            "wurde, einzustellen (Art. 58 Abs. 2 lit. c und f DSGVO)",
        },
        "withdrawal": {
            "heading": "Der Widerruf der Einwilligung",
            "not_done": "Der Verantwortliche hat die Verarbeitung, für die die betroffene "
            "Person ihre Einwilligung nach Art. 7 Abs. 3 DSGVO widerrufen hat, nicht "
            "eingestellt oder die Einstellung nicht bestätigt.",
            "order": "den Verantwortlichen anzuweisen, die Verarbeitung, für die die "
            "Einwilligung widerrufen wurde, einzustellen (Art. 58 Abs. 2 lit. c und f DSGVO)",
        },
        "restriction": {
            "heading": "Der Antrag auf Einschränkung der Verarbeitung",
            "not_done": "Der Verantwortliche hat die Verarbeitung bis zur Entscheidung über "
            "den Widerspruch nicht eingeschränkt oder die Einschränkung nicht bestätigt, wie "
            "es Art. 18 Abs. 1 lit. d DSGVO verlangt.",
            "order": "den Verantwortlichen anzuweisen, die Verarbeitung einzuschränken "
            "(Art. 58 Abs. 2 lit. g DSGVO)",
        },
        "portability": {
            "heading": "Der Antrag auf Datenübertragbarkeit",
            "not_done": "Der Verantwortliche hat die Daten der betroffenen Person nicht in "
            "einem strukturierten, gängigen und maschinenlesbaren Format bereitgestellt, wie es "
            "Art. 20 Abs. 1 DSGVO verlangt.",
            "order": "den Verantwortlichen anzuweisen, dem Antrag auf Datenübertragbarkeit zu "
            "entsprechen (Art. 58 Abs. 2 lit. c DSGVO)",
        },
    },
}

# The grounds of a complaint about a follow-up: one for its items missing from the answer, one
# for no answer at all (Art. 12(3): the controller informs of the action taken on a request
# under Articles 15 to 22 within one month).
FOLLOW_UP_GROUNDS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "no_answer_follow_up": (
            "No answer within the time limit",
            "A controller must inform the data subject of the action taken on a request under "
            "Articles 15 to 22 within one month of receipt, or say within the same month why "
            "it does not act. The controller did neither.",
        ),
        "items_follow_up": (
            "Request not fully complied with",
            "The answer does not show that the controller did what was asked: each point listed "
            "above as missing from it is owed under the article cited with it, and the "
            "controller must inform the data subject of the action taken.",
        ),
    },
    "fr": {
        "no_answer_follow_up": (
            "Absence de réponse dans le délai",
            "Le responsable du traitement doit informer la personne concernée des mesures prises "
            "à la suite d’une demande formulée en application des articles 15 à 22 dans un délai "
            "d’un mois à compter de sa réception, ou lui indiquer dans le même délai les motifs "
            "de son inaction. Il n’a fait ni l’un ni l’autre.",
        ),
        "items_follow_up": (
            "Demande non satisfaite dans son intégralité",
            "La réponse ne montre pas que le responsable du traitement a fait ce qui lui était "
            "demandé : chacun des points indiqués ci-dessus comme manquants est dû au titre de "
            "l’article cité avec lui, et le responsable doit informer la personne concernée des "
            "mesures prises.",
        ),
    },
    "de": {
        "no_answer_follow_up": (
            "Keine Antwort innerhalb der Frist",
            "Der Verantwortliche muss die betroffene Person innerhalb eines Monats nach Eingang "
            "eines Antrags nach den Art. 15 bis 22 über die ergriffenen Maßnahmen unterrichten "
            "oder ihr innerhalb derselben Frist die Gründe mitteilen, aus denen er nicht tätig "
            "wird. Er hat weder das eine noch das andere getan.",
        ),
        "items_follow_up": (
            "Antrag nicht vollständig erfüllt",
            "Die Antwort zeigt nicht, dass der Verantwortliche getan hat, was verlangt wurde: "
            "Jeder oben als fehlend aufgeführte Punkt ist nach dem jeweils genannten Artikel "
            "geschuldet, und der Verantwortliche muss die betroffene Person über die "
            "ergriffenen Maßnahmen unterrichten.",
        ),
    },
}
for _language, _grounds in FOLLOW_UP_GROUNDS.items():
    GROUNDS[_language].update(_grounds)
GROUND_ARTICLES["no_answer_follow_up"] = ("12(3)", "12(4)")

# The request letter of each follow-up kind, as a complaint encloses it, and its subject; the
# reminder's subject for each kind.
for _language, _names in {
    "en": {
        "erasure_request": "Request for erasure",
        "objection_request": "Objection",
        "withdrawal_request": "Withdrawal of consent",
        "restriction_request": "Request for restriction of processing",
        "portability_request": "Request for data portability",
    },
    "fr": {
        "erasure_request": "Demande d’effacement",
        "objection_request": "Opposition",
        "withdrawal_request": "Retrait du consentement",
        "restriction_request": "Demande de limitation du traitement",
        "portability_request": "Demande de portabilité",
    },
    "de": {
        "erasure_request": "Antrag auf Löschung",
        "objection_request": "Widerspruch",
        "withdrawal_request": "Widerruf der Einwilligung",
        "restriction_request": "Antrag auf Einschränkung der Verarbeitung",
        "portability_request": "Antrag auf Datenübertragbarkeit",
    },
}.items():
    LETTER_NAMES[_language].update(_names)

FOLLOW_UP_SUBJECTS: dict[str, dict[str, str]] = {
    "en": {
        "erasure_request": "Request for erasure under Article 17 GDPR – {brand}",
        "objection_request": "Objection under Article 21(1) GDPR – {brand}",
        "withdrawal_request": "Withdrawal of consent under Article 7(3) GDPR – {brand}",
        "restriction_request": "Request for restriction of processing under Article 18(1)(d) "
        "GDPR – {brand}",
        "portability_request": "Request for data portability under Article 20 GDPR – {brand}",
        "reminder_erasure": "Reminder: my request for erasure of {sent_on} under Article 17 "
        "GDPR – {brand}",
        "reminder_objection": "Reminder: my objection of {sent_on} under Article 21(1) GDPR – "
        "{brand}",
        "reminder_withdrawal": "Reminder: my withdrawal of consent of {sent_on} under Article "
        "7(3) GDPR – {brand}",
        "reminder_restriction": "Reminder: my request for restriction of {sent_on} under "
        "Article 18(1)(d) GDPR – {brand}",
        "reminder_portability": "Reminder: my request for data portability of {sent_on} under "
        "Article 20 GDPR – {brand}",
    },
    "fr": {
        "erasure_request": "Demande d’effacement au titre de l’article 17 du RGPD – {brand}",
        "objection_request": "Opposition au titre de l’article 21, paragraphe 1, du RGPD – {brand}",
        "withdrawal_request": "Retrait du consentement au titre de l’article 7, paragraphe 3, "
        "du RGPD – {brand}",
        "restriction_request": "Demande de limitation du traitement au titre de l’article 18, "
        "paragraphe 1, point d), du RGPD – {brand}",
        "portability_request": "Demande de portabilité au titre de l’article 20 du RGPD – {brand}",
        "reminder_erasure": "Relance : ma demande d’effacement du {sent_on} (article 17 du "
        "RGPD) – {brand}",
        "reminder_objection": "Relance : mon opposition du {sent_on} (article 21 du RGPD) – "
        "{brand}",
        "reminder_withdrawal": "Relance : mon retrait du consentement du {sent_on} (article 7, "
        "paragraphe 3, du RGPD) – {brand}",
        "reminder_restriction": "Relance : ma demande de limitation du {sent_on} (article 18 "
        "du RGPD) – {brand}",
        "reminder_portability": "Relance : ma demande de portabilité du {sent_on} (article 20 "
        "du RGPD) – {brand}",
    },
    "de": {
        "erasure_request": "Antrag auf Löschung nach Art. 17 DSGVO – {brand}",
        "objection_request": "Widerspruch nach Art. 21 Abs. 1 DSGVO – {brand}",
        "withdrawal_request": "Widerruf der Einwilligung nach Art. 7 Abs. 3 DSGVO – {brand}",
        "restriction_request": "Antrag auf Einschränkung der Verarbeitung nach Art. 18 Abs. 1 "
        "lit. d DSGVO – {brand}",
        "portability_request": "Antrag auf Datenübertragbarkeit nach Art. 20 DSGVO – {brand}",
        "reminder_erasure": "Erinnerung: mein Antrag auf Löschung vom {sent_on} nach Art. 17 "
        "DSGVO – {brand}",
        "reminder_objection": "Erinnerung: mein Widerspruch vom {sent_on} nach Art. 21 Abs. 1 "
        "DSGVO – {brand}",
        "reminder_withdrawal": "Erinnerung: mein Widerruf der Einwilligung vom {sent_on} nach "
        "Art. 7 Abs. 3 DSGVO – {brand}",
        "reminder_restriction": "Erinnerung: mein Antrag auf Einschränkung vom {sent_on} nach "
        "Art. 18 Abs. 1 lit. d DSGVO – {brand}",
        "reminder_portability": "Erinnerung: mein Antrag auf Datenübertragbarkeit vom "
        "{sent_on} nach Art. 20 DSGVO – {brand}",
    },
}
for _language, _subjects in FOLLOW_UP_SUBJECTS.items():
    SUBJECTS[_language].update(_subjects)

# The timeline's "request sent" for a follow-up (the access case's says "access request").
for _language, _sent in {
    "en": "Request sent",
    "fr": "Envoi de la demande",
    "de": "Antrag versandt",
}.items():
    EVENTS[_language]["sent_request"] = _sent
