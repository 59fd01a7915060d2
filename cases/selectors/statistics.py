"""Statistics per vendor: how each answers access requests, over every case (the public
page, groups too small to single a person out left out) or over an organisation's cases; kept in
the cache, and computed afresh when the cache is down."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    DateField,
    Exists,
    Max,
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
    Article15Item,
    Case,
    CaseEvent,
    Deadline,
    DeadlineKind,
    EventKind,
    Incident,
    IncidentKind,
    Mandate,
    Organisation,
    Vendor,
)
from cases.selectors.access import organisation_cases

logger = logging.getLogger(__name__)


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
        "median_days": Median(DaysBetween("answered_on", "received_on"), filter=answered),
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
    the public page never shows a group small enough to single a person out. Four queries
    whatever the data, on PostgreSQL and SQLite alike.
    """
    vendors = _figures(cases, ("vendor",), min_group)
    months = _figures(cases, ("vendor", "month"), min_group)
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


__all__ = [
    "PUBLIC_STATS_CACHE_KEY",
    "VendorStatistics",
    "organisation_statistics",
    "organisation_statistics_key",
    "public_statistics",
    "public_statistics_cached",
    "public_statistics_refresh",
    "vendor_statistics",
]
