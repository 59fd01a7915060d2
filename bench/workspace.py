"""The advocacy workspace at scale: statistics and a filtered dashboard with 1,000,000 cases.

Seeds a small database first (`seed_bench`), measures, then grows it to the full size and
measures again. For each page: the median server time through Django's test client against the
real views (after warm-up), and the number of SQL queries, which must be the same at both sizes.
Targets: the statistics page at most 1 s, a filtered dashboard page at most 200 ms. Prints the
query plan of the dashboard's page query at the full size.

The seeded organisations' cases get an active mandate here (seed_bench sets `organisation` only),
so that the workspace sees them as it would in production.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dsar .venv/bin/python bench/workspace.py
    ... bench/workspace.py --cases 100000 --small 5000   # a quicker run
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from urllib.parse import urlparse, urlunparse

from _setup import scratch_database, timed

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--cases", type=int, default=1_000_000, help="full size (default 1,000,000)")
parser.add_argument("--small", type=int, default=10_000, help="small size (default 10,000)")
parser.add_argument("--repeat", type=int, default=7, help="timed runs per page (default 7)")
parser.add_argument("--seed", type=int, default=20261122, help="seed_bench's random seed")
parser.add_argument("--keep", action="store_true", help="keep the database after the run")
parser.add_argument(
    "--reuse", action="store_true", help="measure a database kept by --keep, without seeding"
)
args = parser.parse_args()

DATABASE = "dsar_bench_workspace"


def reuse_database(name: str) -> None:
    """Point Django at the database a `--keep` run left, as it is."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dsar")
    if not base.startswith("postgres"):
        sys.exit("benchmarks need PostgreSQL: set DATABASE_URL=postgres://...")
    os.environ["DATABASE_URL"] = urlunparse(urlparse(base)._replace(path=f"/{name}"))
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsar.settings")
    import django

    django.setup()


if args.reuse:
    reuse_database(DATABASE)
else:
    scratch_database(DATABASE, keep=args.keep)

from django.conf import settings  # noqa: E402
from django.core.cache import cache, caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from cases import selectors  # noqa: E402
from cases.models import Case, Membership, Organisation, Vendor  # noqa: E402
from cases.selectors.workspace import _dashboard_filtered  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
# A cache of its own: a shared Redis may be flushed by tests running meanwhile.
settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DASHBOARD_TARGET, STATS_TARGET = 0.200, 1.0


def seed(count: int) -> None:
    started = time.perf_counter()
    call_command("seed_bench", cases=count, seed=args.seed + count, verbosity=0)
    # seed_bench gives every case it puts in an organisation the mandate that puts it there.
    # As autovacuum would after a load: statistics for the planner, visibility for index-only
    # scans.
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_caseevent", "cases_deadline", "cases_mandate"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"  seeded {count:,} cases in {time.perf_counter() - started:.0f} s")


def pages(org: Organisation) -> list[tuple[str, str, float]]:
    slug = org.slug
    # The organisation's most frequent vendor, so that the filter finds rows at both sizes (an
    # empty page skips the two row queries).
    vendor = (
        Vendor.objects.filter(cases__organisation=org)
        .annotate(n=Count("cases"))
        .order_by("-n")
        .first()
    )
    dashboard = reverse("cases:org_dashboard", args=[slug])
    return [
        ("dashboard, newest first", dashboard, DASHBOARD_TARGET),
        ("dashboard, overdue by due date", dashboard + "?overdue=on&sort=due", DASHBOARD_TARGET),
        ("dashboard, due within 14 days", dashboard + "?due_within=14", DASHBOARD_TARGET),
        (
            "dashboard, vendor + status",
            dashboard + f"?vendor={vendor.pk}&status=answered",
            DASHBOARD_TARGET,
        ),
        ("dashboard, search", dashboard + "?q=muller", DASHBOARD_TARGET),
        ("dashboard, page 20", dashboard + "?page=20", DASHBOARD_TARGET),
        ("statistics (organisation), cached", reverse("cases:org_stats", args=[slug]), 1.0),
        (
            "statistics CSV (organisation)",
            reverse("cases:org_stats_download", args=[slug, "csv"]),
            STATS_TARGET,
        ),
        ("public statistics, cached", reverse("cases:public_stats"), STATS_TARGET),
    ]


