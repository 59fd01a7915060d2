"""Reads for the advocacy workspace: an organisation's members and invitations, mandates and
notes on a case, campaigns, bulk jobs, the dashboard's filtered table and its export.

An organisation's cases are those with an active mandate to it (GDPR Art. 80(1)); every query
here starts from `access.organisation_cases`, which `access.cases_visible_to` agrees with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from cases import facts
from cases.models import (
    BulkJob,
    Campaign,
    Case,
    CaseNote,
    Incident,
    Invitation,
    Mandate,
    Membership,
    Organisation,
    Status,
    User,
    Vendor,
)
from cases.selectors.access import organisation_cases


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def organisation_assignees(organisation: Organisation) -> QuerySet[User]:
    """Members who may take cases: caseworkers and admins."""
    return User.objects.filter(
        memberships__organisation=organisation,
        memberships__role__in=[Membership.Role.CASEWORKER, Membership.Role.ADMIN],
    ).order_by("full_name", "email")


def pending_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation=organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def organisations_for_mandate() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("name")


def active_mandate(case: Case) -> Mandate | None:
    return Mandate.objects.active().filter(case=case).select_related("organisation").first()


def case_mandates(case: Case) -> QuerySet[Mandate]:
    return Mandate.objects.filter(case=case).select_related(
        "organisation", "campaign", "granted_by", "revoked_by"
    )


def case_notes(case: Case, organisation: Organisation) -> QuerySet[CaseNote]:
    return CaseNote.objects.filter(case=case, organisation=organisation).select_related("author")


def campaigns_of(organisation: Organisation) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(organisation=organisation)
        .annotate(people=Count("mandates", filter=Q(mandates__revoked_at__isnull=True)))
        .order_by("-created_at")
    )


def public_campaign(organisation_slug: str, campaign_slug: str) -> Campaign | None:
    return (
        Campaign.objects.select_related("organisation")
        .prefetch_related("vendors")
        .filter(organisation__slug=organisation_slug, slug=campaign_slug)
        .first()
    )


def open_cases_to_hand_over(user: User, vendors: list[Vendor]) -> QuerySet[Case]:
    """The user's own open cases to these vendors that no organisation acts on yet."""
    active = Mandate.objects.active().filter(case=OuterRef("pk"))
    return (
        Case.objects.filter(requester=user, vendor__in=vendors)
        .exclude(status=Status.CLOSED)
        .exclude(Exists(active))
        .select_related("vendor")
        .order_by("-created_at")
    )


# Where the campaign a person agreed to join waits in their session until they hand a case over.
CAMPAIGN_SESSION_KEY = "workspace.campaign_join"


@dataclass(frozen=True)
class CampaignConsent:
    """The mandate a person agreed to on a campaign's page, waiting for their request to be
    filed (Art. 80(1) GDPR)."""

    campaign: Campaign
    consent_text_version: str


def pending_campaign(session: Mapping[str, Any], vendor_id: int) -> CampaignConsent | None:
    """The open campaign the person agreed to join for this vendor, and the consent text they
    agreed to, if any (see the `campaign_join` view)."""
    pending = session.get(CAMPAIGN_SESSION_KEY)
    if not pending or pending.get("vendor") != vendor_id:
        return None
    campaign = (
        Campaign.objects.select_related("organisation")
        .filter(pk=pending.get("campaign"), is_open=True, vendors=vendor_id)
        .first()
    )
    if campaign is None:
        return None
    return CampaignConsent(campaign, str(pending.get("consent_text_version") or ""))


def bulk_jobs_of(organisation: Organisation) -> QuerySet[BulkJob]:
    return BulkJob.objects.filter(organisation=organisation).select_related("requested_by")


SORTS = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "due": (F("next_due_on").asc(nulls_last=True), "-pk"),
    "due_desc": (F("next_due_on").desc(nulls_last=True), "-pk"),
    "updated": ("-updated_at", "-pk"),
    "vendor": ("vendor__name", "-pk"),
    "status": ("status", "-pk"),
}


@dataclass(frozen=True)
class DashboardFilters:
    vendor: int | None = None
    status: str = ""
    overdue: bool = False
    due_within: int | None = None
    assignee: int | None = None
    unassigned: bool = False
    campaign: int | None = None
    incident_kind: str = ""
    q: str = ""
    sort: str = "newest"
    today: date = field(default_factory=timezone.localdate)


