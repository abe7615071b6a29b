"""Project-wide jobs. The heartbeat proves that beat and a worker are alive (system status page)."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="poverty.tasks.heartbeat")
def heartbeat() -> str:
    return timezone.now().isoformat()
