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
from cases.models import (
    Case,
    CaseEvent,
    Deadline,
    DeadlineState,
    EventKind,
    Reminder,
    RequestKind,
    User,
    VoiceExport,
)
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
        .annotate(next_due=F("next_due_on"))
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
                "next_step": next_step(d, state=state),
            }
        )
    return {
        "case": case,
        "clocks": clocks,
        "overdue": facts.case_overdue(case.status, deadlines, events=known, today=today),
        "events": events,
        "today": today,
    }


def case_reminders(case: Case) -> dict[str, object]:
    """The case's reminder e-mails as the page shows them, from the rows the dispatch scan sends
    (written from `facts.reminder_schedule` by `services.reminders_sync`): those still to go,
    the next first, and those sent, the latest first. One query."""
    rows = list(
        Reminder.objects.filter(deadline__case=case)
        .select_related("deadline")
        .order_by("send_at", "pk")
    )
    scheduled = [r for r in rows if r.sent_at is None and r.cancelled_at is None]
    sent = sorted((r for r in rows if r.sent_at is not None), key=lambda r: r.sent_at, reverse=True)
    return {
        "enabled": case.reminders_enabled,
        "offsets": facts.reminder_offsets(case),
        "next": scheduled[0] if scheduled else None,
        "scheduled": scheduled,
        "sent": sent,
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
    "case_family",
    "case_files",
    "case_page",
    "case_reminders",
    "cases_by_urgency",
    "open_deadlines_for",
    "overdue_deadlines",
    "reminders_due",
]


def case_family(case: Case, events: list[CaseEvent]) -> dict[str, object]:
    """The case's family, from what the page already read (no query): the access case it
    follows (`parent_id`) and the follow-ups asked from it, as the timeline recorded them when
    they were opened (`services.case_follow_ups_create` records one only where whoever sees this
    case may see the follow-up too), each as (id, kind label)."""
    labels = dict(RequestKind.choices)
    follow_ups = [
        (e.data["follow_up_id"], labels.get(e.data.get("follow_up_kind"), ""))
        for e in events
        if e.kind == EventKind.NOTE and (e.data or {}).get("follow_up_id")
    ]
    return {"parent_id": case.parent_id, "follow_ups": follow_ups}
