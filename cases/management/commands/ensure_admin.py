"""Create a first superuser when there is none, and show its password once.

    python manage.py ensure_admin            # e-mail from DJANGO_ADMIN_EMAIL (admin@localhost)

Safe to run on every start: when any superuser exists it changes nothing and prints one line.
The password is random and printed only at creation; it is not stored anywhere else.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse


class Command(BaseCommand):
    help = "Create a superuser with a random password (printed once) if none exists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--email",
            default=os.environ.get("DJANGO_ADMIN_EMAIL") or "admin@localhost",
            help="E-mail of the superuser to create (default: $DJANGO_ADMIN_EMAIL or "
            "admin@localhost).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        email = User.objects.normalize_email(options["email"]).lower()
        with transaction.atomic():
            if User.objects.filter(is_superuser=True).exists():
                self.stdout.write("ensure_admin: admin exists; nothing changed.")
                return
            if User.objects.filter(email__iexact=email).exists():
                raise CommandError(
                    f"A non-superuser account {email} already exists; promote it in the shell "
                    "or pass --email with another address."
                )
            password = secrets.token_urlsafe(16)
            User.objects.create_superuser(email, password)
        admin_url = settings.SITE_URL + reverse("admin:index")
        self.stdout.write(
            f"Created superuser {email} with password: {password}\n"
            f"Log in at {admin_url} - this password is shown only once; change it after logging in."
        )
