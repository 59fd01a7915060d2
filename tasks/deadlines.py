"""Deadline tasks: periodic scans over the stored clocks; safe to run twice or concurrently."""

from celery import shared_task

from cases import services


@shared_task(name="tasks.deadlines.deadlines_mark_missed")
def deadlines_mark_missed() -> int:
    """Mark clocks whose last day has passed as missed, recording one event each."""
    return services.deadlines_mark_missed()


@shared_task(name="tasks.deadlines.deadlines_refresh_paused")
def deadlines_refresh_paused() -> int:
    """Move paused clocks' dates on by the days the vendor has been waiting."""
    return services.deadlines_refresh_paused()
