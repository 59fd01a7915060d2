"""Who may open what: every URL of the pages, the journey and the accounts, tried as an
anonymous visitor, as the owner, and as another person. Another person's case or file is a 404,
never a 403: it does not tell them that the case exists."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.models import Case, Status
from cases.views import accounts, journey, pages
from tests.factories import EvidenceFactory, UserFactory, VendorFactory
from tests.journey_helpers import case_in_status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]


@dataclass(frozen=True)
class Url:
    name: str
    method: str = "get"
    owner: int = 200  # what the owner (or, for a page about nobody's data, anybody) gets
    args: str = ""  # "case", "evidence", "vendor", "bogus-token" or "calendar"
    data: dict = field(default_factory=dict)
    logged_in: int | None = None  # for a public page, when it differs for a logged-in person


# Pages about nobody's data: the same answer for everybody.
PUBLIC = [
    Url("landing"),
    Url("vendor_list"),
    Url("authority_list"),
    Url("request_new"),
    Url("request_details", args="vendor"),
    Url("login", logged_in=302),  # already logged in: on to "my cases"
    Url("register", logged_in=302),
    Url("password_reset"),
    Url("password_reset_done"),
    Url("password_reset_confirm", args="bogus-token"),
    Url("password_reset_complete"),
    Url("verify_email", args="bogus-token", owner=400),
    Url("login_link"),
    Url("login_link_use", args="bogus-token", owner=400),
    Url("logout", method="post", owner=302),
]

# The person's own pages: a login first, then their own data only.
PRIVATE = [
    Url("my_cases"),
    Url("account"),
    Url("account_export", method="post"),
    Url("account_delete"),
    Url("request_confirm", owner=302),  # nothing kept to confirm: back to the start
    Url("verification_resend", method="post", owner=302),
    Url("calendar_reset", method="post", owner=302),
]

# A case and its files: the owner, nobody else. Actions that do not fit an answered case
# redirect with a message; the others show their page (GET) or re-render it with the form's
# errors (POST).
CASE = [
    Url("case_detail", args="case"),
    Url("evidence_download", args="evidence"),
    Url("case_mark_sent", owner=302, args="case"),
    Url("case_delivery", owner=302, args="case"),
    Url("case_acknowledgement", args="case"),
    Url("case_identity_requested", args="case"),
    Url("case_identity_provided", owner=302, args="case"),
    Url("case_extension", args="case"),
    Url("case_response", args="case"),
    Url("case_incident", args="case"),
    Url("case_authority_reply", owner=302, args="case"),
    Url("case_evidence", args="case"),
    Url("case_close", args="case"),
    Url("case_follow_up", args="case"),
    Url("case_mark_sent", method="post", owner=302, args="case"),
    Url("case_delivery", method="post", owner=302, args="case"),
    Url("case_acknowledgement", method="post", args="case"),
    Url("case_identity_requested", method="post", args="case"),
    Url("case_identity_provided", method="post", owner=302, args="case"),
    Url("case_extension", method="post", args="case"),
    Url("case_response", method="post", args="case"),
    Url("case_incident", method="post", args="case"),
    Url("case_authority_reply", method="post", owner=302, args="case"),
    Url("case_evidence", method="post", args="case"),
    Url("case_close", method="post", args="case"),
    Url("case_follow_up", method="post", args="case"),  # no kind chosen: the form again
    # Empty: reminders off, back to the case page.
    Url("case_reminders", method="post", owner=302, args="case"),
]

# The private calendar feed is opened by its secret token, not by a login.
TOKEN = [Url("calendar_feed", args="calendar")]


@pytest.fixture
def owner_case() -> Case:
    return case_in_status(Status.AWAITING_RESPONSE)


def url_for(url: Url, case: Case) -> str:
    if url.args == "case":
        return reverse(f"cases:{url.name}", args=[case.pk])
    if url.args == "evidence":
        evidence = case.evidence.first() or EvidenceFactory(case=case)
        return reverse(f"cases:{url.name}", args=[case.pk, evidence.pk])
    if url.args == "vendor":
        return reverse(f"cases:{url.name}", args=[VendorFactory().slug])
    if url.args == "bogus-token":
        return reverse(f"cases:{url.name}", args=["MQ", "bogus-token"])
    if url.args == "calendar":
        return reverse(f"cases:{url.name}", args=[case.requester.calendar_token])
    return reverse(f"cases:{url.name}")


def call(client, url: Url, path: str):
    return getattr(client, url.method)(path, url.data)


def assert_sent_to_login(response, path: str) -> None:
    assert response.status_code == 302
    assert response.url == f"{reverse('cases:login')}?next={path}"


@pytest.mark.parametrize("url", PUBLIC, ids=lambda u: u.name)
def test_a_public_page_answers_everybody_the_same(client, owner_case, url):
    path = url_for(url, owner_case)
    assert call(client, url, path).status_code == url.owner
    client.force_login(UserFactory())
    assert call(client, url, path).status_code == (url.logged_in or url.owner)


@pytest.mark.parametrize("url", PRIVATE, ids=lambda u: u.name)
def test_a_private_page_sends_an_anonymous_visitor_to_log_in(client, owner_case, url):
    path = url_for(url, owner_case)
    assert_sent_to_login(call(client, url, path), path)


@pytest.mark.parametrize("url", PRIVATE, ids=lambda u: u.name)
def test_a_private_page_answers_a_logged_in_person_about_their_own_data(client, owner_case, url):
    client.force_login(owner_case.requester)
    path = url_for(url, owner_case)
    assert call(client, url, path).status_code == url.owner


@pytest.mark.parametrize("url", CASE, ids=lambda u: f"{u.method}-{u.name}")
def test_a_case_url_sends_an_anonymous_visitor_to_log_in(client, owner_case, url):
    path = url_for(url, owner_case)
    assert_sent_to_login(call(client, url, path), path)


@pytest.mark.parametrize("url", CASE, ids=lambda u: f"{u.method}-{u.name}")
def test_a_case_url_answers_its_owner(client, owner_case, url):
    client.force_login(owner_case.requester)
    assert call(client, url, url_for(url, owner_case)).status_code == url.owner


@pytest.mark.parametrize("url", CASE, ids=lambda u: f"{u.method}-{u.name}")
def test_a_case_url_is_a_404_for_another_person(client, owner_case, url):
    path = url_for(url, owner_case)
    events_before = owner_case.events.count()
    client.force_login(UserFactory())
    assert call(client, url, path).status_code == 404
    assert owner_case.events.count() == events_before


@pytest.mark.parametrize("url", TOKEN, ids=lambda u: u.name)
def test_the_calendar_feed_answers_its_token_and_nothing_else(client, owner_case, url):
    assert call(client, url, url_for(url, owner_case)).status_code == 200
    wrong = reverse(f"cases:{url.name}", args=["not-the-token"])
    assert client.get(wrong).status_code == 404


def test_a_case_that_does_not_exist_is_the_same_404_as_another_persons(client):
    client.force_login(UserFactory())
    assert client.get(reverse("cases:case_detail", args=[987654])).status_code == 404


def _patterns(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            found += _patterns(entry, entry.namespace or namespace)
        elif namespace == "cases":
            found.append((entry.name, entry))
    return found


def _served_by(pattern: URLPattern, modules) -> bool:
    callback = pattern.callback
    view_class = getattr(callback, "view_class", None)
    for module in modules:
        for value in vars(module).values():
            if value is callback or (view_class is not None and value is view_class):
                return True
    return False


def test_every_url_of_the_pages_the_journey_and_the_accounts_is_in_this_table():
    listed = {url.name for url in PUBLIC + PRIVATE + CASE + TOKEN}
    ours = {
        name
        for name, pattern in _patterns(get_resolver())
        if _served_by(pattern, (pages, journey, accounts))
    }
    assert ours - listed == set(), "add the new URL to a table above"
