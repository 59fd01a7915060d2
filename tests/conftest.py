"""Shared fixtures. Services are real: PostgreSQL, Redis and Chromium on this machine.

With DSAR_REQUIRE_SERVICES=1 (set by .ci/run) a test that needs a missing service fails instead
of being skipped, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

REQUIRE_SERVICES = os.environ.get("DSAR_REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def service_missing(what: str) -> None:
    """Fail under CI, skip on a developer's machine without the service."""
    if REQUIRE_SERVICES:
        pytest.fail(
            f"{what} is required (DSAR_REQUIRE_SERVICES=1) but not available", pytrace=False
        )
    pytest.skip(f"{what} not available")


@pytest.fixture(autouse=True)
def _require_marked_services(request: pytest.FixtureRequest) -> None:
    from django.db import connection

    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        service_missing("PostgreSQL (set DATABASE_URL)")
    if request.node.get_closest_marker("redis") and not _reachable(REDIS_URL, 6379):
        service_missing(f"Redis at {REDIS_URL}")
    if request.node.get_closest_marker("browser") and not os.path.exists(CHROMIUM):
        service_missing(f"Chromium at {CHROMIUM}")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path) -> None:
    """Every test writes files into its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request in another one (LocaleMiddleware, a
    person's saved language) leaves it active in the thread, and the next test's messages would
    come out in it."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def redis_cache(settings) -> None:
    """Django's Redis cache on the real server, under a key prefix of the test's own."""
    import uuid

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture
def unreachable_cache(settings) -> None:
    """A Redis cache nobody answers at: an outage."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }


@pytest.fixture
def hung_cache(settings):
    """A Redis cache whose server takes connections and never answers."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)  # the kernel completes the handshakes; nobody ever replies
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.getsockname()[1]}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield
    server.close()


@pytest.fixture
def isolated_cache(settings) -> None:
    """A private in-memory cache for the test, so that rate-limit counts start at zero and
    never touch the shared Redis."""
    import uuid

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }
