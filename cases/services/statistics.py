"""Refreshing the stored statistics (the materialized views of migration 0011).

PostgreSQL keeps the figures; this only tells it when to recompute them. Celery beat runs the
refresh every STATS_REFRESH_SECONDS and a mandate given or ended queues one, so no visitor ever
waits for the aggregation over every case. One refresh at a time: a second one, while the first
runs, returns at once (an advisory lock), so running the task twice is harmless.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)

STATISTICS_VIEWS = ("cases_statistics", "cases_statistics_incidents")
# pg_try_advisory_lock's key for the refresh: any bigint no other lock in this database uses.
STATISTICS_LOCK = 0x53544154  # "STAT"


def statistics_refresh(*, requested_at: datetime | None = None) -> bool:
    """Recompute the stored statistics; False when it did nothing: another refresh holds the
    lock, one that started after `requested_at` has already run (it saw what the caller
    committed), or the database has no materialized views (SQLite computes the figures on each
    page)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [STATISTICS_LOCK])
        if not cursor.fetchone()[0]:
            logger.info("statistics refresh already running; this one does nothing")
            return False
        try:
            if requested_at is not None and _computed_since(cursor, requested_at):
                return False
            with transaction.atomic():
                # CURRENT_DATE and the months in the views' SQL are those of TIME_ZONE, as
                # timezone.localdate() and TruncMonth are; SET LOCAL ends with the transaction.
                cursor.execute("SELECT current_setting('TimeZone')")
                session_zone = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
                for view in STATISTICS_VIEWS:
                    cursor.execute(
                        "SELECT relispopulated FROM pg_class WHERE oid = %s::regclass", [view]
                    )
                    populated = cursor.fetchone()[0]
                    # CONCURRENTLY keeps the old rows readable meanwhile; it needs rows to start
                    # from, so the first refresh is a plain one.
                    concurrently = "CONCURRENTLY " if populated else ""
                    cursor.execute(f"REFRESH MATERIALIZED VIEW {concurrently}{view}")
                cursor.execute("SELECT set_config('TimeZone', %s, true)", [session_zone])
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [STATISTICS_LOCK])
    return True


def _computed_since(cursor: Any, moment: datetime) -> bool:
    cursor.execute("SELECT relispopulated FROM pg_class WHERE oid = 'cases_statistics'::regclass")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute("SELECT computed_at FROM cases_statistics WHERE level = 'all'")
    row = cursor.fetchone()
    return row is not None and row[0] >= moment


__all__ = ["statistics_refresh"]
