"""Statistics per vendor: how each answers access requests, and each kind of request that
follows (erasure, objection, withdrawal of consent, restriction, portability), over every case
(the public page, groups too small to single a person out left out) or over an organisation's
cases.

`vendor_statistics` computes them from scratch over any cases; the pages and the API read the
same figures as PostgreSQL stored them (`public_statistics_stored`,
`organisation_statistics_stored`), and tests/test_statistics_stored.py checks that both agree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases import facts
from cases.db import DaysBetween, Median
from cases.models import (
    ALL_ITEMS,
    Case,
    CaseEvent,
    Deadline,
    DeadlineKind,
    EventKind,
    Incident,
    IncidentFigures,
    IncidentKind,
    Organisation,
    RequestKind,
    StatisticsLevel,
    Vendor,
    VendorFigures,
    checklist,
)
from cases.models.statistics import NO_ORGANISATION
from cases.selectors.access import organisation_cases

# The clocks an answer is owed by (Art. 12(3)): the month, or the extended three months.
ANSWER_CLOCKS = (DeadlineKind.RESPONSE, DeadlineKind.EXTENDED_RESPONSE)
# Days from receipt of the request to the first answer, to a confirmation of receipt, and to the
# first complete answer: three different figures.
MEDIANS = ("median_days", "median_days_to_acknowledgement", "median_days_to_complete")


def _missed_answer_clocks() -> QuerySet[Deadline]:
    """Answer clocks (Art. 12(3)) missed as of today, by `facts.clock_missed_q`."""
    return Deadline.objects.filter(
        facts.clock_missed_q(timezone.localdate()), kind__in=ANSWER_CLOCKS
    )


def _first_event_on(*conditions: Q) -> Subquery:
    return Subquery(
        CaseEvent.objects.filter(*conditions, case=OuterRef("pk"))
        .order_by("occurred_on")
        .values("occurred_on")[:1],
        output_field=DateField(),
    )


def _stats_base(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Each case (of any kind) with the facts statistics need: when the vendor confirmed
    receipt, first answered, first answered completely (`facts.complete_answer_on`), the last
    day it had for an answer, whether an answer clock was missed, whether it extended
    (Art. 12(3))."""
    last_due = (
        Deadline.objects.filter(case=OuterRef("pk"), kind__in=ANSWER_CLOCKS)
        .order_by("-due_on")
        .values("due_on")[:1]
    )
    late = _missed_answer_clocks().filter(case=OuterRef("pk"))
    extended = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.EXTENSION_NOTIFIED)
    someone_elses = Incident.objects.filter(facts.answer_was_someone_elses_q(), case=OuterRef("pk"))
    return cases.order_by().annotate(
        acknowledged_on=_first_event_on(Q(kind=EventKind.ACKNOWLEDGED)),
        answered_on=_first_event_on(Q(kind=EventKind.RESPONSE_RECEIVED)),
        complete_on=_first_event_on(facts.complete_answer_q()),
        someone_elses=Exists(someone_elses),
        last_due_on=Subquery(last_due, output_field=DateField()),
        late=Exists(late),
        extended=Exists(extended),
    )


def _missing_q(item: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(missing_items__contains=[item])
    return Q(missing_items__icontains=f'"{item}"')  # SQLite: JSON text, quoted values


def _figures(
    cases: QuerySet[Case], group_by: tuple[str, ...], min_group: int
) -> list[dict[str, Any]]:
    answered = Q(answered_on__isnull=False)
    acknowledged = Q(acknowledged_on__isnull=False)
    complete = Q(complete_on__isnull=False, someone_elses=False)
    aggregates: dict[str, Any] = {
        "cases": Count("pk"),
        "sent": Count("pk", filter=Q(received_on__isnull=False)),
        "acknowledged": Count("pk", filter=acknowledged),
        "answered": Count("pk", filter=answered),
        "on_time": Count("pk", filter=answered & Q(late=False)),
        "complete": Count("pk", filter=complete),
        "complete_on_time": Count("pk", filter=complete & Q(complete_on__lte=F("last_due_on"))),
        # The requests whose answer was owed by now: answered, or an answer clock missed.
        "due": Count("pk", filter=answered | Q(late=True)),
        "extended": Count("pk", filter=Q(extended=True)),
        **{f"missing_{item}": Count("pk", filter=_missing_q(item)) for item in ALL_ITEMS},
        "median_days": Median(DaysBetween("answered_on", "received_on"), filter=answered),
        "median_days_to_acknowledgement": Median(
            DaysBetween("acknowledged_on", "received_on"), filter=acknowledged
        ),
        "median_days_to_complete": Median(
            DaysBetween("complete_on", "received_on"), filter=complete
        ),
    }
    rows = (
        _stats_base(cases)
        .annotate(month=TruncMonth("created_at", output_field=DateField()))
        .values(*group_by)
        .annotate(**aggregates)
        .filter(cases__gte=min_group)
        .order_by(*group_by)
    )
    return list(rows)


@dataclass
class VendorStatistics:
    """`vendors` and `months`: access requests per vendor (and month); `follow_ups`: every other
    kind of request per kind and vendor; each row's `missing` counts the items of its kind's
    checklist that answers left out."""

    vendors: list[dict[str, Any]]
    months: list[dict[str, Any]]
    incidents: list[dict[str, Any]]
    min_group: int
    computed_at: Any = None
    follow_ups: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        def clean(row: dict[str, Any]) -> dict[str, Any]:
            return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}

        return {
            "min_group": self.min_group,
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
            "vendors": [clean(r) for r in self.vendors],
            "months": [clean(r) for r in self.months],
            "follow_ups": [clean(r) for r in self.follow_ups],
            "incidents": [clean(r) for r in self.incidents],
        }


