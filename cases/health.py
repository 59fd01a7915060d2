"""Health checks for /healthz: can we reach the database and the broker right now?"""

from __future__ import annotations

from typing import TypedDict

from celery import current_app
from django.db import connection


class Check(TypedDict):
    ok: bool
    detail: str


def database_check() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; say which
        return {"ok": False, "detail": type(exc).__name__}
    return {"ok": True, "detail": connection.vendor}


def broker_check(timeout: float = 2.0) -> Check:
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
            transport = conn.transport_cls
    except Exception as exc:
        return {"ok": False, "detail": type(exc).__name__}
    return {"ok": True, "detail": str(transport)}


def service_health() -> dict[str, Check]:
    return {"database": database_check(), "broker": broker_check()}
