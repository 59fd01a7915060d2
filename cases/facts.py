"""One rule per fact about a case, as pure functions of its clocks, its events and a day.

Pages, My cases, the dashboard, the API, statistics and guidance read these; none works a fact out
on its own. Where a list needs a rule in SQL (filters, counts, sorting), its SQL twin sits right
below the Python rule and says the same thing about the stored `Deadline` rows;
tests/test_facts.py builds cases in every state and checks that both agree.

Pure: no query runs here. The SQL twins are expressions that callers put into their own queries.
Which actions a case allows is the other table of rules, in `cases.actions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Case as SqlCase
from django.db.models import CharField, DateField, Min, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from cases import clocks, deadlines
from cases.models import (
    Channel,
    Deadline,
    DeadlineKind,
    DeadlineState,
    EventKind,
    IncidentKind,
    IncidentSide,
    RequestKind,
    Status,
)


class Clock(Protocol):
    """A stored clock (`Deadline`) or a computed one (`clocks.ClockSpec`)."""

    kind: str
    key: str
    due_on: date
    state: str
    met_on: date | None
    paused_since: date | None


class ClockState(StrEnum):
    MET = "met"
    PENDING = "pending"
    MISSED = "missed"


def facts_of(events: Iterable[Any]) -> list[clocks.Fact]:
    """A case's timeline (`CaseEvent`s) as the facts the rules read."""
    return [clocks.Fact(kind=e.kind, on=e.occurred_on, ref=e.pk or 0, data=e.data) for e in events]


# --- Whether a clock was met in time ----------------------------------------------------------


def _ref(clock: Clock) -> int:
    """The id of the event a repeatable clock (admonition, authority progress) belongs to."""
    _kind, _sep, ref = clock.key.partition(":")
    return int(ref) if ref.isdigit() else 0


def _first(
    events: Sequence[clocks.Fact], kinds: Iterable[str], *, since: date | None = None
) -> date | None:
    days = [e.on for e in events if e.kind in kinds and (since is None or e.on >= since)]
    return min(days) if days else None


def _met_by_events(clock: Clock, events: Sequence[clocks.Fact]) -> date | None:
    """The day a recorded fact answered `clock`, in time or not (the facts `cases.clocks` reads
    when it computes the clock); None if none did or the clock is not answered by events."""
    kind = clock.kind
    if kind == DeadlineKind.RESPONSE:
        answered = _first(events, {EventKind.RESPONSE_RECEIVED})
        extended = _first(events, {EventKind.EXTENSION_NOTIFIED})
        if extended is not None and extended <= clock.due_on:
            return extended if answered is None else min(answered, extended)
        return answered
    if kind == DeadlineKind.EXTENSION_NOTICE:
        extended = _first(events, {EventKind.EXTENSION_NOTIFIED})
        return extended if extended is not None else _first(events, {EventKind.RESPONSE_RECEIVED})
    if kind == DeadlineKind.EXTENDED_RESPONSE:
        return _first(events, {EventKind.RESPONSE_RECEIVED})
    if kind in (DeadlineKind.ADMONITION, DeadlineKind.AUTHORITY_PROGRESS):
        opened_by = EventKind.REMINDER_SENT if kind == DeadlineKind.ADMONITION else None
        opened_by = opened_by or EventKind.COMPLAINT_FILED
        answer = (
            EventKind.RESPONSE_RECEIVED
            if kind == DeadlineKind.ADMONITION
            else EventKind.AUTHORITY_REPLIED
        )
        start = next((e.on for e in events if e.kind == opened_by and e.ref == _ref(clock)), None)
        return None if start is None else _first(events, {answer}, since=start)
    return None


def met_in_time(clock: Clock, *, events: Sequence[clocks.Fact], today: date) -> bool:
    """Art. 12(3), 78(2): a fact on or before the clock's last day, and by `today`, met
    it; a later-recorded fact that shows this wins over an earlier scan's "missed"."""
    stored = clock.state == DeadlineState.MET and clock.met_on is not None
    if stored and clock.met_on <= today:
        return True
    answered = _met_by_events(clock, events)
    return answered is not None and answered <= clock.due_on and answered <= today


