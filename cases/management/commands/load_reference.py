"""`manage.py load_reference`: load the shipped authorities and vendors (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cases.reference_data import load_reference


class Command(BaseCommand):
    help = "Create or update the supervisory authorities and vendors shipped in cases/reference/."

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_reference()
        self.stdout.write(f"Reference data: {report.summary()}.")
