"""What a newcomer trips over, in a real browser (issue 16): creating an organisation and a
campaign whose address follows its title, the letter that appears once it is ready, and the
language chosen in the menu that stays chosen."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from cases import queue
from cases.models import Campaign, Membership, Organisation
from tests.browser_helpers import artifacts_on_failure
from tests.factories import UserFactory, VendorFactory
from tests.test_browser import browser_settings, page  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def sign_in(page, live_server, user) -> None:  # noqa: F811
    """Give the browser the session of a signed-in `user` (the login page has its own tests)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_a_person_creates_an_organisation_and_a_campaign_named_from_its_title(
    page,  # noqa: F811
    live_server,
    request,
):
    person = UserFactory(full_name="Dora Datenschutz")
    VendorFactory(name="Amazon", slug="amazon")
    sign_in(page, live_server, person)
    with artifacts_on_failure(page, request.node.name):
        page.goto(live_server.url + "/org/")
        assert page.get_by_text("You are not a member of any organisation").is_visible()
        page.locator("#id_name").fill("Digitale Rechte e.V.")
        page.locator("#id_address").fill("Hauptstraße 1\n10115 Berlin")
        page.locator("input[name=declaration]").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Create the organisation").click()
        organisation = Organisation.objects.get()
        assert page.url.endswith(f"/org/{organisation.slug}/")
        assert Membership.objects.get(organisation=organisation).user == person
        assert not organisation.is_verified

        page.goto(live_server.url + f"/org/{organisation.slug}/campaigns/new/")
        page.locator("#id_title").press_sequentially("Où sont mes données ?")
        assert page.locator("#id_slug").input_value() == "ou-sont-mes-donnees"
        page.locator("input[name=vendors]").first.check()
        page.locator("#id_landing_en").fill("Ask Amazon for your recordings.")
        with page.expect_navigation():
            page.get_by_role("button", name="Save").click()
        campaign = Campaign.objects.get(organisation=organisation)
        assert campaign.slug == "ou-sont-mes-donnees"

        # Its public page says the organisation is not verified yet.
        page.goto(live_server.url + f"/join/{organisation.slug}/{campaign.slug}/")
        assert page.locator("#not-verified").is_visible()


@pytest.fixture
def worker_settings(settings, isolated_cache, monkeypatch, tmp_path):
    """Like the other browser tests, but tasks go to the broker: a real Celery worker renders."""
    from dsar.celery import app

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    queue.reset_breaker()  # an earlier test's failed publish must not hold this one back
    app.control.purge()  # nothing left over from another test on this broker
    return settings


@pytest.mark.redis
@pytest.mark.postgres
def test_the_letter_appears_when_the_worker_has_rendered_it_without_a_reload(
    worker_settings, live_server, request, tmp_path
):
    from playwright.sync_api import sync_playwright

    from tests import live
    from tests.browser_helpers import CHROMIUM_ARGS, TIMEOUT_MS, chromium_path

    person = UserFactory(full_name="Alice Newcomer")
    VendorFactory(name="Amazon", slug="amazon", countries=[])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        try:
            sign_in(page, live_server, person)
            with artifacts_on_failure(page, request.node.name):
                page.goto(live_server.url + "/requests/new/amazon/")
                page.locator("#id_requester_name").fill("Alice Newcomer")
                page.locator("#id_requester_country").select_option("LU")
                page.locator("#id_account_identifiers").fill(person.email)
                with page.expect_navigation():
                    page.get_by_role("button", name="Prepare my request").click()
                # No worker yet: the letter waits in the queue, and the page says so.
                status = page.locator("#letters-preparing")
                assert status.inner_text() == "Your letter is being prepared…"
                assert page.locator("#letters li.letter[data-poll]").count() == 1
                page.evaluate("window.notReloaded = true")

                env = live.app_env(
                    REDIS_URL=settings.CELERY_BROKER_URL, MEDIA_ROOT=str(settings.MEDIA_ROOT)
                )
                with live.celery_worker("letters", env=env, log=tmp_path / "worker.log"):
                    link = page.locator("#letters a", has_text="Download the PDF")
                    link.wait_for(timeout=90_000)
                assert status.inner_text() == "Your letter is ready."
                assert page.locator("#letters li.letter[data-poll]").count() == 0
                assert page.evaluate("window.notReloaded") is True
        finally:
            context.close()
            browser.close()
            from django.db import connections

            connections.close_all()


def test_the_language_picked_in_the_menu_stays_on_every_next_page(
    page,  # noqa: F811
    live_server,
    request,
):
    person = UserFactory(language="fr")
    page.context.set_extra_http_headers({"Accept-Language": "fr-FR,fr;q=0.9"})
    sign_in(page, live_server, person)
    with artifacts_on_failure(page, request.node.name):
        page.goto(live_server.url + "/cases/")
        assert page.locator("html").get_attribute("lang") == "fr"
        page.locator("details.language-switcher summary").click()
        with page.expect_navigation():
            page.locator("details.language-switcher button[lang='de']").click()
        assert page.locator("html").get_attribute("lang") == "de"
        for path in ("/", "/cases/", "/account/", "/requests/new/", "/org/", "/stats/"):
            page.goto(live_server.url + path)
            assert page.locator("html").get_attribute("lang") == "de", path
        person.refresh_from_db()
        assert person.language == "de"

        # The browser's own request for the icon finds one.
        response = page.goto(live_server.url + "/favicon.ico")
        assert response.status == 200
        assert response.headers["content-type"].startswith("image/")
