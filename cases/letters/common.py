"""What every letter carries, and what every letter after the access request recalls.

`heading` gives who writes to whom, the date line, the references and the subject; `follow_up`
gives the vendor's missed clocks, the items missing from its answer and the dates of the
exchange so far. Call both inside `translation.override(letter.language)`: dates are written
in the active language.
"""

from __future__ import annotations

from datetime import date

from cases import deadlines
from cases.letters.parts import (
    Party,
    authority_party,
    authority_ref,
    brand,
    first_event_on,
    item_entries,
    last_event_on,
    lines,
    long_date,
    missed_entries,
    missing_codes,
    place_of,
    requester_party,
    vendor_party,
)
from cases.letters.phrases import (
    CHANNELS,
    CHANNELS_ITS,
    INCIDENTS,
    LAYOUT,
    REQUEST_NAMES,
    SUBJECTS,
)
from cases.models import (
    TO_AUTHORITY,
    Authority,
    Case,
    Deadline,
    EventKind,
    Incident,
    IncidentSide,
    Letter,
    LetterKind,
    RequestKind,
)


def heading(
    letter: Letter, *, kind: str, on: date, incident: Incident | None = None
) -> dict[str, object]:
    """The context every letter of `kind` shares: parties, dates, references, subject."""
    case, language = letter.case, letter.language
    layout = LAYOUT[language]
    parties = _parties(case, kind, letter.authority)
    return {
        "language": language,
        "kind": kind,
        "version": letter.version,
        "case": case,
        "vendor": case.vendor,
        "authority": letter.authority,
        "layout": layout,
        **parties,
        **_dates(case, layout, parties["sender"], on),
        **_references(case, kind, layout),
        "brand": brand(case),
        "products": ", ".join(str(p) for p in case.vendor.products or []),
        "subject": _subject(case, kind, language, incident),
        "channel": _channels(kind, language).get(case.channel, ""),
        "account_identifiers": lines(case.account_identifiers),
        "device_serials": lines(case.device_serials),
        "enclosures": [],
    }


def _channels(kind: str, language: str) -> dict[str, str]:
    """How the request went: "your web form" to the vendor, "its" (the controller's, just named)
    to anybody else; the timeline, where no controller was just named, says "the controller's"
    (`CHANNELS_TO_THIRD_PARTY`)."""
    if kind in TO_AUTHORITY:
        return CHANNELS_ITS[language]
    return CHANNELS[language]


def follow_up(case: Case, *, language: str, on: date, missed: list[Deadline]) -> dict[str, object]:
    """What a reminder, an incident notice and a complaint recall of the exchange so far; `missed`
    are the vendor's clocks that ran out (`rules.missed_deadlines`)."""
    vendor = case.vendor
    reply_by = deadlines.admonition_due(
        on, country=vendor.country, subdivision=vendor.subdivision or None
    )
    return {
        # What the letter calls the request, for every kind but access (whose letters keep
        # their own words).
        "request_name": REQUEST_NAMES[language].get(case.kind, ""),
        "missed": missed_entries(missed, language),
        "missing": item_entries(missing_codes(case), language),
        "response_on": long_date(first_event_on(case, EventKind.RESPONSE_RECEIVED)),
        "reminder_on": long_date(last_event_on(case, EventKind.REMINDER_SENT)),
        "extension_on": long_date(first_event_on(case, EventKind.EXTENSION_NOTIFIED)),
        "reply_by": long_date(reply_by),
        "lead": authority_party(vendor.lead_authority),
        "lead_ref": authority_ref(vendor.lead_authority, language),
    }


def _parties(case: Case, kind: str, authority: Authority | None) -> dict[str, object]:
    """A complaint goes from the organisation running the case, if any, to its authority, a
    breach report from the person to an authority; every other letter from the data subject to
    the vendor."""
    requester = requester_party(case)
    organisation = case.organisation if kind == LetterKind.COMPLAINT else None
    sender = (
        Party(organisation.name, organisation.address, organisation.email)
        if organisation
        else requester
    )
    complaint_to = authority_party(authority) if kind in TO_AUTHORITY else None
    return {
        "requester": requester,
        "sender": sender,
        "recipient": complaint_to or vendor_party(case.vendor),
        "vendor_party": vendor_party(case.vendor),
        "organisation": organisation,
    }


def _dates(case: Case, layout: dict[str, str], sender: Party, on: date) -> dict[str, str]:
    place = place_of(sender.address)
    date_line = layout["date_line"] if place else layout["date_only"]
    return {
        "date_line": date_line.format(place=place, date=long_date(on)),
        "letter_date": long_date(on),
        "sent_on": long_date(case.sent_on),
        "received_on": long_date(case.received_on),
    }


def _references(case: Case, kind: str, layout: dict[str, str]) -> dict[str, str]:
    label = "controller_reference" if kind in TO_AUTHORITY else "your_reference"
    return {
        "reference": f"{case.pk}",
        "vendor_reference": case.vendor_reference,
        "vendor_reference_label": layout[label],
    }


def subject_key(case: Case, kind: str) -> str:
    """The key of a letter's subject (and name) in `phrases`: the request letter and the reminder
    of a follow-up name its kind ("erasure_request", "reminder_erasure")."""
    if case.kind == RequestKind.ACCESS:
        return kind
    if kind == LetterKind.ACCESS_REQUEST:
        return f"{case.kind}_request"
    if kind == LetterKind.REMINDER:
        return f"reminder_{case.kind}"
    return kind


def _subject(case: Case, kind: str, language: str, incident: Incident | None) -> str:
    kind = subject_key(case, kind)
    if incident is not None and incident.side == IncidentSide.OTHERS_DATA:
        kind = f"{kind}_others_data"  # not "my personal data": a stranger's reached the person
    return SUBJECTS[language][kind].format(
        brand=brand(case),
        sent_on=long_date(case.sent_on),
        controller=case.vendor.legal_name,
        incident=INCIDENTS[language][incident.kind] if incident else "",
    )
