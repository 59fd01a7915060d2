"""Sessions (dsar.sessions): kept in the database, read through the cache, and never broken by a
cache outage."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dsar import sessions
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase 42"


def log_in(client) -> None:
    user = UserFactory(email="ada@example.org", password=PASSWORD)
    response = client.post(reverse("cases:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302


def session_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cases:my_cases")).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]


@pytest.mark.redis
def test_a_session_is_read_from_the_database_once_then_from_the_cache(client, redis_cache):
    log_in(client)
    from django.core.cache import cache

    cache.delete(sessions.SessionStore.cache_key_prefix + client.cookies["sessionid"].value)
    assert len(session_queries(client)) == 1
    assert session_queries(client) == []


@pytest.mark.redis
def test_cached_copies_expire_within_five_minutes(client, redis_cache):
    log_in(client)
    from django.core.cache import cache

    key = cache.make_key(sessions.SessionStore.cache_key_prefix + client.cookies["sessionid"].value)
    ttl = cache._cache.get_client().ttl(key)
    assert 0 < ttl <= sessions.CACHE_SECONDS


@pytest.mark.redis
def test_logging_out_ends_the_session_in_the_database_and_the_cache(client, redis_cache):
    log_in(client)
    session_key = client.cookies["sessionid"].value
    assert session_queries(client) == []  # served from the cache
    client.post(reverse("cases:logout"))
    assert not Session.objects.filter(session_key=session_key).exists()
    client.cookies["sessionid"] = session_key  # somebody replays the old cookie
    response = client.get(reverse("cases:my_cases"))
    assert response.status_code == 302 and reverse("cases:login") in response.url


def test_with_the_cache_down_people_log_in_use_the_site_and_log_out(client, unreachable_cache):
    log_in(client)
    session_key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=session_key).exists()
    assert len(session_queries(client)) == 1  # every request reads the database
    assert client.post(reverse("cases:logout")).status_code == 302
    assert not Session.objects.filter(session_key=session_key).exists()
    client.cookies["sessionid"] = session_key
    assert client.get(reverse("cases:my_cases")).status_code == 302


def test_a_hung_cache_costs_one_timeout_not_one_per_page(client, hung_cache):
    log_in(client)  # meets the timeout once
    start = time.monotonic()
    for _ in range(3):
        assert client.get(reverse("cases:my_cases")).status_code == 200
    assert time.monotonic() - start < 0.5
