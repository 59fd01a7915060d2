"""The complaint's account of the case: its events in order, in the letter's language, with the
user's notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cases import facts
from cases.letters.parts import long_date
from cases.letters.phrases import CHANNELS_TO_THIRD_PARTY, DEADLINES, EVENTS, INCIDENTS
from cases.letters.rules import reported_incidents
from cases.models import Case, CaseEvent, DeadlineKind, EventKind, RequestKind

# Events that are bookkeeping, not facts a reader of the timeline needs.
_SKIPPED = (EventKind.LETTER_GENERATED, EventKind.STATUS_CHANGED)


@dataclass(frozen=True)
class TimelineEntry:
    on: str
    label: str
    detail: str = ""
    note: str = ""


def timeline(case: Case, language: str, *, today: date) -> list[TimelineEntry]:
    """The case's events up to `today`, in order, in the letter's language, with the user's
    notes. Left out: bookkeeping; somebody else's data that reached the person (reported to the
    authority apart, `rules.reported_incidents`, not a ground of the complaint); the
    extension-notice clock running out when no extension was
    asked for (nothing was owed); a "deadline missed" entry that later facts made untrue
    (`facts.missed_event_stands`), and the vendor's 72 hours, which are not the person's
    clock."""
    events = list(case.events.order_by("occurred_on", "recorded_at", "pk"))
    strangers = {i.pk for i in reported_incidents(case.incidents.all())}
    known = facts.facts_of(events)
    clocks = list(case.deadlines.all())
    extension_notified = any(e.kind == EventKind.EXTENSION_NOTIFIED for e in events)
    follow_up = case.kind != RequestKind.ACCESS
    return [
        _entry(event, language, follow_up=follow_up)
        for event in events
        if event.kind not in _SKIPPED
        and event.occurred_on <= today
        and not _nothing_was_owed(event, extension_notified=extension_notified)
        and not _about(event, strangers)
        and (
            event.kind != EventKind.DEADLINE_MISSED
            or facts.missed_event_stands(event, clocks, events=known, today=today)
        )
    ]


def _about(event: CaseEvent, incident_ids: set[int]) -> bool:
    """The event records or reports one of these incidents."""
    data = event.data or {}
    return bool(incident_ids) and (
        data.get("incident_id") in incident_ids or data.get("incident_reported") in incident_ids
    )


def _nothing_was_owed(event: CaseEvent, *, extension_notified: bool) -> bool:
    """The extension-notice clock ran out, but no extension was asked for."""
    return (
        event.kind == EventKind.DEADLINE_MISSED
        and (event.data or {}).get("deadline_kind") == DeadlineKind.EXTENSION_NOTICE
        and not extension_notified
    )


def _entry(event: CaseEvent, language: str, *, follow_up: bool = False) -> TimelineEntry:
    data = event.data or {}
    if follow_up and event.kind == EventKind.SENT:  # not "access request sent"
        return TimelineEntry(
            long_date(event.occurred_on),
            EVENTS[language]["sent_request"],
            _detail(event.kind, data, language),
            event.note,
        )
    on = long_date(event.occurred_on)
    if event.kind == EventKind.NOTE and data.get("incident_reported"):
        # The page's note is in the language of whoever sent it: the letter says it its own way.
        label = EVENTS[language]["incident_reported"]
        return TimelineEntry(on, label, INCIDENTS[language].get(data.get("incident_kind", ""), ""))
    label = EVENTS[language].get(event.kind) or event.get_kind_display()
    if event.kind == EventKind.NOTE and event.note:
        label = ""  # the person's own words need no heading in their own letter
    return TimelineEntry(on, label, _detail(event.kind, data, language), event.note)


def _detail(kind: str, data: dict, language: str) -> str:
    """What an event is about: the channel, the clock and its date, the incident, the authority."""
    if kind == EventKind.SENT:
        return CHANNELS_TO_THIRD_PARTY[language].get(data.get("channel", ""), "")
    if kind == EventKind.DEADLINE_MISSED:
        clock = DEADLINES[language].get(data.get("deadline_kind", ""), "")
        due = data.get("due_on")
        return f"{clock} ({long_date(date.fromisoformat(due))})" if clock and due else clock
    if kind == EventKind.INCIDENT_RECORDED:
        return INCIDENTS[language].get(data.get("incident_kind", ""), "")
    if kind == EventKind.COMPLAINT_FILED:
        return str(data.get("authority", ""))
    return ""
