"""Issue 15.4: a Content-Security-Policy on every page (django-csp), with no inline script or
style on the product's pages; the API docs page (Swagger UI) has a policy of its own; and in a
real browser the pages that run scripts raise no CSP violation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse

from cases.models import Membership
from tests.browser_helpers import CHROMIUM_ARGS, TIMEOUT_MS, artifacts_on_failure, chromium_path
from tests.factories import CaseFactory, LetterFactory, MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-CSP-passphrase-42"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.django_db
@pytest.mark.usefixtures("isolated_cache")
def test_every_page_sends_a_policy_without_inline_script(client):
    user = UserFactory(password=PASSWORD)
    case = CaseFactory(requester=user)
    LetterFactory(case=case)  # the letters panel then carries its polling script
    membership = MembershipFactory(user=user, role=Membership.Role.ADMIN)
    public = [
        reverse("cases:landing"),
        reverse("cases:login"),
        reverse("cases:register"),
        reverse("cases:password_reset"),
        reverse("cases:login_link"),
        reverse("cases:public_stats"),
        "/no-such-page/",
    ]
    signed_in = [
        reverse("cases:my_cases"),
        reverse("cases:case_detail", args=[case.pk]),
        reverse("cases:org_dashboard", args=[membership.organisation.slug]),
    ]
    seen = []
    for url in public:
        seen.append((url, client.get(url)))
    client.force_login(user)
    for url in signed_in:
        seen.append((url, client.get(url)))
    for url, response in seen:
        assert response.status_code in (200, 404), url
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url  # no inline script
        assert "<style" not in html and " style=" not in html, url


@pytest.mark.django_db
def test_the_api_docs_page_has_its_own_policy_and_no_inline_script(client):
    response = client.get(reverse("api_docs"))
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # Swagger UI's settings come as a script file
    assert "'unsafe-inline'" in policy["style-src"]  # its widgets are styled inline
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    script = client.get(reverse("api_docs") + "?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_no_template_of_the_product_holds_inline_script_or_style():
    """The letters' HTML (templates/letters/, rendered to PDF by WeasyPrint) is not a web page."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "letters" in path.relative_to(ROOT / "templates").parts[:1]:
            continue
        text = path.read_text(encoding="utf-8")
        if (
            re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
            or "<style" in text
            or re.search(r"\sstyle=", text)
            or re.search(r"\son[a-z]+=", text)
        ):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# --- In a real browser -------------------------------------------------------------------------


@pytest.fixture
def browser_page(settings, isolated_cache, monkeypatch):
    from playwright.sync_api import sync_playwright

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
            connections.close_all()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_pages_with_scripts_raise_no_csp_violation_in_a_browser(browser_page, live_server):
    page = browser_page
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    user = UserFactory(email="csp@example.org", password=PASSWORD)
    case = CaseFactory(requester=user)
    letter = LetterFactory(case=case)  # queued: the page polls for it with letters-poll.js
    with artifacts_on_failure(page, "csp"):
        page.goto(live_server.url + reverse("cases:login"))
        page.fill("input[name=username]", "csp@example.org")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form[action$='/account/login/'] button[type=submit]")
        status_url = reverse("cases:letter_status", args=[case.pk, letter.pk])
        with page.expect_response(lambda r: r.url.endswith(status_url)) as polled:
            page.goto(live_server.url + reverse("cases:case_detail", args=[case.pk]))
        assert polled.value.status == 200  # the script ran and fetched the letter's row
        page.goto(live_server.url + reverse("api_docs"))
        page.wait_for_selector(".swagger-ui .info", timeout=TIMEOUT_MS)  # Swagger UI drew
    assert problems == []
