"""Workspace tasks: bulk jobs run here, in chunks, so that the page can show their progress."""

from datetime import datetime

from celery import shared_task

from cases import services


@shared_task(name="tasks.workspace.bulk_job_run", acks_late=True)
def bulk_job_run(job_id: int) -> None:
    """Process a bulk job; a second run picks up where the first stopped and redoes nothing."""
    services.bulk_job_run(job_id=job_id)


@shared_task(name="tasks.workspace.statistics_refresh")
def statistics_refresh(requested_at: str | None = None) -> None:
    """Recompute the stored statistics (beat, every STATS_REFRESH_SECONDS; and after a mandate
    is given or ended, at `requested_at`). One at a time; a second run does nothing."""
    services.statistics_refresh(
        requested_at=datetime.fromisoformat(requested_at) if requested_at else None
    )
