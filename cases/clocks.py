"""Which legal clocks a case has, derived from its facts. Pure: no ORM, no clock.

`services.deadlines_refresh` feeds this with a case's events and stores the result as `Deadline`
rows, so that the same facts always give the same clocks and recomputing is idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cases import deadlines

RESPONSE = "response"
EXTENSION_NOTICE = "extension_notice"
EXTENDED_RESPONSE = "extended_response"
ADMONITION = "admonition"
AUTHORITY_PROGRESS = "authority_progress"

OPEN, MET, MISSED = "open", "met", "missed"

# The fact `services._case_facts` adds for each recorded excessive identity demand.
IDENTITY_PAUSE_DISPUTED = "identity_pause_disputed"


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
    # Where the person disputes the identity pauses: the date counting them (the vendor's view).
    due_on_with_disputed_pause: date | None = None


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


def identity_pauses_disputed(facts: Sequence[Fact]) -> bool:
    """The person recorded the vendor's identity demand as excessive (GDPR Art. 12(6); EDPB
    Guidelines 01/2022, paras 73-79): its pauses are disputed, not counted against them."""
    return any(f.kind == IDENTITY_PAUSE_DISPUTED for f in facts)


def case_clocks(case: CaseFacts) -> list[ClockSpec]:
    """Every clock a case has now, with its state. See each helper for the rule and article.

    No clock for Art. 33(1): the 72 hours to notify a breach are owed by the vendor to its
    authority, which may accept late notice with reasons or notice in phases (Art. 33(1), 33(4));
    only the authority can check it, so the date is information (`facts.breach_notice_due`),
    never a deadline met or missed."""
    if case.received_on is None:
        return []
    clocks = _response_clocks(case)
    clocks += _admonition_clocks(case)
    clocks += _authority_clocks(case)
    return clocks


def _period(case: CaseFacts, months: int) -> tuple[date, date | None, date | None]:
    """(due_on, paused_since, due_on_with_disputed_pause) of a period of `months` months from
    receipt that identity pauses stop (GDPR Art. 12(3), 12(6); EDPB Guidelines 01/2022;
    Reg. 1182/71 Art. 3(4), by `deadlines.paused_period_end`). A pause asked after the period
    expired pauses nothing. Where the person disputes the pauses (an excessive identity demand
    is recorded), the clock runs as if the vendor had not asked: not paused, due without them,
    and the date counting them is kept apart so that both can be shown."""
    assert case.received_on is not None
    cal = case.vendor_calendar
    today = max(case.today or case.received_on, case.received_on)
    place = {"country": cal.country, "subdivision": cal.subdivision, "today": today}
    received = case.received_on
    pauses = deadlines.accepted_pauses(
        received, months=months, pauses=identity_pauses(case.facts), **place
    )
    counted = deadlines.paused_period_end(received, months=months, pauses=pauses, **place)
    if identity_pauses_disputed(case.facts):
        plain = deadlines.paused_period_end(received, months=months, pauses=(), **place)
        return plain, None, counted if pauses else None
    open_since = next((start for start, end in pauses if end is None), None)
    return counted, open_since, None


def _response_clocks(case: CaseFacts) -> list[ClockSpec]:
    """GDPR Art. 12(3): answer within one month of receipt; an extension by two further months
    must be notified, with reasons, within that first month. Identity pauses (EDPB 01/2022) add
    the days the vendor waited for the requester to the end of the period (`_period`)."""
    assert case.received_on is not None
    response_on, open_pause, disputed_on = _period(case, 1)
    notice_on = response_on  # Art. 12(3): the extension is notified within the first month

    responses = _of(case.facts, "response_received")
    extensions = _of(case.facts, "extension_notified")
    first_response = responses[0].on if responses else None
    first_extension = extensions[0].on if extensions else None
    extension_in_time = first_extension is not None and first_extension <= notice_on

    def spec(kind: str, due: date, state: str = OPEN, met_on: date | None = None) -> ClockSpec:
        paused = open_pause if state == OPEN else None
        return ClockSpec(kind, kind, due, state, met_on, paused, disputed_on)

    clocks: list[ClockSpec] = []

    # The response clock is met by an answer in time, or moved by an extension notified in time.
    if first_response is not None and first_response <= response_on:
        response = spec(RESPONSE, response_on, MET, first_response)
    elif extension_in_time:
        response = spec(RESPONSE, response_on, MET, first_extension)
    elif first_response is not None:
        response = spec(RESPONSE, response_on, MISSED, first_response)
    else:
        response = spec(RESPONSE, response_on)
    clocks.append(response)

    # Last day to notify an extension: met by a timely notice or by an answer that made it moot.
    if extension_in_time:
        notice = spec(EXTENSION_NOTICE, notice_on, MET, first_extension)
    elif first_extension is not None:
        notice = spec(EXTENSION_NOTICE, notice_on, MISSED)
    elif first_response is not None and first_response <= notice_on:
        notice = spec(EXTENSION_NOTICE, notice_on, MET, first_response)
    elif first_response is not None:
        # Answered late without having extended: the first month passed with neither.
        notice = spec(EXTENSION_NOTICE, notice_on, MISSED, first_response)
    else:
        notice = spec(EXTENSION_NOTICE, notice_on)
    clocks.append(notice)

    # Three months from receipt once the vendor says it needs them. A late notice does not
    # lawfully extend, but the vendor's own promise is still worth holding it to.
    if first_extension is not None:
        extended_on, extended_pause, extended_disputed = _period(case, 3)
        if first_response is not None:
            state = MET if first_response <= extended_on else MISSED
            extended = ClockSpec(
                EXTENDED_RESPONSE,
                EXTENDED_RESPONSE,
                extended_on,
                state,
                first_response,
                due_on_with_disputed_pause=extended_disputed,
            )
        else:
            extended = ClockSpec(
                EXTENDED_RESPONSE,
                EXTENDED_RESPONSE,
                extended_on,
                paused_since=extended_pause,
                due_on_with_disputed_pause=extended_disputed,
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
