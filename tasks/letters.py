"""Letter tasks: render a queued letter to PDF; safe to run twice."""

from celery import shared_task

from cases import services


@shared_task(name="tasks.letters.letter_render", acks_late=True)
def letter_render(letter_id: int) -> None:
    services.letter_render(letter_id=letter_id)


@shared_task(name="tasks.letters.letters_requeue_stuck")
def letters_requeue_stuck() -> int:
    """Queue again the letters whose render task was lost (broker down, worker killed)."""
    return services.letters_requeue_stuck()
