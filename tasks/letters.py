"""Letter tasks: render a queued letter to PDF; safe to run twice."""

from celery import shared_task


@shared_task(name="tasks.letters.letter_render", acks_late=True)
def letter_render(letter_id: int) -> None:
    from cases.services import letter_render as render

    render(letter_id=letter_id)
