"""Every non-trivial read. Pages and the API get cases only through `cases_visible_to`, so no view
can forget a permission filter."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from cases import facts
from cases.guidance import next_step
from cases.models import (
    Authority,
    Case,
    Deadline,
    DeadlineState,
    Mandate,
    Membership,
    Reminder,
    User,
    Vendor,
)


def voice_vendors() -> QuerySet[Vendor]:
    return Vendor.objects.filter(voice_assistant=True).select_related("lead_authority")


def vendor_directory() -> QuerySet[Vendor]:
    return Vendor.objects.select_related("lead_authority").order_by("-voice_assistant", "name")


def authority_directory() -> QuerySet[Authority]:
    return Authority.objects.order_by("country", "subdivision", "short_name")


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The cases `user` may see: their own, and those that their requester has mandated an
    organisation the user belongs to (GDPR Art. 80(1)), for as long as the mandate stands."""
    if not user.is_authenticated:
        return Case.objects.none()
    org_ids = Membership.objects.filter(user=user).values("organisation_id")
    mandated = Mandate.objects.active().filter(
        case=OuterRef("pk"), organisation_id=OuterRef("organisation_id")
    )
    return Case.objects.filter(
        Q(requester=user) | (Q(organisation_id__in=org_ids) & Exists(mandated))
    )


def case_editable_by(user: User, case: Case) -> bool:
    """Whether `user` may act on `case`, which must come from `cases_visible_to(user)`: its
    requester always may; in an organisation, caseworkers and admins may, viewers may not."""
    from cases.selectors_workspace import ROLE_RANK, membership_role

    if not user.is_authenticated:
        return False
    if case.requester_id == user.pk:
        return True
    if case.organisation is None:
        return False
    role = membership_role(user, case.organisation)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[Membership.Role.CASEWORKER]


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


# --- The consumer's journey ------------------------------------------------------------------


def cases_owned_by(user: User) -> QuerySet[Case]:
    """The cases `user` filed for themselves: what their own-data export and deletion cover
    (cases they only see through an organisation belong to other people)."""
    return cases_visible_to(user).filter(requester=user)


def case_for_page(user: User, case_id: int) -> Case:
    """One visible case with what its page shows beside it; 404 for anybody else's."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        cases_visible_to(user).select_related("vendor__lead_authority"), pk=case_id
    )


def case_files(case: Case) -> dict[str, list[object]]:
    """The evidence and incidents shown on a case page, two queries whatever their number."""
    return {
        "evidence": list(case.evidence.order_by("uploaded_at", "pk")),
        "incidents": list(case.incidents.order_by("discovered_on", "pk")),
    }


def vendor_for_request(slug: str) -> Vendor | None:
    """The company a request is filed to. Its lead authority is not needed for that."""
    return Vendor.objects.filter(slug=slug).first()
