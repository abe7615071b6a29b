"""Dashboard jobs: recounting the village tallies after a change, and in full every night."""

from celery import shared_task

from . import tallies


@shared_task(name="dashboard.tasks.refresh_tallies")
def refresh_tallies(villages: list[int] | None = None, households: list[int] | None = None) -> int:
    """Recount the tallies of these villages and of the villages of these households; every
    village when both are None (the nightly run). Returns the number of villages counted."""
    if villages is None and households is None:
        return tallies.refresh()
    return tallies.refresh({*(villages or ()), *tallies.villages_of(households or ())})
