"""Reads for the REST API: the lists it pages through, one case's parts, the keys, and the
webhook log. Every case comes from `access.principal_cases`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from cases import facts
from cases.models import (
    ApiKey,
    Case,
    CaseEvent,
    Deadline,
    Evidence,
    Incident,
    Letter,
    Mandate,
    Organisation,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from cases.selectors.access import Principal, principal_cases

CASE_ORDERINGS = {
    "created_at": ("created_at", "pk"),
    "-created_at": ("-created_at", "-pk"),
    "updated_at": ("updated_at", "pk"),
    "-updated_at": ("-updated_at", "-pk"),
    "next_due": (F("next_due").asc(nulls_last=True), "pk"),
    "-next_due": (F("next_due").desc(nulls_last=True), "-pk"),
    "id": ("pk",),
    "-id": ("-pk",),
}


# What a list row shows: the case's own columns and its vendor's name, not the vendor's address
# and notes, so that the rows sorted for a page stay narrow.
CASE_LIST_FIELDS = (
    *(f.name for f in Case._meta.concrete_fields),
    "vendor__id",
    "vendor__slug",
    "vendor__name",
)


@dataclass(frozen=True)
class CaseFilters:
    vendor: int | None = None
    status: tuple[str, ...] = ()
    overdue: bool | None = None
    due_before: date | None = None
    due_after: date | None = None
    organisation: int | None = None
    campaign: int | None = None
    updated_since: datetime | None = None
    ordering: str = "-created_at"


def with_clock_columns(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with its next unmet due date (`facts.next_due`, stored) and the campaign of its
    active mandate (a subquery of the same SELECT, evaluated for the rows of the page only), so a
    page costs one query; whether the case is overdue follows from the first
    (`facts.case_overdue_by_next_due`)."""
    campaign = (
        Mandate.objects.active().filter(case=OuterRef("pk")).values("campaign_id").order_by()[:1]
    )
    return cases.annotate(next_due=F("next_due_on"), campaign_id=Subquery(campaign))


def api_case_list(
    principal: Principal, filters: CaseFilters, *, today: date | None = None
) -> QuerySet[Case]:
    """The principal's cases, filtered and ordered, with what a list row shows."""
    today = today or timezone.localdate()
    cases = principal_cases(principal)
    if filters.vendor is not None:
        cases = cases.filter(vendor_id=filters.vendor)
    if filters.status:
        cases = cases.filter(status__in=filters.status)
    if filters.organisation is not None:
        cases = cases.filter(organisation_id=filters.organisation)
    if filters.campaign is not None:
        cases = cases.filter(
            Exists(Mandate.objects.active().filter(case=OuterRef("pk"), campaign=filters.campaign))
        )
    if filters.updated_since is not None:
        cases = cases.filter(updated_at__gte=filters.updated_since)
    if filters.overdue is not None:
        overdue = facts.case_overdue_q(today)
        cases = cases.filter(overdue) if filters.overdue else cases.exclude(overdue)
    cases = with_clock_columns(cases.select_related("vendor").only(*CASE_LIST_FIELDS))
    if filters.due_before is not None:
        cases = cases.filter(next_due__lte=filters.due_before)
    if filters.due_after is not None:
        cases = cases.filter(next_due__gte=filters.due_after)
    ordering = CASE_ORDERINGS.get(filters.ordering, CASE_ORDERINGS["-created_at"])
    return cases.order_by(*ordering)


def api_case(principal: Principal, case_id: int) -> Case | None:
    """One case of the principal's, with the list's columns; None for anybody else's."""
    cases = principal_cases(principal).select_related("vendor").only(*CASE_LIST_FIELDS)
    return with_clock_columns(cases).filter(pk=case_id).first()


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.order_by("occurred_on", "recorded_at", "pk")


def case_deadlines(case: Case) -> QuerySet[Deadline]:
    return case.deadlines.order_by("due_on", "pk")


def case_incidents(case: Case) -> QuerySet[Incident]:
    return case.incidents.order_by("discovered_on", "pk")


def case_evidence(case: Case) -> QuerySet[Evidence]:
    return case.evidence.order_by("uploaded_at", "pk")


def case_letters(case: Case) -> QuerySet[Letter]:
    return case.letters.select_related("authority").order_by("created_at", "pk")


def api_deadlines(
    principal: Principal,
    *,
    state: str = "",
    overdue: bool | None = None,
    due_before: date | None = None,
    due_after: date | None = None,
    case: int | None = None,
    today: date | None = None,
) -> QuerySet[Deadline]:
    """Clocks on the principal's cases, soonest first."""
    today = today or timezone.localdate()
    deadlines = Deadline.objects.filter(case__in=principal_cases(principal).values("pk"))
    if case is not None:
        deadlines = deadlines.filter(case_id=case)
    if state:
        deadlines = deadlines.filter(state=state)
    overdue_q = facts.clock_overdue_q(today)
    if overdue is True:
        deadlines = deadlines.filter(overdue_q)
    elif overdue is False:
        deadlines = deadlines.exclude(overdue_q)
    if due_before is not None:
        deadlines = deadlines.filter(due_on__lte=due_before)
    if due_after is not None:
        deadlines = deadlines.filter(due_on__gte=due_after)
    return deadlines.order_by("due_on", "pk")


def organisation_api_keys(organisation: Organisation) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(organisation=organisation).select_related("created_by")


def personal_api_keys(user: User) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(user=user)


def organisation_webhook_endpoints(organisation: Organisation) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organisation=organisation).order_by("-created_at", "-pk")


def webhook_delivery_log(
    organisation: Organisation, *, endpoint: int | None = None
) -> QuerySet[WebhookDelivery]:
    """Deliveries to the organisation's endpoints, newest first, with their event."""
    deliveries = WebhookDelivery.objects.filter(endpoint__organisation=organisation)
    if endpoint is not None:
        deliveries = deliveries.filter(endpoint_id=endpoint)
    return deliveries.select_related("event", "endpoint").order_by("-created_at", "-pk")


def delivery_attempts(deliveries: list[WebhookDelivery]) -> dict[int, list[WebhookAttempt]]:
    """The attempts of these deliveries, one query."""
    attempts: dict[int, list[WebhookAttempt]] = {d.pk: [] for d in deliveries}
    for attempt in WebhookAttempt.objects.filter(delivery__in=deliveries).order_by(
        "attempted_at", "pk"
    ):
        attempts[attempt.delivery_id].append(attempt)
    return attempts


__all__ = [
    "CASE_LIST_FIELDS",
    "CASE_ORDERINGS",
    "CaseFilters",
    "api_case",
    "api_case_list",
    "api_deadlines",
    "case_deadlines",
    "case_events",
    "case_evidence",
    "case_incidents",
    "case_letters",
    "delivery_attempts",
    "organisation_api_keys",
    "organisation_webhook_endpoints",
    "personal_api_keys",
    "webhook_delivery_log",
    "with_clock_columns",
]
