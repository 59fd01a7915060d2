"""The whole journey in a real browser (Debian's Chromium driven by Playwright), in English
and in French: register through the request flow, verify the e-mail, file a request to Amazon
Alexa, mark it sent 40 days ago, see the overdue deadline, record a late and incomplete answer,
an incident with evidence, write a complaint to the CNIL, download one's data, delete the
account."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connections
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from cases.deadlines import response_due
from cases.models import Article15Item, Authority, Case, User
from tests.browser_helpers import CHROMIUM_ARGS, TIMEOUT_MS, artifacts_on_failure, chromium_path

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a-long-Browser-passphrase-42"
VERIFY_PATH = re.compile(r"/account/verify/[^/\s]+/[^/\s]+/")


@pytest.fixture
def browser_settings(settings, isolated_cache, monkeypatch):
    """Plain static files served by the live server, Celery tasks run at once, locmem mail."""
    from dsar.celery import app

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test makes
    # between browser steps are ordinary synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def page(browser_settings):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
            # With Playwright's event loop running in this thread, Django keeps this test's
            # database connection apart from the one pytest-django tears down: close it here,
            # or dropping the test database finds it still open.
            connections.close_all()


def _open(page, action: str) -> None:
    """Follow the case page's link to one action's own page."""
    with page.expect_navigation():
        page.locator(f"section.actions li#{action} a").click()


def _submit(page, action: str) -> None:
    """Submit the form of the action's page: back to the case page."""
    with page.expect_navigation():
        page.locator(f"form#{action} button[type=submit]").click()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_whole_journey_in_a_browser(page, live_server, lang, tmp_path, request):
    call_command("load_reference", verbosity=0)
    cnil = Authority.objects.get(slug="frcnil")
    today = timezone.localdate()
    sent_on = today - timedelta(days=40)
    due_on = response_due(sent_on, country="LU")  # Amazon Europe Core, Luxembourg
    email = f"browser-{lang}@example.org"

    def tr(text: str) -> str:
        with translation.override(lang):
            return gettext(text)

    def url(path: str) -> str:
        return live_server.url + path

    with artifacts_on_failure(page, request.node.name):
        # The landing page, with its style sheets served by the live server.
        css = []
        page.on(
            "response",
            lambda r: css.append((r.url, r.status)) if r.url.endswith(".css") else None,
        )
        page.goto(url("/"))
        assert any("pico" in u and s == 200 for u, s in css), css
        assert any("site.css" in u and s == 200 for u, s in css), css
        rules = page.evaluate(
            "Array.from(document.styleSheets).reduce((n, s) => n + s.cssRules.length, 0)"
        )
        assert rules > 50

        # French: through the language switcher in the header.
        if lang != "en":
            page.locator("details.language-switcher summary").click()
            with page.expect_navigation():
                page.locator(f"details.language-switcher button[lang='{lang}']").click()
        assert page.locator("html").get_attribute("lang") == lang

        # Step 1 and 2 of a new request, before having an account.
        page.goto(url("/requests/new/"))
        with page.expect_navigation():
            page.locator("a[href$='/requests/new/amazon-alexa/']").click()
        page.get_by_label(tr("Your full name"), exact=True).fill("Anna Muller")
        page.get_by_label(tr("Your e-mail address"), exact=True).fill(email)
        page.get_by_label(tr("Country where you live"), exact=True).select_option("FR")
        page.get_by_label(tr("Account e-mail or other identifiers"), exact=True).fill(email)
        with page.expect_navigation():
            page.locator("main form").get_by_role("button").click()

        # Register: the request waits in the session, then is confirmed and filed.
        assert "/account/register/" in page.url
        page.get_by_label(tr("E-mail address"), exact=True).fill(email)
        page.get_by_label(tr("Password"), exact=True).fill(PASSWORD)
        page.get_by_label(tr("Password again"), exact=True).fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form").get_by_role("button", name=tr("Create my account")).click()
        assert "/requests/confirm/" in page.url
        assert page.locator("html").get_attribute("lang") == lang
        with page.expect_navigation():
            page.get_by_role("button", name=tr("File my request")).click()
        assert re.search(r"/cases/\d+/$", page.url), page.url
        if lang == "fr":
            assert page.locator("h1").inner_text() == "Demande à Amazon"
        case = Case.objects.get(requester__email=email)
        assert case.vendor.slug == "amazon-alexa" and case.requested_items
        assert page.locator("h1").inner_text() == tr("Request to %(vendor)s") % {"vendor": "Amazon"}

        # Verify the address through the e-mailed link.
        assert User.objects.get(email=email).email_verified_at is None
        bodies = [m.body for m in mail.outbox if email in m.to]
        match = next(filter(None, (VERIFY_PATH.search(b) for b in bodies)), None)
        assert match, bodies
        with page.expect_navigation():
            page.goto(url(match.group(0)))
        assert User.objects.get(email=email).email_verified_at is not None
        assert tr("Thank you: your e-mail address is confirmed.") in page.content()

        # Mark it sent by e-mail 40 days ago: the response deadline has passed.
        page.goto(url(f"/cases/{case.pk}/"))
        _open(page, "mark_sent")
        page.get_by_label(tr("Sent on"), exact=True).fill(sent_on.isoformat())
        page.locator("form#mark_sent input[name=channel][value=email]").check()
        _submit(page, "mark_sent")
        with translation.override(lang):
            due_text = date_format(due_on, "DATE_FORMAT")
        due_cell = page.locator(
            f"section[aria-labelledby=deadlines] time[datetime='{due_on.isoformat()}']"
        )
        assert due_cell.first.inner_text() == due_text
        assert page.locator("section[aria-labelledby=deadlines] tr.overdue").count() >= 1

        # A late, incomplete answer: only the first two items ticked.
        _open(page, "response")
        page.get_by_label(tr("The answer arrived on"), exact=True).fill(today.isoformat())
        boxes = page.locator("form#response input[name=contains]")
        assert boxes.count() == len(case.requested_items) > 2
        ticked = {boxes.nth(0).get_attribute("value"), boxes.nth(1).get_attribute("value")}
        boxes.nth(0).check()
        boxes.nth(1).check()
        _submit(page, "response")
        case.refresh_from_db()
        assert set(case.missing_items) == set(case.requested_items) - ticked
        with translation.override(lang):
            missing_label = str(Article15Item(case.missing_items[0]).label)
        assert missing_label in page.locator("section[aria-labelledby=request]").inner_text()

        # An export sent to the wrong person, 1,700 records, with a file as evidence.
        _open(page, "incident")
        page.locator("form#incident input[name=kind][value=misdirected_export]").check()
        page.locator("form#incident input[name=side][value=own_data]").check()
        page.get_by_label(tr("Records affected (if known)"), exact=True).fill("1700")
        page.get_by_label(tr("Describe what happened"), exact=True).fill(
            "The export held another person's recordings."
        )
        _submit(page, "incident")
        assert "1700" in page.locator("section[aria-labelledby=incidents]").inner_text()
        sample = tmp_path / "wrong-export.txt"
        sample.write_text("Someone else's transcripts.\n", encoding="utf-8")
        _open(page, "evidence")
        page.get_by_label(tr("File"), exact=True).set_input_files(str(sample))
        page.get_by_label(tr("What it is (optional)"), exact=True).fill("The wrong export")
        _submit(page, "evidence")
        assert (
            page.locator("section[aria-labelledby=evidence] a", has_text="wrong-export.txt").count()
            == 1
        )

        # A complaint in French to the CNIL, written at once (Celery is eager).
        # The authorities are chosen on the complaint's own page, linked from the panel.
        page.locator("details#new-complaint summary").click()
        with page.expect_navigation():
            page.locator("details#new-complaint a[href$='/letters/complaint/']").click()
        complaint = page.locator("form#new-complaint")
        # A requester in France: the CNIL is suggested as the authority where they live.
        complaint.locator(f"input[name=authority][value='{cnil.pk}']").check()
        complaint.locator("select[name=language]").select_option("fr")
        complaint.locator("input[name=court_proceedings][value=no]").check()
        with page.expect_navigation():
            complaint.get_by_role("button").click()
        # The access request was written when the request was filed: take the complaint's row.
        complaint_letter = case.letters.get(kind="complaint")
        pdf_link = page.locator(f"#letter-{complaint_letter.pk} a[href$='/pdf/']")
        pdf_link.first.wait_for(timeout=30_000)
        with page.expect_download() as info:
            pdf_link.first.click()
        pdf = info.value.path().read_bytes()
        assert pdf.startswith(b"%PDF")
        from pypdf import PdfReader

        text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
        assert "CNIL" in text or "Fontenoy" in text, text[:500]

        # Download one's own data.
        page.goto(url("/account/delete/"))
        with page.expect_download() as info:
            page.locator("form[action$='/account/export/']").get_by_role("button").click()
        with zipfile.ZipFile(info.value.path()) as archive:
            names = archive.namelist()
            data = json.loads(archive.read("data.json"))
            assert any(n.endswith("wrong-export.txt") for n in names), names
            evidence = next(n for n in names if n.endswith("wrong-export.txt"))
            assert archive.read(evidence) == sample.read_bytes()
        dumped = json.dumps(data)
        assert str(case.pk) in dumped and "Amazon" in dumped and "1700" in dumped

        # Delete the account with the password; logging in again fails.
        page.get_by_label(tr("Your password"), exact=True).fill(PASSWORD)
        with page.expect_navigation():
            page.locator("form[action$='/account/delete/']").get_by_role("button").click()
        assert not User.objects.filter(email=email).exists()
        assert not Case.objects.filter(pk=case.pk).exists()
        page.goto(url("/account/login/"))
        page.get_by_label(tr("E-mail address"), exact=True).fill(email)
        page.get_by_label(tr("Password"), exact=True).fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form").get_by_role("button", name=tr("Log in")).click()
        assert "/account/login/" in page.url
        assert page.locator("main [role=alert]").count() >= 1
        assert page.get_by_role("link", name=tr("My cases")).count() == 0
