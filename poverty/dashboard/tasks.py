"""Dashboard jobs: recounting the village tallies after a change, and all of them every night."""

from celery import shared_task

from . import tallies


@shared_task(name="dashboard.tasks.refresh_tallies", ignore_result=True)
def refresh_tallies(villages: list[int], households: list[int]) -> int:
    """Recount the villages changed by one transaction: these villages and those of these
    households. No result row: one runs after every change."""
    return tallies.refresh({*villages, *tallies.villages_of(households)})


@shared_task(name="dashboard.tasks.recount_tallies")
def recount_tallies() -> int:
    """Recount every village (the nightly run; 系统状态 shows its last result)."""
    return tallies.refresh()
