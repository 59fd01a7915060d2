"""Reminder tasks: thin wrappers that take ids and call services; safe to run twice."""

from celery import shared_task


@shared_task(name="tasks.reminders.reminders_dispatch")
def reminders_dispatch() -> int:
    """Enqueue a send for every due, unsent reminder, however long ago it fell due."""
    from cases.services import reminders_enqueue_due

    return reminders_enqueue_due()


@shared_task(name="tasks.reminders.reminder_send", acks_late=True)
def reminder_send(reminder_id: int) -> None:
    """Send one reminder; the service claims the row, so a second run sends nothing."""
    from cases.services import reminder_deliver

    reminder_deliver(reminder_id=reminder_id)
