"""Redis really stopped or hung: nobody is logged out, pages load, forms submit, rate limits let
requests through. The cache is Django's own Redis backend; sessions live in the database."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse

from cases import ratelimit
from cases.models import Case, User
from tests.factories import CaseFactory, UserFactory, VendorFactory
from tests.test_journey import request_data

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase 42"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, on a free loopback port, that the test can stop."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is required for the outage tests", pytrace=False)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail("the test's redis-server did not start", pytrace=False)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def own_redis(settings) -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield server
    caches["default"].close()
    server.stop()


def log_in(client) -> None:
    UserFactory(email="ada@example.org", password=PASSWORD)
    response = client.post(
        reverse("cases:login"), {"username": "ada@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.redis
def test_the_rate_limit_counts_both_keys_in_redis(settings, own_redis):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "request_create": "2/60"}
    assert ratelimit.hit("request_create", "user:1", "ip:192.0.2.1").allowed
    assert ratelimit.hit("request_create", "user:2", "ip:192.0.2.1").allowed
    # The address has now filed three times, though each account only once or twice.
    verdict = ratelimit.hit("request_create", "user:1", "ip:192.0.2.1")
    assert not verdict.allowed and 0 < verdict.retry_after <= 60
    assert ratelimit.hit("request_create", "user:3", "ip:192.0.2.2").allowed
    keys = redis.Redis.from_url(own_redis.url).keys("*ratelimit:request_create:*")
    assert len(keys) == 5  # three accounts and two addresses, each counted in Redis


@pytest.mark.redis
def test_with_redis_stopped_a_signed_in_person_stays_signed_in_and_files_a_request(
    client, own_redis, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "1/60", "request_create": "1/60"}
    log_in(client)
    session_key = client.cookies["sessionid"].value
    own_redis.stop()

    assert Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("cases:my_cases")).status_code == 200
    case = CaseFactory(requester=User.objects.get(email="ada@example.org"))
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("cases:public_stats")).status_code == 200

    vendor = VendorFactory()
    for _ in range(2):  # over the limit of one, but the limit cannot count: let people through
        response = client.post(reverse("cases:request_details", args=[vendor.slug]), request_data())
        assert response.status_code == 302
    assert Case.objects.filter(vendor=vendor).count() == 2

    assert client.post(reverse("cases:logout")).status_code == 302
    assert not Session.objects.filter(session_key=session_key).exists()


@pytest.mark.redis
def test_with_redis_stopped_people_log_in(client, own_redis, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "1/60"}
    own_redis.stop()
    UserFactory(email="ada@example.org", password=PASSWORD)
    for _ in range(2):
        client.post(reverse("cases:logout"))
        response = client.post(
            reverse("cases:login"), {"username": "ada@example.org", "password": PASSWORD}
        )
        assert response.status_code == 302
    assert client.get(reverse("cases:my_cases")).status_code == 200


def test_a_hung_redis_costs_a_rate_limit_one_timeout_and_other_pages_nothing(client, hung_cache):
    for _ in range(3):
        start = time.monotonic()
        assert ratelimit.hit("login", "ip:192.0.2.1", "email:ada@example.org").allowed
        assert time.monotonic() - start < 0.9  # one socket timeout (0.5 s here), not one per key
    log_in(client)
    start = time.monotonic()
    for _ in range(3):
        assert client.get(reverse("cases:my_cases")).status_code == 200
    assert time.monotonic() - start < 0.5  # sessions are in the database: Redis is not asked
