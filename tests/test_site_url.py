"""Links in e-mails follow the port `make run` serves on (issue 16.1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings

from cases.services.accounts import user_verification_send
from dsar.settings import site_url_from_bind
from tests.factories import UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DJANGO_DEBUG": "1"}
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:8101", "http://127.0.0.1:8101"),
        ("localhost:9000", "http://localhost:9000"),
        ("0.0.0.0:8101", "http://127.0.0.1:8101"),
        (":8102", "http://127.0.0.1:8102"),
        ("[::1]:8103", "http://[::1]:8103"),
        ("unix:/run/gunicorn.sock", "http://127.0.0.1:8000"),
    ],
)
def test_the_site_url_is_where_a_local_browser_reaches_the_bound_address(bind, url):
    assert site_url_from_bind(bind) == url


def test_without_site_url_the_links_and_the_start_up_line_follow_web_bind():
    result = _manage("site_url", SITE_URL=None, WEB_BIND="127.0.0.1:8101")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8101/"


def test_an_explicit_site_url_wins_over_web_bind():
    result = _manage("site_url", SITE_URL="https://dsar.example.org/", WEB_BIND="127.0.0.1:8101")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://dsar.example.org/"


def test_make_run_prints_the_derived_address_not_port_8000():
    makefile = (BASE_DIR / "Makefile").read_text()
    assert "Open http://127.0.0.1:8000/" not in makefile
    assert "manage.py site_url" in makefile


@pytest.mark.django_db
@override_settings(SITE_URL=site_url_from_bind("127.0.0.1:8101"))
def test_the_confirmation_e_mail_links_to_the_port_the_site_runs_on():
    user = UserFactory(email_verified_at=None)
    assert user_verification_send(user=user)
    assert "http://127.0.0.1:8101/" in mail.outbox[0].body
    assert ":8000" not in mail.outbox[0].body
