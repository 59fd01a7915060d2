"""The API's case list against a bare DRF list of the same rows, and how a page's time grows
with the table.

GET /api/v1/cases/ with an organisation's key is compared with `BareOrganisationCaseList`
(bench/webapp/api_views.py): exactly the rows the key sees (the organisation's cases under an
active mandate), the same columns, serializer and pagination, without authentication, permission,
throttle or filter parsing. One gunicorn (2 workers, production settings through
bench.webapp.settings, whose URLconf adds the bare view) serves both; a pool of 4 client threads
asks for the first pages in turn, at page sizes 50 and 200. Each run times a fixed number of
requests to each (in alternating order); three runs give min / median / max.

Targets, each printed with PASS or FAIL (exit 1 if any fails):

- ratio bare time / API time (= API throughput / bare throughput) at least 0.6, per page size;
- the API page's time at the largest table at most 1.25 times its time at the smallest (the
  count is capped at API_COUNT_CAP, so a page must not slow down as rows grow);
- SQL queries per API page: the same at every page size, and at most 6.

The table is seeded with `seed_bench` up to each size in turn (default 20,000 then 100,000
cases) in a scratch database `<database>_bench_api` (bench/_setup.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dsar REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/api.py
    BENCH_API_SIZES=2000,10000 BENCH_API_REQUESTS=100 .venv/bin/python bench/api.py  # quick
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import median

from _setup import ROOT, scratch_database

SIZES = [int(n) for n in os.environ.get("BENCH_API_SIZES", "20000,100000").split(",")]
CLIENTS = int(os.environ.get("BENCH_API_CLIENTS", "4"))
REQUESTS = int(os.environ.get("BENCH_API_REQUESTS", "200"))  # per target and run
RUNS = int(os.environ.get("BENCH_API_RUNS", "3"))
WORKERS = int(os.environ.get("BENCH_API_WORKERS", "2"))
PAGE_SIZES = (50, 200)
PAGES = 5  # the clients ask for pages 1..PAGES in turn
RATIO_TARGET, GROWTH_TARGET, QUERIES_TARGET = 0.6, 1.25, 6

url = scratch_database("api")

import requests  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cases import services  # noqa: E402
from cases.models import Case, Membership, Organisation  # noqa: E402
from cases.selectors import organisation_cases  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_up_to(size: int) -> None:
    have = Case.objects.count()
    if have < size:
        started = time.perf_counter()
        call_command("seed_bench", cases=size - have, seed=20261202 + size, verbosity=0)
        print(f"seeded {size - have:,} cases in {time.perf_counter() - started:.0f} s")
    # As autovacuum would after a load (and as bench/workspace.py does): statistics for the
    # planner and the visibility map for index-only scans, so that the larger size is measured
    # settled, like the smaller one, rather than just after a bulk load.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def organisation_key() -> tuple[Organisation, str]:
    organisation = (
        Organisation.objects.filter(pk__in=Membership.objects.values("organisation"))
        .order_by("pk")
        .first()
    )
    admin = Membership.objects.filter(organisation=organisation).first()
    admin.role = Membership.Role.ADMIN
    admin.save(update_fields=["role"])
    _key, secret = services.api_key_create_for_organisation(
        organisation=organisation, actor=admin.user, name="bench", scope="read"
    )
    return organisation, secret


def queries_per_page(secret: str) -> dict[int, int]:
    client = Client(HTTP_HOST="127.0.0.1")
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}
    client.get("/api/v1/cases/?page_size=1", **auth)  # the key's last_used_at, written once
    counts = {}
    for size in PAGE_SIZES:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/cases/?page_size={size}", **auth)
        assert response.status_code == 200, response.content[:500]
        counts[size] = len(captured)
    return counts


def serve(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-bench-only-secret-key",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SETTINGS_MODULE": "bench.webapp.settings",  # adds the bare view
        "API_RATE_LIMIT": "100000000/60",
        "LOG_LEVEL": "WARNING",
    }
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / "dsar-bench-api-web.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "dsar.wsgi",
            *("--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                time.sleep(3)  # the first worker answered; the others finish loading Django
                return process
        except requests.RequestException:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGTERM)
    sys.exit("gunicorn did not start; see dsar-bench-api-web.log")


local = threading.local()


def fetch(target: str, headers: dict[str, str], expected: int) -> None:
    session = getattr(local, "session", None)
    if session is None:
        session = local.session = requests.Session()
    response = session.get(target, headers=headers, timeout=60)
    body = response.json() if response.status_code == 200 else {}
    if response.status_code != 200 or len(body["results"]) != expected:
        raise RuntimeError(f"{target}: {response.status_code} {response.text[:300]}")


def timed_batch(urls: list[str], headers: dict[str, str], size: int, count: int) -> float:
    """Wall time of `count` requests, cycling over `urls`, from CLIENTS concurrent threads:
    the mean time per page under that load is the result / count."""
    with ThreadPoolExecutor(CLIENTS) as pool:
        started = time.perf_counter()
        for future in [
            pool.submit(fetch, urls[n % len(urls)], headers, size) for n in range(count)
        ]:
            future.result()
        return time.perf_counter() - started


def spread(values: list[float], scale: float = 1.0, fmt: str = "{:.2f}") -> str:
    return " / ".join(fmt.format(v * scale) for v in (min(values), median(values), max(values)))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def measure(base: str, organisation_id: int, secret: str, visible: int) -> dict:
    """{page_size: (api seconds per page per run, bare seconds per page per run)}."""
    results = {}
    for size in PAGE_SIZES:
        pages = max(1, min(PAGES, visible // size))
        api = [f"{base}/api/v1/cases/?page_size={size}&page={p}" for p in range(1, pages + 1)]
        bare = [
            f"{base}/bench/bare-cases/{organisation_id}/?page_size={size}&page={p}"
            for p in range(1, pages + 1)
        ]
        targets = {"api": (api, {"Authorization": f"Api-Key {secret}"}), "bare": (bare, {})}
        shown = min(size, visible)  # rows on each page asked for
        for urls, headers in targets.values():
            timed_batch(urls, headers, shown, 4 * CLIENTS)  # warm-up: connections, plans, caches
        times: dict[str, list[float]] = {"api": [], "bare": []}
        for run in range(RUNS):
            for name in ("api", "bare") if run % 2 == 0 else ("bare", "api"):
                urls, headers = targets[name]
                times[name].append(timed_batch(urls, headers, shown, REQUESTS) / REQUESTS)
        results[size] = (times["api"], times["bare"])
    return results


def main() -> None:
    failures: list[str] = []
    by_size: dict[int, dict] = {}
    organisation = secret = None
    for rows in SIZES:
        seed_up_to(rows)
        if organisation is None:
            organisation, secret = organisation_key()
        visible = organisation_cases(organisation).count()
        counts = queries_per_page(secret)
        connection.close()  # gunicorn's workers get the database to themselves
        port = free_port()
        server = serve(port)
        try:
            by_size[rows] = measure(f"http://127.0.0.1:{port}", organisation.pk, secret, visible)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(20)

        print(
            f"\n{rows:,} cases; the key sees {visible:,} ({organisation.name}'s, under mandate); "
            f"gunicorn {WORKERS} workers, {CLIENTS} client threads, {RUNS} runs of {REQUESTS} "
            f"requests per target; figures min / median / max"
        )
        for size, (api, bare) in by_size[rows].items():
            ratios = [b / a for a, b in zip(api, bare, strict=True)]
            ok = median(ratios) >= RATIO_TARGET
            print(
                f"  page_size={size:<3}  API {spread(api, 1000, '{:.1f}')} ms/page   "
                f"bare {spread(bare, 1000, '{:.1f}')} ms/page"
            )
            print(
                f"    ratio bare time / API time: {spread(ratios)} "
                f"(target: median at least {RATIO_TARGET}) {verdict(ok)}"
            )
            if not ok:
                failures.append(f"{rows:,} cases, page_size={size}: ratio {median(ratios):.2f}")
        same = len(set(counts.values())) == 1 and max(counts.values()) <= QUERIES_TARGET
        print(
            "  SQL queries per API page: "
            + ", ".join(f"{n} at page_size={size}" for size, n in counts.items())
            + f" (target: the same at every size, at most {QUERIES_TARGET}) {verdict(same)}"
        )
        if not same:
            failures.append(f"{rows:,} cases: queries per page {counts}")

    if len(SIZES) > 1:
        small, large = SIZES[0], SIZES[-1]
        print(f"\nAPI page time as the table grows, {small:,} -> {large:,} cases:")
        for size in PAGE_SIZES:
            growth = median(by_size[large][size][0]) / median(by_size[small][size][0])
            ok = growth <= GROWTH_TARGET
            print(
                f"  page_size={size:<3} median {median(by_size[small][size][0]) * 1000:.1f} -> "
                f"{median(by_size[large][size][0]) * 1000:.1f} ms/page: x{growth:.2f} "
                f"(target: at most x{GROWTH_TARGET}) {verdict(ok)}"
            )
            if not ok:
                failures.append(f"page_size={size}: page time grew x{growth:.2f}")

    print("\ntargets missed:" if failures else "\ntargets missed: none")
    for line in failures:
        print(f"  - {line}")
    sys.exit(1 if failures else 0)


main()
