"""Export tasks: analyse an uploaded vendor export; safe to run twice (the service claims it)."""

from celery import shared_task

from cases import services


@shared_task(name="tasks.exports.export_analyse", acks_late=True)
def export_analyse(export_id: int) -> None:
    services.export_run(export_id=export_id)


@shared_task(name="tasks.exports.exports_requeue_stuck")
def exports_requeue_stuck() -> int:
    """Queue again the exports whose analysis task was lost (broker down, worker killed)."""
    return services.exports_requeue_stuck()
