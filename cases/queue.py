"""Handing work to the Celery workers: the one enqueue helper.

Services name a task by its registered name (which is also its dotted path) instead of importing
it: the tasks import the services, so the import graph runs one way. The database already holds
everything a task needs and periodic scans pick up what was not queued, so a broker outage is
logged, never raised: it delays work but loses nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def task_named(name: str) -> Task:
    """The task registered as `name` ("tasks.letters.letter_render"), imported on first use."""
    return import_string(name)


def enqueue(task_name: str, *args: Any, countdown: float | None = None) -> bool:
    """Queue `task_name(*args)` now; False when the broker could not take it."""
    task = task_named(task_name)
    try:
        options = {"countdown": countdown} if countdown else {}
        task.apply_async(args=args, retry=False, **options)
    except Exception:
        logger.warning(
            "broker unavailable: %s%r not queued; a periodic scan will retry", task_name, args
        )
        return False
    return True


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Queue `task_name(*args)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task_name, *args))
