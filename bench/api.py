"""The API's case list under load: GET /api/v1/cases/?page_size=100 with an organisation's key
against a bare DRF list view of the same model (no authentication, permission, throttle, scoping
or filters; bench/webapp/api_views.py), both served by the same gunicorn in the same run, over
100,000 cases in PostgreSQL.

Prints requests per second of each and their ratio (target: at least 0.5), p50 and p95 latency,
and the SQL queries per page at several page sizes (target: at most 10 whatever the size). The
key sees one organisation's cases; for a like-for-like view of the API's own cost the same bare
view over that organisation's rows ("bare-org") is measured too.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dsar REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/api.py
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from statistics import quantiles

from _setup import ROOT, scratch_database

CASES = int(os.environ.get("BENCH_API_CASES", "100000"))
CLIENTS = int(os.environ.get("BENCH_API_CLIENTS", "4"))
SECONDS = float(os.environ.get("BENCH_API_SECONDS", "10"))
ROUNDS = 2  # each target in turn, twice: drift on a shared machine hits all alike
WORKERS = int(os.environ.get("BENCH_API_WORKERS", "2"))

url = scratch_database("dsar_bench_api")

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


def seed() -> tuple[str, int, int]:
    started = time.perf_counter()
    call_command("seed_bench", cases=CASES, verbosity=0)
    print(f"seeded {Case.objects.count():,} cases in {time.perf_counter() - started:.0f} s")
    organisation = (
        Organisation.objects.filter(slug__in=Membership.objects.values("organisation__slug"))
        .order_by("pk")
        .first()
    )
    admin = Membership.objects.filter(organisation=organisation).first()
    admin.role = Membership.Role.ADMIN
    admin.save(update_fields=["role"])
    _key, secret = services.api_key_create_for_organisation(
        organisation=organisation, actor=admin.user, name="bench", scope="read"
    )
    visible = organisation_cases(organisation).count()
    print(f"the key is {organisation.name}'s, which holds {visible:,} of them under mandate")
    return secret, visible, organisation.pk


def queries_per_page(secret: str) -> dict[int, int]:
    client = Client(HTTP_HOST="127.0.0.1")
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}
    client.get("/api/v1/cases/?page_size=1", **auth)
    counts = {}
    for size in (10, 100, 200):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/cases/?page_size={size}", **auth)
        assert response.status_code == 200, response.content[:500]
        assert len(response.json()["results"]) == size
        counts[size] = len(captured)
    return counts


def load(target: str, headers: dict[str, str], seconds: float) -> tuple[int, list[float]]:
    """CLIENTS threads, each with its own connection, for `seconds`: (requests, latencies)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        session = requests.Session()
        session.headers.update(headers)
        mine = []
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            response = session.get(target, timeout=30)
            mine.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.text[:200]}")
                break
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        sys.exit(f"{target}: {errors[0]}")
    return len(latencies), [elapsed, *latencies]


def serve(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-bench-only-secret-key",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SETTINGS_MODULE": "bench.webapp.settings",  # adds the bare views
        "API_RATE_LIMIT": "100000000/60",
        "LOG_LEVEL": "WARNING",
    }
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / "dsar-bench-api-web.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "dsar.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
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
                return process
        except requests.RequestException:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGTERM)
    sys.exit("gunicorn did not start; see dsar-bench-api-web.log")


def main() -> None:
    secret, _visible, organisation_id = seed()
    counts = queries_per_page(secret)
    connection.close()  # gunicorn's workers get the database to themselves

    port = free_port()
    server = serve(port)
    base = f"http://127.0.0.1:{port}"
    api = (f"{base}/api/v1/cases/?page_size=100", {"Authorization": f"Api-Key {secret}"})
    bare = (f"{base}/bench/bare-cases/?page_size=100", {})
    bare_org = (f"{base}/bench/bare-cases/{organisation_id}/?page_size=100", {})
    targets = {"bare": bare, "api": api, "bare-org": bare_org}
    results: dict[str, tuple[int, float, list[float]]] = {name: (0, 0.0, []) for name in targets}
    try:
        for target, headers in targets.values():
            load(target, headers, 2)  # warm-up: connections, caches, query plans
        for _ in range(ROUNDS):
            for name, (target, headers) in targets.items():
                count, (elapsed, *latencies) = load(target, headers, SECONDS)
                total, seconds, all_latencies = results[name]
                results[name] = (total + count, seconds + elapsed, all_latencies + latencies)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)

    print(f"{CLIENTS} clients, {WORKERS} gunicorn workers, {ROUNDS} x {SECONDS:.0f} s each")
    rps = {}
    for name, (count, seconds, latencies) in results.items():
        rps[name] = count / seconds
        cuts = quantiles(latencies, n=100)
        print(
            f"  {name:>8}: {rps[name]:7.1f} req/s   p50 {cuts[49] * 1000:6.1f} ms"
            f"   p95 {cuts[94] * 1000:6.1f} ms   ({count} requests)"
        )
    ratio = rps["api"] / rps["bare"]
    print(f"  ratio api/bare: {ratio:.2f} (target: at least 0.5)")
    print(f"  ratio api/bare-org (same rows): {rps['api'] / rps['bare-org']:.2f}")
    print(
        "  SQL queries per page of GET /api/v1/cases/: "
        + ", ".join(f"{n} at page_size={size}" for size, n in counts.items())
        + " (target: at most 10)"
    )
    if ratio < 0.5 or max(counts.values()) > 10:
        sys.exit(1)


main()
