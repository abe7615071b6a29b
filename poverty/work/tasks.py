"""The daily reminders (Celery beat, every morning)."""

from celery import shared_task
from django.db import DatabaseError

from .reminders import send_reminders as send


@shared_task(
    name="work.tasks.send_reminders",
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    max_retries=3,
)
def send_reminders() -> dict[str, int]:
    """Make the day's reminders; a retry repeats none that were made (once per deadline)."""
    return dict(send())
