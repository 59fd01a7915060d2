"""When a letter may be written and what it is about: rules the services and the case page call.

- A reminder needs something to remind of (`reminder_grounds`): a clock of the vendor's that ran
  out (`missed_deadlines`, by `facts.clock_state`) or items missing from its answer.
- An incident notice is about something the vendor did to the data (`notice_incidents`); the
  incident is the one recorded when the letter was asked for (`letter_incident`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.utils.translation import gettext as _

from cases import facts
from cases.models import (
    Case,
    CaseEvent,
    Deadline,
    DeadlineKind,
    EventKind,
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

# Clocks that bind the vendor; a complaint or reminder lists those it missed.
VENDOR_CLOCKS = (
    DeadlineKind.RESPONSE,
    DeadlineKind.EXTENSION_NOTICE,
    DeadlineKind.EXTENDED_RESPONSE,
    DeadlineKind.ADMONITION,
    DeadlineKind.BREACH_NOTIFICATION,
)


def missed_deadlines(
    case: Case,
    *,
    today: date,
    deadlines: Sequence[Deadline] | None = None,
    events: Sequence[CaseEvent] | None = None,
) -> list[Deadline]:
    """The vendor's clocks that ran out as of `today` (`facts.clock_state`: missed). The
    extension-notice clock counts only when a notice came, late: without one, the response clock
    covers the silence. A page that already read the case's clocks and timeline passes them."""
    if deadlines is None:
        deadlines = list(case.deadlines.order_by("due_on", "pk"))
    if events is None:
        events = list(case.events.order_by("occurred_on", "recorded_at", "pk"))
    known = facts.facts_of(events)
    extension_notified = any(e.kind == EventKind.EXTENSION_NOTIFIED for e in known)
    return [
        d
        for d in sorted(deadlines, key=lambda d: (d.due_on, d.pk))
        if d.kind in VENDOR_CLOCKS
        and (d.kind != DeadlineKind.EXTENSION_NOTICE or extension_notified)
        and facts.clock_state(d, events=known, today=today) == facts.ClockState.MISSED
    ]


def reminder_grounds(
    case: Case,
    *,
    today: date,
    deadlines: Sequence[Deadline] | None = None,
    events: Sequence[CaseEvent] | None = None,
) -> bool:
    """A reminder needs something to remind of: a missed clock or items missing from an answer."""
    return bool(case.missing_items) or bool(
        missed_deadlines(case, today=today, deadlines=deadlines, events=events)
    )


def letter_refusal(
    case: Case,
    kind: str,
    *,
    today: date,
    deadlines: Sequence[Deadline] | None = None,
    events: Sequence[CaseEvent] | None = None,
    incidents: Iterable[Incident] | None = None,
) -> tuple[str, str] | None:
    """Why a letter of `kind` cannot be asked for on `case` now, as (message, field), or None.
    The one rule: `services.letter_request` refuses with it, the case page offers by it."""
    if not case.is_open:
        return _("This case is closed."), "kind"
    if kind in (LetterKind.REMINDER, LetterKind.COMPLAINT) and case.sent_on is None:
        return _("Mark the request as sent first."), "kind"
    if kind == LetterKind.REMINDER and not reminder_grounds(
        case, today=today, deadlines=deadlines, events=events
    ):
        return (
            _(
                "There is nothing to remind the company of yet: no time limit has passed "
                "and no answer was recorded as incomplete."
            ),
            "kind",
        )
    if kind == LetterKind.INCIDENT_NOTICE and not notice_incidents(
        case.incidents.all() if incidents is None else incidents
    ):
        return (
            _(
                "An incident notice is about data sent to the wrong person, recordings "
                "reviewed or made without notice, or another breach: record one first."
            ),
            "incident",
        )
    return None


def notice_incidents(incidents: Iterable[Incident]) -> list[Incident]:
    """The incidents, among a case's, that an incident notice can be about; latest first."""
    chosen = [i for i in incidents if i.kind in NOTICE_INCIDENT_KINDS]
    return sorted(chosen, key=lambda i: (i.discovered_on, i.pk), reverse=True)


def letter_incident(
    letter: Letter,
    *,
    events: Sequence[CaseEvent] | None = None,
    incidents: Sequence[Incident] | None = None,
) -> Incident | None:
    """The incident an incident notice is about, as recorded when the letter was asked for. A
    page that already read the case's events and incidents passes them."""
    if events is None:
        event = (
            CaseEvent.objects.filter(
                case_id=letter.case_id, kind=EventKind.LETTER_GENERATED, data__letter_id=letter.pk
            )
            .order_by("pk")
            .first()
        )
    else:
        generated = [
            e
            for e in events
            if e.kind == EventKind.LETTER_GENERATED and (e.data or {}).get("letter_id") == letter.pk
        ]
        event = min(generated, key=lambda e: e.pk) if generated else None
    incident_id = event.data.get("incident_id") if event else None
    if incident_id is None:
        return None
    if incidents is not None:
        return next((i for i in incidents if i.pk == incident_id), None)
    return Incident.objects.filter(pk=incident_id, case_id=letter.case_id).first()
