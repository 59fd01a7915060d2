"""What goes into a letter: the facts of a case, arranged per kind, in the letter's language.

`letter_html(letter)` renders `templates/letters/<language>/<kind>.html` (all four kinds share
`templates/letters/base.html`) with the context built here; `access_request_text(letter)` gives
the same access request as plain text for an e-mail or a vendor's web form. Everything is read
from the database at render time, so a failed letter retried later shows the case as it then is;
the letter's date is the day it was asked for, so it does not move.

Rules decided here, each in one place:

- Language (`recipient_language`): a letter is written in its recipient's language unless the
  user chooses another: for a complaint the first of the authority's complaint languages that
  we write (en, fr, de), for a vendor its request language; English otherwise.
- Which authorities a complaint is suggested for (`suggested_authorities`), see there.
- Which missed clocks and which facts give which legal ground (`grounds`), with the articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import quote

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from cases import deadlines
from cases.letter_phrases import (
    CHANNELS,
    DEADLINES,
    EVENTS,
    GROUND_ARTICLES,
    GROUNDS,
    INCIDENT_ARTICLES,
    INCIDENTS,
    ITEM_ARTICLES,
    ITEMS,
    LANGUAGES,
    SUBJECTS,
    cite,
)
from cases.models import (
    Article15Item,
    Authority,
    Case,
    CaseEvent,
    Deadline,
    DeadlineKind,
    DeadlineState,
    EventKind,
    Evidence,
    Incident,
    IncidentKind,
    Letter,
    LetterKind,
)

# Incidents an incident notice is written for: something the vendor did to the data, as opposed
# to how it handled the request (a reminder or a complaint covers those).
NOTICE_INCIDENT_KINDS = (
    IncidentKind.MISDIRECTED_EXPORT,
    IncidentKind.UNDISCLOSED_REVIEW,
    IncidentKind.RECORDING_WITHOUT_WAKE_WORD,
    IncidentKind.OTHER_BREACH,
)
# What the access request asks a copy of, in its own section; the rest is information.
COPY_ITEMS = ("audio", "transcripts", "annotations")
BREACH_KINDS = (IncidentKind.MISDIRECTED_EXPORT, IncidentKind.OTHER_BREACH)

# Clocks that bind the vendor; a complaint or reminder lists those it missed.
VENDOR_CLOCKS = (
    DeadlineKind.RESPONSE,
    DeadlineKind.EXTENSION_NOTICE,
    DeadlineKind.EXTENDED_RESPONSE,
    DeadlineKind.ADMONITION,
    DeadlineKind.BREACH_NOTIFICATION,
)

# Where a country has several authorities without a region, the one with general competence.
# Germany: besides the federal BfDI there are church and broadcasting authorities; private
# companies fall to the 16 Land authorities, which have a subdivision.
GENERAL_AUTHORITY_SLUGS = {"DE": "debfdi"}

# Events that are bookkeeping, not facts a reader of the timeline needs.
_TIMELINE_SKIPPED = (EventKind.LETTER_GENERATED, EventKind.STATUS_CHANGED)

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
        "enclosures": "Anlagen",
        "date_line": "{place}, {date}",
        "date_only": "{date}",
    },
}


# --- Languages -------------------------------------------------------------------------------


def supported_language(code: str | None) -> str:
    """`code` if letters exist in it ("de-AT" counts as "de"), else English."""
    base = (code or "").lower().split("-")[0]
    return base if base in LANGUAGES else "en"


def recipient_language(*, case: Case, kind: str, authority: Authority | None = None) -> str:
    """The language a letter is written in unless the user chooses another: an authority's
    own for a complaint, else the one chosen for the case when it was filed (which offers the
    vendor's language first)."""
    if kind == LetterKind.COMPLAINT and authority is not None:
        for code in authority.complaint_languages or []:
            if code.lower() in LANGUAGES:
                return code.lower()
        return "en"
    return supported_language(case.language or case.vendor.request_language)


# --- Authorities -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthoritySuggestion:
    authority: Authority
    residence: bool = False  # of the requester's country (Art. 77(1))
    lead: bool = False  # the vendor's lead authority (Art. 56(1))
    # True where the authority for private companies depends on a region we do not know
    # (Germany's Länder): the suggestion is then the federal authority, competent for a few
    # sectors only (telecoms, post), and the user may choose their Land's authority instead.
    regional: bool = False


def residence_authority(country: str) -> tuple[Authority | None, bool]:
    """The authority of a country of residence, and whether a regional one may be competent.

    Rule: the authorities of `country` without a subdivision. One of them: that one. Several
    (Germany): the one with general competence named in GENERAL_AUTHORITY_SLUGS, flagged
    regional, because the competent Land authority cannot be chosen without the requester's
    Land; the user may choose it among the country's authorities. None: no suggestion.
    """
    national = list(Authority.objects.filter(country=country.upper(), subdivision=""))
    if len(national) == 1:
        return national[0], False
    slug = GENERAL_AUTHORITY_SLUGS.get(country.upper())
    chosen = next((a for a in national if a.slug == slug), None)
    return chosen, chosen is not None


def suggested_authorities(case: Case) -> list[AuthoritySuggestion]:
    """Where a complaint may go: the authority of the requester's residence (Art. 77(1)) and the
    vendor's lead authority (Art. 56(1)); one entry when they are the same. The first is the
    default: residence (the requester's own language and a local contact, which cooperates with
    the lead authority under Art. 56 and 60), unless only a national stand-in was found, then
    the lead authority."""
    residence, regional = residence_authority(case.requester_country)
    lead = case.vendor.lead_authority
    if residence is not None and lead is not None and residence.pk == lead.pk:
        return [AuthoritySuggestion(residence, residence=True, lead=True)]
    suggestions = []
    if residence is not None:
        suggestions.append(AuthoritySuggestion(residence, residence=True, regional=regional))
    if lead is not None:
        suggestions.append(AuthoritySuggestion(lead, lead=True))
    if len(suggestions) == 2 and suggestions[0].regional:
        suggestions.reverse()
    return suggestions


def authorities_of_country(country: str) -> QuerySet[Authority]:
    return Authority.objects.filter(country=country.upper()).order_by("subdivision", "short_name")


def authorities_for_choice(country: str) -> list[Authority]:
    """Every authority, the requester's country first: Art. 77(1) lets a complainant go to the
    authority where they live, where they work, or where the infringement took place."""
    home = list(authorities_of_country(country))
    abroad = Authority.objects.exclude(country=country.upper()).order_by(
        "country", "subdivision", "short_name"
    )
    return home + list(abroad)


# --- Facts -----------------------------------------------------------------------------------


def letter_date(letter: Letter) -> date:
    """The date a letter bears: the day it was asked for, in the site's time zone."""
    return timezone.localtime(letter.created_at).date() if letter.created_at else _today()


def _today() -> date:
    return timezone.localdate()


def missed_deadlines(case: Case, *, today: date) -> list[Deadline]:
    """The vendor's clocks that ran out: marked missed, or open and past (before the daily scan
    marks them). The extension-notice clock counts only when a notice came, late: without one,
    the response clock covers the silence."""
    extension_notified = case.events.filter(kind=EventKind.EXTENSION_NOTIFIED).exists()
    missed = []
    for deadline in case.deadlines.filter(kind__in=VENDOR_CLOCKS).order_by("due_on", "pk"):
        if deadline.kind == DeadlineKind.EXTENSION_NOTICE and not extension_notified:
            continue
        if deadline.state == DeadlineState.MISSED or (
            deadline.state == DeadlineState.OPEN
            and deadline.paused_since is None
            and deadline.due_on < today
        ):
            missed.append(deadline)
    return missed


def first_event_on(case: Case, kind: str) -> date | None:
    event = case.events.filter(kind=kind).order_by("occurred_on", "pk").first()
    return event.occurred_on if event else None


def last_event_on(case: Case, kind: str) -> date | None:
    event = case.events.filter(kind=kind).order_by("-occurred_on", "-pk").first()
    return event.occurred_on if event else None


def _due_on(case: Case, kind: str) -> date | None:
    deadline = case.deadlines.filter(kind=kind).order_by("due_on").first()
    return deadline.due_on if deadline else None


def reminder_grounds(case: Case, *, today: date) -> bool:
    """A reminder needs something to remind of: a missed clock or items missing from an answer."""
    return bool(case.missing_items) or bool(missed_deadlines(case, today=today))


def notice_incidents(case: Case) -> QuerySet[Incident]:
    return case.incidents.filter(kind__in=NOTICE_INCIDENT_KINDS).order_by("-discovered_on", "-pk")


def letter_incident(letter: Letter) -> Incident | None:
    """The incident an incident notice is about, as recorded when the letter was asked for."""
    event = (
        CaseEvent.objects.filter(
            case_id=letter.case_id, kind=EventKind.LETTER_GENERATED, data__letter_id=letter.pk
        )
        .order_by("pk")
        .first()
    )
    incident_id = event.data.get("incident_id") if event else None
    if incident_id is None:
        return None
    return Incident.objects.filter(pk=incident_id, case_id=letter.case_id).first()


# --- Presentation helpers --------------------------------------------------------------------


def _d(day: date | None) -> str:
    """A date in the active language's long format ("30 September 2027", "30. September 2027")."""
    return _long_date(day, translation.get_language()) if day else ""


@lru_cache(maxsize=4096)
def _long_date(day: date, language: str) -> str:
    # A complaint formats the same few dates dozens of times; `language` is part of the key
    # because the format follows the active language.
    return formats.date_format(day, "DATE_FORMAT")


_POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}-)?\d{4,5}\b|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\bD\d{2}\s?[A-Z\d]{4}\b"
)


