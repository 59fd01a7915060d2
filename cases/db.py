"""Two SQL functions the statistics need, written once for PostgreSQL (production, CI) and SQLite
(`make run`), so that one query serves both."""

from __future__ import annotations

import statistics
from typing import Any

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
