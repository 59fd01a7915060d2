"""A person whose Siri recordings were reviewed asks Apple, in a real browser, for an objection
and an erasure after their access request: the warning about the copy not yet received, the two
linked cases, and a partial answer to the erasure recorded against its checklist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases import services
from cases.models import Case, Vendor
from tests.browser_helpers import artifacts_on_failure
from tests.factories import UserFactory
from tests.test_browser import browser_settings, page  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a-long-Browser-passphrase-17"


def test_objection_and_erasure_to_apple_in_a_browser(page, live_server, request):  # noqa: F811
    call_command("load_reference", verbosity=0)
    apple = Vendor.objects.get(slug="apple-siri")
    today = timezone.localdate()
    lea = UserFactory(
        email="lea@example.org",
        full_name="Léa Martin",
        password=PASSWORD,
        email_verified_at=timezone.now(),
    )
    access = services.case_create(
        requester=lea,
        vendor=apple,
        requester_name="Léa Martin",
        requester_email="lea@example.org",
        requester_country="FR",
        account_identifiers="Apple ID lea@example.org",
    )
    services.case_mark_sent(
        case=access, actor=lea, sent_on=today - timedelta(days=10), channel="email"
    )

    def url(path: str) -> str:
        return live_server.url + path

    with artifacts_on_failure(page, request.node.name):
        page.goto(url("/account/login/"))
        page.get_by_label("E-mail address", exact=True).fill("lea@example.org")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form").get_by_role("button", name="Log in").click()

        # From the access case: ask for more; the page warns that the copy is still awaited.
        page.goto(url(f"/cases/{access.pk}/"))
        with page.expect_navigation():
            page.get_by_role("button", name="Ask for more: erasure, objection").click()
        assert page.get_by_role("heading", name="Your copy has not arrived yet").is_visible()
        page.locator("input[name=kinds][value=objection]").check()
        page.locator("input[name=kinds][value=erasure]").check()
        page.locator("input[name=grounds][value=objection]").check()
        with page.expect_navigation():
            page.locator("form#follow-up button[type=submit]").click()

        # Back on the access case: the family lists both new requests.
        erasure = Case.objects.get(parent=access, kind="erasure")
        objection = Case.objects.get(parent=access, kind="objection")
        assert page.locator(f"a[href='/cases/{erasure.pk}/']").first.is_visible()
        assert page.locator(f"a[href='/cases/{objection.pk}/']").first.is_visible()
        assert erasure.grounds == ["objection"]

        # The erasure case: linked to its access case; sent, then answered in part.
        services.case_mark_sent(
            case=erasure, actor=lea, sent_on=today - timedelta(days=5), channel="email"
        )
        with page.expect_navigation():
            page.locator(f"a[href='/cases/{erasure.pk}/']").first.click()
        assert page.get_by_text(f"follows the access request of case {access.pk}").is_visible()
        with page.expect_navigation():
            page.locator("section.actions li#response a").click()
        page.locator("input[name=received_on]").fill(today.isoformat())
        page.locator("input[name=contains][value=erase_audio]").check()
        assert page.locator("input[name=contains][value=audio]").count() == 0
        with page.expect_navigation():
            page.locator("form#response button[type=submit]").click()
        missing = page.locator("article", has_text="Missing from the company's answer")
        assert missing.get_by_text("every recipient told of the erasure (Art. 19)").is_visible()
        assert missing.get_by_text("the audio recordings erased").count() == 0
        erasure.refresh_from_db()
        assert "recipients_told" in erasure.missing_items
        assert "erase_audio" not in erasure.missing_items