# --- Met, pending or missed ------------------------------------------------------------------


def clock_state(clock: Clock, *, events: Sequence[clocks.Fact], today: date) -> ClockState:
    """Art. 12(3): met, pending or missed as of `today`; missed only once past its last day, not
    met in time and not paused (a paused clock stands still while the vendor waits)."""
    if met_in_time(clock, events=events, today=today):
        return ClockState.MET
    if clock.paused_since is None and clock.due_on < today:
        return ClockState.MISSED
    return ClockState.PENDING


def clock_state_sql(today: date) -> SqlCase:
    """SQL twin of `clock_state`, for `Deadline.objects.annotate(clock_state=...)`."""
    return SqlCase(
        When(Q(state=DeadlineState.MET, met_on__lte=today), then=Value(ClockState.MET.value)),
        When(clock_missed_q(today), then=Value(ClockState.MISSED.value)),
        default=Value(ClockState.PENDING.value),
        output_field=CharField(),
    )


def clock_missed_q(today: date, prefix: str = "") -> Q:
    """SQL twin of `clock_state(...) == MISSED` on `Deadline` (`prefix` e.g. "deadlines__")."""
    met = Q(**{f"{prefix}state": DeadlineState.MET, f"{prefix}met_on__lte": today})
    return ~met & Q(**{f"{prefix}paused_since__isnull": True, f"{prefix}due_on__lt": today})


def missed_event_stands(
    event: Any, case_clocks: Iterable[Clock], *, events: Sequence[clocks.Fact], today: date
) -> bool:
    """Whether a "deadline missed" entry of the timeline (written by the daily scan, never
    changed) is still true as of `today`: its clock still has that last day and is missed by
    `clock_state`. A fact recorded after the scan (an extension notified in time, a pause, a
    re-dated receipt) can make it untrue; pages and letters then leave it out."""
    data = event.data or {}
    due = data.get("due_on")
    return any(
        c.kind == data.get("deadline_kind")
        and c.due_on.isoformat() == due
        and clock_state(c, events=events, today=today) == ClockState.MISSED
        for c in case_clocks
    )


# --- Unmet: somebody has to act on it --------------------------------------------------------


def clock_unmet(clock: Clock, *, events: Sequence[clocks.Fact]) -> bool:
    """Art. 12(3): nothing has answered the clock yet (in time or late), it is not paused, and it
    is not the last day to notify an extension, which is the vendor's own duty: once passed it
    is a fact, not something to chase."""
    if clock.kind == DeadlineKind.EXTENSION_NOTICE or clock.paused_since is not None:
        return False
    if clock.state == DeadlineState.MET or clock.met_on is not None:
        return False
    return _met_by_events(clock, events) is None


# SQL twin of `clock_unmet`, on `Deadline`.
UNMET = Q(
    state__in=[DeadlineState.OPEN, DeadlineState.MISSED],
    met_on__isnull=True,
    paused_since__isnull=True,
) & ~Q(kind=DeadlineKind.EXTENSION_NOTICE)


# --- Overdue ---------------------------------------------------------------------------------


def clock_overdue(
    clock: Clock, *, events: Sequence[clocks.Fact], today: date, case_status: str
) -> bool:
    """Art. 12(3): an unmet clock of an open case whose last day has passed; never stored."""
    return (
        case_status != Status.CLOSED and clock.due_on < today and clock_unmet(clock, events=events)
    )


def clock_overdue_q(today: date) -> Q:
    """SQL twin of `clock_overdue`, on `Deadline`."""
    return UNMET & Q(due_on__lt=today) & ~Q(case__status=Status.CLOSED)


def case_overdue(
    case_status: str, case_clocks: Iterable[Clock], *, events: Sequence[clocks.Fact], today: date
) -> bool:
    """Art. 12(3): an open case with an overdue clock; nothing is due on a closed case."""
    return any(
        clock_overdue(c, events=events, today=today, case_status=case_status) for c in case_clocks
    )


def case_overdue_q(today: date) -> Q:
    """SQL twin of `case_overdue`, on `Case`: its stored next due day (`next_due`, kept by
    `services.deadlines_refresh`) has passed; the earliest unmet clock is the first to pass. A
    closed case has none, so the index on (organisation, next_due_on) answers alone."""
    return Q(next_due_on__lt=today)