def place_of(address: str) -> str:
    """The town of a postal address, for the date line: the last line with a postcode, the
    postcode taken out ("L-1741 Luxembourg" -> "Luxembourg"). Empty when none is recognised."""
    for line in reversed([line.strip() for line in address.splitlines() if line.strip()]):
        if _POSTCODE.search(line):
            place = _POSTCODE.sub("", line).strip(" ,-")
            return place if place and not any(c.isdigit() for c in place) else ""
    return ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Party:
    name: str
    address: str = ""
    email: str = ""

    @property
    def address_lines(self) -> list[str]:
        return _lines(self.address)

    @property
    def one_line(self) -> str:
        """Name and address on one line, for a mention in the text."""
        return ", ".join([self.name, *self.address_lines])


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    citation: str


@dataclass(frozen=True)
class MissedClock:
    kind: str
    label: str
    due_on: str
    met_on: str  # the late answer's date, if one came


@dataclass(frozen=True)
class Ground:
    code: str
    title: str
    explanation: str
    citation: str
    detail: str = ""  # what the ground is about: the missing item, the incident's date


@dataclass(frozen=True)
class TimelineEntry:
    on: str
    label: str
    detail: str = ""
    note: str = ""


@dataclass(frozen=True)
class IncidentFacts:
    incident: Incident
    label: str
    occurred_on: str
    discovered_on: str
    reported_on: str
    authority_notified_on: str
    categories: list[str] = field(default_factory=list)
    citation: str = ""


