"""Shared set-up for benchmarks: a scratch PostgreSQL database of their own, migrated.

A benchmark calls `scratch_database("name")` before importing anything from Django; the database
is created afresh (dropped first if a previous run left it) and dropped again at exit.
"""

from __future__ import annotations

import atexit
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _admin_connect(url: str):
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True)


def scratch_database(name: str, *, keep: bool = False) -> str:
    """Point Django at a new, migrated PostgreSQL database `name`; return its URL."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dsar")
    if not base.startswith("postgres"):
        sys.exit("benchmarks need PostgreSQL: set DATABASE_URL=postgres://...")
    url = urlunparse(urlparse(base)._replace(path=f"/{name}"))
    with _admin_connect(base) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    if not keep:
        atexit.register(_drop, base, name)

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsar.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def _drop(base: str, name: str) -> None:
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
