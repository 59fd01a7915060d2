"""Letter tasks: render a queued letter to PDF; safe to run twice."""

from celery import shared_task


@shared_task(name="tasks.letters.letter_render", acks_late=True)
def letter_render(letter_id: int) -> None:
    from cases.services import letter_render as render

    render(letter_id=letter_id)


@shared_task(name="tasks.letters.letters_requeue_stuck")
def letters_requeue_stuck() -> int:
    """Queue again the letters whose render task was lost (broker down, worker killed)."""
    from cases.services import letters_requeue_stuck as requeue

    return requeue()