@dataclass(frozen=True)
class EvidenceEntry:
    name: str
    description: str
    sha256: str
    size: int
    uploaded_on: str


def item_entries(codes: list[str], language: str) -> list[Item]:
    order = [i.value for i in Article15Item]
    known = sorted((c for c in codes if c in ITEMS[language]), key=order.index)
    return [Item(c, ITEMS[language][c], cite(ITEM_ARTICLES[c], language)) for c in known]


def _incident_facts(incident: Incident, language: str) -> IncidentFacts:
    return IncidentFacts(
        incident=incident,
        label=INCIDENTS[language][incident.kind],
        occurred_on=_d(incident.occurred_on),
        discovered_on=_d(incident.discovered_on),
        reported_on=_d(incident.reported_to_vendor_on),
        authority_notified_on=_d(incident.authority_notified_on),
        categories=[str(c) for c in incident.data_categories or []],
        citation=cite(INCIDENT_ARTICLES[incident.kind], language),
    )


def _missed_entries(missed: list[Deadline], language: str) -> list[MissedClock]:
    return [
        MissedClock(d.kind, DEADLINES[language][d.kind], _d(d.due_on), _d(d.met_on)) for d in missed
    ]


def _article_order(ref: str) -> tuple[int | str, ...]:
    """Sort "15(1)(c)" before "15(3)": by article, then paragraph, then point."""
    return tuple(int(part) if part.isdigit() else part for part in re.findall(r"\w+", ref))


