"""Django's Redis cache backend, with three changes for the pages people hit most.

- Django builds a new `redis.Redis` client for every cache call, and each one copies some two
  hundred response callbacks. This backend builds one client per connection pool and reuses it
  (redis-py clients are thread-safe and re-open their connections after a fork).
- After Redis fails to answer, the client stops asking it for `PAUSE_SECONDS`: every caller
  (sessions, rate limits) copes with a cache error at once, but a server that hangs would make
  each of them wait for the socket timeout, on every request.
- `count_hits` moves rate-limit counters in one round trip, where `add` and `incr` take three
  per counter.

Everything else is Django's `RedisCache`, so values written by one are read by the other.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

PAUSE_SECONDS = 10.0


class OutageAwareRedis(redis.Redis):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paused_until = 0.0

    @contextmanager
    def unless_paused(self) -> Iterator[None]:
        if time.monotonic() < self.paused_until:
            raise redis.ConnectionError("Redis did not answer moments ago; not asking it yet")
        try:
            yield
        except (redis.ConnectionError, redis.TimeoutError):
            self.paused_until = time.monotonic() + PAUSE_SECONDS
            raise

    def execute_command(self, *args: Any, **options: Any) -> Any:
        with self.unless_paused():
            return super().execute_command(*args, **options)


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client = OutageAwareRedis
        self._clients: dict[int, OutageAwareRedis] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> OutageAwareRedis:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def count_hits(self, keys: list[str], timeout: int) -> list[int]:
        """Add one to each counter and return the new counts. A counter that does not exist yet
        starts at zero and expires `timeout` seconds later, as `add` then `incr` would do."""
        client = self._cache.get_client(write=True)
        with client.unless_paused():
            pipe = client.pipeline(transaction=False)
            for key in keys:
                cache_key = self.make_and_validate_key(key)
                pipe.set(cache_key, 0, ex=timeout, nx=True)
                pipe.incr(cache_key)
            return pipe.execute()[1::2]
