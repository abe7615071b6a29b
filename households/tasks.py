"""Registry jobs: the nightly data-quality check."""

from celery import shared_task

from .models import Household
from .quality import check_quality as run_checks


@shared_task(name="households.tasks.check_quality")
def check_quality(area_code: str = "") -> dict:
    """Run every quality rule over the households under `area_code` (all when empty)."""
    households = Household.objects.all()
    if area_code:
        households = households.under([area_code])
    result = run_checks(households)
    return {
        "opened": result.opened,
        "reopened": result.reopened,
        "still": result.still,
        "resolved": result.resolved,
    }


@shared_task(name="households.tasks.import_roster")
def import_roster(job_id: int) -> dict:
    """Run one uploaded roster import, recording progress and the outcome on the job."""
    from .roster.jobs import run_import_job

    return run_import_job(job_id)


@shared_task(name="households.tasks.export_roster")
def export_roster(job_id: int) -> dict:
    """Write one large roster export, recording progress and the file on the job."""
    from .roster.jobs import run_export_job

    return run_export_job(job_id)


@shared_task(name="households.tasks.purge_roster_files")
def purge_roster_files() -> int:
    """Nightly: delete roster files ROSTER_FILE_DAYS after their job (personal data)."""
    from .roster.jobs import purge_files

    return purge_files()
