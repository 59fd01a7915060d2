"""The Celery application: configured from Django settings under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsar.settings")

app = Celery("dsar")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live in the top-level `tasks` package, not inside apps, so name the modules explicitly.
app.autodiscover_tasks(["tasks"], related_name=None)
app.conf.imports = (
    "tasks.reminders",
    "tasks.deadlines",
    "tasks.letters",
    "tasks.workspace",
    "tasks.webhooks",
    "tasks.exports",
    "tasks.mail",
)


@worker_init.connect
@worker_process_init.connect
def _mark_worker(**kwargs: object) -> None:
    """In a worker, cases.queue publishes through Celery's own pool: no request waits there."""
    from cases import queue

    queue.in_worker = True
