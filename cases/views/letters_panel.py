"""The letters panel of a case page: each version of each letter (a row), and for each kind
whether it can be asked for now, in which language by default, to whom."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from urllib.parse import quote

from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services
from cases.forms.letters import LANGUAGE_CHOICES, LANGUAGE_NAMES
from cases.letters.compose import access_request_text
from cases.letters.recipients import (
    AuthoritySuggestion,
    authorities_for_choice,
    authority_letter_language,
    recipient_language,
    suggested_authorities,
)
from cases.letters.rules import letter_refusal, notice_incidents
from cases.mail.sending import letter_may_be_emailed
from cases.models import (
    Authority,
    Case,
    CaseEvent,
    Deadline,
    Incident,
    Letter,
    LetterKind,
    LetterStatus,
    RequestKind,
)

KIND_ORDER = [
    LetterKind.ACCESS_REQUEST,
    LetterKind.REMINDER,
    LetterKind.INCIDENT_NOTICE,
    LetterKind.COMPLAINT,
    LetterKind.BREACH_REPORT,
]
MAILTO_LIMIT = 1800


def mailto_link(address: str, subject: str, body: str, *, limit: int = MAILTO_LIMIT) -> str:
    """A mailto: link with the subject and, if the whole link stays under `limit` characters
    (what mail programs and browsers reliably accept), the body. RFC 6068: %-encoded UTF-8,
    line breaks as CRLF."""
    base = f"mailto:{quote(address, safe='@')}?subject={quote(subject, safe='')}"
    crlf = body.replace("\r\n", "\n").replace("\n", "\r\n")
    with_body = f"{base}&body={quote(crlf, safe='')}"
    return with_body if len(with_body) <= limit else base


@dataclass
class LetterRow:
    letter: Letter
    language_name: str
    title: str = ""  # the letter's kind as the panel names it (`letter_kind_label`)
    mailto: str = ""  # the access request as an e-mail to the vendor, where it takes e-mail
    may_mark_sent: bool = False  # what `services.letter_mark_sent` would take (the date aside)
    may_email: bool = False  # what `cases.mail.sending.letter_send_email` would take now


def letter_row(
    letter: Letter,
    *,
    events: Sequence[CaseEvent] | None = None,
    incidents: Sequence[Incident] | None = None,
) -> LetterRow:
    """One version of one letter, as its row of the panel shows it."""
    may_mark_sent = services.letter_may_be_marked_sent(letter, events=events, incidents=incidents)
    row = LetterRow(
        letter,
        LANGUAGE_NAMES.get(letter.language, letter.language),
        title=letter_kind_label(letter.case, letter.kind),
        may_mark_sent=may_mark_sent,
    )
    row.may_email = may_mark_sent and letter_may_be_emailed(letter)
    vendor_email = letter.case.vendor.email
    if letter.kind == LetterKind.ACCESS_REQUEST and vendor_email:
        subject, body = access_request_text(letter)
        row.mailto = mailto_link(vendor_email, subject, body)
    return row


@dataclass(frozen=True)
class OfferedAuthority(AuthoritySuggestion):
    """A suggested authority with the language a letter to it is written in by default."""

    language_name: str = ""
    own_language: bool = False  # the person's own language, which the authority accepts


def _offered(case: Case, suggestion: AuthoritySuggestion) -> OfferedAuthority:
    code, own = authority_letter_language(case, suggestion.authority)
    return OfferedAuthority(
        **{f.name: getattr(suggestion, f.name) for f in fields(suggestion)},
        language_name=LANGUAGE_NAMES[code],
        own_language=own,
    )


def letter_kind_label(case: Case, kind: str) -> str:
    """A letter kind as the panel names it: a follow-up's request letter by the case's kind
    ("request: erasure (Art. 17)"), not "access request"."""
    if kind == LetterKind.ACCESS_REQUEST and case.kind != RequestKind.ACCESS:
        return _("request: %(kind)s") % {"kind": case.get_kind_display()}
    return str(LetterKind(kind).label)


@dataclass
class KindPanel:
    kind: str
    label: str
    default_language: str
    available: bool = True
    refusal: str = ""  # why it cannot be written now, in `letter_refusal`'s words
    incidents: list[Incident] = field(default_factory=list)
    suggestions: list[AuthoritySuggestion] = field(default_factory=list)
    others: list[Authority] = field(default_factory=list)


def letters_panel(
    case: Case,
    *,
    today: date | None = None,
    events: Sequence[CaseEvent] | None = None,
    deadlines: Sequence[Deadline] | None = None,
    incidents: Sequence[Incident] | None = None,
) -> dict[str, object]:
    """What the letters panel of a case page shows: each version of each letter, and for each
    kind whether it can be asked for now, in which language by default. The case page passes
    the events, deadlines and incidents it read, so that the panel reads only the letters; the
    complaint's authorities are chosen on a page of their own (`authority_letter_panel`)."""
    today = today or timezone.localdate()
    letters = sorted(
        # Sorted here; no ORDER BY, whose default (the case's creation) joins the case.
        case.letters.select_related("authority").order_by(),
        key=lambda letter: (KIND_ORDER.index(letter.kind), -letter.version),
    )
    if incidents is None:
        incidents = list(case.incidents.all())
    rows = [letter_row(letter, events=events, incidents=incidents) for letter in letters]
    return {
        "rows": rows,
        "kinds": _kind_panels(case, today, events=events, deadlines=deadlines, incidents=incidents),
        "languages": LANGUAGE_CHOICES,
        "any_queued": any(r.letter.status == LetterStatus.QUEUED for r in rows),
        "today": today,
    }


def _kind_panels(
    case: Case,
    today: date,
    *,
    events: Sequence[CaseEvent] | None,
    deadlines: Sequence[Deadline] | None,
    incidents: Sequence[Incident],
) -> list[KindPanel]:
    """One panel per kind, in KIND_ORDER, offered when `letter_refusal` (which the service
    enforces) has nothing against it."""
    vendor_language = recipient_language(case=case, kind=LetterKind.ACCESS_REQUEST)
    panels = []
    for kind in KIND_ORDER:
        refusal = letter_refusal(
            case, kind, today=today, deadlines=deadlines, events=events, incidents=incidents
        )
        if kind == LetterKind.BREACH_REPORT and refusal is not None:
            continue  # only offered to a person who received somebody else's data
        panels.append(
            KindPanel(
                kind,
                letter_kind_label(case, kind),
                vendor_language,
                available=refusal is None,
                refusal=refusal[0] if refusal else "",
                incidents=notice_incidents(incidents) if kind == LetterKind.INCIDENT_NOTICE else [],
            )
        )
    # The authorities of a complaint or a breach report are listed on its own page
    # (`authority_letter_panel`).
    return panels


def authority_letter_panel(case: Case, kind: str = LetterKind.COMPLAINT) -> KindPanel:
    """The own page of a letter to an authority (a complaint, a breach report): the suggested
    authorities first, then every other one (the whole directory, read only here)."""
    suggestions = [_offered(case, s) for s in suggested_authorities(case)] if case.sent_on else []
    suggested_ids = {s.authority.pk for s in suggestions}
    others = authorities_for_choice(case.requester_country) if case.sent_on else []
    refusal = letter_refusal(case, kind, today=timezone.localdate())
    return KindPanel(
        kind,
        LetterKind(kind).label,
        recipient_language(
            case=case,
            kind=kind,
            authority=suggestions[0].authority if suggestions else None,
        ),
        available=refusal is None,
        refusal=refusal[0] if refusal else "",
        suggestions=suggestions,
        others=[a for a in others if a.pk not in suggested_ids],
    )
