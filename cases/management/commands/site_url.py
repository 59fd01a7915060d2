"""Print the base URL links point to (`SITE_URL`, else derived from `WEB_BIND`).

    python manage.py site_url

`make run` prints it in its start-up line, so the line and the links in e-mails always agree.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the public base URL used in e-mails, letters and the calendar feed."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(settings.SITE_URL + "/")
