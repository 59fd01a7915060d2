"""Shared set-up for benchmarks: a scratch PostgreSQL database of their own, migrated.

A benchmark calls `scratch_database("name")` before importing anything from Django. The database
is named after DATABASE_URL's: `<database>_bench_<name>` (`dsar_bench_api` for `dsar`), so runs
against different databases on one server never touch each other's data.

It is created by this process and dropped by this process at exit, and by nothing else: if it
exists already (another run is using it, a `--keep` run left it, or a run was killed), the
benchmark refuses to start and says how to drop it by hand. No benchmark ever drops a database it
did not create itself: CREATE DATABASE fails atomically when the name is taken, so two runs
cannot both think they own it.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dsar"
# Callers once passed full names ("dsar_bench_api"); what follows that prefix is the short name.
LEGACY_PREFIX = "dsar_bench_"


def _admin_connect(url: str):
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True)


def bench_database_url(name: str) -> str:
    """The URL of benchmark `name`'s database: DATABASE_URL's, named `<database>_bench_<name>`."""
    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    parsed = urlparse(base)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("benchmarks need PostgreSQL: set DATABASE_URL=postgres://...")
    short = name.removeprefix(LEGACY_PREFIX)
    database = f"{parsed.path.lstrip('/') or 'dsar'}_bench_{short}"
    if len(database.encode()) > 63:  # PostgreSQL would silently truncate it
        sys.exit(f"database name too long for PostgreSQL: {database}")
    return urlunparse(parsed._replace(path=f"/{database}"))


def scratch_database(name: str, *, keep: bool = False) -> str:
    """Point Django at a new, migrated PostgreSQL database `<database>_bench_<name>` created by
    this process; return its URL. It is dropped at exit unless `keep`."""
    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    url = bench_database_url(name)
    database = urlparse(url).path.lstrip("/")
    import psycopg

    with _admin_connect(base) as conn:
        try:
            conn.execute(f'CREATE DATABASE "{database}"')
        except psycopg.errors.DuplicateDatabase:
            sys.exit(
                f"database {database} exists: another benchmark run is using it, or a run was "
                "kept or killed. This run did not create it, so it leaves it alone; if nothing "
                f"uses it, drop it by hand: psql -c 'DROP DATABASE \"{database}\"'"
            )
    if keep:
        print(f"keeping database {database} after the run")
    else:
        atexit.register(_drop, base, database)
        # SIGTERM (e.g. a timeout) leaves through sys.exit, so the atexit hook runs.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsar.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def _drop(base: str, name: str) -> None:
    """Drop the database this process created (and only that one: see `scratch_database`)."""
    from django.db import connections

    connections.close_all()
    with _admin_connect(base) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(fn: Callable[[], object], *, repeat: int = 21, warmup: int = 3) -> float:
    """Median wall time of `fn` in seconds, after a few warm-up calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return median(samples)
