"""Workspace tasks: bulk jobs run here, in chunks, so that the page can show their progress."""

from celery import shared_task

from cases import selectors, services


@shared_task(name="tasks.workspace.bulk_job_run", acks_late=True)
def bulk_job_run(job_id: int) -> None:
    """Process a bulk job; a second run picks up where the first stopped and redoes nothing."""
    services.bulk_job_run(job_id=job_id)


@shared_task(name="tasks.workspace.public_statistics_refresh")
def public_statistics_refresh() -> None:
    """Recompute the public statistics ahead of their expiry (see STATS_CACHE_SECONDS)."""
    selectors.public_statistics_refresh()
