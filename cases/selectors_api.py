"""Reads for the REST API: who is calling (a principal), the cases they may see, and the lists
the API pages through.

A principal is a person (signed in, or with a personal API key) or an organisation (with one of
its keys). `principal_cases` is the API's only way to get cases: a person sees what
`cases_visible_to` gives them, an organisation what it holds an active mandate for
(`organisation_cases`, GDPR Art. 80(1)); nothing else, so no API view can forget a filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import (
    Exists,
    F,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from cases import facts
from cases.models import (
    ApiKey,
    Authority,
    Case,
    CaseEvent,
    Deadline,
    Evidence,
    Incident,
    Letter,
    Mandate,
    Organisation,
    User,
    Vendor,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from cases.selectors import case_editable_by, cases_visible_to
from cases.selectors_workspace import organisation_cases

# --- Who is calling --------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """The caller of an API request.

    `user` is who the services record as the actor: the person, or the organisation's service
    account. `organisation` is set for an organisation's key only.
    """

    user: User
    organisation: Organisation | None = None
    key: ApiKey | None = None
    can_write: bool = True

    @property
    def ident(self) -> str:
        """Stable and unique per caller: what idempotency keys and rate limits are kept by."""
        return f"key:{self.key.prefix}" if self.key is not None else f"user:{self.user.pk}"


def principal_cases(principal: Principal) -> QuerySet[Case]:
    """The cases the principal may see, and nothing else."""
    if principal.organisation is not None:
        return organisation_cases(principal.organisation)
    return cases_visible_to(principal.user)


def principal_may_change(principal: Principal, case: Case) -> bool:
    """Whether the principal may record things on a case it sees: an organisation's read-write
    key on its mandated cases; a person on their own cases, or as a caseworker or admin of the
    organisation that holds the case's mandate (viewers only read)."""
    if not principal.can_write:
        return False
    return principal.organisation is not None or case_editable_by(principal.user, case)


# --- Directory -------------------------------------------------------------------------------


def api_vendors(*, country: str = "", voice_assistant: bool | None = None) -> QuerySet[Vendor]:
    vendors = Vendor.objects.order_by("-voice_assistant", "name", "pk")
    if country:
        vendors = vendors.filter(country=country.upper())
    if voice_assistant is not None:
        vendors = vendors.filter(voice_assistant=voice_assistant)
    return vendors


def api_authorities(*, country: str = "") -> QuerySet[Authority]:
    authorities = Authority.objects.order_by("country", "subdivision", "short_name", "pk")
    if country:
        authorities = authorities.filter(country=country.upper())
    return authorities


# --- Cases -----------------------------------------------------------------------------------

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
    """Each case with its next unmet due date (`facts.next_due_sql`) and the campaign of its
    active mandate: two subqueries of the same SELECT, evaluated for the rows of the page only,
    so a page costs one query; whether the case is overdue follows from the first
    (`facts.case_overdue_by_next_due`)."""
    campaign = (
        Mandate.objects.active().filter(case=OuterRef("pk")).values("campaign_id").order_by()[:1]
    )
    return cases.annotate(next_due=facts.next_due_sql(), campaign_id=Subquery(campaign))


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


# --- Keys and webhooks -----------------------------------------------------------------------


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
