"""What a vendor's message is, suggested from one table of phrases per language (en, fr, de)
and from the headers mail servers set. A suggestion changes nothing: the person confirms it
(cases.mail.services), and only then does a clock move, from the day the vendor wrote. The one
exception is a bounce, which means the request never arrived (Art. 12(3) runs from receipt).

Kinds are tried in the order of `PRIORITY`: a notice that extends the time usually also
thanks for the request, and an answer usually also acknowledges it, so the more specific
kind wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cases.mail.parsing import ParsedMail
from cases.models import Suggestion

S = Suggestion
I = re.IGNORECASE | re.MULTILINE  # noqa: E741 (the flags every phrase is read with)

# --- One table per language: kind -> phrases (regular expressions on subject + text) ----------

EN: dict[str, tuple[str, ...]] = {
    S.BOUNCE: (
        r"^(?:undeliver|delivery status notification \(failure\)|mail delivery (?:failed|failure)"
        r"|returned mail|failure notice|delivery has failed)",
    ),
    S.AUTO_REPLY: (r"^(?:automatic reply|auto[- ]?reply|out of (?:the )?office)",),
    S.EXTENSION: (
        r"extend(?:ed|ing)? (?:the )?(?:period|deadline|time(?: limit)?|response time)",
        r"(?:a )?further (?:two|2) months",
        r"additional (?:two|2) months",
        r"\bextension\b",
    ),
    S.IDENTITY: (
        r"verify your identity",
        r"(?:proof|confirmation) of (?:your )?identity",
        r"(?:copy of|provide) (?:your |a |an )?(?:ID|identity (?:card|document)|passport)",
        r"\bclarif(?:y|ication)\b",
    ),
    S.REFUSAL: (
        r"(?:unable|cannot|can ?not|will not|won't) (?:to )?(?:comply|fulfil|fulfill|action)",
        r"(?:reject|refuse|decline)[sd]? (?:your )?request",
        r"manifestly unfounded",
    ),
    S.ANSWER: (
        r"download (?:link|your data|your information)",
        r"your (?:personal )?(?:data|information) (?:is|are) (?:attached|ready|available)",
        r"(?:please find|we (?:have )?attach(?:ed)?)\b.{0,60}\b(?:data|copy|information|file)",
    ),
    S.ACKNOWLEDGEMENT: (
        r"(?:we have|we've|we) received your (?:request|e-?mail|message|letter)",
        r"acknowledge(?:s)? (?:the )?receipt",
        r"confirm (?:the )?receipt",
    ),
}

FR: dict[str, tuple[str, ...]] = {
    S.BOUNCE: (
        r"^(?:non remis|échec de (?:la )?(?:remise|distribution)|message non distribuable)",
    ),
    S.AUTO_REPLY: (r"^(?:réponse automatique|absence du bureau|absent\b|message d'absence)",),
    S.EXTENSION: (
        r"prolong(?:er|ation|é|eons)",
        r"deux mois supplémentaires",
        r"délai supplémentaire",
    ),
    S.IDENTITY: (
        r"vérifier votre identité",
        r"justificatif d'identité",
        r"pièce d'identité",
        r"(?:préciser|précisions? sur) votre demande",
    ),
    S.REFUSAL: (
        r"(?:ne pouvons pas|ne sommes pas en mesure de) (?:donner suite|répondre favorablement)",
        r"refusons (?:de donner suite à )?votre demande",
        r"manifestement infondée",
    ),
    S.ANSWER: (
        r"lien de téléchargement",
        r"(?:vous trouverez|trouverez) ci-joint",
        r"vos données (?:personnelles )?sont (?:disponibles|prêtes|jointes)",
        r"en pièce jointe",
    ),
    S.ACKNOWLEDGEMENT: (
        r"accusons (?:bonne )?réception",
        r"avons bien reçu votre (?:demande|message|courriel|e-mail|lettre)",
        r"accusé de réception",
    ),
}

DE: dict[str, tuple[str, ...]] = {
    S.BOUNCE: (
        r"^(?:unzustellbar|nicht zustellbar|nachricht (?:wurde )?nicht zugestellt"
        r"|übermittlungsfehler|zustellung fehlgeschlagen)",
    ),
    S.AUTO_REPLY: (r"^(?:automatische antwort|abwesenheitsnotiz|abwesend\b)",),
    S.EXTENSION: (
        r"verlänger(?:n|t|ung)",
        r"(?:um )?(?:zwei|2) weitere Monate",
        r"Fristverlängerung",
    ),
    S.IDENTITY: (
        r"Ihre Identität (?:zu )?(?:bestätigen|überprüfen|nachweisen|verifizieren)",
        r"(?:Kopie Ihres|Ihren) (?:Personalausweis|Ausweis|Reisepass)",
        r"Identitätsnachweis",
        r"(?:präzisieren|konkretisieren) Sie (?:bitte )?Ihre? (?:Anfrage|Antrag|Auskunftsersuchen)",
    ),
    S.REFUSAL: (
        r"(?:können|werden) (?:wir )?(?:Ihrem Antrag|Ihrer Anfrage|Ihrem Ersuchen) nicht",
        r"lehnen (?:wir )?Ihre[nr]? (?:Antrag|Anfrage)",
        r"offenkundig unbegründet",
    ),
    S.ANSWER: (
        r"Download-?Link",
        r"herunterladen",
        r"(?:anbei|im Anhang) (?:erhalten|finden) Sie",
        r"Ihre (?:personenbezogenen )?Daten (?:stehen|sind) .{0,40}(?:bereit|verfügbar)",
    ),
    S.ACKNOWLEDGEMENT: (
        r"(?:bestätigen|bestätigt) (?:hiermit )?den Eingang",
        r"Eingangsbestätigung",
        r"haben Ihre (?:Anfrage|Nachricht|E-Mail|Anfrage|Ihr Schreiben) erhalten",
    ),
}

# The reason an extension notice gives (Art. 12(3): the controller must say why).
EXTENSION_REASON: dict[str, tuple[str, ...]] = {
    "en": (r"(?:due to|because of|owing to|given|in view of) ([^.\n]{5,300})",),
    "fr": (r"(?:en raison d[eu]|compte tenu d[eu]|du fait d[eu]|eu égard à) ?([^.\n]{5,300})",),
    "de": (r"(?:aufgrund|wegen|angesichts) ([^.\n]{5,300})",),
}

RULES: dict[str, dict[str, tuple[str, ...]]] = {"en": EN, "fr": FR, "de": DE}
# Only the subject can say a message is a bounce or an out-of-office reply.
SUBJECT_ONLY = frozenset({S.BOUNCE, S.AUTO_REPLY})
PRIORITY = (
    S.BOUNCE,
    S.AUTO_REPLY,
    S.EXTENSION,
    S.IDENTITY,
    S.REFUSAL,
    S.ANSWER,
    S.ACKNOWLEDGEMENT,
)

_COMPILED = {
    lang: {kind: [re.compile(p, I) for p in phrases] for kind, phrases in table.items()}
    for lang, table in RULES.items()
}

# --- Headers ---------------------------------------------------------------------------------

BOUNCE_SENDERS = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
AUTOMATIC_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})


def is_automatic(mail: ParsedMail) -> bool:
    """Sent by a machine, not a person (RFC 3834 Auto-Submitted, and the headers common mail
    programs set instead): such a message is never answered automatically, which is what keeps
    two auto-responders from mailing each other for ever."""
    headers = mail.headers
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if any(h in headers for h in ("x-autoreply", "x-autorespond", "x-autoresponder")):
        return True
    return headers.get("precedence", "").strip().lower() in AUTOMATIC_PRECEDENCE


def is_bounce(mail: ParsedMail) -> bool:
    """A delivery status notification (RFC 3464), or a mailer daemon's failure notice."""
    return mail.is_delivery_report or bool(BOUNCE_SENDERS.match(mail.from_address))


