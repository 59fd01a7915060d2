"""Schemathesis against a live server: the API answers as its published OpenAPI schema says.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dsar .venv/bin/python scripts/api_conformance.py

What it does, all on this machine and all thrown away at the end:
1. a scratch PostgreSQL database `<database>_schemathesis` (named after DATABASE_URL's, like the
   benchmarks' scratch databases), migrated, the reference directory loaded;
2. a private redis-server on a spare port (cache and broker: no worker of another run can pick up
   this run's tasks);
3. an organisation with an admin, a read-write API key and one case under its mandate;
4. gunicorn serving the app on a spare loopback port;
5. `schemathesis run` with every check, a few examples per operation, bounded in time. Its exit
   status is this script's: any failure fails CI (.ci/run, `make api-conformance`).

The scratch database is dropped at the start when a killed run left it (only when nobody is
connected to it: PostgreSQL refuses to drop a database in use) and at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
TIME_LIMIT = int(os.environ.get("SCHEMATHESIS_TIME_LIMIT", "300"))  # seconds, the whole run
SEED = os.environ.get("SCHEMATHESIS_SEED", "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"api-conformance: {what} did not come up on port {port}")


def scratch_url(base: str) -> str:
    parsed = urlparse(base)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("api-conformance needs PostgreSQL: set DATABASE_URL=postgres://...")
    return urlunparse(parsed._replace(path=f"/{parsed.path.lstrip('/') or 'dsar'}_schemathesis"))


def admin_execute(base: str, sql: str) -> None:
    import psycopg

    admin = urlunparse(urlparse(base)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def seed() -> str:
    """Reference data, an organisation with a key and one case; returns the key's secret."""
    import django

    django.setup()
    from django.core.management import call_command

    from cases import services
    from cases.models import ApiScope, User, Vendor

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    admin = User.objects.create_user(email="admin@conformance.invalid", password=None)
    organisation = services.organisation_create(
        actor=admin,
        name="Conformance",
        slug="conformance",
        address="1 Test Street\n1000 Brussels",
        declares_nonprofit=True,
    )
    _key, secret = services.api_key_create_for_organisation(
        organisation=organisation, actor=admin, name="schemathesis", scope=ApiScope.READ_WRITE
    )
    vendor = Vendor.objects.order_by("pk").first()
    assert vendor is not None, "load_reference loaded no vendor"
    services.case_file(
        requester=admin,
        organisation=organisation,
        vendor=vendor,
        requester_name="Ada Lovelace",
        requester_email="ada@conformance.invalid",
        requester_country="LU",
    )
    from django.db import connections

    connections.close_all()
    return secret


def main() -> int:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/dsar"
    url = scratch_url(base)
    database = urlparse(url).path.lstrip("/")
    admin_execute(base, f'DROP DATABASE IF EXISTS "{database}"')
    admin_execute(base, f'CREATE DATABASE "{database}"')
    workdir = Path(tempfile.mkdtemp(prefix="api-conformance-"))
    processes: list[subprocess.Popen] = []
    try:
        redis_port = free_port()
        processes.append(
            subprocess.Popen(
                [
                    shutil.which("redis-server") or "redis-server",
                    *("--port", str(redis_port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--dir", str(workdir)),
                ],
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        wait_for_port(redis_port, "redis-server")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
            "DJANGO_DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "dsar.settings",
            "DATABASE_URL": url,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "API_RATE_LIMIT": "1000000/60",
            "MEDIA_ROOT": str(workdir / "media"),
        }
        os.environ.update(env)
        secret = seed()

        web_port = free_port()
        log = (workdir / "gunicorn.log").open("wb")
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    *("dsar.wsgi", "--bind", f"127.0.0.1:{web_port}"),
                    *("--workers", "2", "--threads", "4", "--timeout", "60"),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        wait_for_port(web_port, "gunicorn")
        command = [
            str(BIN / "schemathesis"),
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "run",
            f"http://127.0.0.1:{web_port}/api/schema/",
            "--header",
            f"Authorization: Api-Key {secret}",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--workers",
            "2",
            "--request-timeout",
            "30",
            "--suppress-health-check",
            "all",
            "--no-color",
            # The same cases on every run, so that CI's verdict does not depend on the draw;
            # SCHEMATHESIS_SEED or extra arguments explore further by hand.
            "--generation-deterministic",
            # Not the stateful phase: it builds request bodies out of earlier responses by the
            # links it infers, so an error body's own keys come back as unknown fields.
            "--phases",
            "examples,coverage,fuzzing",
        ]
        if SEED:
            command += ["--seed", SEED]
        command += sys.argv[1:]
        try:
            status = subprocess.run(command, cwd=workdir, timeout=TIME_LIMIT).returncode
        except subprocess.TimeoutExpired:
            print(f"api-conformance: schemathesis ran over {TIME_LIMIT} s", file=sys.stderr)
            status = 1
        if status != 0:
            print(f"api-conformance: server log in {workdir / 'gunicorn.log'}", file=sys.stderr)
        return status
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        admin_execute(base, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
