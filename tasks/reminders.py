"""Reminder tasks: thin wrappers that take ids and call services; safe to run twice."""

from celery import shared_task

from cases import services


@shared_task(name="tasks.reminders.reminders_dispatch")
def reminders_dispatch() -> int:
    """Enqueue a send for every due, unsent reminder, however long ago it fell due."""
    return services.reminders_enqueue_due()


@shared_task(name="tasks.reminders.reminder_send", acks_late=True)
def reminder_send(reminder_id: int) -> None:
    """Send one reminder; the service claims the row, so a second run sends nothing."""
    services.reminder_deliver(reminder_id=reminder_id)
