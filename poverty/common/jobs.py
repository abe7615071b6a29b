"""Background jobs kept as rows (an upload's import, a large export): queued once their row is
committed, claimed by exactly one worker, and queued again by a periodic sweep when the broker
was away (poverty.tasks.requeue_jobs). The row, not the broker's message, is what says a job is
waiting, so a message lost with Redis never loses the job."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# On the job's page while nothing could be queued: the file is safe and will be processed.
QUEUE_LATER = (
    "文件已保存。后台处理服务暂时无法连接，系统会在恢复后自动处理（约{minutes}分钟内重试），"
    "无需重新上传。"
)
REQUEUED = "已重新排队，等待处理……"


def requeue_minutes() -> float:
    return settings.JOB_REQUEUE_MINUTES


def _send(task, job: models.Model) -> bool:
    """Hand the job to the broker; when it is away, say so on the job and leave it waiting for
    the sweep (the row is committed: nothing the user sent is lost)."""
    try:
        task.delay(job.pk)
    except Exception:
        logger.warning(
            "could not queue %s %s: it waits for the requeue sweep",
            type(job)._meta.label,
            job.pk,
            exc_info=True,
        )
        minutes = f"{requeue_minutes():g}"
        type(job)._default_manager.filter(pk=job.pk).update(
            message=QUEUE_LATER.format(minutes=minutes)
        )
        return False
    return True


def queue_after_commit(task, job: models.Model) -> None:
    """Queue `task(job.pk)` once the transaction that wrote the job commits (at once outside
    one). A worker never reads a row that is not there yet, and a rolled-back job is never run."""
    transaction.on_commit(lambda: _send(task, job))


def claim(model: type[models.Model], pk: int, waiting: Iterable[str], running: str):
    """The job row `pk`, now marked `running`, if it was in one of the `waiting` statuses and
    this worker is the one that moved it; None when another worker already took it or it ran
    (a message sent twice, by the page and by the sweep, runs the job once). The returned row
    still holds the status it was claimed from."""
    job = model._default_manager.select_related("user").get(pk=pk)
    if job.status not in waiting:
        return None
    taken = model._default_manager.filter(pk=pk, status=job.status).update(status=running)
    return job if taken else None


def requeue_stale(model: type[models.Model], task, waiting: Iterable[str]) -> int:
    """Queue again every job of `model` still waiting JOB_REQUEUE_MINUTES after it was last
    saved; returns how many were sent. A job the broker already holds is claimed once anyway."""
    cutoff = timezone.now() - timedelta(minutes=requeue_minutes())
    sent = 0
    for job in model._default_manager.filter(status__in=list(waiting), updated_at__lte=cutoff):
        if not _send(task, job):
            break  # the broker is still away: the next sweep tries again
        model._default_manager.filter(pk=job.pk, status__in=list(waiting)).update(
            updated_at=timezone.now(), message=REQUEUED
        )
        sent += 1
    return sent