def grounds(
    *,
    missed: list[Deadline],
    missing: list[str],
    incidents: list[Incident],
    language: str,
) -> list[Ground]:
    """The legal ground for each issue, with its articles: a missed clock, the missing Article
    15 items (one ground citing each item's article), each incident. An incident that repeats a
    ground already given (no answer, a late extension) is not given twice."""
    words = GROUNDS[language]
    found: dict[str, Ground] = {}

    def add(
        code: str, key: str, refs: tuple[str, ...], *, title: str = "", detail: str = ""
    ) -> None:
        if code not in found:
            default_title, explanation = words[key]
            found[code] = Ground(
                code, title or default_title, explanation, cite(refs, language), detail
            )

    for deadline in missed:
        if deadline.kind in (DeadlineKind.RESPONSE, DeadlineKind.EXTENDED_RESPONSE):
            code = "late_answer" if deadline.met_on else "no_answer"
        elif deadline.kind == DeadlineKind.EXTENSION_NOTICE:
            code = "late_extension"
        elif deadline.kind == DeadlineKind.BREACH_NOTIFICATION:
            code = "breach_notification"
        else:
            continue  # the 14 days of a reminder are custom, not a rule of their own
        add(code, code, GROUND_ARTICLES[code])
    # Every missing item breaks the same rule; the items are listed with their articles in
    # their own section, so the ground cites them all at once instead of repeating each.
    items = item_entries(missing, language)
    if items:
        refs = [ref for item in items for ref in ITEM_ARTICLES[item.code]]
        add("items", "items", tuple(sorted(set(refs), key=_article_order)))
    for incident in incidents:
        if incident.kind == IncidentKind.NO_ANSWER and "no_answer" in found:
            continue
        if incident.kind == IncidentKind.LATE_EXTENSION_NOTICE and "late_extension" in found:
            continue
        key = "no_answer_incident" if incident.kind == IncidentKind.NO_ANSWER else incident.kind
        add(
            f"incident:{incident.pk}",
            key,
            INCIDENT_ARTICLES[incident.kind],
            title=INCIDENTS[language][incident.kind],
            detail=_d(incident.occurred_on or incident.discovered_on),
        )
    return list(found.values())


