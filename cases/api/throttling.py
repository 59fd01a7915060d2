"""A request budget per API key (or signed-in user, or address): API_RATE_LIMIT requests per
fixed window, counted in the shared cache so that every process agrees. One cache increment per
request, whatever the budget. Over it: 429 with Retry-After."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from cases.api.permissions import principal_of
from cases.ratelimit import Limit

logger = logging.getLogger(__name__)


class PrincipalThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        limit = Limit.parse(settings.API_RATE_LIMIT)
        if request.user and request.user.is_authenticated:
            ident = principal_of(request).ident
        else:
            ident = f"ip:{self.get_ident(request)}"
        now = time.time()
        window = int(now // limit.seconds)
        cache_key = f"api-throttle:{ident}:{window}"
        try:
            cache.add(cache_key, 0, timeout=limit.seconds + 5)
            count = cache.incr(cache_key)
        except Exception:
            logger.warning("API throttle cache unavailable; request not limited", exc_info=True)
            return True
        if count > limit.count:
            self.retry_after = (window + 1) * limit.seconds - now
            return False
        return True

    def wait(self) -> float | None:
        return self.retry_after