def vendor_statistics(cases: QuerySet[Case], *, min_group: int = 1) -> VendorStatistics:
    """How each vendor behaves, over `cases`: requests received, receipts confirmed, answered
    (any answer), answered completely (`facts.complete_answer_on`: nothing left out, the
    person's own data) and completely in time (by the last day of its Art. 12(3) clock), of the
    requests whose answer was owed by now; median days from receipt to a confirmation, to the
    first answer and to a complete one; extensions used; how often each Article 15 item was
    missing; incidents by kind; and the same per month. Every other kind of request gets the
    same figures per kind and vendor (`follow_ups`), against its own checklist.

    Groups (a vendor, a vendor's month) with fewer than `min_group` cases are left out, so that
    the public page never shows a group small enough to single a person out. Four queries
    whatever the data, on PostgreSQL and SQLite alike.
    """
    per_kind = _figures(cases, ("kind", "vendor"), min_group)
    vendors = [row for row in per_kind if row["kind"] == RequestKind.ACCESS]
    follow_ups = [row for row in per_kind if row["kind"] != RequestKind.ACCESS]
    months = _figures(cases.filter(kind=RequestKind.ACCESS), ("kind", "vendor", "month"), min_group)
    kept = [row["vendor"] for row in vendors]
    incidents = list(
        Incident.objects.filter(case__in=cases.order_by().values("pk"), case__vendor__in=kept)
        .values(vendor=F("case__vendor"))
        .annotate(kind=F("kind"), count=Count("pk"))
        .order_by("vendor", "kind")
    )
    shown = kept + [row["vendor"] for row in follow_ups]
    names = dict(Vendor.objects.filter(pk__in=shown).values_list("pk", "name"))
    for row in vendors + months + follow_ups + incidents:
        row["vendor_name"] = names.get(row["vendor"], "")
    return VendorStatistics(
        vendors=vendors,
        months=months,
        follow_ups=follow_ups,
        incidents=_finish(vendors, months, follow_ups, incidents),
        min_group=min_group,
        computed_at=timezone.now(),
    )


_KIND_ORDER = list(RequestKind.values)