def timeline(case: Case, language: str) -> list[TimelineEntry]:
    """The case's events in order, in the letter's language, with the user's notes. Bookkeeping
    is left out, and so is the extension-notice clock running out when no extension was asked
    for (nothing was owed)."""
    events = list(
        case.events.exclude(kind__in=_TIMELINE_SKIPPED).order_by("occurred_on", "recorded_at", "pk")
    )
    extension_notified = any(e.kind == EventKind.EXTENSION_NOTIFIED for e in events)
    entries = []
    for event in events:
        data = event.data or {}
        detail, note = "", event.note
        label = EVENTS[language].get(event.kind) or event.get_kind_display()
        if event.kind == EventKind.NOTE and note:
            label = ""  # the person's own words need no heading in their own letter
        if (
            event.kind == EventKind.DEADLINE_MISSED
            and data.get("deadline_kind") == DeadlineKind.EXTENSION_NOTICE
            and not extension_notified
        ):
            continue
        if event.kind == EventKind.NOTE and data.get("incident_reported"):
            label = EVENTS[language]["incident_reported"]
            detail = INCIDENTS[language].get(data.get("incident_kind", ""), "")
            note = ""  # the page's note, in the language of whoever sent it
        elif event.kind == EventKind.SENT:
            detail = CHANNELS[language].get(data.get("channel", ""), "")
        elif event.kind == EventKind.DEADLINE_MISSED:
            clock = DEADLINES[language].get(data.get("deadline_kind", ""), "")
            due = data.get("due_on")
            detail = f"{clock} ({_d(date.fromisoformat(due))})" if clock and due else clock
        elif event.kind == EventKind.INCIDENT_RECORDED:
            detail = INCIDENTS[language].get(data.get("incident_kind", ""), "")
        elif event.kind == EventKind.COMPLAINT_FILED:
            detail = str(data.get("authority", ""))
        entries.append(TimelineEntry(_d(event.occurred_on), label, detail, note))
    return entries


def evidence_entries(evidence: QuerySet[Evidence]) -> list[EvidenceEntry]:
    return [
        EvidenceEntry(
            name=e.original_name,
            description=e.description,
            sha256=e.sha256,
            size=e.size,
            uploaded_on=_d(timezone.localtime(e.uploaded_at).date()) if e.uploaded_at else "",
        )
        for e in evidence.order_by("uploaded_at", "pk")
    ]


# --- Contexts --------------------------------------------------------------------------------


def _authority_party(authority: Authority | None) -> Party | None:
    if authority is None:
        return None
    return Party(authority.name, authority.address, authority.email)


def _brand(case: Case) -> str:
    products = ", ".join(str(p) for p in (case.vendor.products or [])[:3])
    return f"{case.vendor.name} ({products})" if products else case.vendor.name


