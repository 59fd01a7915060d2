"""Sessions kept in the database and read from the cache.

Every page a logged-in person opens reads their session. Reading it from Redis instead of
PostgreSQL saves a query per request. The database stays the source of truth: every write goes
there first, and a session missing from the cache is read from there.

Django's own `cached_db` engine fails the request when Redis is down while it re-fills the cache
or deletes a session. This one never does: if the cache cannot be reached, the session is read
from and written to the database only. A copy the cache could not update or delete (at logout,
say) would go stale, so copies live `CACHE_SECONDS` at most: that bounds how long such a copy can
outlive what the database says.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)

CACHE_SECONDS = 5 * 60


class SessionStore(cached_db.SessionStore):
    cache_key_prefix = "dsar.sessions."

    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("session cache unavailable; reading the database", exc_info=True)
            return super(cached_db.SessionStore, self).load()
        if data is not None:
            return data
        session = self._get_session_from_db()
        if session is None:
            return {}
        data = self.decode(session.session_data)
        self._cache_copy(data, self.get_expiry_age(expiry=session.expire_date))
        return data

    def exists(self, session_key: str) -> bool:
        # Only used to pick a new key, so the database alone decides.
        return super(cached_db.SessionStore, self).exists(session_key)

    def save(self, must_create: bool = False) -> None:
        super(cached_db.SessionStore, self).save(must_create)
        self._cache_copy(self._session, self.get_expiry_age())

    def delete(self, session_key: str | None = None) -> None:
        super(cached_db.SessionStore, self).delete(session_key)
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            logger.warning(
                "session cache unavailable; a deleted session may linger in it for up to %s s",
                CACHE_SECONDS,
                exc_info=True,
            )

    def _cache_copy(self, data: dict[str, Any], expiry_age: int) -> None:
        try:
            self._cache.set(self.cache_key, data, min(expiry_age, CACHE_SECONDS))
        except Exception:
            logger.warning("session cache unavailable; not caching the session", exc_info=True)