def next_due(
    case_status: str, case_clocks: Iterable[Clock], *, events: Sequence[clocks.Fact]
) -> date | None:
    """Art. 12(3): the earliest last day of an unmet clock; None on a closed case."""
    if case_status == Status.CLOSED:
        return None
    days = [c.due_on for c in case_clocks if clock_unmet(c, events=events)]
    return min(days) if days else None


def next_due_sql() -> SqlCase:
    """SQL twin of `next_due`, computed from the stored clocks; `services.deadlines_refresh`
    stores it in `Case.next_due_on`, which lists read."""
    first = (
        Deadline.objects.filter(UNMET, case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(first=Min("due_on"))
        .values("first")[:1]
    )
    return SqlCase(
        When(status=Status.CLOSED, then=None),
        default=Subquery(first, output_field=DateField()),
        output_field=DateField(),
    )


def case_overdue_by_next_due(case_status: str, next_due_on: date | None, *, today: date) -> bool:
    """`case_overdue` read from a row annotated with `next_due_sql()`: the earliest unmet clock
    is the first to pass, so the case is overdue exactly when that one has."""
    return case_status != Status.CLOSED and next_due_on is not None and next_due_on < today


# --- A breach: information, not a clock ------------------------------------------------------


def breach_notice_due(incident: Any) -> date | None:
    """GDPR Art. 33(1): the end (as a UTC date) of the 72 hours the vendor has to notify its
    authority of a misdirected export, counted from the end of the day the person told it (the
    only moment we know it was aware); None for another incident or one not reported to it.

    Information only, never a deadline met or missed: the duty is owed to the authority, not to
    the data subject, Art. 33(1) allows late notice with reasons and Art. 33(4) notice in phases,
    and only the authority can check whether and when it was notified."""
    if incident.kind != IncidentKind.MISDIRECTED_EXPORT or incident.reported_to_vendor_on is None:
        return None
    aware_at = datetime.combine(incident.reported_to_vendor_on, time(23, 59, 59), tzinfo=UTC)
    return deadlines.breach_notification_due(aware_at).date()


# --- What an answer lacks --------------------------------------------------------------------


def missing_items(requested: Sequence[str], contains: Iterable[str]) -> list[str]:
    """Art. 15(1) and (3): what was asked for and the answer does not contain, in the order
    asked."""
    received = set(contains)
    return [item for item in requested if item not in received]


# --- A complete answer -----------------------------------------------------------------------


def answer_was_someone_elses(incidents: Iterable[Any]) -> bool:
    """Art. 15(3) owes the person a copy of *their* data: an export that held somebody else's
    (a misdirected export not recorded as the person's own data going astray) is no answer."""
    return any(
        i.kind == IncidentKind.MISDIRECTED_EXPORT and i.side != IncidentSide.OWN_DATA
        for i in incidents
    )


def answer_was_someone_elses_q(prefix: str = "") -> Q:
    """SQL twin of `answer_was_someone_elses` on `Incident` (`prefix` e.g. "incidents__")."""
    return Q(**{f"{prefix}kind": IncidentKind.MISDIRECTED_EXPORT}) & ~Q(
        **{f"{prefix}side": IncidentSide.OWN_DATA}
    )


def complete_answer_on(events: Sequence[clocks.Fact], incidents: Iterable[Any]) -> date | None:
    """Art. 15(1), (3): the first day an answer left nothing asked for out (recorded with no
    missing item) and was the person's own data; None while no answer was. A confirmation of
    receipt or an answer that lacks something is not one."""
    if answer_was_someone_elses(incidents):
        return None
    days = [
        e.on
        for e in events
        if e.kind == EventKind.RESPONSE_RECEIVED and (e.data or {}).get("missing_items") == []
    ]
    return min(days) if days else None


def complete_answer_q(prefix: str = "") -> Q:
    """SQL twin of the events `complete_answer_on` reads, on `CaseEvent` (the incident part is
    `answer_was_someone_elses_q`)."""
    return Q(**{f"{prefix}kind": EventKind.RESPONSE_RECEIVED, f"{prefix}data__missing_items": []})


def answer_received(events: Iterable[clocks.Fact]) -> bool:
    """Whether the vendor's answer was recorded (Art. 12(3))."""
    return any(e.kind == EventKind.RESPONSE_RECEIVED for e in events)


# --- Follow-up requests (erasure, objection, withdrawal, restriction, portability) -----------


def channels_for(vendor: Any, kind: str) -> list[str]:
    """The channels through which `vendor`'s directory entry can receive a request of `kind`
    (Art. 12(2): the controller must make the rights easy to exercise, but the tracker can only
    send through a channel it knows): its privacy e-mail, its web form where the form takes that
    kind (`Vendor.webform_kinds`, empty: every kind), its postal address."""
    found = []
    if vendor.email:
        found.append(Channel.EMAIL.value)
    if vendor.webform and (not vendor.webform_kinds or kind in vendor.webform_kinds):
        found.append(Channel.WEBFORM.value)
    if (vendor.address or "").strip():
        found.append(Channel.POST.value)
    return found


def access_copy_pending(parent_kind: str, parent_status: str, events: Iterable[Any]) -> bool:
    """Erasure asked while the access request to the same vendor still waits for its answer:
    allowed (Art. 17 does not wait for Art. 15), but the copy not yet received may be erased
    with everything else, and with it the proof of what was held."""
    return (
        parent_kind == RequestKind.ACCESS
        and parent_status != Status.CLOSED
        and not answer_received(facts_of(events))
    )


# --- Reminders: which e-mails a case should have ---------------------------------------------
# The one rule for what is scheduled. `services.reminders_sync` writes it into `Reminder` rows,
# the dispatch scan (`selectors.reminders_due`) sends the rows that fell due, and the case page
# (`selectors.case_reminders`) shows the same rows: so the page shows what will be sent.

# The days a person may choose from on the case page (negative: before the deadline).
REMINDER_OFFSET_CHOICES = (-14, -7, -3, -1, 0, 1, 3, 7)
REMINDER_OFFSET_LIMIT = 60  # a reminder more than two months away from its deadline is no help


def reminder_offsets(case: Any) -> tuple[int, ...]:
    """The days around each deadline on which the case's people are e-mailed, in order: the
    case's own choice or the site's default (REMINDER_OFFSETS_DAYS); none when turned off."""
    if not case.reminders_enabled:
        return ()
    chosen = case.reminder_offsets
    if chosen is None:
        chosen = settings.REMINDER_OFFSETS_DAYS
    return tuple(sorted({int(o) for o in chosen}))


def reminder_send_at(due_on: date, offset_days: int) -> datetime:
    """When the reminder `offset_days` from `due_on` goes out: REMINDER_SEND_HOUR, local time."""
    day = due_on + timedelta(days=offset_days)
    return timezone.make_aware(datetime.combine(day, time(settings.REMINDER_SEND_HOUR)))


def reminder_schedule(
    case: Any, stored: Iterable[Deadline], *, now: datetime
) -> dict[tuple[int, int], datetime]:
    """The reminders a case should have, as {(deadline id, offset in days): send time}.

    A clock is reminded of while the case is open, while it is of a kind people act on
    (REMINDER_DEADLINE_KINDS), until it is met, and not while it stands still for the
    requester's identity (EDPB Guidelines 01/2022, the Art. 12(6) pause). A reminder that a
    later one, already due, overtakes is left out: nobody needs "7 days left" after the day."""
    offsets = reminder_offsets(case)
    if case.status == Status.CLOSED or not offsets:
        return {}
    planned: dict[tuple[int, int], datetime] = {}
    for clock in stored:
        if (
            clock.kind not in settings.REMINDER_DEADLINE_KINDS
            or clock.state == DeadlineState.MET
            or clock.paused_since is not None
        ):
            continue
        send_times = {o: reminder_send_at(clock.due_on, o) for o in offsets}
        for offset in offsets:
            if any(send_times[o] <= now for o in offsets if o > offset):
                continue
            planned[(clock.pk, offset)] = send_times[offset]
    return planned