def letter_context(
    *,
    case: Case,
    kind: str,
    language: str,
    on: date,
    version: int = 1,
    authority: Authority | None = None,
    incident: Incident | None = None,
) -> dict[str, object]:
    """Everything a letter template needs; call inside `translation.override(language)`."""
    vendor = case.vendor
    requester = Party(case.requester_name, case.requester_address, case.requester_email)
    organisation = case.organisation if kind == LetterKind.COMPLAINT else None
    sender = (
        Party(organisation.name, organisation.address, organisation.email)
        if organisation
        else requester
    )
    if kind == LetterKind.COMPLAINT and authority is not None:
        recipient = Party(authority.name, authority.address, authority.email)
    else:
        recipient = Party(vendor.legal_name, vendor.address, vendor.email)
    layout = LAYOUT[language]
    place = place_of(sender.address)
    date_line = (layout["date_line"] if place else layout["date_only"]).format(
        place=place, date=_d(on)
    )
    sent_on = case.sent_on
    subject = SUBJECTS[language][kind].format(
        brand=_brand(case),
        sent_on=_d(sent_on),
        controller=vendor.legal_name,
        incident=INCIDENTS[language][incident.kind] if incident else "",
    )
    context: dict[str, object] = {
        "language": language,
        "kind": kind,
        "version": version,
        "case": case,
        "vendor": vendor,
        "vendor_party": Party(vendor.legal_name, vendor.address, vendor.email),
        "brand": _brand(case),
        "products": ", ".join(str(p) for p in vendor.products or []),
        "requester": requester,
        "sender": sender,
        "recipient": recipient,
        "organisation": organisation,
        "authority": authority,
        "layout": layout,
        "date_line": date_line,
        "letter_date": _d(on),
        "reference": f"{case.pk}",
        "vendor_reference": case.vendor_reference,
        "vendor_reference_label": layout[
            "controller_reference" if kind == LetterKind.COMPLAINT else "your_reference"
        ],
        "subject": subject,
        "sent_on": _d(sent_on),
        "received_on": _d(case.received_on),
        "channel": CHANNELS[language].get(case.channel, ""),
        "account_identifiers": _lines(case.account_identifiers),
        "device_serials": _lines(case.device_serials),
        "enclosures": [],
    }
    if kind == LetterKind.ACCESS_REQUEST:
        asked = set(case.requested_items or [])
        context.update(
            asked=asked,
            asks_copy=bool(asked & set(COPY_ITEMS)),
            asks_review=bool(asked & {"annotations", "recipients"}),
            items=item_entries([c for c in asked if c not in COPY_ITEMS], language),
        )
        return context

    missed = missed_deadlines(case, today=on)
    missing = [str(c) for c in case.missing_items or []]
    reply_by = deadlines.admonition_due(
        on, country=vendor.country, subdivision=vendor.subdivision or None
    )
    context.update(
        missed=_missed_entries(missed, language),
        missing=item_entries(missing, language),
        response_on=_d(first_event_on(case, EventKind.RESPONSE_RECEIVED)),
        reminder_on=_d(last_event_on(case, EventKind.REMINDER_SENT)),
        extension_on=_d(first_event_on(case, EventKind.EXTENSION_NOTIFIED)),
        reply_by=_d(reply_by),
        lead=_authority_party(vendor.lead_authority),
    )
    if kind == LetterKind.INCIDENT_NOTICE:
        if incident is None:
            raise ValueError("an incident notice needs its incident")
        evidence = evidence_entries(incident.evidence.all())
        context.update(
            incident=_incident_facts(incident, language),
            is_breach=incident.kind in BREACH_KINDS,
            is_review=incident.kind
            in (IncidentKind.UNDISCLOSED_REVIEW, IncidentKind.RECORDING_WITHOUT_WAKE_WORD),
            is_misdirected=incident.kind == IncidentKind.MISDIRECTED_EXPORT,
            enclosures=evidence,
        )
    elif kind == LetterKind.COMPLAINT:
        incidents = list(case.incidents.order_by("discovered_on", "pk"))
        lead = vendor.lead_authority
        context.update(
            timeline=timeline(case, language),
            incidents=[_incident_facts(i, language) for i in incidents],
            grounds=grounds(missed=missed, missing=missing, incidents=incidents, language=language),
            evidence=evidence_entries(case.evidence.all()),
            authority_is_lead=lead is not None
            and authority is not None
            and lead.pk == authority.pk,
            requested=item_entries([str(c) for c in case.requested_items or []], language),
            asked_everything=set(case.requested_items or []) >= set(Article15Item.values),
            response_due=_d(_due_on(case, DeadlineKind.RESPONSE)),
            extended_due=_d(_due_on(case, DeadlineKind.EXTENDED_RESPONSE)),
        )
    return context


def letter_html(letter: Letter) -> str:
    """The letter as a complete HTML document, ready for `cases.letters.render_pdf`."""
    with translation.override(letter.language):
        context = letter_context(
            case=letter.case,
            kind=letter.kind,
            language=letter.language,
            on=letter_date(letter),
            version=letter.version,
            authority=letter.authority,
            incident=letter_incident(letter) if letter.kind == LetterKind.INCIDENT_NOTICE else None,
        )
        return render_to_string(f"letters/{letter.language}/{letter.kind}.html", context)


def access_request_text(letter: Letter) -> tuple[str, str]:
    """The access request as (subject, body) in plain text, for an e-mail or a web form."""
    with translation.override(letter.language):
        context = letter_context(
            case=letter.case,
            kind=LetterKind.ACCESS_REQUEST,
            language=letter.language,
            on=letter_date(letter),
            version=letter.version,
        )
        body = render_to_string(f"letters/{letter.language}/access_request.txt", context)
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    return str(context["subject"]), body


