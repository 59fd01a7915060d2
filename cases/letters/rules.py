"""When a letter may be written and what it is about: rules the services and the case page call.

- A reminder needs something to remind of (`reminder_grounds`): a clock of the vendor's that ran
  out (`missed_deadlines`) or items missing from its answer.
- An incident notice is about something the vendor did to the data (`notice_incidents`); the
  incident is the one recorded when the letter was asked for (`letter_incident`).
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from cases.models import (
    Case,
    CaseEvent,
    Deadline,
    DeadlineKind,
    DeadlineState,
    EventKind,
    Incident,
    IncidentKind,
    Letter,
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
