"""Rendered case pages, kept in each web process and served again while nothing they show has
changed.

A case page reads a dozen tables and renders every action's form: tens of milliseconds. People
reload it often (after each action, from reminders, while a letter renders), and most of the
time nothing changed. The key holds everything the page depends on:

- the case's `page_version`, which database triggers move on every write to the case or to a
  row its page shows (see migration 0005), so a change is never missed whatever wrote it;
- the viewer (their id, name, e-mail and whether it is verified, whether they may act), the
  language, today's date (days left) and the full path;
- directory entries (vendors, authorities) and memberships are not in the key: an entry lives
  at most `TTL_SECONDS`, which bounds how long an edit of theirs takes to show.

The CSRF token differs per visitor and request, so pages are rendered with a placeholder that
each response replaces with the visitor's own token. Pages with a message to show are neither
served from nor put into the cache: the message is shown once, to this request only.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

TTL_SECONDS = 60
MAX_PAGES = 512  # about 40 KB each: some 20 MB per process at most

# Unguessable, so no text on a page can collide with it.
CSRF_PLACEHOLDER = f"csrf-placeholder-{secrets.token_hex(16)}"

_clock = time.monotonic
_pages: OrderedDict[Hashable, tuple[float, str, str]] = OrderedDict()
_lock = threading.Lock()


def page_key(request: HttpRequest, case_id: int, page_version: int, *, can_edit: bool) -> Hashable:
    """Everything the page shows depends on, but for what `TTL_SECONDS` covers. The viewer is
    logged in (the case page requires it)."""
    user = request.user
    return (
        case_id,
        page_version,
        user.pk,
        user.email,
        user.full_name,
        user.email_verified_at,
        can_edit,
        translation.get_language(),
        timezone.localdate(),
        request.get_full_path(),
    )


def cached_page(
    request: HttpRequest,
    key: Hashable,
    render: Callable[[str], HttpResponse],
) -> HttpResponse:
    """The page for `key`, from the cache or from `render(csrf_token)`. `render` must put the
    token it is given wherever the page wants the CSRF token."""
    if len(get_messages(request)):  # counting does not mark them shown
        return render(get_token(request))
    now = _clock()
    with _lock:
        entry = _pages.get(key)
        fresh = entry is not None and entry[0] > now
        if fresh:
            _pages.move_to_end(key)
    if fresh:
        _, content_type, html = entry
        return HttpResponse(
            html.replace(CSRF_PLACEHOLDER, get_token(request)), content_type=content_type
        )
    response = render(CSRF_PLACEHOLDER)
    html = response.content.decode(response.charset)
    if response.status_code == 200:
        with _lock:
            # Pages hold personal data: drop expired ones (a deleted account's, say) rather than
            # keep them until the cache is full.
            for stale in [k for k, (expires, _, _) in _pages.items() if expires <= now]:
                del _pages[stale]
            _pages[key] = (now + TTL_SECONDS, response["Content-Type"], html)
            while len(_pages) > MAX_PAGES:
                _pages.popitem(last=False)
    response.content = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return response


def clear() -> None:
    """Forget every page (tests)."""
    with _lock:
        _pages.clear()


def size() -> int:
    with _lock:
        return len(_pages)
