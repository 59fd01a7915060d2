"""Every non-trivial read. Pages and the API get cases only through `cases_visible_to`, so no view
can forget a permission filter."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Case as SqlCase
from django.db.models import DateField, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone

from cases.models import (
    Authority,
    Case,
    Deadline,
    DeadlineKind,
    DeadlineState,
    Mandate,
    Membership,
    Reminder,
    Status,
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


# A clock somebody has to act on: nothing answered it yet (it is open, or the nightly scan marked
# it missed), it is not paused, and it is not the last day to notify an extension, which is the
# vendor's own duty: once passed it is a fact, not something to chase. The one rule behind
# "overdue", "due within" and "next due" on every page and in the API.
UNMET = Q(
    state__in=[DeadlineState.OPEN, DeadlineState.MISSED],
    met_on__isnull=True,
    paused_since__isnull=True,
) & ~Q(kind=DeadlineKind.EXTENSION_NOTICE)


def overdue_deadlines(*, today: date | None = None) -> QuerySet[Deadline]:
    """Unmet clocks whose last day has passed, on open cases: "overdue" is this query, never a
    stored flag."""
    today = today or timezone.localdate()
    return Deadline.objects.filter(UNMET, due_on__lt=today).exclude(case__status=Status.CLOSED)


def next_due() -> Subquery:
    """For `Case.objects.annotate(next_due=next_due())`: the case's earliest unmet due date."""
    first = (
        Deadline.objects.filter(UNMET, case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(first=Min("due_on"))
        .values("first")[:1]
    )
    return Subquery(first, output_field=DateField())


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
        .annotate(
            # Nothing is due on a closed case, whatever its clocks said when it closed.
            next_due=SqlCase(When(status=Status.CLOSED, then=None), default=next_due())
        )
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
    """What the case page shows: the clocks with days left and next steps, and the timeline."""
    from cases.guidance import next_step

    today = today or timezone.localdate()
    deadlines = list(case.deadlines.order_by("due_on", "pk"))
    clocks = [
        {
            "deadline": d,
            "days_left": (d.due_on - today).days,
            "days_late": (today - d.due_on).days,
            "overdue": d.state != DeadlineState.MET and d.paused_since is None and d.due_on < today,
            "next_step": next_step(d, today=today) if d.state != DeadlineState.MET else "",
        }
        for d in deadlines
    ]
    return {
        "case": case,
        "clocks": clocks,
        "events": list(
            case.events.select_related("actor").order_by("occurred_on", "recorded_at", "pk")
        ),
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