def _dashboard_filtered(organisation: Organisation, filters: DashboardFilters) -> QuerySet[Case]:
    today = filters.today
    qs = organisation_cases(organisation)
    if filters.vendor:
        qs = qs.filter(vendor_id=filters.vendor)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue:
        qs = qs.filter(facts.case_overdue_q(today))
    if filters.due_within is not None:
        # The most urgent deadline (the stored next due day) falls within the days asked:
        # due soon, not overdue ("overdue" lists those).
        qs = qs.filter(
            next_due_on__gte=today, next_due_on__lte=today + timedelta(days=filters.due_within)
        )
    if filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.campaign:
        qs = qs.filter(
            Exists(Mandate.objects.active().filter(case=OuterRef("pk"), campaign=filters.campaign))
        )
    if filters.incident_kind:
        qs = qs.filter(
            Exists(Incident.objects.filter(case=OuterRef("pk"), kind=filters.incident_kind))
        )
    if filters.q:
        term = filters.q.strip().lstrip("#")
        search = (
            Q(requester_name__icontains=term)
            | Q(requester_email__icontains=term)
            | Q(vendor_reference__icontains=term)
        )
        if term.isdigit():
            search |= Q(pk=int(term))
        qs = qs.filter(search)
    return qs.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


def _with_display(qs: QuerySet[Case]) -> QuerySet[Case]:
    campaign = Mandate.objects.active().filter(case=OuterRef("pk")).values("campaign__title")[:1]
    qs = qs.select_related("vendor", "assignee").annotate(campaign_title=Subquery(campaign))
    return qs.annotate(next_due=F("next_due_on"))


def dashboard_cases(organisation: Organisation, filters: DashboardFilters) -> QuerySet[Case]:
    """The organisation's cases, filtered and sorted, with what the table shows."""
    return _with_display(_dashboard_filtered(organisation, filters))


# What a row of the dashboard's table reads (the template): nothing else is loaded.
DASHBOARD_COLUMNS = (
    "requester_name",
    "status",
    "next_due_on",
    "vendor__name",
    "assignee__full_name",
    "assignee__email",
)


def dashboard_page(
    organisation: Organisation, filters: DashboardFilters, number: Any, *, per_page: int
) -> Page:
    """One page of the dashboard in two queries whatever the organisation holds: the ids of
    the matching cases in order, up to WORKSPACE_COUNT_CAP (or up to this page, if it lies
    further), which give both how many match and this page's ids (every filter and sort reads
    stored, indexed columns); then this page's rows with what the table shows.
    `page.count_is_exact` says whether the count is the total or only "more than"."""
    filtered = _dashboard_filtered(organisation, filters)
    try:
        wanted_number = max(int(number), 1)
    except (TypeError, ValueError):
        wanted_number = 1
    upto = max(settings.WORKSPACE_COUNT_CAP, wanted_number * per_page)
    # One query where a count and a page would each find the same matches again (a search or
    # a filter without an index in the sort order reads them all either way).
    ids = list(filtered.values_list("pk", flat=True)[: upto + 1])
    counted = len(ids)
    exact = counted <= upto
    page = Paginator(range(counted if exact else upto + 1), per_page).get_page(wanted_number)
    start = (page.number - 1) * per_page
    wanted = ids[start : start + per_page]
    shown = Case.objects.filter(pk__in=wanted).only(*DASHBOARD_COLUMNS)
    # Whether the row is overdue, by the same rule as the "overdue" filter.
    shown = shown.annotate(
        overdue=ExpressionWrapper(facts.case_overdue_q(filters.today), BooleanField())
    )
    rows = {c.pk: c for c in _with_display(shown).order_by()}
    page.object_list = [rows[pk] for pk in wanted if pk in rows]
    page.count_is_exact = exact
    page.count_floor = min(counted, upto)
    return page


def overdue_case_ids(organisation: Organisation, *, today: date | None = None) -> list[int]:
    """Every overdue case of the organisation, for "remind them all"."""
    filters = DashboardFilters(overdue=True, today=today or timezone.localdate())
    return list(dashboard_cases(organisation, filters).order_by("pk").values_list("pk", flat=True))


def export_rows(cases: QuerySet[Case]) -> Any:
    """The columns of the CSV export, streamed."""
    return cases.values_list(
        "pk",
        "requester_name",
        "requester_email",
        "requester_country",
        "vendor__name",
        "status",
        "outcome",
        "sent_on",
        "received_on",
        "next_due",
        "assignee__email",
        "campaign_title",
        "vendor_reference",
        "created_at",
    ).iterator(chunk_size=2000)


__all__ = [
    "CAMPAIGN_SESSION_KEY",
    "SORTS",
    "CampaignConsent",
    "DashboardFilters",
    "active_mandate",
    "bulk_jobs_of",
    "campaigns_of",
    "case_mandates",
    "case_notes",
    "dashboard_cases",
    "dashboard_page",
    "export_rows",
    "open_cases_to_hand_over",
    "organisation_assignees",
    "organisation_members",
    "organisations_for_mandate",
    "overdue_case_ids",
    "pending_campaign",
    "pending_invitations",
    "public_campaign",
]
