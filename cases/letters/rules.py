"""When a letter may be written and what it is about: rules the services and the case page call.

- A reminder needs something to remind of (`reminder_grounds`): a clock of the vendor's that ran
  out (`missed_deadlines`, by `facts.clock_state`) or items missing from its answer.
- A complaint (Art. 77) needs a ground as of the day it is written (`complaint_grounds`): a missed
  clock, a refused or incomplete answer, or an incident that concerns the complainant's own data.
- An incident notice is about something the vendor did to the data (`notice_incidents`); the
  incident is the one recorded when the letter was asked for (`letter_incident`).
- A breach report tells an authority of somebody else's data the person received
  (`reported_incidents`): not a complaint, for the authority to act on of its own motion.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from django.utils.formats import date_format
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
    IncidentSide,
    Letter,
    LetterKind,
    Outcome,
)

# Incidents an incident notice is written for: something the vendor did to the data, as opposed
# to how it handled the request (a reminder or a complaint covers those).
NOTICE_INCIDENT_KINDS = (
    IncidentKind.MISDIRECTED_EXPORT,
    IncidentKind.UNDISCLOSED_REVIEW,
    IncidentKind.RECORDING_WITHOUT_WAKE_WORD,
    IncidentKind.OTHER_BREACH,
)

# Clocks that bind the vendor towards the data subject; a complaint or reminder lists those it
# missed. Not the 72 hours of Art. 33(1): that duty is owed to the authority, and 33(1) and 33(4)
# allow late and phased notice, so a letter asks the authority to check it instead.
VENDOR_CLOCKS = (
    DeadlineKind.RESPONSE,
    DeadlineKind.EXTENSION_NOTICE,
    DeadlineKind.EXTENDED_RESPONSE,
    DeadlineKind.ADMONITION,
)
# Missed clocks that are grounds of a complaint; the reminder's 14 days are a custom, not a rule.
LEGAL_CLOCKS = (
    DeadlineKind.RESPONSE,
    DeadlineKind.EXTENSION_NOTICE,
    DeadlineKind.EXTENDED_RESPONSE,
)
# Incidents that are a complaint's ground on their own. Not "no answer" (the missed clock is the
# ground, and only once it has passed) nor "incomplete answer" (the recorded answer is).
COMPLAINT_INCIDENT_KINDS = (
    IncidentKind.MISDIRECTED_EXPORT,
    IncidentKind.UNDISCLOSED_REVIEW,
    IncidentKind.RECORDING_WITHOUT_WAKE_WORD,
    IncidentKind.EXCESSIVE_IDENTITY_DEMAND,
    IncidentKind.LATE_EXTENSION_NOTICE,
    IncidentKind.OTHER_BREACH,
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


def own_incidents(incidents: Iterable[Incident]) -> list[Incident]:
    """The incidents about the person's own data: all but somebody else's data that reached them
    (LEGAL.md 1: the person who received a stranger's export is not its data subject)."""
    return [i for i in incidents if i.side != IncidentSide.OTHERS_DATA]


def reported_incidents(incidents: Iterable[Incident]) -> list[Incident]:
    """Somebody else's data that reached the person: what a breach report is about."""
    chosen = [
        i
        for i in incidents
        if i.kind == IncidentKind.MISDIRECTED_EXPORT and i.side == IncidentSide.OTHERS_DATA
    ]
    return sorted(chosen, key=lambda i: (i.discovered_on, i.pk), reverse=True)


def complaint_grounds(
    case: Case,
    *,
    today: date,
    deadlines: Sequence[Deadline] | None = None,
    events: Sequence[CaseEvent] | None = None,
    incidents: Iterable[Incident] | None = None,
) -> bool:
    """GDPR Art. 77: a complaint says how the controller infringed the complainant's rights, so it
    needs a ground as of `today`: a time limit of Art. 12(3) that has passed unmet, an answer
    recorded as refused or incomplete (Art. 12(4), 15), or an incident about the complainant's
    own data. A request merely sent, whose time limit still runs, is none."""
    missed = missed_deadlines(case, today=today, deadlines=deadlines, events=events)
    if any(d.kind in LEGAL_CLOCKS for d in missed):
        return True
    if case.missing_items or case.outcome in (Outcome.REFUSED, Outcome.PARTIAL):
        return True
    incidents = case.incidents.all() if incidents is None else incidents
    return any(i.kind in COMPLAINT_INCIDENT_KINDS for i in own_incidents(incidents))


def complaint_possible_from(
    case: Case, *, deadlines: Sequence[Deadline] | None = None
) -> date | None:
    """The day after the last day the vendor still has to answer (Art. 12(3)): from then on an
    unanswered request is a ground. None when no such clock runs (paused, or not received)."""
    if deadlines is None:
        deadlines = list(case.deadlines.all())
    running = [
        d
        for d in deadlines
        if d.kind in (DeadlineKind.RESPONSE, DeadlineKind.EXTENDED_RESPONSE)
        and d.met_on is None
        and d.paused_since is None
    ]
    if not running:
        return None
    return max(d.due_on for d in running) + timedelta(days=1)


def _no_complaint_ground(case: Case, deadlines: Sequence[Deadline] | None) -> str:
    start = complaint_possible_from(case, deadlines=deadlines)
    if start is None:
        return _(
            "A complaint needs a ground as of today: a time limit the company let pass, an "
            "answer that is incomplete or a refusal, or an incident about your data. None is "
            "recorded on this case yet."
        )
    return _(
        "A complaint needs a ground as of today, and the company still has until %(due)s to "
        "answer. If it has not answered by then, you can send it a reminder or write a "
        "complaint from %(start)s. If something else went wrong, record it as an incident."
    ) % {"due": date_format(start - timedelta(days=1)), "start": date_format(start)}


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
    if kind == LetterKind.COMPLAINT and not complaint_grounds(
        case, today=today, deadlines=deadlines, events=events, incidents=incidents
    ):
        return _no_complaint_ground(case, deadlines), "kind"
    if kind == LetterKind.BREACH_REPORT and not reported_incidents(
        case.incidents.all() if incidents is None else incidents
    ):
        return (
            _(
                "A breach report is about somebody else's data that reached you: record it as "
                "an incident first (data sent to the wrong person, received by you)."
            ),
            "incident",
        )
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


def incidents_for(kind: str, incidents: Iterable[Incident]) -> list[Incident] | None:
    """The incidents a letter of `kind` can be about, latest first; None for a kind that is not
    about one incident (only incident notices and breach reports are)."""
    if kind == LetterKind.INCIDENT_NOTICE:
        return notice_incidents(incidents)
    if kind == LetterKind.BREACH_REPORT:
        return reported_incidents(incidents)
    return None


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
