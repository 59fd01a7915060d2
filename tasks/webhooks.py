"""Webhook tasks: deliver one event to one endpoint, and the periodic scan; safe to run twice."""

from celery import shared_task

from cases import services


@shared_task(name="tasks.webhooks.webhook_deliver", acks_late=True)
def webhook_deliver(delivery_id: int) -> None:
    """Make the next attempt of a delivery; the service claims the row, so a duplicate does
    nothing, and schedules the retry itself."""
    services.webhook_deliver(delivery_id=delivery_id)


@shared_task(name="tasks.webhooks.webhooks_dispatch")
def webhooks_dispatch() -> int:
    """Emit the reminders that fell due and queue again the deliveries whose task was lost."""
    return services.webhooks_dispatch()


@shared_task(name="tasks.webhooks.idempotency_purge")
def idempotency_purge() -> int:
    """Forget API idempotency keys past their lifetime."""
    return services.idempotency_records_purge()
