"""Reads for the advocacy workspace: roles, an organisation's mandated cases, the dashboard's
filtered table, statistics per vendor and the audit trail.

An organisation's cases are those with an active mandate to it (GDPR Art. 80(1)); every query
here starts from `organisation_cases`, which `cases.selectors.cases_visible_to` agrees with.
"""

from __future__ import annotations

import logging
import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases import facts
from cases.models import (
    Article15Item,
    BulkJob,
    Campaign,
    Case,
    CaseEvent,
    CaseNote,
    Deadline,
    DeadlineKind,
    EventKind,
    Incident,
    IncidentKind,
    Invitation,
    Mandate,
    Membership,
    Organisation,
    Status,
    User,
    Vendor,
)

logger = logging.getLogger(__name__)

ROLE_RANK = {
    Membership.Role.VIEWER: 1,
    Membership.Role.CASEWORKER: 2,
    Membership.Role.ADMIN: 3,
}


# --- Roles -----------------------------------------------------------------------------------


def membership_role(user: User | None, organisation: Organisation) -> str | None:
    """The user's role in the organisation, or None for anybody else (anonymous included)."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def membership_for(user: User, slug: str) -> Membership | None:
    """The user's membership in the organisation with this slug, with the organisation, in one
    query; None when the organisation does not exist or the user is not a member."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__slug=slug)
        .first()
    )


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")


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


# --- Mandates and cases ----------------------------------------------------------------------


def organisation_cases(organisation: Organisation) -> QuerySet[Case]:
    """The cases the organisation holds an active mandate for: nothing else."""
    active = Mandate.objects.active().filter(case=OuterRef("pk"), organisation=organisation)
    return Case.objects.filter(organisation=organisation).filter(Exists(active))


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


def pending_campaign(session: Mapping[str, Any], case: Case) -> Campaign | None:
    """The open campaign the person agreed to join for this case's vendor, if any (see the
    `campaign_join` view)."""
    pending = session.get(CAMPAIGN_SESSION_KEY)
    if not pending or pending.get("vendor") != case.vendor_id:
        return None
    return (
        Campaign.objects.select_related("organisation")
        .filter(pk=pending.get("campaign"), is_open=True)
        .first()
    )


def bulk_jobs_of(organisation: Organisation) -> QuerySet[BulkJob]:
    return BulkJob.objects.filter(organisation=organisation).select_related("requested_by")


# --- The dashboard ---------------------------------------------------------------------------

SORTS = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "due": (F("next_due").asc(nulls_last=True), "-pk"),
    "due_desc": (F("next_due").desc(nulls_last=True), "-pk"),
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
        due_soon = Deadline.objects.filter(
            facts.UNMET,
            case=OuterRef("pk"),
            due_on__gte=today,
            due_on__lte=today + timedelta(days=filters.due_within),
        )
        qs = qs.exclude(status=Status.CLOSED).filter(Exists(due_soon))
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
    if filters.sort in ("due", "due_desc"):
        qs = qs.annotate(next_due=facts.next_due_sql())
    return qs.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


def _with_display(qs: QuerySet[Case]) -> QuerySet[Case]:
    campaign = Mandate.objects.active().filter(case=OuterRef("pk")).values("campaign__title")[:1]
    qs = qs.select_related("vendor", "assignee").annotate(campaign_title=Subquery(campaign))
    return qs if "next_due" in qs.query.annotations else qs.annotate(next_due=facts.next_due_sql())


def dashboard_cases(organisation: Organisation, filters: DashboardFilters) -> QuerySet[Case]:
    """The organisation's cases, filtered and sorted, with what the table shows."""
    return _with_display(_dashboard_filtered(organisation, filters))


def dashboard_page(
    organisation: Organisation, filters: DashboardFilters, number: Any, *, per_page: int
) -> Page:
    """One page of the dashboard in a constant number of queries: the page's ids (sorted on
    narrow indexes) and the total, then those rows with what the table shows.

    Sorted by date of creation, an ordered index scan stops after a page, so the total is a
    separate count. With a deadline filter or sort every matching case is visited anyway, so a
    window count gives the total in the same pass (a page number past the end costs one more
    query to find the last page)."""
    filtered = _dashboard_filtered(organisation, filters)
    if filters.overdue or filters.due_within is not None or filters.sort in ("due", "due_desc"):
        page, wanted = _page_in_one_pass(filtered, number, per_page)
    else:
        page = Paginator(filtered.values_list("pk", flat=True), per_page).get_page(number)
        wanted = list(page.object_list)
    rows = {c.pk: c for c in _with_display(Case.objects.filter(pk__in=wanted)).order_by()}
    page.object_list = [rows[pk] for pk in wanted if pk in rows]
    return page


