"""What the database does beyond Django's ORM, written once for PostgreSQL (production, CI) and
SQLite (`make run`): two SQL functions the statistics need, and the one way through the
append-only triggers (erasure)."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Aggregate, FloatField, Func, IntegerField


class Median(Aggregate):
    """The median: PostgreSQL's ordered-set `percentile_cont(0.5)`; on SQLite the `median`
    aggregate that `register_sqlite_functions` adds to each connection."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        plain = self.copy()
        plain.function, plain.template = "MEDIAN", "%(function)s(%(expressions)s)"
        return plain.as_sql(compiler, connection, **extra_context)


class DaysBetween(Func):
    """Whole days from the second date to the first."""

    output_field = IntegerField()
    arity = 2
    # date - date is a number of days in PostgreSQL (Django's own subtraction makes an interval).
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


class _SqliteMedian:
    """SQLite has no percentile function; Python's sqlite3 lets us add one (no library does)."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return statistics.median(self.values) if self.values else None


def register_sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created` receiver: give every SQLite connection the `median` aggregate."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("median", 1, _SqliteMedian)


@contextmanager
def erasure_allowed(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let the append-only triggers on case events and the audit trail pass updates and
    deletions inside this block: the one controlled path, for erasure (GDPR Art. 17) only.

    Must run inside a transaction. The block is a savepoint: if it fails, the permission goes
    with its rollback. On PostgreSQL a transaction-local setting (SET LOCAL dsar.erasure);
    on SQLite the one row of the `dsar_erasure` table (migration 0012), set back before the
    block ends, so that no commit ever holds it open.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("erasure_allowed() needs a transaction (transaction.atomic).")
    vendor = connection.vendor
    if vendor == "postgresql":
        on, off = "SET LOCAL dsar.erasure = 'on'", "SET LOCAL dsar.erasure = 'off'"
    elif vendor == "sqlite":
        on = "UPDATE dsar_erasure SET active = 1 WHERE id = 1"
        off = "UPDATE dsar_erasure SET active = 0 WHERE id = 1"
    else:
        raise NotImplementedError(f"no erasure path for {vendor}")
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute(on)
        yield
        with connection.cursor() as cursor:
            cursor.execute(off)
