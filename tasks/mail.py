"""Mail tasks: poll the inbound mailbox (beat, every MAIL_POLL_SECONDS when MAIL_IMAP_URL is
set). The service keeps its own backoff, so a failing mailbox is not hammered, and the same
message read twice is stored once (by its SHA-256)."""

from celery import shared_task

from cases.mail.imap import mailbox_poll


@shared_task(name="tasks.mail.mail_poll", acks_late=True)
def mail_poll() -> int:
    return mailbox_poll()
