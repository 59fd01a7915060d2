"""Which legal clocks a case has, derived from its facts. Pure: no ORM, no clock.

`services.deadlines_refresh` feeds this with a case's events and stores the result as `Deadline`
rows, so that the same facts always give the same clocks and recomputing is idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from cases import deadlines

RESPONSE = "response"
EXTENSION_NOTICE = "extension_notice"
EXTENDED_RESPONSE = "extended_response"
ADMONITION = "admonition"
BREACH_NOTIFICATION = "breach_notification"
AUTHORITY_PROGRESS = "authority_progress"

OPEN, MET, MISSED = "open", "met", "missed"


@dataclass(frozen=True)
class Fact:
    """One thing that happened on a case, as the timeline records it."""

    kind: str
    on: date
    ref: int = 0  # the event's or incident's id, to key clocks that can occur more than once
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Calendar:
    """Whose public holidays count (Reg. 1182/71 Art. 2(1))."""

    country: str
    subdivision: str | None = None


@dataclass(frozen=True)
class ClockSpec:
    kind: str
    key: str
    due_on: date
    state: str = OPEN
    met_on: date | None = None
    # Set while the vendor waits for the requester's identity: no reminders, not overdue.
    paused_since: date | None = None


@dataclass(frozen=True)
class CaseFacts:
    received_on: date | None
    vendor_calendar: Calendar
    facts: Sequence[Fact] = ()
    # Authority id -> its calendar, for the Art. 78(2) clock of each complaint.
    authority_calendars: dict[int, Calendar] = field(default_factory=dict)
    today: date | None = None  # only to count an identity pause that has not ended yet


def _of(facts: Sequence[Fact], kind: str) -> list[Fact]:
    return sorted((f for f in facts if f.kind == kind), key=lambda f: (f.on, f.ref))


def identity_pauses(facts: Sequence[Fact]) -> list[tuple[date, date | None]]:
    """Pair each request for identity with the next answer; an unanswered one stays open."""
    pauses: list[tuple[date, date | None]] = []
    open_since: date | None = None
    events = sorted(
        (f for f in facts if f.kind in {"identity_requested", "identity_provided"}),
        key=lambda f: (f.on, f.kind != "identity_requested", f.ref),
    )
    for fact in events:
        if fact.kind == "identity_requested" and open_since is None:
            open_since = fact.on
        elif fact.kind == "identity_provided" and open_since is not None:
            pauses.append((open_since, fact.on))
            open_since = None
    if open_since is not None:
        pauses.append((open_since, None))
    return pauses


def case_clocks(case: CaseFacts) -> list[ClockSpec]:
    """Every clock a case has now, with its state. See each helper for the rule and article."""
    if case.received_on is None:
        return []
    clocks = _response_clocks(case)
    clocks += _admonition_clocks(case)
    clocks += _breach_clocks(case)
    clocks += _authority_clocks(case)
    return clocks


def _response_clocks(case: CaseFacts) -> list[ClockSpec]:
    """GDPR Art. 12(3): answer within one month of receipt; an extension by two further months
    must be notified, with reasons, within that first month. Identity pauses (EDPB 01/2022) push
    the receipt date by the days the vendor waited for the requester."""
    assert case.received_on is not None
    cal = case.vendor_calendar
    pauses = identity_pauses(case.facts)
    open_pause = next((start for start, end in pauses if end is None), None)
    today = case.today or case.received_on
    receipt = deadlines.paused_receipt(case.received_on, pauses, today=max(today, case.received_on))

    response_on = deadlines.response_due(receipt, country=cal.country, subdivision=cal.subdivision)
    notice_on = deadlines.extension_notice_due(
        receipt, country=cal.country, subdivision=cal.subdivision
    )
    responses = _of(case.facts, "response_received")
    extensions = _of(case.facts, "extension_notified")
    first_response = responses[0].on if responses else None
    first_extension = extensions[0].on if extensions else None
    extension_in_time = first_extension is not None and first_extension <= notice_on

    clocks: list[ClockSpec] = []

    # The response clock is met by an answer in time, or moved by an extension notified in time.
    if first_response is not None and first_response <= response_on:
        response = ClockSpec(RESPONSE, RESPONSE, response_on, MET, first_response)
    elif extension_in_time:
        response = ClockSpec(RESPONSE, RESPONSE, response_on, MET, first_extension)
    elif first_response is not None:
        response = ClockSpec(RESPONSE, RESPONSE, response_on, MISSED, first_response)
    else:
        response = ClockSpec(RESPONSE, RESPONSE, response_on, paused_since=open_pause)
    clocks.append(response)

    # Last day to notify an extension: met by a timely notice or by an answer that made it moot.
    if extension_in_time:
        notice = ClockSpec(EXTENSION_NOTICE, EXTENSION_NOTICE, notice_on, MET, first_extension)
    elif first_extension is not None:
        notice = ClockSpec(EXTENSION_NOTICE, EXTENSION_NOTICE, notice_on, MISSED)
    elif first_response is not None and first_response <= notice_on:
        notice = ClockSpec(EXTENSION_NOTICE, EXTENSION_NOTICE, notice_on, MET, first_response)
    elif first_response is not None:
        # Answered late without having extended: the first month passed with neither.
        notice = ClockSpec(EXTENSION_NOTICE, EXTENSION_NOTICE, notice_on, MISSED, first_response)
    else:
        notice = ClockSpec(EXTENSION_NOTICE, EXTENSION_NOTICE, notice_on, paused_since=open_pause)
    clocks.append(notice)

    # Three months from receipt once the vendor says it needs them. A late notice does not
    # lawfully extend, but the vendor's own promise is still worth holding it to.
    if first_extension is not None:
        extended_on = deadlines.extended_due(
            receipt, country=cal.country, subdivision=cal.subdivision
        )
        if first_response is not None:
            state = MET if first_response <= extended_on else MISSED
            extended = ClockSpec(
                EXTENDED_RESPONSE, EXTENDED_RESPONSE, extended_on, state, first_response
            )
        else:
            extended = ClockSpec(
                EXTENDED_RESPONSE, EXTENDED_RESPONSE, extended_on, paused_since=open_pause
            )
        clocks.append(extended)
    return clocks


def _answered_after(facts: Sequence[Fact], kind: str, start: date) -> date | None:
    later = [f.on for f in facts if f.kind == kind and f.on >= start]
    return min(later) if later else None


def _admonition_clocks(case: CaseFacts) -> list[ClockSpec]:
    """A reminder letter customarily gives the vendor 14 days before a complaint is filed."""
    cal = case.vendor_calendar
    clocks = []
    for reminder in _of(case.facts, "reminder_sent"):
        due = deadlines.admonition_due(
            reminder.on, country=cal.country, subdivision=cal.subdivision
        )
        answered = _answered_after(case.facts, "response_received", reminder.on)
        key = f"{ADMONITION}:{reminder.ref}"
        if answered is None:
            clocks.append(ClockSpec(ADMONITION, key, due))
        else:
            clocks.append(
                ClockSpec(ADMONITION, key, due, MET if answered <= due else MISSED, answered)
            )
    return clocks


def _breach_clocks(case: CaseFacts) -> list[ClockSpec]:
    """GDPR Art. 33(1): 72 hours from when the vendor learnt of a misdirected export. We know only
    the day we told it, so the clock runs from the end of that day. Only the authority learns
    whether it was notified, so the clock is met by the date the vendor says it notified."""
    clocks = []
    for incident in _of(case.facts, "misdirected_export_reported"):
        aware_at = datetime.combine(incident.on, time(23, 59, 59), tzinfo=UTC)
        due = deadlines.breach_notification_due(aware_at).date()
        key = f"{BREACH_NOTIFICATION}:{incident.ref}"
        confirmed_on = incident.data.get("authority_notified_on")
        if confirmed_on is not None:
            state = MET if confirmed_on <= due else MISSED
            clocks.append(ClockSpec(BREACH_NOTIFICATION, key, due, state, confirmed_on))
        else:
            clocks.append(ClockSpec(BREACH_NOTIFICATION, key, due))
    return clocks


def _authority_clocks(case: CaseFacts) -> list[ClockSpec]:
    """GDPR Art. 78(2): the authority must tell the complainant of progress within three months,
    or the complainant may go to court."""
    clocks = []
    for complaint in _of(case.facts, "complaint_filed"):
        cal = case.authority_calendars.get(
            complaint.data.get("authority_id", 0), case.vendor_calendar
        )
        due = deadlines.authority_progress_due(
            complaint.on, country=cal.country, subdivision=cal.subdivision
        )
        replied = _answered_after(case.facts, "authority_replied", complaint.on)
        key = f"{AUTHORITY_PROGRESS}:{complaint.ref}"
        if replied is None:
            clocks.append(ClockSpec(AUTHORITY_PROGRESS, key, due))
        else:
            state = MET if replied <= due else MISSED
            clocks.append(ClockSpec(AUTHORITY_PROGRESS, key, due, state, replied))
    return clocks
