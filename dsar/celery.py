"""The Celery application: configured from Django settings under the CELERY_ prefix."""

import os

from celery import Celery

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
    "tasks.mail",
)
