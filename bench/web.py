"""Web throughput: filing a request and viewing a case page, each against a bare Django view
doing one INSERT or one SELECT, measured in the same run under gunicorn on PostgreSQL.

    python bench/web.py [--cases 100000] [--seconds 10] [--connections 8] [--workers 2]

DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/dsar); the
benchmark uses a database of its own beside it, `<name>_bench_web`, migrated and filled with
`seed_bench` up to --cases (kept between runs, so the second run starts at once). Gunicorn
serves the production settings (DEBUG off) through `bench.webapp.settings`, whose URLconf adds
the bare views; `dsar.urls` never contains them. REDIS_URL, when set, gives the cache that
production uses for rate limits and sessions.

Load comes from wrk (Debian's package; installed here when missing and run as root), only to
127.0.0.1, for a fixed number of seconds per scenario after a short warm-up. Prints requests per
second, the ratios app / bare (target at least 0.5), and every response that was not the one
expected (target none): the request form answers 302 to the new case, the others 2xx.

A third bare view does only what filing a request must write (the case, its audit entry and its
CREATED event, in one transaction, for a signed-in person). Its ratio to the INSERT is a ceiling
for filing a request: the form, rate limit, vendor lookup and redirect only add to it.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `cases`, `dsar` and `bench.webapp` importable
BIN = Path(sys.executable).parent
SETTINGS = "bench.webapp.settings"
CSRF = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))

LUA = r"""
local requests = {REQUESTS}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  statuses = {}
  unexpected = 0
  index = math.random(#requests)
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
    for status, count in pairs(thread:get("statuses")) do
      io.write(string.format("STATUS %d %d\n", status, count))
    end
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


def bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/dsar"
    parsed = urlparse(base)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("bench/web.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = parsed.path.lstrip("/") or "dsar"
    return urlunparse(parsed._replace(path=f"/{name}_bench_web"))


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


def prepare(env: dict[str, str], cases: int) -> dict[str, object]:
    """Migrate, seed up to `cases`, and log in a few requesters (sessions written directly)."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_reference")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    from bench.webapp.views import BENCH_MARKER
    from cases.models import Case, User, Vendor

    have = Case.objects.count()
    if have < cases:
        print(f"seeding {cases - have} cases (the database keeps them for the next run)")
        manage(env, "seed_bench", "--cases", str(cases - have))
    # Fifty people, each with a case of their own (not one run by an organisation).
    owned = Case.objects.filter(organisation__isnull=True).order_by("requester_id", "pk")
    first_case: dict[int, int] = {}
    for requester_id, case_id in owned.values_list("requester_id", "pk")[:500]:
        first_case.setdefault(requester_id, case_id)
    people = []
    for user in User.objects.filter(pk__in=list(first_case)[:50]).order_by("pk"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people.append((session.session_key, first_case[user.pk]))
    # A run starts without the rows the last run's bare INSERT left.
    Session.objects.filter(session_data=BENCH_MARKER).delete()
    vendor, vendor_id = Vendor.objects.order_by("-voice_assistant", "pk").values_list("slug", "pk")[
        0
    ]
    return {
        "people": people,
        "vendor": vendor,
        "vendor_id": vendor_id,
        "total": Case.objects.count(),
    }


def scenarios(data: dict) -> dict[str, tuple[list, str]]:
    people, vendor = data["people"], data["vendor"]
    form = (
        "requester_name=Anna+Muller&requester_email=anna%40bench.example&requester_country=DE"
        "&account_identifiers=anna%40bench.example&requested_items=audio"
        "&requested_items=transcripts&requested_items=annotations&language=de"
        f"&csrfmiddlewaretoken={CSRF}"
    )
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def cookie(session: str) -> dict[str, str]:
        return {"Cookie": f"sessionid={session}; csrftoken={CSRF}"}

    return {
        "create": (
            [
                ("POST", f"/requests/new/{vendor}/", cookie(s) | form_headers, form)
                for s, _ in people
            ],
            "status ~= 302 or not string.find(headers['Location'] or '', '/cases/')",
        ),
        "insert": (
            [("POST", "/bench/insert/", form_headers, "row=1")],
            "status ~= 201",
        ),
        "writes": (
            [
                (
                    "POST",
                    "/bench/case-writes/",
                    cookie(s) | form_headers,
                    f"vendor={data['vendor_id']}",
                )
                for s, _ in people
            ],
            "status ~= 201",
        ),
        "view": (
            [("GET", f"/cases/{c}/", cookie(s), "") for s, c in people],
            "status ~= 200",
        ),
        "select": ([("GET", f"/bench/select/{c}/", {}, "") for _, c in people], "status ~= 200"),
    }


def run_wrk(wrk: str, port: int, name: str, spec: tuple[list, str], seconds: int, conns: int):
    items, expected = spec
    script = LUA.replace("{REQUESTS}", lua_requests(items)).replace("{EXPECTED}", expected)
    with tempfile.NamedTemporaryFile("w", suffix=f"-{name}.lua", delete=False) as handle:
        handle.write(script)
    args = [wrk, "-t", "2", "-c", str(conns), "--timeout", "10s", "-s", handle.name]
    url = f"http://127.0.0.1:{port}/"
    subprocess.run([*args, "-d", "3s", url], check=True, capture_output=True)  # warm-up
    out = subprocess.run(
        [*args, "-d", f"{seconds}s", url], check=True, capture_output=True, text=True
    ).stdout
    os.unlink(handle.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    statuses: dict[int, int] = {}
    for status, count in re.findall(r"STATUS (\d+) (\d+)", out):
        statuses[int(status)] = statuses.get(int(status), 0) + int(count)
    unexpected = sum(int(n) for n in re.findall(r"UNEXPECTED (\d+)", out))
    errors = re.search(r"Socket errors:.*", out)
    return rps, statuses, unexpected, errors.group(0) if errors else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    wrk = ensure_wrk()
    database = bench_database_url()
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
    data = prepare(env, options.cases)
    port = free_port()
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
    try:
        wait_until_up(port)
        results = {
            name: run_wrk(wrk, port, name, spec, options.seconds, options.connections)
            for name, spec in scenarios(data).items()
        }
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(20)

    print(
        f"\nweb: gunicorn {options.workers} workers, PostgreSQL with {data['total']:,} cases, "
        f"wrk {options.seconds} s x {options.connections} connections per scenario"
    )
    labels = {
        "create": "file a request (app)",
        "insert": "one INSERT (bare Django)",
        "writes": "its writes alone (bare)",
        "view": "case page (app)",
        "select": "one SELECT (bare Django)",
    }
    for name, (rps, statuses, _unexpected, errors) in results.items():
        codes = ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items()))
        print(f"  {labels[name]:<28} {rps:8.1f} req/s   {codes}  {errors}")
    create_ratio = results["create"][0] / results["insert"][0]
    view_ratio = results["view"][0] / results["select"][0]
    writes_ratio = results["writes"][0] / results["insert"][0]
    print(f"  ratio file a request / INSERT: {create_ratio:.2f} (target >= 0.5)")
    print(f"  ratio its writes alone / INSERT: {writes_ratio:.2f} (a ceiling for filing)")
    print(f"  ratio case page / SELECT:      {view_ratio:.2f} (target >= 0.5)")
    unexpected = {name: r[2] for name, r in results.items() if r[2]}
    print(f"  unexpected responses: {unexpected or 'none'}")


if __name__ == "__main__":
    main()
