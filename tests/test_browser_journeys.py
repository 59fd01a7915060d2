"""The journeys of issue 16, end to end through the pages only, against the real stack:
gunicorn serving the app, a Celery worker on a private Redis rendering letters and running bulk
jobs, PostgreSQL, and Debian's Chromium driven by Playwright.

- A consumer registers, confirms the address from the e-mail, files a request to Amazon, gets
  and downloads the access request, marks it sent, records a late answer with missing items,
  two incidents and evidence, turns reminders off, generates and downloads every other letter
  (reminder, incident notice, complaint, breach report) and uses an API key of their own.
- An organisation's admin sets up the organisation, invites a caseworker, starts a campaign;
  a person joins it twice from its public page; the admin generates the reminders of every
  overdue case in bulk, downloads one, and reads the cases with an organisation API key.

Each journey runs at a phone's width in one language and at a laptop's in another, and every
page it passes through must fit the screen (tests/test_browser_fit.py checks every page).
Each test starts its own stack (web server, worker, Redis) on a fresh database.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import requests
from django.core.management import call_command
from django.db import connections
from django.utils import timezone, translation
from django.utils.translation import gettext

from cases.models import (
    BulkJob,
    Case,
    Letter,
    LetterKind,
    Membership,
    Organisation,
    User,
    Vendor,
)
from tests import live
from tests.browser_helpers import CHROMIUM_ARGS, TIMEOUT_MS, artifacts_on_failure, chromium_path
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a-long-Browser-passphrase-42"
VERIFY_PATH = re.compile(r"/account/verify/[^/\s]+/[^/\s]+/")
LETTER_WAIT_S = 90  # the first render on a cold worker loads WeasyPrint's fonts


# --- The stack -------------------------------------------------------------------------------


@pytest.fixture
def stack(transactional_db, tmp_path):
    """gunicorn and a Celery worker on the test database, a private Redis, a media folder and
    a folder the e-mails are written to. Yields (base URL, outbox folder).

    One per test: the database is flushed between tests, and a long-lived process would keep
    ids it cached (content types, for the audit trail) that no longer exist."""
    workdir = tmp_path / "stack"
    workdir.mkdir()
    outbox = workdir / "outbox"
    outbox.mkdir()
    redis = live.PrivateRedis(workdir)
    redis.start()
    port = live.free_port()
    base = f"http://127.0.0.1:{port}"
    env = live.app_env(
        REDIS_URL=redis.url,
        MEDIA_ROOT=str(workdir / "media"),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=base,
        EMAIL_URL="filemail://",
        EMAIL_FILE_PATH=str(outbox),
    )
    web = [str(live.BIN / "gunicorn"), "dsar.wsgi", "--bind", f"127.0.0.1:{port}"]
    web += ["--workers", "2", "--timeout", "120"]
    try:
        with (
            live.running(web, env=env, log=workdir / "web.log"),
            live.celery_worker("journeys", env=env, log=workdir / "worker.log"),
        ):

            def up() -> bool:
                try:
                    return requests.get(f"{base}/healthz", timeout=2).status_code == 200
                except requests.RequestException:
                    return False

            live.wait_for(up, timeout=60, what="gunicorn to answer")
            yield base, outbox
    finally:
        redis.stop()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # Playwright's loop runs in this thread: close this test's connection here, or
            # flushing the database at teardown finds it still open.
            connections.close_all()


@pytest.fixture
def allow_sync_orm(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test makes
    # between browser steps are ordinary synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _new_page(browser, width: int, lang: str):
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        locale={"en": "en-GB", "fr": "fr-FR", "de": "de-DE"}[lang],
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS * 3)
    return context.new_page()


# --- Steps every journey takes ---------------------------------------------------------------


class Journey:
    """A person's browser tab on the stack, with the checks every page gets."""

    def __init__(self, page, base: str, lang: str) -> None:
        self.page, self.base, self.lang = page, base, lang

    def tr(self, text: str) -> str:
        with translation.override(self.lang):
            return gettext(text)

    def fits(self, what: str) -> None:
        """The page does not scroll sideways (issue 16 point 3), and speaks the language."""
        scrolled, width = self.page.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        assert scrolled <= width, f"{what} ({self.page.url}) is {scrolled} px wide at {width} px"
        assert self.page.locator("html").get_attribute("lang") == self.lang, what

    def go(self, path: str, what: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status < 400, (what, response and response.status)
        self.fits(what)

    def submit(self, form: str, what: str) -> None:
        """Submit `form` (a selector) with its submit button and check the page it leads to."""
        with self.page.expect_navigation():
            self.page.locator(f"{form} button[type=submit]").first.click()
        self.fits(what)

    def choose_language(self) -> None:
        if self.lang == "en":
            return
        self.page.locator("details.language-switcher summary").click()
        with self.page.expect_navigation():
            self.page.locator(f"details.language-switcher button[lang='{self.lang}']").click()

    def log_in(self, email: str, next_path: str = "") -> None:
        self.go(f"/account/login/?next={next_path}" if next_path else "/account/login/", "login")
        self.page.locator("main form input[name=username]").fill(email)
        self.page.locator("main form input[name=password]").fill(PASSWORD)
        self.submit("main form", "after login")

    def open_action(self, case: Case, action: str) -> None:
        """Follow the case page's link to one action's own page."""
        with self.page.expect_navigation():
            self.page.locator(f"section.actions li#{action} a").click()
        assert f"/cases/{case.pk}/" in self.page.url
        self.fits(f"action page {action}")

    def wait_for_letter(self, letter_id: int) -> None:
        """The letter's row shows its PDF once the worker has rendered it: the page updates
        itself where it can; a reload every few seconds covers the rest."""
        link = self.page.locator(f"#letter-{letter_id} a[href$='/pdf/']")
        deadline = timezone.now() + timedelta(seconds=LETTER_WAIT_S)
        while link.count() == 0:
            assert timezone.now() < deadline, f"letter {letter_id} was not rendered in time"
            try:
                link.wait_for(timeout=5_000)
            except Exception:
                self.page.reload()
        self.fits(f"letter {letter_id} ready")

    def download_pdf(self, letter_id: int) -> bytes:
        self.wait_for_letter(letter_id)
        with self.page.expect_download() as info:
            self.page.locator(f"#letter-{letter_id} a[href$='/pdf/']").click()
        pdf = info.value.path().read_bytes()
        assert pdf.startswith(b"%PDF"), pdf[:20]
        return pdf

    def letter_from_panel(self, kind: str) -> int:
        """Ask for a letter of `kind` with the case page's panel form; its id."""
        self.page.locator(f"details#new-{kind} summary").click()
        with self.page.expect_navigation():
            self.page.locator(f"details#new-{kind} button[type=submit]").click()
        self.fits(f"case page, {kind} asked for")
        return self.letter_written()

    def letter_written(self) -> int:
        """The id of the letter the last form asked for (the page comes back to its row)."""
        match = re.search(r"#letter-(\d+)$", self.page.url)
        assert match, self.page.url
        return int(match.group(1))


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)


