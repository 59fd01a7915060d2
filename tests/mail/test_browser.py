"""The journey of issue 19 in a real browser: the person sends the access request from the
app (through a real SMTP server); the company's acknowledgement, extension notice and answer
with an attachment arrive in a real IMAP mailbox (dovecot); each shows on the case with its
suggestion; two clicks later the clocks show the extension and the answer with its missing
items."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connections
from django.test import Client

from cases.mail.addresses import tokens_in
from cases.mail.imap import mailbox_poll
from cases.models import Case, DeadlineKind, EventKind, LetterStatus, Status
from tests.browser_helpers import CHROMIUM_ARGS, TIMEOUT_MS, artifacts_on_failure, chromium_path
from tests.factories import CaseFactory, LetterFactory, UserFactory, VendorFactory
from tests.mail.helpers import vendor_mail

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(settings, isolated_cache, monkeypatch, live_server):
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
            yield context
        finally:
            context.close()
            browser.close()
            connections.close_all()


def test_replies_arrive_on_the_case_and_two_clicks_move_its_clocks(
    page, live_server, smtp_server, dovecot_server, settings, request
):
    settings.DSAR_INBOUND_DOMAIN = "in.dsar.example.org"
    settings.MAIL_IMAP_URL = dovecot_server.url
    person = UserFactory(email="anna@example.org")
    vendor = VendorFactory(slug="alexa", name="Amazon", email="privacy@vendor.example.com")
    case = CaseFactory(
        requester=person, vendor=vendor, requested_items=["audio", "transcripts", "recipients"]
    )
    letter = LetterFactory(case=case, status=LetterStatus.READY, rendered_text="Dear Sir,")
    letter.pdf.save("access_request.pdf", ContentFile(b"%PDF-1.7\n%test\n"), save=True)

    # Signed in through the site's own session cookie.
    client = Client()
    client.force_login(person)
    page.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    tab = page.new_page()
    case_url = f"{live_server.url}/cases/{case.pk}/"
    with artifacts_on_failure(tab, request.node.name):
        tab.goto(case_url)
        with tab.expect_navigation():
            tab.get_by_role(
                "button", name="Send it by e-mail to privacy@vendor.example.com"
            ).click()
        assert len(smtp_server.received) == 1
        (token,) = tokens_in([smtp_server.received[0].message["Reply-To"]])
        address = f"case+{token}@in.dsar.example.org"
        case.refresh_from_db()
        assert case.status == Status.AWAITING_RESPONSE

        # The company writes three times; its mail server delivers to our mailbox.
        dovecot_server.append(
            vendor_mail(
                to=address, subject="Re: Access request", body="We have received your request."
            )
        )
        dovecot_server.append(
            vendor_mail(
                to=address,
                subject="Re: Access request",
                body="We need to extend the time limit by two further months due to the "
                "complexity of the request.",
            )
        )
        dovecot_server.append(
            vendor_mail(
                to=address,
                subject="Your data",
                body="Please find attached a copy of your data.",
                attachments=[("recordings.json", b'{"audio": []}', "application/json")],
            )
        )
        assert mailbox_poll() == 3  # what beat does every few minutes

        tab.goto(case_url)
        messages = tab.locator("section[aria-labelledby=mail] li.message")
        assert messages.count() == 3
        text = tab.locator("section[aria-labelledby=mail]").inner_text()
        for label in ("acknowledgement of receipt", "extension notice", "answer with data"):
            assert label in text

        # Click one: the extension.
        def suggested(label: str):
            return tab.locator("section[aria-labelledby=mail] li.message").filter(
                has=tab.locator("span.badge", has_text=label)
            )

        extension = suggested("extension notice")
        with tab.expect_navigation():
            extension.get_by_role("button", name="Confirm and record").click()
        # Click two: the answer, with the recipients missing.
        answer = suggested("answer with data")
        answer.get_by_label("the recipients", exact=False).uncheck()
        with tab.expect_navigation():
            answer.get_by_role("button", name="Confirm and record").click()

        case = Case.objects.get(pk=case.pk)
        assert case.status == Status.ANSWERED and case.missing_items == ["recipients"]
        assert case.events.filter(kind=EventKind.EXTENSION_NOTIFIED).exists()
        assert case.deadlines.filter(kind=DeadlineKind.EXTENDED_RESPONSE).exists()
        assert case.evidence.filter(original_name="recordings.json").exists()
        clocks = tab.locator("section[aria-labelledby=deadlines]").inner_text().lower()
        assert "extended response due" in clocks
        timeline = tab.locator("section[aria-labelledby=timeline]").inner_text()
        assert "extension" in timeline.lower() and "Response received" in timeline
