"""Web throughput of the pages people use most, each against a bare Django view doing the same
work on the same rows, measured side by side in one run under gunicorn on PostgreSQL.

    python bench/web.py [--cases 100000] [--seconds 10] [--connections 8] [--workers 2]
                        [--runs 3] [--pages 3000]

DATABASE_URL names the PostgreSQL server and database (default
postgres://postgres@127.0.0.1:5432/dsar); the benchmark uses a database of its own beside it,
`<database>_bench_web` (bench/_setup.py names it), migrated and filled with `seed_bench` up to
--cases. It is kept between runs, so the second run starts at once, and never dropped by the
benchmark: it only adds rows (sessions, events, cases) to it. Gunicorn
serves the production settings (DEBUG off) through `bench.webapp.settings`, whose URLconf adds
the bare views (bench/webapp/views.py); `dsar.urls` never contains them. REDIS_URL, when set,
gives the cache that production uses for rate limits.

Scenarios, each an app page and its yardstick (target: ratio app / yardstick >= 0.5):

- case page, first view after a change: `--pages` cases (default 3000) of as many different
  requesters, each signed in with a session of their own. Before each measured pass every one of
  those cases gets a new NOTE event (its timeline changes), and wrk walks through them in turn,
  every connection from its own starting point, so a pass asks for each case about once: nothing
  could be served from a copy made before the change, and PostgreSQL's buffer cache is the only
  warmth. (There is no page cache any more; this design would still defeat one.) The yardstick,
  `bare_case_page`, reads the same case (with its vendor), events, deadlines and letters for the
  same signed-in person on the same cases, changed the same way, and renders a small template;
- the request form: GET /requests/new/ against a bare list of the vendors, and GET
  /requests/new/<vendor>/ against one vendor and a plain form with the same fields and choices;
- filing a request against `bare_case_writes` (only what filing must write: the case with its
  audit entry and CREATED event, the access-request letter queued with its event, and the
  letter's render task on the broker).

One run measures every pair back to back, app and yardstick in alternating order from one run to
the next; the benchmark does --runs runs (3) and prints each ratio's min / median / max, then
the targets that fell short, and exits 1 when one did (or when a response was not the expected
one: the request form answers 302 to the new case, the others 2xx). The "one SELECT" and "one
INSERT" figures are printed as context only, not targets.

Load comes from wrk (Debian's package; installed here when missing and run as root), only to
127.0.0.1, for --seconds per scenario after a 2 s warm-up.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

# Run as a script, bench/ is on the path; _setup puts the project root there too (for `cases`,
# `dsar` and `bench.webapp`) and names the database after DATABASE_URL's.
from _setup import ROOT, bench_database_url

BIN = Path(sys.executable).parent
SETTINGS = "bench.webapp.settings"
CSRF = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))

LUA = r"""
local requests = {REQUESTS}
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  statuses = {}
  unexpected = 0
  -- Each thread walks the list from its own point: together they ask for every entry in turn.
  index = math.floor(offset * #requests / {THREADS})
end
function request()
  index = index % #requests + 1
  local r = requests[index]
  return wrk.format(r[1], r[2], r[3], r[4])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if {EXPECTED} then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local served = 0
    for status, count in pairs(thread:get("statuses")) do
      io.write(string.format("STATUS %d %d\n", status, count))
      served = served + count
    end
    io.write(string.format("SERVED %d\n", served))
    io.write(string.format("UNEXPECTED %d\n", thread:get("unexpected")))
  end
end
"""


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_requests(items: list[tuple[str, str, dict[str, str], str]]) -> str:
    rows = []
    for method, path, headers, body in items:
        header_table = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
        body_value = lua_string(body) if body else "nil"
        rows.append(
            f"{{{lua_string(method)}, {lua_string(path)}, {{{header_table}}}, {body_value}}}"
        )
    return "{\n" + ",\n".join(rows) + "\n}"


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
        if wrk := shutil.which("wrk"):
            return wrk
    sys.exit("bench/web.py needs wrk: sudo apt-get install -y wrk")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


THREADS = 2
# A case page is "changed" before each measured pass by one more event on its timeline.
CHANGE_NOTE = "bench: changed before this pass"


def session_for(user: Any) -> str:
    """A signed-in session for `user`, written directly (no password hashing)."""
    # Imported here: Django is set up in prepare(), after this module loads.
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The backend the app signs people in with (as `login()` records it).
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def prepare(env: dict[str, str], cases: int, pages: int) -> dict[str, Any]:
    """Migrate, seed up to `cases`, and sign in the requesters of `pages` cases, one case each
    (sessions written directly). Also fifty people who file requests."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_reference")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    os.environ.update(env)
    import django

    django.setup()
    # Imported only now: they need the settings set up just above.
    from django.contrib.sessions.models import Session

    from bench.webapp.views import BENCH_MARKER
    from cases.models import Case, User, Vendor

    have = Case.objects.count()
    if have < cases:
        print(f"seeding {cases - have} cases (the database keeps them for the next run)")
        manage(env, "seed_bench", "--cases", str(cases - have))
    # One case per requester, of people's own (not run by an organisation), spread over the
    # table: the page's rows are scattered as in production, not the newest few.
    owned = Case.objects.filter(organisation__isnull=True).order_by("requester_id", "pk")
    first_case: dict[int, int] = {}
    for requester_id, case_id in owned.values_list("requester_id", "pk").iterator():
        first_case.setdefault(requester_id, case_id)
    chosen = list(first_case.items())
    step = max(1, len(chosen) // pages)
    chosen = chosen[::step][:pages]
    users = User.objects.in_bulk([requester for requester, _case in chosen])
    # A run starts without the sessions and rows the last run left.
    Session.objects.filter(session_data=BENCH_MARKER).delete()
    readers = [(session_for(users[requester]), case) for requester, case in chosen]
    vendor, vendor_id = Vendor.objects.order_by("-voice_assistant", "pk").values_list("slug", "pk")[
        0
    ]
    return {
        "readers": readers,
        "filers": readers[:50],
        "vendor": vendor,
        "vendor_id": vendor_id,
        "total": Case.objects.count(),
    }


def change_cases(readers: list[tuple[str, int]]) -> None:
    """Give every case of the pass a new event: each view in the pass is its first view after a
    change of its case."""
    from django.utils import timezone

    from cases.models import Case, CaseEvent, EventKind

    ids = [case for _session, case in readers]
    requesters = dict(Case.objects.filter(pk__in=ids).values_list("pk", "requester_id"))
    today = timezone.localdate()
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=case,
            actor_id=requesters[case],
            kind=EventKind.NOTE,
            occurred_on=today,
            note=CHANGE_NOTE,
        )
        for case in ids
    )
    Case.objects.filter(pk__in=ids).update(updated_at=timezone.now())


