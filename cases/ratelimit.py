"""Rate limits on what a stranger can hammer: logging in, registering, resetting a password,
filing requests.

Counts live in Django's cache (Redis in production, a folder on disk otherwise), so every worker
process shares them. A fixed window per (scope, key): simple, and good enough against guessing
passwords or flooding the site. If the cache is down the request goes through: a limit that
locks everybody out would hurt more than it protects.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        count, _, seconds = text.partition("/")
        return cls(int(count), int(seconds or 60))


def limit_for(scope: str) -> Limit:
    return Limit.parse(settings.RATE_LIMITS[scope])


def client_ip(request: HttpRequest) -> str:
    header = settings.RATE_LIMIT_CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    # A proxy that appends to X-Forwarded-For puts the address it saw last.
    return value.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "") or "unknown"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def hit(scope: str, *keys: str) -> Verdict:
    """Count one attempt against each key (e.g. the client's address and the e-mail tried);
    refuse when any of them is over the scope's limit in settings.RATE_LIMITS."""
    return hit_limit(scope, limit_for(scope), *keys)


def hit_limit(scope: str, limit: Limit, *keys: str) -> Verdict:
    """`hit`, with a limit given by the caller (the API's budget has a setting of its own)."""
    now = time.time()
    window = int(now // limit.seconds)
    retry_after = max(1, int((window + 1) * limit.seconds - now))
    cache_keys = [
        f"ratelimit:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}:{window}"
        for key in keys
    ]
    try:
        counts = _count_hits(cache_keys, limit.seconds + 5)
    except Exception:
        logger.warning("rate limit cache unavailable; %s not limited", scope, exc_info=True)
        return Verdict(True)
    allowed = all(count <= limit.count for count in counts)
    return Verdict(allowed, 0 if allowed else retry_after)


def _count_hits(cache_keys: list[str], timeout: int) -> list[int]:
    """Add one to each counter; a new counter expires `timeout` seconds after its first hit."""
    counts = []
    for cache_key in cache_keys:
        cache.add(cache_key, 0, timeout=timeout)
        counts.append(cache.incr(cache_key))
    return counts


def too_many_requests(
    request: HttpRequest, verdict: Verdict, *, login_link: bool = False
) -> HttpResponse:
    """The 429 page: what happened and when to try again (for logging in: or by a link)."""
    minutes = max(1, round(verdict.retry_after / 60))
    context = {"minutes": minutes, "login_link": login_link}
    body = render_to_string("429.html", context, request=request)
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response
