"""Polling a mailbox over IMAP (IMAPClient), the usual setup for a small organisation: beat
runs `mailbox_poll` every MAIL_POLL_SECONDS; each unseen message goes through the pipeline and
is then marked \\Seen (and moved to MAIL_IMAP_PROCESSED_FOLDER when set).

A message the pipeline fails on stays unseen and is tried again next time; the others go on.
A mailbox that fails (down, wrong password) is tried again after a delay that doubles with each
failure in a row (MAIL_POLL_BACKOFF_*); its state is kept in `MailboxState` and shown on
/healthz.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.imapclient import SEEN

from cases.mail.pipeline import message_ingest
from cases.models import MailboxState, MessageSource

logger = logging.getLogger(__name__)

FLAGGED = b"\\Flagged"
BATCH = 25


@dataclass(frozen=True)
class MailboxConfig:
    host: str
    port: int
    ssl: bool
    user: str
    password: str
    folder: str

    @property
    def name(self) -> str:
        """How the mailbox is named in its state row and on /healthz (no password)."""
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"


def mailbox_config(url: str | None = None) -> MailboxConfig | None:
    """MAIL_IMAP_URL as `imaps://user:password@host:993/INBOX` (or imap:// on loopback)."""
    url = settings.MAIL_IMAP_URL if url is None else url
    if not url:
        return None
    parsed = urlparse(url)
    ssl = parsed.scheme == "imaps"
    return MailboxConfig(
        host=parsed.hostname or "localhost",
        port=parsed.port or (993 if ssl else 143),
        ssl=ssl,
        user=unquote(parsed.username or ""),
        password=unquote(parsed.password or ""),
        folder=unquote(parsed.path.lstrip("/")) or "INBOX",
    )


def backoff_seconds(failures: int) -> int:
    """The wait before the next attempt after `failures` failures in a row."""
    if failures <= 0:
        return 0
    base, ceiling = settings.MAIL_POLL_BACKOFF_BASE_SECONDS, settings.MAIL_POLL_BACKOFF_MAX_SECONDS
    return min(base * 2 ** min(failures - 1, 20), ceiling)


def _read_one(client: IMAPClient, uid: int, size: int) -> bool:
    """Fetch one message into the pipeline; True once it is stored."""
    if size > settings.MAIL_MAX_BYTES:
        # Only the headers: the message stays in the mailbox, flagged, for a person to read.
        data = client.fetch([uid], ["BODY.PEEK[HEADER]"])[uid][b"BODY[HEADER]"]
        message_ingest(raw=data, source=MessageSource.IMAP, full_size=size)
        client.add_flags([uid], [FLAGGED])
    else:
        data = client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
        message_ingest(raw=data, source=MessageSource.IMAP)
    return True


def _poll(config: MailboxConfig) -> int:
    read = 0
    with IMAPClient(
        config.host, port=config.port, ssl=config.ssl, timeout=settings.MAIL_IMAP_TIMEOUT_SECONDS
    ) as client:
        client.login(config.user, config.password)
        client.select_folder(config.folder)
        uids = client.search(["UNSEEN"])
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            sizes = client.fetch(batch, ["RFC822.SIZE"])
            done = []
            for uid in batch:
                size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
                try:
                    _read_one(client, uid, size)
                except (OSError, IMAPClient.Error):
                    raise  # the connection itself failed: back off
                except Exception:
                    # This message only (the database refused it, a bug): it stays unseen and
                    # is tried again next time; the others go on.
                    logger.exception("message %s of %s could not be stored", uid, config.name)
                    continue
                done.append(uid)
            if done:
                client.add_flags(done, [SEEN])
                processed = settings.MAIL_IMAP_PROCESSED_FOLDER
                if processed:
                    if not client.folder_exists(processed):
                        client.create_folder(processed)
                    client.move(done, processed)
                read += len(done)
        client.logout()
    return read


def mailbox_poll(*, now: datetime | None = None, url: str | None = None) -> int:
    """Read the mailbox once, unless a recent failure says to wait; the count read."""
    config = mailbox_config(url)
    if config is None:
        return 0
    now = now or timezone.now()
    state, _ = MailboxState.objects.get_or_create(name=config.name)
    if state.next_attempt_at and state.next_attempt_at > now:
        return 0
    # One reader at a time (a slow poll overlapping the next beat tick); without the cache the
    # SHA-256 check of the pipeline still keeps a message read twice from being stored twice.
    lock = f"mail-poll:{config.name}"
    try:
        if not cache.add(lock, now.isoformat(), timeout=settings.MAIL_POLL_SECONDS * 5):
            return 0
    except Exception:
        logger.warning("no cache for the mailbox lock; polling without it")
    try:
        read = _poll(config)
    except Exception as exc:
        failures = state.consecutive_failures + 1
        logger.warning("mailbox %s failed (%s in a row): %s", config.name, failures, exc)
        MailboxState.objects.filter(pk=state.pk).update(
            consecutive_failures=failures,
            last_failure_at=now,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=now + timedelta(seconds=backoff_seconds(failures)),
        )
        return 0
    finally:
        with contextlib.suppress(Exception):
            cache.delete(lock)
    MailboxState.objects.filter(pk=state.pk).update(
        consecutive_failures=0,
        last_success_at=now,
        next_attempt_at=None,
        messages_read=state.messages_read + read,
    )
    return read


def mailbox_health() -> dict[str, object] | None:
    """The mailbox's state for /healthz; None when no mailbox is configured."""
    config = mailbox_config()
    if config is None:
        return None
    state = MailboxState.objects.filter(name=config.name).first()
    if state is None:
        return {"ok": True, "detail": "not polled yet"}
    return {
        "ok": state.consecutive_failures == 0,
        "detail": state.last_error.split(":")[0] if state.consecutive_failures else "polling",
        "last_success_at": state.last_success_at.isoformat() if state.last_success_at else None,
        "consecutive_failures": state.consecutive_failures,
        "next_attempt_at": state.next_attempt_at.isoformat() if state.next_attempt_at else None,
    }