def api_get(base: str, secret: str, path: str) -> dict:
    response = requests.get(base + path, headers={"Authorization": f"Api-Key {secret}"}, timeout=30)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return response.json()


# --- A consumer ------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "width"), [("en", 390), ("de", 1280)])
def test_a_consumer_from_registering_to_every_letter_and_an_api_key(
    stack, browser, allow_sync_orm, lang, width, request, tmp_path
):
    base, outbox = stack
    call_command("load_reference", verbosity=0)
    email = f"consumer-{lang}-{width}@example.org"
    today = timezone.localdate()
    sent_on = today - timedelta(days=45)
    page = _new_page(browser, width, lang)
    j = Journey(page, base, lang)
    with artifacts_on_failure(page, request.node.name):
        # Register in the chosen language; confirm the address from the e-mail.
        j.go("/", "landing")
        j.choose_language()
        j.go("/account/register/", "register")
        page.locator("main form input[name=email]").fill(email)
        page.locator("main form input[name=password1]").fill(PASSWORD)
        page.locator("main form input[name=password2]").fill(PASSWORD)
        j.submit("main form", "after registering")
        link = next(
            filter(None, (VERIFY_PATH.search(m) for m in live.emails_written(outbox) if email in m))
        )
        j.go(link.group(0), "address confirmed")
        assert User.objects.get(email=email).email_verified_at is not None

        # File a request to Amazon through the form's two steps.
        j.go("/requests/new/", "request form, step 1")
        with page.expect_navigation():
            page.locator("a[href$='/requests/new/amazon-alexa/']").first.click()
        j.fits("request form, step 2")
        page.locator("input[name=requester_name]").fill("Anna Müller")
        page.locator("input[name=requester_email]").fill(email)
        page.locator("select[name=requester_country]").select_option("LU")
        page.locator("textarea[name=account_identifiers]").fill(email)
        j.submit("main form", "case page after filing")
        case = Case.objects.get(requester__email=email)
        assert page.url.endswith(f"/cases/{case.pk}/")
        assert case.language == lang or case.vendor.request_language == case.language

        # The access request: asked for on the case page, prepared by the worker, downloaded.
        access = j.letter_from_panel("access_request")
        assert "Amazon" in pdf_text(j.download_pdf(access))

        # Sent by e-mail 45 days ago: the answer is late.
        j.open_action(case, "mark_sent")
        page.locator("form#mark_sent input[name=sent_on]").fill(sent_on.isoformat())
        page.locator("form#mark_sent input[name=channel][value=email]").check()
        j.submit("form#mark_sent", "case page, marked sent")
        assert page.locator("section[aria-labelledby=deadlines] tr.overdue").count() >= 1
        # A reminder e-mail is already scheduled or sent: the page says which.
        assert page.locator("section[aria-labelledby=reminders]").count() == 1

        # A late answer with only the first two items.
        j.open_action(case, "response")
        page.locator("form#response input[name=received_on]").fill(today.isoformat())
        boxes = page.locator("form#response input[name=contains]")
        boxes.nth(0).check()
        boxes.nth(1).check()
        j.submit("form#response", "case page, answer recorded")
        case.refresh_from_db()
        assert len(case.missing_items) == len(case.requested_items) - 2

        # Two incidents: the export went to somebody else, and somebody else's came to us.
        for side in ("own_data", "others_data"):
            j.open_action(case, "incident")
            form = "form#incident"
            page.locator(f"{form} input[name=kind][value=misdirected_export]").check()
            page.locator(f"{form} input[name=side][value={side}]").check()
            page.locator(f"{form} input[name=discovered_on]").fill(today.isoformat())
            page.locator(f"{form} input[name=records_affected]").fill("1700")
            page.locator(f"{form} textarea[name=description]").fill("An export of recordings.")
            j.submit(form, f"case page, incident {side}")
        assert case.incidents.count() == 2

        # Evidence: a file uploaded and offered back for download.
        sample = tmp_path / "wrong-export.txt"
        sample.write_text("Someone else's transcripts.\n", encoding="utf-8")
        j.open_action(case, "evidence")
        page.locator("form#evidence input[name=file]").set_input_files(str(sample))
        j.submit("form#evidence", "case page, evidence added")
        evidence = page.locator("section[aria-labelledby=evidence] a", has_text="wrong-export.txt")
        with page.expect_download() as info:
            evidence.click()
        assert info.value.path().read_bytes() == sample.read_bytes()

        # Reminders: turned off on the case page; nothing is scheduled any more.
        page.locator("section[aria-labelledby=reminders] details summary").last.click()
        page.locator("form#reminder-settings input[name=enabled]").uncheck()
        j.submit("form#reminder-settings", "case page, reminders off")
        assert j.tr("Reminders for this case are off.") in page.content()
        case.refresh_from_db()
        assert case.reminders_enabled is False

        # The reminder and the incident notice, from the panel's forms.
        for kind in ("reminder", "incident_notice"):
            letter_id = j.letter_from_panel(kind)
            assert Letter.objects.get(pk=letter_id).kind == kind
            j.download_pdf(letter_id)

        # The complaint and the breach report, each from its own page.
        for kind, path in (("complaint", "complaint"), ("breach_report", "breach-report")):
            page.locator(f"details#new-{kind} summary").click()
            with page.expect_navigation():
                page.locator(f"details#new-{kind} a[href$='/letters/{path}/']").click()
            j.fits(f"{kind} page")
            form = page.locator(f"form#new-{kind}")
            if form.locator("input[name=court_proceedings][value=no]").count():
                form.locator("input[name=court_proceedings][value=no]").check()
            j.submit(f"form#new-{kind}", f"case page, {kind} asked for")
            letter_id = j.letter_written()
            letter = Letter.objects.get(pk=letter_id)
            assert letter.kind == kind and letter.authority_id is not None
            text = " ".join(pdf_text(j.download_pdf(letter_id)).split())
            assert " ".join(letter.authority.name.split()) in text, text[:300]
            assert "Amazon" in text

        # An API key of one's own: created on its page, shown once, and it reads the case.
        j.go("/account/api-keys/", "API keys")
        page.locator("main form input[name=name]").fill("My script")
        j.submit("main form:has(input[name=name])", "API key created")
        secret = page.locator("article.secret code").inner_text().strip()
        cases = api_get(base, secret, "/api/v1/cases/")
        assert [c["id"] for c in cases["results"]] == [case.pk]
        detail = api_get(base, secret, f"/api/v1/cases/{case.pk}/")
        assert detail["reminders"]["enabled"] is False
        page.context.close()


