"""A request budget per API key (or signed-in user, or address): API_RATE_LIMIT requests per
fixed window, counted like every other rate limit (cases.ratelimit: in the shared cache, one
round trip, let through when the cache is down). Over it: 429 with Retry-After."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from cases import ratelimit
from cases.api.permissions import principal_of
from cases.ratelimit import Limit


class PrincipalThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        limit = Limit.parse(settings.API_RATE_LIMIT)
        if request.user and request.user.is_authenticated:
            ident = principal_of(request).ident
        else:
            ident = f"ip:{self.get_ident(request)}"
        verdict = ratelimit.hit_limit("api", limit, ident)
        self.retry_after = None if verdict.allowed else verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        return self.retry_after
