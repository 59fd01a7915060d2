"""The advocacy workspace at scale: stored statistics and a filtered dashboard, 1,000,000 cases.

Seeds a small database first (`seed_bench`), measures, then grows it to the full size and
measures again. Pages are served as in production: gunicorn with 2 workers (DEBUG off) against
the scratch database and the real Redis (`REDIS_URL`: give the benchmark a database index of its
own, it is flushed), timed from 4 concurrent clients with a signed-in member's session cookie.
Each figure is three runs; the line shows the min / median / max of the runs' medians. The
stored statistics pages are also timed from one client alone, for information (no queueing
behind another request: the time one request costs).

Targets (the verdict is on the median run):
- refreshing the stored statistics (`statistics_refresh`, REFRESH ... CONCURRENTLY) <= 30 s;
- the public and the organisation's statistics pages, read from the stored figures <= 50 ms;
- the same pages with Redis just flushed (as after a restart) <= 200 ms;
- the statistics of the organisation holding the most cases (about 50,000 at the full size)
  <= 200 ms;
- the organisation's dashboard, filtered and sorted <= 200 ms.
The SQL query count of each page must be the same at both sizes. Exits 1 if a target is missed.

seed_bench puts about 15 % of the cases in 3 organisations, each case under an active mandate,
so that at 1,000,000 cases each organisation holds about 50,000.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dsar REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/workspace.py
    ... bench/workspace.py --cases 100000 --small 5000   # a quicker run
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests
from _setup import bench_database_url, scratch_database

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--cases", type=int, default=1_000_000, help="full size (default 1,000,000)")
parser.add_argument("--small", type=int, default=10_000, help="small size (default 10,000)")
parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
parser.add_argument("--requests", type=int, default=40, help="requests per run (default 40)")
parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
parser.add_argument("--seed", type=int, default=20261122, help="seed_bench's random seed")
parser.add_argument("--keep", action="store_true", help="keep the database after the run")
parser.add_argument(
    "--reuse", action="store_true", help="measure a database kept by --keep, without seeding"
)
args = parser.parse_args()

DATABASE = "dsar_bench_workspace"
ROOT = Path(__file__).resolve().parent.parent
if not os.environ.get("REDIS_URL", "").startswith("redis"):
    sys.exit("this benchmark uses the real Redis: set REDIS_URL=redis://host:6379/<own index>")


def reuse_database(name: str) -> str:
    """Point Django at the database a `--keep` run left, as it is (named as `scratch_database`
    names it)."""
    url = bench_database_url(name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsar.settings")
    import django

    django.setup()
    return url


DATABASE_URL = (
    reuse_database(DATABASE) if args.reuse else scratch_database(DATABASE, keep=args.keep)
)

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from cases import selectors, services  # noqa: E402
from cases.models import Case, Membership, Organisation, Vendor  # noqa: E402
from cases.selectors.workspace import _dashboard_filtered  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
REFRESH_TARGET, STORED_TARGET, FLUSHED_TARGET, PAGE_TARGET = 30.0, 0.050, 0.200, 0.200
verdicts: list[tuple[str, bool]] = []
size = {"label": ""}  # the size being measured, for the verdicts


def seed(count: int) -> None:
    started = time.perf_counter()
    call_command("seed_bench", cases=count, seed=args.seed + count, verbosity=0)
    # As autovacuum would after a load: statistics for the planner, visibility for index-only
    # scans. Then a checkpoint, so that the load's dirty pages are written now rather than
    # while the pages are timed (a server in use is not in the middle of a bulk load).
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_caseevent", "cases_deadline", "cases_mandate"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError:  # superusers and pg_checkpoint only
            print("  no CHECKPOINT (this role may not): the first figures may pay for the load")
    print(f"  seeded {count:,} cases in {time.perf_counter() - started:.0f} s")


# --- The server and its clients ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn():
    """gunicorn as the Procfile runs it (DEBUG off) on the scratch database; yields its URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # so that it reads the sessions made here
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    python = Path(sys.executable)
    subprocess.run(
        [str(python), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            str(python.parent / "gunicorn"),
            "dsar.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        # The first worker answered; let the others finish loading Django too, else the first
        # figure is measured on fewer workers than the rest (at the small size, where the
        # refresh before it is short).
        time.sleep(3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def session_cookie(org: Organisation) -> dict[str, str]:
    """A caseworker of `org`, signed in (the session lives in the database gunicorn reads)."""
    member = Membership.objects.filter(organisation=org, role="caseworker").first()
    client = Client()
    client.force_login(member.user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def fetch(base: str, url: str, cookies: dict[str, str]) -> float:
    started = time.perf_counter()
    # gunicorn behind a TLS proxy in production: the proxy says the request came over HTTPS.
    response = requests.get(
        base + url, cookies=cookies, headers={"X-Forwarded-Proto": "https"}, timeout=60
    )
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return seconds


def concurrent_runs(
    base: str,
    url: str,
    cookies: dict[str, str],
    *,
    per_run: int,
    before: Callable | None = None,
    clients: int | None = None,
) -> list[float]:
    """The median request time of each run, `per_run` requests from `args.clients` clients."""
    medians = []
    clients = clients or args.clients
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda _: fetch(base, url, cookies), range(clients)))  # warm-up
        for _ in range(args.runs):
            if before is not None:
                before()
            times = list(pool.map(lambda _: fetch(base, url, cookies), range(per_run)))
            medians.append(statistics.median(times))
    return medians


def report(label: str, values: list[float], target: float | None, unit: str = "ms") -> None:
    """One line; `target` None for a figure shown for information, without a verdict."""
    scale = 1000 if unit == "ms" else 1
    low, mid, high = min(values), statistics.median(values), max(values)
    line = f"  {label:48} {low * scale:8.1f} {mid * scale:8.1f} {high * scale:8.1f} {unit}"
    if target is not None:
        ok = mid <= target
        verdicts.append((f"{size['label']}: {label}", ok))
        line += f"  (target {target * scale:.0f} {unit}: {'PASS' if ok else 'FAIL'})"
    print(line)


# --- What is measured --------------------------------------------------------------------------


def biggest_organisation() -> tuple[Organisation, int]:
    orgs = [(o, selectors.organisation_cases(o).count()) for o in Organisation.objects.all()]
    return max(orgs, key=lambda pair: pair[1])


def dashboard_pages(org: Organisation) -> list[tuple[str, str]]:
    # The organisation's most frequent vendor, so that the filter finds rows at both sizes.
    vendor = (
        Vendor.objects.filter(cases__organisation=org)
        .annotate(n=Count("cases"))
        .order_by("-n")
        .first()
    )
    dashboard = reverse("cases:org_dashboard", args=[org.slug])
    return [
        ("dashboard, newest first", dashboard),
        ("dashboard, overdue by due date", dashboard + "?overdue=on&sort=due"),
        ("dashboard, due within 14 days", dashboard + "?due_within=14"),
        ("dashboard, vendor + status", dashboard + f"?vendor={vendor.pk}&status=answered"),
        ("dashboard, search", dashboard + "?q=muller"),
        ("dashboard, page 20", dashboard + "?page=20"),
    ]


def refresh_runs() -> list[float]:
    """The first refresh fills the views (a plain REFRESH); the timed ones are CONCURRENTLY,
    as beat runs them."""
    started = time.perf_counter()
    services.statistics_refresh()
    print(f"  first refresh (fills the views): {time.perf_counter() - started:.1f} s")
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        assert services.statistics_refresh()
        times.append(time.perf_counter() - started)
    return times


def query_counts(org: Organisation, urls: list[tuple[str, str]]) -> dict[str, int]:
    client = Client()
    client.force_login(Membership.objects.filter(organisation=org, role="caseworker")[0].user)
    counts = {}
    for name, url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts[name] = len(queries)
    return counts


def measure(label: str, base: str) -> dict[str, int]:
    size["label"] = label
    org, mandated = biggest_organisation()
    print(f"\n{label}: {Case.objects.count():,} cases; {org.name} holds {mandated:,}")
    print(f"  {'':48} {'min':>8} {'median':>8} {'max':>8}")
    report("refresh of the stored statistics", refresh_runs(), REFRESH_TARGET, unit="s")
    cookies = session_cookie(org)
    public = reverse("cases:public_stats")
    own = reverse("cases:org_stats", args=[org.slug])
    stats = [("public statistics", public), ("organisation statistics", own)]
    stored = {url: concurrent_runs(base, url, cookies, per_run=args.requests) for _, url in stats}
    for name, url in stats:
        report(f"{name} (stored)", stored[url], STORED_TARGET)
    for name, url in stats:  # for comparison: one client at a time, no queueing
        runs = concurrent_runs(base, url, cookies, per_run=args.requests // 2, clients=1)
        report(f"{name} (stored), 1 client", runs, None)
    for name, url in stats:
        runs = concurrent_runs(base, url, cookies, per_run=args.clients, before=cache.clear)
        report(f"{name}, Redis flushed", runs, FLUSHED_TARGET)
    report(f"organisation statistics, {mandated:,} cases", stored[own], PAGE_TARGET)
    pages = dashboard_pages(org)
    for name, url in pages:
        report(name, concurrent_runs(base, url, cookies, per_run=args.requests), PAGE_TARGET)
    return query_counts(org, [*stats, *pages])


def explain(org: Organisation) -> str:
    filters = selectors.DashboardFilters(overdue=True, sort="due")
    ids = _dashboard_filtered(org, filters).values_list("pk", flat=True)[:50]
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def main() -> None:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"cache {backend} at {os.environ['REDIS_URL']}; gunicorn, {args.workers} workers; ")
    print(f"{args.clients} concurrent clients; {args.runs} runs of {args.requests} requests")
    if args.reuse:
        with gunicorn() as base:
            measure("kept database", base)
    else:
        seed(args.small)
        with gunicorn() as base:
            small = measure("small", base)
            connection.close()  # seed_bench and gunicorn do not share a connection
            seed(args.cases - args.small)
            large = measure("full size", base)
        print("\nquery counts, small vs full size (must be equal):")
        same = True
        for name, count in small.items():
            other = large[name]
            same = same and count == other
            print(f"  {name:48} {count:3} vs {other:3}{'' if count == other else '  DIFFERENT'}")
        verdicts.append(("query counts constant", same))
        print("  constant" if same else "  NOT CONSTANT")
    print("\nplan of the dashboard's page query (overdue, sorted by due date):")
    print(explain(biggest_organisation()[0]))
    failed = [label for label, ok in verdicts if not ok]
    print(f"\n{'FAIL: ' + '; '.join(failed) if failed else 'PASS: every target met'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