# --- Classification --------------------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    kind: str
    language: str = ""
    evidence: str = ""  # the words that matched
    extension_reason: str = ""
    automatic: bool = False


def _match(kind: str, subject: str, text: str) -> tuple[str, str] | None:
    for lang, table in _COMPILED.items():
        for pattern in table.get(kind, ()):
            found = pattern.search(subject) or (
                None if kind in SUBJECT_ONLY else pattern.search(text)
            )
            if found:
                return lang, found.group(0)
    return None


def extension_reason(text: str, language: str) -> str:
    """The reason an extension notice gives, as it words it; "" if none is found."""
    for lang in [language, *RULES]:
        for pattern in EXTENSION_REASON.get(lang, ()):
            found = re.search(pattern, text, I)
            if found:
                return found.group(1).strip()[:300]
    return ""


def classify(mail: ParsedMail) -> Classification:
    """Suggest what `mail` is: the first kind of `PRIORITY` whose phrases it contains, in any of
    the three languages; a machine's message that matches nothing is an automatic reply; a
    message with files attached and no other sign is suggested as the answer."""
    automatic = is_automatic(mail)
    if is_bounce(mail):
        return Classification(S.BOUNCE, evidence=mail.subject[:200], automatic=True)
    subject, text = mail.subject.strip(), mail.text[:50_000]
    for kind in PRIORITY:
        found = _match(kind, subject, f"{subject}\n{text}")
        if found is None:
            continue
        lang, words = found
        reason = extension_reason(text, lang) if kind == S.EXTENSION else ""
        return Classification(kind, lang, words[:200], reason, automatic or kind == S.AUTO_REPLY)
    if automatic:
        return Classification(S.AUTO_REPLY, evidence="Auto-Submitted", automatic=True)
    if mail.attachments:
        return Classification(S.ANSWER, evidence=mail.attachments[0].name[:200])
    return Classification(S.UNKNOWN)
