"""Reads about cases: a case page, a person's lists, deadlines, and reminders due.

Every list starts from `access.cases_visible_to`; whether a clock is overdue comes from
`cases.facts` (in Python and its SQL twin), never a stored flag.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from cases import facts
from cases.guidance import next_step
from cases.models import Case, Deadline, DeadlineState, Reminder, User, VoiceExport
from cases.selectors.access import cases_visible_to


def overdue_deadlines(*, today: date | None = None) -> QuerySet[Deadline]:
    """Overdue clocks (`facts.clock_overdue`, through its SQL twin): never a stored flag."""
    today = today or timezone.localdate()
    return Deadline.objects.filter(facts.clock_overdue_q(today))


def open_deadlines_for(user: User) -> QuerySet[Deadline]:
    """Clocks still running on the user's visible, open cases (for the calendar feed)."""
    return (
        Deadline.objects.filter(
            case__in=cases_visible_to(user).exclude(status="closed"),
            state=DeadlineState.OPEN,
        )
        .select_related("case__vendor")
        .order_by("due_on")
    )


def cases_by_urgency(user: User) -> QuerySet[Case]:
    """The user's cases, those with the earliest unmet deadline first (overdue at the top)."""
    return (
        cases_visible_to(user)
        .select_related("vendor")
        .annotate(next_due=facts.next_due_sql())
        .order_by(F("next_due").asc(nulls_last=True), "-created_at")
    )


def reminders_due(*, now: datetime | None = None) -> QuerySet[Reminder]:
    """Pending reminders whose time has come, however long ago; served by a partial index."""
    now = now or timezone.now()
    requeue_before = now - timedelta(seconds=settings.REMINDER_REQUEUE_AFTER_SECONDS)
    return (
        Reminder.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True, send_at__lte=now)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=requeue_before))
        .filter(attempts__lt=settings.REMINDER_MAX_ATTEMPTS)
        .order_by("send_at")
    )


def case_page(case: Case, *, today: date | None = None) -> dict[str, object]:
    """What the case page shows: the clocks with their state (`facts.clock_state`), whether each
    is overdue (`facts.clock_overdue`), days left and next steps, and the timeline."""
    today = today or timezone.localdate()
    deadlines = list(case.deadlines.order_by("due_on", "pk"))
    events = list(case.events.select_related("actor").order_by("occurred_on", "recorded_at", "pk"))
    known = facts.facts_of(events)
    clocks = []
    for d in deadlines:
        state = facts.clock_state(d, events=known, today=today)
        clocks.append(
            {
                "deadline": d,
                "state": state,
                "days_left": (d.due_on - today).days,
                "days_late": (today - d.due_on).days,
                "overdue": facts.clock_overdue(
                    d, events=known, today=today, case_status=case.status
                ),
                "next_step": next_step(d, state=state) if state != facts.ClockState.MET else "",
            }
        )
    return {
        "case": case,
        "clocks": clocks,
        "overdue": facts.case_overdue(case.status, deadlines, events=known, today=today),
        "events": events,
        "today": today,
    }


def case_files(case: Case) -> dict[str, list[object]]:
    """The evidence and incidents shown on a case page, two queries whatever their number. Each
    evidence carries the id and status of its export analysis, if it is one (`voice_export_id`,
    `voice_export_status`), so the page lists the exports without a query of their own."""
    export = VoiceExport.objects.filter(evidence=OuterRef("pk"))
    return {
        "evidence": list(
            case.evidence.annotate(
                voice_export_id=Subquery(export.values("pk")[:1]),
                voice_export_status=Subquery(export.values("status")[:1]),
            ).order_by("uploaded_at", "pk")
        ),
        "incidents": list(case.incidents.order_by("discovered_on", "pk")),
    }


__all__ = [
    "case_files",
    "case_page",
    "cases_by_urgency",
    "open_deadlines_for",
    "overdue_deadlines",
    "reminders_due",
]
