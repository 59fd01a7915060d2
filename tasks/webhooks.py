"""Webhook tasks: deliver one event to one endpoint, and the periodic scan; safe to run twice."""

from celery import shared_task


@shared_task(name="tasks.webhooks.webhook_deliver", acks_late=True)
def webhook_deliver(delivery_id: int) -> None:
    """Make the next attempt of a delivery; the service claims the row, so a duplicate does
    nothing, and schedules the retry itself."""
    from cases.services import webhook_deliver as deliver

    deliver(delivery_id=delivery_id)


@shared_task(name="tasks.webhooks.webhooks_dispatch")
def webhooks_dispatch() -> int:
    """Emit the reminders that fell due and queue again the deliveries whose task was lost."""
    from cases.services import webhooks_dispatch as dispatch

    return dispatch()


@shared_task(name="tasks.webhooks.idempotency_purge")
def idempotency_purge() -> int:
    """Forget API idempotency keys past their lifetime."""
    from cases.services import idempotency_records_purge

    return idempotency_records_purge()
