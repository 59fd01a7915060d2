"""Issue 15.5: password guessing from one address cannot lock the owner out, who logs in from
their own address; and a one-time login link by e-mail lets them in anyway (once, for a short
time, built from SITE_URL)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from cases.services.login_links import login_link_token
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

PASSWORD = "a long and unusual passphrase 42"
ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def try_login(client, email, password, address):
    return client.post(
        reverse("cases:login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_an_attacker_elsewhere_cannot_lock_the_owner_out(client, django_user_model):
    UserFactory(email="ada@example.org", password=PASSWORD)
    statuses = [
        try_login(client, "ada@example.org", f"guess {n}", ATTACKER).status_code for n in range(40)
    ]
    assert statuses[:10] == [200] * 10  # the form again, with its error
    assert set(statuses[10:]) == {429}  # this account from this address: limited
    # Other accounts from the attacker's address: limited too, once the address is over its count.
    guesses = [
        try_login(client, f"user{n}@example.org", "guess", ATTACKER).status_code for n in range(30)
    ]
    assert guesses[-1] == 429

    owner = client.__class__()
    response = try_login(owner, "ada@example.org", PASSWORD, OWNER)
    assert response.status_code == 302
    assert owner.get(reverse("cases:my_cases")).status_code == 200


def test_the_429_page_for_logging_in_offers_a_login_link(client):
    UserFactory(email="ada@example.org", password=PASSWORD)
    for n in range(11):
        response = try_login(client, "ada@example.org", f"guess {n}", OWNER)
    assert response.status_code == 429
    assert reverse("cases:login_link") in response.content.decode()


def link_from_mail() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"https?://\S+", mail.outbox[0].body).group(0)


def test_a_login_link_logs_in_once(client, settings):
    settings.SITE_URL = "https://tracker.example"
    settings.ALLOWED_HOSTS = ["*"]
    UserFactory(email="ada@example.org", password=PASSWORD)
    response = client.post(
        reverse("cases:login_link"), {"email": "ADA@example.org"}, HTTP_HOST="evil.example"
    )
    assert response.status_code == 302
    url = link_from_mail()
    assert url.startswith("https://tracker.example/account/login/link/")  # not the Host header
    path = url.removeprefix("https://tracker.example")

    page = client.get(path)  # a mail scanner opening the link does not spend it
    assert page.status_code == 200
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert client.get(reverse("cases:my_cases")).status_code == 200

    other = client.__class__()
    assert other.post(path).status_code == 400  # spent
    assert other.get(reverse("cases:my_cases")).status_code == 302  # still logged out


def test_a_login_link_expires(client, settings, monkeypatch):
    settings.LOGIN_LINK_SECONDS = 15 * 60
    UserFactory(email="ada@example.org", password=PASSWORD)
    client.post(reverse("cases:login_link"), {"email": "ada@example.org"})
    path = "/" + link_from_mail().split("/", 3)[3]
    # Django's token generator reads the clock through `_now`, its hook for tests.
    now = datetime.now()
    monkeypatch.setattr(login_link_token, "_now", lambda: now + timedelta(minutes=16))
    assert client.post(path).status_code == 400
    monkeypatch.setattr(login_link_token, "_now", lambda: now + timedelta(minutes=14))
    assert client.post(path).status_code == 302


def test_a_link_for_an_unknown_address_answers_the_same_and_sends_nothing(client):
    response = client.post(reverse("cases:login_link"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_a_forged_link_does_not_work(client):
    user = UserFactory(email="ada@example.org", password=PASSWORD)
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    url = reverse("cases:login_link_use", args=[uid, "c0ffee-0123456789abcdef"])
    assert client.post(url).status_code == 400
