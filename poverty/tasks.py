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


@shared_task(name="poverty.tasks.requeue_jobs")
def requeue_jobs() -> int:
    """Every few minutes: queue again the uploads and exports still waiting JOB_REQUEUE_MINUTES
    after they were saved, as when the broker was away when they were (poverty.common.jobs)."""
    from households import tasks as household_tasks
    from households.models import RosterExport, RosterImport
    from households.roster.jobs import EXPORT_WAITING, IMPORT_WAITING
    from poverty.common.jobs import requeue_stale
    from villages.models import SheetImportJob

    from . import sheets

    return (
        requeue_stale(RosterImport, household_tasks.import_roster, IMPORT_WAITING)
        + requeue_stale(RosterExport, household_tasks.export_roster, EXPORT_WAITING)
        + requeue_stale(SheetImportJob, run_sheet_job, sheets.WAITING)
    )