MAILTO_LIMIT = 1800


def mailto_link(address: str, subject: str, body: str, *, limit: int = MAILTO_LIMIT) -> str:
    """A mailto: link with the subject and, if the whole link stays under `limit` characters
    (what mail programs and browsers reliably accept), the body. RFC 6068: %-encoded UTF-8,
    line breaks as CRLF."""
    base = f"mailto:{quote(address, safe='@')}?subject={quote(subject, safe='')}"
    crlf = body.replace("\r\n", "\n").replace("\n", "\r\n")
    with_body = f"{base}&body={quote(crlf, safe='')}"
    return with_body if len(with_body) <= limit else base


# --- The case page's letters panel -----------------------------------------------------------

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch"}
KIND_ORDER = [
    LetterKind.ACCESS_REQUEST,
    LetterKind.REMINDER,
    LetterKind.INCIDENT_NOTICE,
    LetterKind.COMPLAINT,
]


@dataclass
class LetterRow:
    letter: Letter
    language_name: str
    mailto: str = ""  # the access request as an e-mail to the vendor, where it takes e-mail


@dataclass
class KindPanel:
    kind: str
    label: str
    default_language: str
    available: bool = True
    incidents: list[Incident] = field(default_factory=list)
    suggestions: list[AuthoritySuggestion] = field(default_factory=list)
    others: list[Authority] = field(default_factory=list)


def letters_panel(case: Case, *, today: date | None = None) -> dict[str, object]:
    """What the letters panel of a case page shows: each version of each letter, and for each
    kind whether it can be asked for now, in which language by default, to whom."""
    today = today or _today()
    letters = sorted(
        case.letters.select_related("authority"),
        key=lambda letter: (KIND_ORDER.index(letter.kind), -letter.version),
    )
    rows = []
    for letter in letters:
        row = LetterRow(letter, LANGUAGE_NAMES.get(letter.language, letter.language))
        if letter.kind == LetterKind.ACCESS_REQUEST and case.vendor.email:
            subject, body = access_request_text(letter)
            row.mailto = mailto_link(case.vendor.email, subject, body)
        rows.append(row)
    vendor_language = recipient_language(case=case, kind=LetterKind.ACCESS_REQUEST)
    suggestions = suggested_authorities(case) if case.sent_on else []
    suggested_ids = {s.authority.pk for s in suggestions}
    kinds = [
        KindPanel(LetterKind.ACCESS_REQUEST, LetterKind.ACCESS_REQUEST.label, vendor_language),
        KindPanel(
            LetterKind.REMINDER,
            LetterKind.REMINDER.label,
            vendor_language,
            available=case.sent_on is not None and reminder_grounds(case, today=today),
        ),
        KindPanel(
            LetterKind.INCIDENT_NOTICE,
            LetterKind.INCIDENT_NOTICE.label,
            vendor_language,
            incidents=list(notice_incidents(case)),
        ),
        KindPanel(
            LetterKind.COMPLAINT,
            LetterKind.COMPLAINT.label,
            recipient_language(
                case=case,
                kind=LetterKind.COMPLAINT,
                authority=suggestions[0].authority if suggestions else None,
            ),
            available=case.sent_on is not None,
            suggestions=suggestions,
            others=[
                a
                for a in authorities_for_choice(case.requester_country)
                if a.pk not in suggested_ids
            ]
            if case.sent_on
            else [],
        ),
    ]
    kinds[2].available = bool(kinds[2].incidents)
    if not case.is_open:
        for panel in kinds:
            panel.available = False
    return {
        "rows": rows,
        "kinds": kinds,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "any_queued": any(r.letter.status == "queued" for r in rows),
        "today": today,
    }