Spec = tuple[list, str]


def scenarios(data: dict[str, Any]) -> dict[str, Spec]:
    readers, filers, vendor = data["readers"], data["filers"], data["vendor"]
    form = (
        "requester_name=Anna+Muller&requester_email=anna%40bench.example&requester_country=DE"
        "&account_identifiers=anna%40bench.example&requested_items=audio"
        "&requested_items=transcripts&requested_items=annotations&language=de"
        f"&csrfmiddlewaretoken={CSRF}"
    )
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def cookie(session: str) -> dict[str, str]:
        return {"Cookie": f"sessionid={session}; csrftoken={CSRF}"}

    ok = "status ~= 200"
    return {
        "view": ([("GET", f"/cases/{c}/", cookie(s), "") for s, c in readers], ok),
        "bare_view": ([("GET", f"/bench/case/{c}/", cookie(s), "") for s, c in readers], ok),
        "new": ([("GET", "/requests/new/", cookie(s), "") for s, _ in filers], ok),
        "bare_new": ([("GET", "/bench/vendors/", cookie(s), "") for s, _ in filers], ok),
        "details": ([("GET", f"/requests/new/{vendor}/", cookie(s), "") for s, _ in filers], ok),
        "bare_details": ([("GET", f"/bench/form/{vendor}/", cookie(s), "") for s, _ in filers], ok),
        "create": (
            [
                ("POST", f"/requests/new/{vendor}/", cookie(s) | form_headers, form)
                for s, _ in filers
            ],
            "status ~= 302 or not string.find(headers['Location'] or '', '/cases/')",
        ),
        "writes": (
            [
                (
                    "POST",
                    "/bench/case-writes/",
                    cookie(s) | form_headers,
                    f"vendor={data['vendor_id']}",
                )
                for s, _ in filers
            ],
            "status ~= 201",
        ),
        "select": ([("GET", f"/bench/select/{c}/", {}, "") for _, c in readers], ok),
        "insert": ([("POST", "/bench/insert/", form_headers, "row=1")], "status ~= 201"),
    }


