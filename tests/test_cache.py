"""The project's Redis cache backend (dsar.cache) on a real Redis server."""

from __future__ import annotations

import uuid

import pytest

from cases import ratelimit
from dsar.cache import RedisCache
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.redis


@pytest.fixture
def backend():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield cache
    cache.close()


def test_one_client_serves_every_call(backend):
    client = backend._cache.get_client(write=True)
    backend.set("a", 1)
    assert backend.get("a") == 1
    assert backend._cache.get_client() is client


def test_counters_start_at_one_expire_and_read_back_through_the_cache_api(backend):
    assert backend.count_hits(["ip", "user"], 30) == [1, 1]
    assert backend.count_hits(["ip", "user"], 30) == [2, 2]
    assert backend.count_hits(["ip"], 30) == [3]
    assert backend.get("ip") == 3
    assert backend.incr("user") == 3
    client = backend._cache.get_client()
    assert 0 < client.ttl(backend.make_key("ip")) <= 30


def test_a_counter_written_by_add_and_incr_goes_on_counting(backend):
    backend.add("login", 0, timeout=30)
    backend.incr("login")
    assert backend.count_hits(["login"], 30) == [2]


def test_the_rate_limit_counts_both_keys_in_redis(settings, redis_cache):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "request_create": "2/60"}
    assert ratelimit.hit("request_create", "user:1", "ip:192.0.2.1").allowed
    assert ratelimit.hit("request_create", "user:2", "ip:192.0.2.1").allowed
    # The address has now filed three times, though each account only once or twice.
    verdict = ratelimit.hit("request_create", "user:1", "ip:192.0.2.1")
    assert not verdict.allowed and 0 < verdict.retry_after <= 60
    assert ratelimit.hit("request_create", "user:3", "ip:192.0.2.2").allowed