# --- An organisation -------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "width"), [("de", 390), ("en", 1280)])
def test_an_organisation_from_its_campaign_to_bulk_letters_and_an_api_key(
    stack, browser, allow_sync_orm, lang, width, request
):
    base, outbox = stack
    call_command("load_reference", verbosity=0)
    today = timezone.localdate()
    admin = UserFactory(
        email=f"admin-{lang}@example.org", full_name="Ada Admin", password=PASSWORD, language=lang
    )
    person = UserFactory(
        email=f"person-{lang}@example.org", full_name="Pia Person", password=PASSWORD, language=lang
    )
    User.objects.filter(pk__in=[admin.pk, person.pk]).update(email_verified_at=timezone.now())
    vendors = {v: Vendor.objects.get(slug=v) for v in ("amazon-alexa", "google-assistant")}

    admin_page = _new_page(browser, width, lang)
    person_page = _new_page(browser, width, lang)
    a = Journey(admin_page, base, lang)
    p = Journey(person_page, base, lang)
    with artifacts_on_failure(admin_page, request.node.name + "-admin"):
        # In no organisation yet: /org/ offers to create one (name, address, Art. 80(1)).
        a.log_in(admin.email, "/org/")
        create = "main form:has(input[name=declaration])"
        admin_page.locator(f"{create} input[name=name]").fill("Stimme zurück e.V.")
        admin_page.locator(f"{create} textarea[name=address]").fill("Hauptstraße 1\n10115 Berlin")
        admin_page.locator(f"{create} input[name=declaration]").check()
        a.submit(create, "organisation created")
        organisation = Organisation.objects.get(name="Stimme zurück e.V.")
        slug = organisation.slug
        assert admin_page.url.endswith(f"/org/{slug}/") and not organisation.is_verified
        assert Membership.objects.get(organisation=organisation).user == admin
        a.go(f"/org/{slug}/", "dashboard")

        # Its address, for the letters.
        a.go(f"/org/{slug}/settings/", "settings")
        admin_page.locator("main form textarea[name=address]").fill("Musterstraße 12\n10115 Berlin")
        a.submit("main form:has(textarea[name=address])", "settings saved")
        assert "Musterstraße" in Organisation.objects.get(slug=slug).address

        # A caseworker, invited by e-mail.
        a.go(f"/org/{slug}/members/", "members")
        invite = f"form[action$='/org/{slug}/members/invite/']"
        admin_page.locator(f"{invite} input[name=email]").fill("caseworker@example.org")
        admin_page.locator(f"{invite} select[name=role]").select_option(Membership.Role.CASEWORKER)
        a.submit(invite, "members, invitation sent")
        assert "caseworker@example.org" in admin_page.content()
        assert any("caseworker@example.org" in m for m in live.emails_written(outbox))

        # A campaign for Amazon and Google.
        a.go(f"/org/{slug}/campaigns/new/", "campaign form")
        form = "main form:has(input[name=title])"
        admin_page.locator(f"{form} input[name=title]").fill("Eure Sprachaufnahmen zurück")
        admin_page.locator(f"{form} input[name=slug]").fill("aufnahmen")
        for vendor in vendors.values():
            admin_page.locator(f"{form} input[name=vendors][value='{vendor.pk}']").check()
        admin_page.locator(f"{form} textarea[name=landing_en]").fill(
            "Ask Amazon and Google for your recordings, with us."
        )
        a.submit(form, "campaigns, campaign created")
        join = f"/join/{slug}/aufnahmen/"
        assert admin_page.locator(f"a[href='{join}']").count() == 1

    with artifacts_on_failure(person_page, request.node.name + "-person"):
        # A person joins twice from the public page: a new request to each company.
        p.log_in(person.email)
        for vendor_slug in ("amazon-alexa", "google-assistant"):
            p.go(join, "campaign join")
            person_page.locator(f"input[name=vendor][value='{vendors[vendor_slug].pk}']").check()
            new = person_page.locator("input[name=case][value=new]")
            if new.count():
                new.check()
            person_page.locator("main form input[name=consent]").check()
            p.submit("main form", "request form from the campaign")
            assert f"/requests/new/{vendor_slug}/" in person_page.url
            person_page.locator("input[name=requester_name]").fill("Pia Person")
            person_page.locator("select[name=requester_country]").select_option("LU")
            person_page.locator("textarea[name=account_identifiers]").fill(person.email)
            p.submit("main form", "case page of the campaign's request")
            case = Case.objects.filter(requester=person).latest("pk")
            # While a second consent box is still asked for on the case page, give it too
            # (issue 16 point 6, h16a, makes the campaign page's consent the only one).
            consent = person_page.locator("form[action$='/mandate/'] input[name=consent]")
            if consent.count():
                consent.check()
                p.submit("form[action$='/mandate/']", "case page, mandate given")
            case.refresh_from_db()
            assert case.organisation is not None and case.organisation.slug == slug
            # Sent 45 days ago: overdue.
            p.open_action(case, "mark_sent")
            person_page.locator("form#mark_sent input[name=sent_on]").fill(
                (today - timedelta(days=45)).isoformat()
            )
            person_page.locator("form#mark_sent input[name=channel][value=email]").check()
            p.submit("form#mark_sent", "case page, marked sent")

    with artifacts_on_failure(admin_page, request.node.name + "-admin-bulk"):
        # The admin sees both, and writes a reminder for every overdue case at once.
        a.go(f"/org/{slug}/", "dashboard with the campaign's cases")
        mandated = list(Case.objects.filter(organisation__slug=slug).order_by("pk"))
        assert len(mandated) == 2
        for case in mandated:
            assert admin_page.locator(f"a[href='/org/{slug}/cases/{case.pk}/']").count() == 1
        with admin_page.expect_navigation():
            admin_page.locator(
                f"form[action^='/org/{slug}/bulk/'] button[type=submit]"
            ).first.click()
        a.fits("bulk job")
        job = BulkJob.objects.get(organisation__slug=slug)
        assert f"/org/{slug}/jobs/{job.pk}/" in admin_page.url
        admin_page.locator("#job-status[data-finished=true]").wait_for(timeout=LETTER_WAIT_S * 1000)
        job.refresh_from_db()
        assert job.succeeded == 2, job.failures
        reminders = Letter.objects.filter(case__in=mandated, kind=LetterKind.REMINDER)
        assert reminders.count() == 2

        # One of them, downloaded from the organisation's view of the case.
        letter = reminders.first()
        a.go(f"/org/{slug}/cases/{letter.case_id}/", "org case")
        a.go(f"/cases/{letter.case_id}/", "case page, as a member")
        pdf = a.download_pdf(letter.pk)
        assert "Amazon" in pdf_text(pdf) or "Google" in pdf_text(pdf)

        # The statistics and the audit trail open.
        a.go(f"/org/{slug}/statistics/", "statistics")
        a.go(f"/org/{slug}/audit/", "audit trail")

        # An organisation API key: created on its page, it reads the organisation's cases.
        a.go(f"/org/{slug}/api/", "API and webhooks")
        create = f"form[action$='/org/{slug}/api/keys/']"
        admin_page.locator(f"{create} input[name=name]").fill("Case tool")
        a.submit(create, "API key created")
        secret = admin_page.locator("article.secret code").inner_text().strip()
        listed = api_get(base, secret, "/api/v1/cases/")
        assert sorted(c["id"] for c in listed["results"]) == [c.pk for c in mandated]
    admin_page.context.close()
    person_page.context.close()
