"""Project-wide jobs. The heartbeat proves that beat and a worker are alive (system status page)."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="poverty.tasks.heartbeat")
def heartbeat() -> str:
    return timezone.now().isoformat()


@shared_task(name="poverty.tasks.run_sheet_job")
def run_sheet_job(job_id: int) -> str:
    """Preview, or once confirmed write, one uploaded sheet (poverty.sheets)."""
    from .sheets import run_sheet_job as run

    return run(job_id)