@dataclass
class Result:
    rps: float
    requests: int
    statuses: dict[int, int]
    unexpected: int
    errors: str
    served: list[int]  # responses per wrk thread


def run_wrk(wrk: str, port: int, name: str, spec: Spec, seconds: int, conns: int) -> Result:
    items, expected = spec
    script = (
        LUA.replace("{REQUESTS}", lua_requests(items))
        .replace("{EXPECTED}", expected)
        .replace("{THREADS}", str(THREADS))
    )
    with tempfile.NamedTemporaryFile("w", suffix=f"-{name}.lua", delete=False) as handle:
        handle.write(script)
    args = [wrk, "-t", str(THREADS), "-c", str(conns), "--timeout", "10s", "-s", handle.name]
    url = f"http://127.0.0.1:{port}/"
    out = subprocess.run(
        [*args, "-d", f"{seconds}s", url], check=True, capture_output=True, text=True
    ).stdout
    os.unlink(handle.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    statuses: dict[int, int] = {}
    for status, count in re.findall(r"STATUS (\d+) (\d+)", out):
        statuses[int(status)] = statuses.get(int(status), 0) + int(count)
    unexpected = sum(int(n) for n in re.findall(r"UNEXPECTED (\d+)", out))
    errors = re.search(r"Socket errors:.*", out)
    served = [int(n) for n in re.findall(r"SERVED (\d+)", out)]
    return Result(rps, total, statuses, unexpected, errors.group(0) if errors else "", served)


# (app, yardstick, label, target): a target of None prints the ratio as context only.
PAIRS: list[tuple[str, str, str, float | None]] = [
    ("view", "bare_view", "case page, first view after a change / bare same reads", 0.5),
    ("new", "bare_new", "request form, vendors (GET) / bare vendor list", 0.5),
    ("details", "bare_details", "request form, details (GET) / bare form", 0.5),
    ("create", "writes", "file a request / its writes alone (bare)", 0.5),
    ("view", "select", "case page / one SELECT (context)", None),
    ("create", "insert", "file a request / one INSERT (context)", None),
]
LABELS = {
    "view": "case page (app)",
    "bare_view": "case page, same reads (bare)",
    "new": "request form: vendors (app)",
    "bare_new": "vendor list (bare)",
    "details": "request form: details (app)",
    "bare_details": "plain form (bare)",
    "create": "file a request (app)",
    "writes": "its writes alone (bare)",
    "select": "one SELECT (bare)",
    "insert": "one INSERT (bare)",
}


def one_run(
    number: int, wrk: str, port: int, specs: dict[str, Spec], data: dict[str, Any], options: Any
) -> dict[str, Result]:
    """Every pair back to back; the yardstick goes first in every other run."""
    order: list[str] = []
    for app, bare in [("view", "bare_view"), ("new", "bare_new"), ("details", "bare_details")]:
        order += [app, bare] if number % 2 == 0 else [bare, app]
    order += (
        ["create", "writes", "select", "insert"]
        if number % 2 == 0
        else [
            "writes",
            "create",
            "insert",
            "select",
        ]
    )
    results: dict[str, Result] = {}
    for name in order:
        if name in ("view", "bare_view"):
            change_cases(data["readers"])
        run_wrk(wrk, port, name, specs[name], 2, options.connections)  # warm-up
        if name in ("view", "bare_view"):
            change_cases(data["readers"])  # the warm-up viewed some: change them all again
        results[name] = run_wrk(wrk, port, name, specs[name], options.seconds, options.connections)
    return results


def spread(values: list[float]) -> str:
    return f"{min(values):6.2f} {statistics.median(values):6.2f} {max(values):6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=3000, help="cases the case page cycles over")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    options = parser.parse_args()

    wrk = ensure_wrk()
    database = bench_database_url("web")
    ensure_database(database)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "SITE_URL": "http://127.0.0.1",
        # The benchmark files thousands of requests from one person on purpose.
        "RATE_LIMIT_REQUEST_CREATE": "1000000000/60",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    data = prepare(env, options.cases, options.pages)
    specs = scenarios(data)
    port = options.port or free_port()
    gunicorn = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "dsar.wsgi",
            "--workers",
            str(options.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    runs: list[dict[str, Result]] = []
    try:
        wait_until_up(port)
        for number in range(options.runs):
            runs.append(one_run(number, wrk, port, specs, data, options))
            print(f"run {number + 1} of {options.runs} done", flush=True)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(20)

    print(
        f"\nweb: gunicorn {options.workers} workers, PostgreSQL with {data['total']:,} cases, "
        f"case page over {len(data['readers']):,} cases of as many requesters, "
        f"wrk {options.seconds} s x {options.connections} connections per scenario, "
        f"{options.runs} runs"
    )
    print(f"  {'req/s per run':<31} {'':>8}")
    for name, label in LABELS.items():
        figures = " ".join(f"{run[name].rps:8.1f}" for run in runs)
        codes: dict[int, int] = {}
        for run in runs:
            for code, count in run[name].statuses.items():
                codes[code] = codes.get(code, 0) + count
        shown = ", ".join(f"{code}: {count}" for code, count in sorted(codes.items()))
        errors = " ".join(sorted({run[name].errors for run in runs if run[name].errors}))
        print(f"  {label:<31} {figures}   {shown}  {errors}")
    # Every view of a measured case-page pass must be the first after its case changed: each
    # wrk thread walks its own 1/THREADS of the cases, so none may answer more than that.
    most = max(n for run in runs for name in ("view", "bare_view") for n in run[name].served)
    share = len(data["readers"]) // THREADS
    first_views = most <= share
    print(
        f"  case-page passes: at most {most} responses per wrk thread over its {share} changed "
        f"cases, so every view was the first after a change: {'PASS' if first_views else 'FAIL'}"
        + ("" if first_views else " (raise --pages)")
    )
    print(f"\n  {'ratio':<58} {'min':>6} {'median':>6} {'max':>6}")
    missed = [] if first_views else [f"second views in a case-page pass ({most} > {share})"]
    for app, bare, label, target in PAIRS:
        ratios = [run[app].rps / run[bare].rps for run in runs]
        if target is None:
            print(f"  {label:<58} {spread(ratios)}  (context, not a target)")
            continue
        ok = statistics.median(ratios) >= target
        print(
            f"  {label:<58} {spread(ratios)}  (target: median >= {target}) "
            f"{'PASS' if ok else 'FAIL'}"
        )
        if not ok:
            missed.append(f"{label}: median {statistics.median(ratios):.2f} < {target}")
    unexpected = {
        name: sum(run[name].unexpected for run in runs)
        for name in LABELS
        if any(run[name].unexpected for run in runs)
    }
    print(f"  unexpected responses: {unexpected or 'none'}")
    if unexpected:
        missed.append(f"unexpected responses: {unexpected}")
    print("\ntargets missed:" if missed else "\ntargets missed: none")
    for line in missed:
        print(f"  - {line}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
