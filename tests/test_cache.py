"""The project's Redis cache backend (dsar.cache) on a real Redis server."""

from __future__ import annotations

import time
import uuid

import pytest
import redis
from django.core.cache import cache

from cases import ratelimit
from dsar.cache import RedisCache
from tests.conftest import REDIS_URL


@pytest.fixture
def backend():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield cache
    cache.close()


@pytest.mark.redis
def test_one_client_serves_every_call(backend):
    client = backend._cache.get_client(write=True)
    backend.set("a", 1)
    assert backend.get("a") == 1
    assert backend._cache.get_client() is client


@pytest.mark.redis
def test_counters_start_at_one_expire_and_read_back_through_the_cache_api(backend):
    assert backend.count_hits(["ip", "user"], 30) == [1, 1]
    assert backend.count_hits(["ip", "user"], 30) == [2, 2]
    assert backend.count_hits(["ip"], 30) == [3]
    assert backend.get("ip") == 3
    assert backend.incr("user") == 3
    client = backend._cache.get_client()
    assert 0 < client.ttl(backend.make_key("ip")) <= 30


@pytest.mark.redis
def test_a_counter_written_by_add_and_incr_goes_on_counting(backend):
    backend.add("login", 0, timeout=30)
    backend.incr("login")
    assert backend.count_hits(["login"], 30) == [2]


@pytest.mark.redis
def test_the_rate_limit_counts_both_keys_in_redis(settings, redis_cache):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "request_create": "2/60"}
    assert ratelimit.hit("request_create", "user:1", "ip:192.0.2.1").allowed
    assert ratelimit.hit("request_create", "user:2", "ip:192.0.2.1").allowed
    # The address has now filed three times, though each account only once or twice.
    verdict = ratelimit.hit("request_create", "user:1", "ip:192.0.2.1")
    assert not verdict.allowed and 0 < verdict.retry_after <= 60
    assert ratelimit.hit("request_create", "user:3", "ip:192.0.2.2").allowed


def timed(call) -> tuple[type[Exception] | None, float]:
    start = time.monotonic()
    try:
        call()
    except Exception as error:
        return type(error), time.monotonic() - start
    return None, time.monotonic() - start


def test_after_redis_hangs_once_callers_get_an_error_at_once(hung_cache):
    error, seconds = timed(lambda: cache.get("a"))
    assert error is redis.TimeoutError and seconds >= 0.5
    for call in (lambda: cache.get("a"), lambda: cache.set("a", 1), lambda: cache.delete("a")):
        error, seconds = timed(call)
        assert error is redis.ConnectionError and seconds < 0.1
    assert ratelimit.hit("login", "ip:192.0.2.1").allowed  # the limit lets people through
    # Once the pause is over, Redis is asked again.
    cache._cache.get_client().paused_until = 0
    error, seconds = timed(lambda: cache.get("a"))
    assert error is redis.TimeoutError and seconds >= 0.5


def test_rate_limits_pause_too_when_redis_hangs(hung_cache):
    start = time.monotonic()
    for _ in range(5):
        assert ratelimit.hit("login", "ip:192.0.2.1").allowed
    assert time.monotonic() - start < 1.0  # one timeout, not five