def _finish(
    vendors: list[dict[str, Any]],
    months: list[dict[str, Any]],
    follow_ups: list[dict[str, Any]],
    incidents: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """What the computed and the stored figures share: the on-time share, the median rounded,
    the missing items of the row's kind's checklist (in article order), the follow-ups in the
    order of the kinds, each vendor's incidents by kind; returns the incident rows as pages and
    downloads show them."""
    by_vendor: dict[int, dict[str, int]] = defaultdict(dict)
    for row in incidents:
        by_vendor[row["vendor"]][row["kind"]] = row["count"]
    follow_ups.sort(key=lambda row: _KIND_ORDER.index(row["kind"]))  # stable: vendors stay in order
    for row in vendors + months + follow_ups:
        # stored rows hold a `missing` object, rows computed here a count per item
        counted = row.pop("missing", None) or {
            item: row.pop(f"missing_{item}") for item in ALL_ITEMS
        }
        row["missing"] = {item: counted.get(item, 0) for item in checklist(row["kind"])}
        # Of the requests whose answer was owed by now, the share answered completely in time;
        # None ("no data") while none was owed yet.
        row["on_time_share"] = row["complete_on_time"] / row["due"] if row["due"] else None
        for key in MEDIANS:
            if row.get(key) is not None:
                row[key] = round(float(row[key]), 1)
    for row in vendors:
        row["incidents"] = by_vendor.get(row["vendor"], {})
    kinds_named = dict(RequestKind.choices)
    for row in follow_ups:
        row["kind_label"] = str(kinds_named[row["kind"]])
    kinds = dict(IncidentKind.choices)
    return [
        {
            "vendor": row["vendor"],
            "vendor_name": row["vendor_name"],
            "kind": row["kind"],
            "kind_label": str(kinds.get(row["kind"], row["kind"])),
            "count": row["count"],
        }
        for row in incidents
    ]


def public_statistics() -> VendorStatistics:
    """The same figures over every case, groups of fewer than STATS_MIN_GROUP cases left out,
    computed from scratch."""
    return vendor_statistics(Case.objects.all(), min_group=settings.STATS_MIN_GROUP)


def organisation_statistics(organisation: Organisation) -> VendorStatistics:
    """The organisation's figures (its mandated cases), computed from scratch."""
    return vendor_statistics(organisation_cases(organisation))


# --- Stored: what the public page, the workspace and the API show ------------------------------
# PostgreSQL keeps the figures above in two materialized views (migration 0011), refreshed by
# `services.statistics_refresh` in Celery; a page reads a few hundred rows of them, never the
# cases. SQLite has no such views: there (`make run` without DATABASE_URL) the figures are
# computed from scratch on each page.

_FIGURES = (
    "kind",
    "cases",
    "sent",
    "acknowledged",
    "answered",
    "on_time",
    "complete",
    "complete_on_time",
    "due",
    "extended",
    "missing",
    *MEDIANS,
)


def public_statistics_stored(*, vendors: bool = True, months: bool = True) -> VendorStatistics:
    """The public figures as last refreshed, groups of fewer than STATS_MIN_GROUP cases left
    out; no rows and no `computed_at` before the first refresh. `vendors` and `months` say which
    rows a page needs (the summary shows no month)."""
    if connection.vendor != "postgresql":
        return public_statistics()
    return _stored(
        NO_ORGANISATION, min_group=settings.STATS_MIN_GROUP, vendors=vendors, months=months
    )


def organisation_statistics_stored(
    organisation: Organisation, *, vendors: bool = True, months: bool = True
) -> VendorStatistics:
    """The organisation's figures (its mandated cases) as last refreshed; a mandate given or
    ended queues a refresh."""
    if connection.vendor != "postgresql":
        return organisation_statistics(organisation)
    return _stored(organisation.pk, min_group=1, vendors=vendors, months=months)


def _stored(
    organisation_id: int, *, min_group: int, vendors: bool, months: bool
) -> VendorStatistics:
    """Three small queries: whether the views were ever refreshed, the figures, the incidents."""
    stats = VendorStatistics(vendors=[], months=[], incidents=[], min_group=min_group)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relispopulated FROM pg_class WHERE oid = 'cases_statistics'::regclass"
        )
        if not cursor.fetchone()[0]:
            return stats  # being prepared: the first refresh has not run yet
    public = organisation_id == NO_ORGANISATION
    per_vendor, per_month = (
        (StatisticsLevel.VENDOR, StatisticsLevel.VENDOR_MONTH)
        if public
        else (StatisticsLevel.ORGANISATION, StatisticsLevel.ORGANISATION_MONTH)
    )
    wanted = Q(pk__in=[])
    if vendors:  # every kind
        wanted |= Q(level=per_vendor)
    if months:  # access requests only
        wanted |= Q(level=per_month, kind=RequestKind.ACCESS)
    rows = (
        VendorFigures.objects.filter(
            Q(level=StatisticsLevel.ALL)
            | wanted & Q(organisation_id=organisation_id, cases__gte=min_group)
        )
        .order_by("kind", "vendor_id", "month")
        .values("level", "vendor", "month", "computed_at", *_FIGURES, vendor_name=F("vendor__name"))
    )
    vendor_rows, month_rows, follow_ups = [], [], []
    for row in rows:
        stats.computed_at = row.pop("computed_at")
        level = row.pop("level")
        if level == StatisticsLevel.ALL:
            continue
        if level == per_month:
            month_rows.append(row)
            continue
        del row["month"]
        (vendor_rows if row["kind"] == RequestKind.ACCESS else follow_ups).append(row)
    kept = {row["vendor"] for row in vendor_rows}
    incidents = [
        row
        for row in IncidentFigures.objects.filter(organisation_id=organisation_id)
        .order_by("vendor_id", "kind")
        .values("vendor", "kind", "count", vendor_name=F("vendor__name"))
        if row["vendor"] in kept
    ]
    stats.incidents = _finish(vendor_rows, month_rows, follow_ups, incidents)
    stats.vendors, stats.months, stats.follow_ups = vendor_rows, month_rows, follow_ups
    return stats


__all__ = [
    "VendorStatistics",
    "organisation_statistics",
    "organisation_statistics_stored",
    "public_statistics",
    "public_statistics_stored",
    "vendor_statistics",
]
