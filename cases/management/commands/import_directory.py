"""`manage.py import_directory PATH`: import datenanfragen.de company and authority records."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.directory_import import import_directory


class Command(BaseCommand):
    help = (
        "Import datenanfragen.de records (a clone of datenanfragen/data, or a folder of records). "
        "Bad records are listed on stderr and skipped; the exit status is 1 if any failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH", type=Path, help="folder or JSON file")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        report = import_directory(path)
        for failure in report.failures:
            self.stderr.write(str(failure))
        if options["verbosity"] >= 2:
            for warning in report.warnings:
                self.stderr.write(f"warning: {warning}")
            for ignored in report.ignored:
                self.stdout.write(f"ignored: {ignored}")
        self.stdout.write(f"Directory import: {report.summary()}.")
        if report.failures:
            sys.exit(1)
