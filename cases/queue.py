"""Handing work to the Celery workers: the one enqueue helper.

Services name a task by its registered name (which is also its dotted path) instead of importing
it: the tasks import the services, so the import graph runs one way. The database already holds
everything a task needs and periodic scans pick up what was not queued, so a broker outage is
logged, never raised: it delays work but loses nothing.

A write must not wait for a broker that is down or hung (issue 15.6: two 3 s connection timeouts
made every write take over 6 s). So each publish gets its own connection with short timeouts
(BROKER_PUBLISH_TIMEOUT for the connection and for each reply, one connection attempt; a
publish is a couple of round trips, a millisecond each when the broker is up); after a failure
this process does not try again for BROKER_SKIP_AFTER_FAILURE_SECONDS (a circuit breaker): the
writes in between answer at once and leave their work to the scans.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_skip_until = 0.0  # time.monotonic() before which this process does not try the broker
# Set in worker processes (dsar.celery): no request waits there, so tasks and scans publish
# through Celery's connection pool as usual and only log a failure.
in_worker = False


def task_named(name: str) -> Task:
    """The task registered as `name` ("tasks.letters.letter_render"), imported on first use."""
    return import_string(name)


def broker_skipped() -> bool:
    """True while the breaker is open: a publish failed a moment ago."""
    return time.monotonic() < _skip_until


def reset_breaker() -> None:
    """Close the breaker (tests; a process that knows the broker is back)."""
    global _skip_until
    with _lock:
        _skip_until = 0.0


def _open_breaker() -> None:
    global _skip_until
    with _lock:
        _skip_until = time.monotonic() + settings.BROKER_SKIP_AFTER_FAILURE_SECONDS


def _publish(task: Task, args: tuple[Any, ...], options: dict[str, Any]) -> None:
    app = task.app
    timeout = settings.BROKER_PUBLISH_TIMEOUT
    connection = app.connection_for_write(
        connect_timeout=timeout,
        transport_options={
            "max_retries": 0,  # one connection attempt
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,  # a broker that accepts but never answers
        },
    )
    with connection:
        task.apply_async(args=args, retry=False, connection=connection, **options)


def enqueue(task_name: str, *args: Any, countdown: float | None = None) -> bool:
    """Queue `task_name(*args)` now; False when the broker could not take it (down, hung, or
    failing a moment ago), found out in a few BROKER_PUBLISH_TIMEOUTs at most."""
    if broker_skipped():
        logger.info("broker marked down: %s%r not queued; a periodic scan will", task_name, args)
        return False
    task = task_named(task_name)
    options = {"countdown": countdown} if countdown else {}
    if task.app.conf.task_always_eager:
        task.apply_async(args=args, **options)  # runs here, as tests and `make run` ask
        return True
    try:
        if in_worker:
            task.apply_async(args=args, retry=False, **options)
        else:
            _publish(task, args, options)
    except Exception as exc:
        if not in_worker:
            _open_breaker()
        logger.warning(
            "broker unavailable: %s%r not queued (%s); a scan will", task_name, args, exc
        )
        return False
    return True


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Queue `task_name(*args)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task_name, *args))
