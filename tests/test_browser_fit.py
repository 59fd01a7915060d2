"""Every page fits the screen: at 390 px (a phone) and at 1280 px (a laptop), no page of any
journey scrolls sideways (`document.scrollingElement.scrollWidth > window.innerWidth`). A wide
table may scroll inside its own box; the page around it may not.

One browser, one context per width; the site is seeded once (tests/browser_pages.py) and every
page is visited before signing in and after, as a consumer and as an organisation's admin."""

from __future__ import annotations

import os
import re

import pytest
from django.db import connections

from tests.browser_helpers import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    artifacts_on_failure,
    chromium_path,
)
from tests.browser_pages import ALICE, ANONYMOUS_PAGES, PASSWORD, seed_site, signed_in_pages

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

# Both widths in English, and the phone again in German, whose longer words wrap differently.
PASSES = ((390, "en"), (1280, "en"), (390, "de"))
LOCALES = {"en": "en-GB", "de": "de-DE"}
# BROWSER_SCREENSHOTS=1 keeps a full-page screenshot of every page in test-artifacts/fit/.
SCREENSHOTS = ARTIFACTS / "fit" if os.environ.get("BROWSER_SCREENSHOTS") else None
# Pages whose error status is the point of the visit.
ERROR_PAGES = {"page not found": 404, "verify link (failed)": 400}

# What overflows, for the failure message: the outermost elements that reach past the right edge.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const scrolled = document.scrollingElement.scrollWidth;
  if (scrolled <= width) return null;
  const culprits = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      let parentToo = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (p.getBoundingClientRect().right > width + 1) { parentToo = true; break; }
      }
      if (!parentToo) {
        const classes = typeof el.className === 'string' ? el.className.trim() : '';
        const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
          (classes ? '.' + classes.split(/\\s+/).join('.') : '');
        culprits.push(name + ' (' + Math.round(box.right) + ' px)');
      }
    }
  }
  return {scrolled, width, culprits: culprits.slice(0, 6)};
}"""


@pytest.fixture
def fit_settings(settings, isolated_cache, monkeypatch):
    """Static files served by the live server, Celery tasks run at once, locmem mail."""
    from dsar.celery import app

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def _check(page, base: str, name: str, path: str, where: str, problems: list[str]) -> None:
    """Visit `path`; note in `problems` if it fails, scrolls sideways or is in another language
    (`where` is "<width> px, <language>")."""
    response = page.goto(base + path)
    status = response.status if response is not None else 0
    if status != ERROR_PAGES.get(name, status) or (status >= 400 and name not in ERROR_PAGES):
        problems.append(f"{where}: {name} ({path}) answered {status}")
        return
    if SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{where}-{name}")
        page.screenshot(path=str(SCREENSHOTS / f"{stem}.png"), full_page=True)
    lang = where.rpartition(" ")[2]
    # A letter's preview is in the letter's language, whatever the site's.
    page_lang = page.locator("html").get_attribute("lang")
    if page_lang != lang and not name.startswith("letter preview"):
        problems.append(f"{where}: {name} ({path}) is not in {lang}")
    overflow = page.evaluate(OVERFLOW)
    if overflow:
        problems.append(
            f"{where}: {name} ({path}) is {overflow['scrolled']} px wide: "
            + ", ".join(overflow["culprits"])
        )


def _sign_in(page, base: str, next_path: str = "/cases/") -> None:
    page.goto(f"{base}/account/login/?next={next_path}")
    page.locator("main form input[name=username]").fill(ALICE)
    page.locator("main form input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def test_every_page_fits_a_phone_and_a_laptop(fit_settings, live_server, request):
    from playwright.sync_api import sync_playwright

    site = seed_site()
    base = live_server.url
    problems: list[str] = []
    visited = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for width, lang in PASSES:
                context = browser.new_context(
                    viewport={"width": width, "height": 844}, locale=LOCALES[lang]
                )
                context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
                context.set_default_timeout(TIMEOUT_MS)
                page = context.new_page()
                where = f"{width} px, {lang}"
                with artifacts_on_failure(page, f"{request.node.name}-{width}-{lang}"):
                    for name, path in ANONYMOUS_PAGES:
                        _check(page, base, name, path, where, problems)
                    # The request form's last step: what was typed waits while one signs in.
                    page.goto(f"{base}/requests/new/amazon-alexa/")
                    page.locator("input[name=requester_name]").fill("Alice Newcomer")
                    page.locator("input[name=requester_email]").fill(ALICE)
                    page.locator("select[name=requester_country]").select_option("FR")
                    page.locator("textarea[name=account_identifiers]").fill(ALICE)
                    with page.expect_navigation():
                        page.locator("main form").get_by_role("button").click()
                    kept = page.url[len(base) :]
                    _check(page, base, "register (request kept)", kept, where, problems)
                    _sign_in(page, base, "/requests/confirm/")
                    confirm = "/requests/confirm/"
                    _check(page, base, "request form, confirm", confirm, where, problems)
                    pages = signed_in_pages(site)
                    for name, path in pages:
                        _check(page, base, name, path, where, problems)
                    visited += len(ANONYMOUS_PAGES) + 2 + len(pages)
                context.close()
        finally:
            browser.close()
            connections.close_all()
    assert not problems, f"{len(problems)} of {visited} page views do not fit:\n" + "\n".join(
        problems
    )