def _page_in_one_pass(filtered: QuerySet[Case], number: Any, per_page: int) -> tuple[Page, list]:
    try:
        wanted_number = max(int(number), 1)
    except (TypeError, ValueError):
        wanted_number = 1
    counted = filtered.annotate(total=Window(Count("pk"))).values_list("pk", "total")
    start = (wanted_number - 1) * per_page
    found = list(counted[start : start + per_page])
    if found:
        total = found[0][1]
    else:
        total = filtered.order_by().count() if wanted_number > 1 else 0
        if total:
            start = (total - 1) // per_page * per_page
            found = list(counted[start : start + per_page])
    page = Paginator(range(total), per_page).get_page(start // per_page + 1)
    return page, [pk for pk, _total in found]


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


# --- Statistics per vendor -------------------------------------------------------------------


class Median(Aggregate):
    """The median (PostgreSQL's `percentile_cont(0.5)`), an ordered-set aggregate.

    SQLite has no percentile function: there `vendor_statistics` computes medians from the
    values in Python instead (development only; production and CI run PostgreSQL).
    """

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _missed_answer_clocks() -> QuerySet[Deadline]:
    """Answer clocks (Art. 12(3)) missed as of today, by `facts.clock_missed_q`."""
    return Deadline.objects.filter(
        facts.clock_missed_q(timezone.localdate()),
        kind__in=[DeadlineKind.RESPONSE, DeadlineKind.EXTENDED_RESPONSE],
    )


def _stats_base(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with the facts statistics need: when it was first answered, whether a response
    clock was missed, whether the vendor extended (Art. 12(3))."""
    answered = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.RESPONSE_RECEIVED)
        .order_by("occurred_on")
        .values("occurred_on")[:1]
    )
    late = _missed_answer_clocks().filter(case=OuterRef("pk"))
    extended = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.EXTENSION_NOTIFIED)
    return cases.order_by().annotate(
        answered_on=Subquery(answered, output_field=DateField()),
        late=Exists(late),
        extended=Exists(extended),
    )


def _missing_q(item: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(missing_items__contains=[item])
    return Q(missing_items__icontains=f'"{item}"')  # SQLite: JSON text, quoted values


def _days_to_answer() -> Any:
    # date - date is a whole number of days in PostgreSQL (Django would make it an interval).
    return Func(
        F("answered_on"),
        F("received_on"),
        template="(%(expressions)s)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )


def _figures(
    cases: QuerySet[Case], group_by: tuple[str, ...], min_group: int
) -> list[dict[str, Any]]:
    answered = Q(answered_on__isnull=False)
    aggregates: dict[str, Any] = {
        "cases": Count("pk"),
        "sent": Count("pk", filter=Q(received_on__isnull=False)),
        "answered": Count("pk", filter=answered),
        "on_time": Count("pk", filter=answered & Q(late=False)),
        "extended": Count("pk", filter=Q(extended=True)),
        **{f"missing_{item}": Count("pk", filter=_missing_q(item)) for item in Article15Item},
    }
    if connection.vendor == "postgresql":
        aggregates["median_days"] = Median(_days_to_answer(), filter=answered)
    rows = (
        _stats_base(cases)
        .annotate(month=TruncMonth("created_at", output_field=DateField()))
        .values(*group_by)
        .annotate(**aggregates)
        .filter(cases__gte=min_group)
        .order_by(*group_by)
    )
    return list(rows)


# One pass over the cases on PostgreSQL: each case's facts come from small partial indexes
# (first answer, extension; see migration 0002) and the answer clocks missed as of today
# (`facts.clock_missed_q`); GROUPING SETS give the per-vendor and the per-month rows together,
# medians included (percentile_cont).
STATS_SQL = """
WITH c AS ({cases}),
facts AS (
    SELECT c.vendor_id,
           date_trunc('month', c.created_at AT TIME ZONE %s)::date AS month,
           c.received_on,
           a.answered_on - c.received_on AS days,
           a.answered_on IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM ({late}) d WHERE d.case_id = c.id
           ) AS on_time,
           EXISTS (
               SELECT 1 FROM cases_caseevent e WHERE e.case_id = c.id AND e.kind = %s
           ) AS extended,
           c.missing_items
    FROM c
    LEFT JOIN LATERAL (
        SELECT min(e.occurred_on) AS answered_on FROM cases_caseevent e
        WHERE e.case_id = c.id AND e.kind = %s
    ) a ON true
)
SELECT vendor_id AS vendor,
       CASE WHEN GROUPING(month) = 1 THEN NULL ELSE month END AS month,
       GROUPING(month) AS per_vendor,
       count(*) AS cases,
       count(received_on) AS sent,
       count(days) AS answered,
       count(*) FILTER (WHERE on_time) AS on_time,
       count(*) FILTER (WHERE extended) AS extended,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days,
       {missing}
FROM facts
GROUP BY GROUPING SETS ((vendor_id), (vendor_id, month))
HAVING count(*) >= %s
ORDER BY vendor_id, per_vendor DESC, month
"""


def _figures_postgresql(
    cases: QuerySet[Case], min_group: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    items = [item.value for item in Article15Item]
    missing = ",\n       ".join(
        f"count(*) FILTER (WHERE missing_items @> %s::jsonb) AS missing_{item}" for item in items
    )
    inner, inner_params = (
        cases.order_by()
        .values("id", "vendor_id", "created_at", "received_on", "missing_items")
        .query.sql_with_params()
    )
    late, late_params = _missed_answer_clocks().values("case_id").query.sql_with_params()
    params = [
        *inner_params,
        settings.TIME_ZONE,
        *late_params,
        EventKind.EXTENSION_NOTIFIED,
        EventKind.RESPONSE_RECEIVED,
        *[f'["{item}"]' for item in items],
        min_group,
    ]
    with connection.cursor() as cursor:
        cursor.execute(STATS_SQL.format(cases=inner, late=late, missing=missing), params)
        columns = [col.name for col in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    vendors = [r for r in rows if r.pop("per_vendor")]
    months = [r for r in rows if r["month"] is not None]
    for row in vendors:
        del row["month"]
    return vendors, months


def _medians_in_python(cases: QuerySet[Case], group_by: tuple[str, ...]) -> dict[tuple, float]:
    """SQLite fallback for the median: fetch (group, days) and take medians here."""
    values: dict[tuple, list[int]] = defaultdict(list)
    rows = (
        _stats_base(cases)
        .annotate(month=TruncMonth("created_at", output_field=DateField()))
        .filter(answered_on__isnull=False)
        .values_list(*group_by, "answered_on", "received_on")
    )
    for *key, answered_on, received_on in rows:
        if answered_on and received_on:
            values[tuple(key)].append((answered_on - received_on).days)
    return {key: float(statistics.median(v)) for key, v in values.items()}


@dataclass
class VendorStatistics:
    vendors: list[dict[str, Any]]
    months: list[dict[str, Any]]
    incidents: list[dict[str, Any]]
    min_group: int
    computed_at: Any = None

    def as_json(self) -> dict[str, Any]:
        def clean(row: dict[str, Any]) -> dict[str, Any]:
            return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}

        return {
            "min_group": self.min_group,
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
            "vendors": [clean(r) for r in self.vendors],
            "months": [clean(r) for r in self.months],
            "incidents": [clean(r) for r in self.incidents],
        }


def vendor_statistics(cases: QuerySet[Case], *, min_group: int = 1) -> VendorStatistics:
    """How each vendor behaves, over `cases`: cases, answered, answered on time (no response
    clock missed, Art. 12(3)), median days from receipt to the first answer, extensions used,
    how often each Article 15 item was missing, incidents by kind, and the same per month.

    Groups (a vendor, a vendor's month) with fewer than `min_group` cases are left out, so that
    the public page never shows a group small enough to single a person out. Three queries
    whatever the data on PostgreSQL (figures, incidents, vendor names); SQLite needs a few more.
    """
    if connection.vendor == "postgresql":
        vendors, months = _figures_postgresql(cases, min_group)
    else:
        vendors = _figures(cases, ("vendor",), min_group)
        months = _figures(cases, ("vendor", "month"), min_group)
        for rows, group_by in ((vendors, ("vendor",)), (months, ("vendor", "month"))):
            medians = _medians_in_python(cases, group_by)
            for row in rows:
                row["median_days"] = medians.get(tuple(row[g] for g in group_by))
    kept = [row["vendor"] for row in vendors]
    incidents = list(
        Incident.objects.filter(case__in=cases.order_by().values("pk"), case__vendor__in=kept)
        .values("case__vendor", "kind")
        .annotate(count=Count("pk"))
        .order_by("case__vendor", "kind")
    )
    names = dict(Vendor.objects.filter(pk__in=kept).values_list("pk", "name"))
    kinds = dict(IncidentKind.choices)
    by_vendor: dict[int, dict[str, int]] = defaultdict(dict)
    for row in incidents:
        by_vendor[row["case__vendor"]][row["kind"]] = row["count"]
    for row in vendors + months:
        row["vendor_name"] = names.get(row["vendor"], "")
        row["on_time_share"] = row["on_time"] / row["answered"] if row["answered"] else None
        if row.get("median_days") is not None:
            row["median_days"] = round(float(row["median_days"]), 1)
    for row in vendors:
        row["incidents"] = by_vendor.get(row["vendor"], {})
    incident_rows = [
        {
            "vendor": row["case__vendor"],
            "vendor_name": names.get(row["case__vendor"], ""),
            "kind": row["kind"],
            "kind_label": str(kinds.get(row["kind"], row["kind"])),
            "count": row["count"],
        }
        for row in incidents
    ]
    return VendorStatistics(
        vendors=vendors,
        months=months,
        incidents=incident_rows,
        min_group=min_group,
        computed_at=timezone.now(),
    )


def public_statistics() -> VendorStatistics:
    """The same figures over every case, groups of fewer than STATS_MIN_GROUP cases left out."""
    return vendor_statistics(Case.objects.all(), min_group=settings.STATS_MIN_GROUP)


def organisation_statistics_key(organisation: Organisation) -> str:
    """Changes whenever a mandate to the organisation is given or ended."""
    version = Mandate.objects.filter(organisation=organisation).aggregate(
        count=Count("pk"), granted=Max("granted_at"), revoked=Max("revoked_at")
    )
    return "workspace:org-statistics:v1:{}:{}:{}:{}".format(
        organisation.pk,
        version["count"],
        version["granted"].timestamp() if version["granted"] else 0,
        version["revoked"].timestamp() if version["revoked"] else 0,
    )


def organisation_statistics(organisation: Organisation) -> VendorStatistics:
    """The organisation's figures, kept for WORKSPACE_STATS_CACHE_SECONDS; a mandate given or
    ended shows at once (it changes the key), a new answer within that time."""
    return _cached(
        organisation_statistics_key(organisation),
        lambda: vendor_statistics(organisation_cases(organisation)),
        settings.WORKSPACE_STATS_CACHE_SECONDS,
    )


PUBLIC_STATS_CACHE_KEY = "workspace:public-statistics:v1"


def public_statistics_refresh() -> VendorStatistics:
    """Compute the public figures and keep them for STATS_CACHE_SECONDS (beat runs this twice
    as often, so that no visitor waits for the aggregation over every case)."""
    stats = public_statistics()
    _cache_set(PUBLIC_STATS_CACHE_KEY, stats, settings.STATS_CACHE_SECONDS)
    return stats


def public_statistics_cached() -> VendorStatistics:
    """The public figures as last computed: they move slowly, and a page anybody can load must
    not make the database aggregate every case each time."""
    stats = _cache_get(PUBLIC_STATS_CACHE_KEY)
    return stats if stats is not None else public_statistics_refresh()


def _cached(key: str, compute: Callable[[], VendorStatistics], seconds: int) -> VendorStatistics:
    stats = _cache_get(key)
    if stats is None:
        stats = compute()
        _cache_set(key, stats, seconds)
    return stats


# Figures are computed afresh when the cache (Redis) is down: slower, never an error page.
def _cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:
        logger.warning("statistics cache unavailable; computing the figures", exc_info=True)
        return None


def _cache_set(key: str, value: Any, seconds: int) -> None:
    try:
        cache.set(key, value, seconds)
    except Exception:
        logger.warning("statistics cache unavailable; figures not kept", exc_info=True)


# --- Audit trail -----------------------------------------------------------------------------


def case_audit(case: Case | int, *, organisation: Organisation | None) -> QuerySet[LogEntry]:
    """Every recorded change to the case and to what hangs off it (incidents, evidence, letters,
    mandates, notes), oldest first. Notes are internal: only the members of the organisation
    that wrote them see their entries. So are mandates, to every organisation but the one that
    held them: the data subject sees them all (`organisation`: the viewer's, or None for the
    data subject)."""
    pk = case.pk if isinstance(case, Case) else case
    entries = LogEntry.objects.filter(additional_data__case_id=pk)
    public = ~Q(additional_data__has_key="internal")  # a plain boolean, never NULL
    if organisation is None:
        entries = entries.filter(public)
    else:
        own = Q(additional_data__organisation_id=organisation.pk)
        mandate = Q(content_type=ContentType.objects.get_for_model(Mandate))
        entries = entries.filter((public & ~mandate) | own)
    return entries.select_related("actor", "content_type").order_by("timestamp", "pk")


def organisation_audit(organisation: Organisation) -> QuerySet[LogEntry]:
    """Changes to the organisation's members, invitations, campaigns and mandates, newest first
    (notes and other case entries are on each case's trail)."""
    return (
        LogEntry.objects.filter(additional_data__organisation_id=organisation.pk)
        .filter(~Q(additional_data__has_key="case_id") | Q(content_type__model="mandate"))
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def audit_changes(entry: LogEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for one entry, whichever format the changes were stored in."""
    changes = entry.changes if isinstance(entry.changes, dict) else entry.changes_dict
    rows = []
    for name, change in (changes or {}).items():
        if isinstance(change, dict):  # many-to-many
            rows.append((name, "", f"{change.get('operation')}: {change.get('objects')}"))
        elif isinstance(change, list | tuple) and len(change) == 2:
            rows.append((name, change[0], change[1]))
    return rows
