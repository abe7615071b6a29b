"""Accountability jobs: the monthly notices (the 1st)."""

from celery import shared_task
from django.db import DatabaseError

from poverty.common.months import parse_month, previous_month

from .notices import make_notices


@shared_task(
    name="inspections.tasks.make_monthly_notices",
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    max_retries=5,
)
def make_monthly_notices(month: str = "") -> list[str]:
    """The notices of `month` ("YYYY-MM"; default the month just ended).

    Each county's set is one transaction and made only once, so a retry after a failure
    finishes what is missing and repeats nothing.
    """
    first = parse_month(month) if month else previous_month()
    return [str(result) for result in make_notices(first)]