def client_for(org: Organisation) -> Client:
    member = Membership.objects.filter(organisation=org, role="caseworker").first()
    client = Client()
    client.force_login(member.user)
    return client


def fetch(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        b"".join(response.streaming_content)


def measure(label: str) -> dict[str, tuple[float, int]]:
    org = max(Organisation.objects.all(), key=lambda o: selectors.organisation_cases(o).count())
    client = client_for(org)
    cases = Case.objects.count()
    mandated = selectors.organisation_cases(org).count()
    backend = type(caches["default"]).__name__
    print(f"\n{label}: {cases:,} cases; {org.name} holds {mandated:,} mandates; cache {backend}")
    results = {}
    selectors.public_statistics_refresh()
    for name, url, target in pages(org):
        seconds = timed(lambda url=url: fetch(client, url), repeat=args.repeat, warmup=2)
        with CaptureQueriesContext(connection) as queries:
            fetch(client, url)
        results[name] = (seconds, len(queries))
        flag = "ok" if seconds <= target else "OVER"
        print(
            f"  {name:34} {seconds * 1000:8.1f} ms  {len(queries):3} queries  "
            f"(target {target * 1000:.0f} ms: {flag})"
        )

    # The statistics are cached (public: refreshed by beat; organisation: for
    # WORKSPACE_STATS_CACHE_SECONDS): measure their computation too, with the cache off.
    settings.WORKSPACE_STATS_CACHE_SECONDS = 0
    computed = [
        ("statistics (organisation), computed", reverse("cases:org_stats", args=[org.slug])),
        ("public statistics, computed", reverse("cases:public_stats")),
    ]
    for name, url in computed:

        def cold(url: str = url) -> None:
            cache.delete(selectors.PUBLIC_STATS_CACHE_KEY)
            cache.delete(selectors.organisation_statistics_key(org))
            fetch(client, url)

        seconds = timed(cold, repeat=3, warmup=1)
        with CaptureQueriesContext(connection) as queries:
            cold()
        results[name] = (seconds, len(queries))
        flag = "ok" if seconds <= STATS_TARGET else "OVER"
        print(
            f"  {name:34} {seconds * 1000:8.1f} ms  {len(queries):3} queries  "
            f"(target {STATS_TARGET * 1000:.0f} ms: {flag})"
        )
    settings.WORKSPACE_STATS_CACHE_SECONDS = 120
    return results


def explain(org: Organisation) -> str:
    filters = selectors.DashboardFilters(overdue=True, sort="due")
    ids = _dashboard_filtered(org, filters).values_list("pk", flat=True)[:50]
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def main() -> None:
    if args.reuse:
        measure("kept database")
        org = max(Organisation.objects.all(), key=lambda o: selectors.organisation_cases(o).count())
        print(explain(org))
        return
    seed(args.small)
    small = measure("small")
    seed(args.cases - args.small)
    large = measure("full size")
    print("\nquery counts, small vs full size (must be equal):")
    same = True
    for name, (_, count) in small.items():
        other = large[name][1]
        same = same and count == other
        print(f"  {name:34} {count:3} vs {other:3}{'' if count == other else '  DIFFERENT'}")
    print("  constant" if same else "  NOT CONSTANT")
    org = max(Organisation.objects.all(), key=lambda o: selectors.organisation_cases(o).count())
    print("\nplan of the dashboard's page query (overdue, sorted by due date) at full size:")
    print(explain(org))


if __name__ == "__main__":
    main()
