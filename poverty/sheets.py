"""The sheet kinds a county brings when it moves in, in the order it brings them (the import
page, its template download and `manage.py import_sheet KIND FILE` look them up here), and the
workflow of an upload on the page: a background job checks and previews it, the uploader
confirms, a second job writes it (villages.models.SheetImportJob)."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils import timezone

from accounts.sheets import AccountImport
from households.sheets import HouseholdPairingImport, MeasureImport
from poverty.common.jobs import claim, queue_after_commit
from poverty.common.models import locked_preview
from poverty.personal import crypto
from villages.models import Area, SheetImportJob
from villages.sheets import (
    AreaImport,
    CadreImport,
    LeaderPairingImport,
    UnitImport,
    UnitPairingImport,
    VillagePostingImport,
)

KINDS = {
    kind.kind: kind
    for kind in (
        AreaImport,
        UnitImport,
        CadreImport,
        VillagePostingImport,
        UnitPairingImport,
        LeaderPairingImport,
        AccountImport,
        HouseholdPairingImport,
        MeasureImport,
    )
}
Status = SheetImportJob.Status
# Queued, to preview or (once confirmed) to write.
WAITING = (Status.PENDING, Status.CONFIRMED)


def sheet_job_start(*, kind: str, upload, by) -> SheetImportJob:
    """Keep the upload with a new job and queue its preview once the job is committed."""
    from . import tasks

    importer = KINDS[kind]
    area = by.areas.order_by("code").first() or Area.objects.order_by("code").first()
    with transaction.atomic():
        job = SheetImportJob(
            kind=kind, title=importer.title, user=by, area=area, file_name=upload.name[:200]
        )
        job.file.save(upload.name, upload, save=False)
        job.save()
        queue_after_commit(tasks.run_sheet_job, job)
    return job


def run_sheet_job(job_id: int) -> str:
    """The Celery job: a pending upload is checked and previewed (nothing written), a confirmed
    one written, all or nothing; progress and the outcome on the job row."""
    jobs = SheetImportJob.objects.filter(pk=job_id)
    job = claim(SheetImportJob, job_id, WAITING, Status.RUNNING)
    if job is None:
        return jobs.values_list("status", flat=True).get()  # sent twice: it ran or is running
    writing = job.status == Status.CONFIRMED
    jobs.update(rows_done=0)

    def progress(done: int, total: int) -> None:
        jobs.update(rows_done=done, total_rows=total)

    try:
        result = KINDS[job.kind](job.user).run(
            job.file.path, dry_run=not writing, progress=progress
        )
    except Exception:
        jobs.update(
            status=Status.FAILED,
            message="处理时发生内部错误，未导入任何数据；请联系系统管理员。",
            finished_at=timezone.now(),
        )
        raise
    job.refresh_from_db()
    job.result = result.as_dict()
    counts = result.counts()
    changed = counts["created"] or counts["updated"]
    if result.errors:
        job.status, job.finished_at = Status.FAILED, timezone.now()
        job.message = f"发现{len(result.errors)}处错误，未导入任何数据。"
    elif writing:
        job.status, job.finished_at = Status.SUCCEEDED, timezone.now()
        job.message = f"导入完成：{result.summary()}。"
        if result.secrets:
            job.secrets = crypto.encrypt(json.dumps(result.secrets, ensure_ascii=False))
    elif changed:
        job.status = Status.PREVIEWED
        job.message = f"校验通过，尚未写入：{result.summary()}。请核对后确认导入。"
    else:
        job.status, job.finished_at = Status.SUCCEEDED, timezone.now()
        job.message = "表中的记录与系统中完全相同，没有需要写入的变化。"
    job.rows_done = job.total_rows
    job.save()
    return job.status


def sheet_job_confirm(*, job: SheetImportJob, by) -> SheetImportJob:
    """The uploader confirms the preview: the job is queued again, to write."""
    from . import tasks

    with transaction.atomic():
        job = locked_preview(SheetImportJob, job, by, "确认导入")
        job.status, job.confirmed_at = Status.CONFIRMED, timezone.now()
        job.rows_done, job.message = 0, "已确认，等待写入……"
        job.save()
        queue_after_commit(tasks.run_sheet_job, job)
    return job


def sheet_job_cancel(*, job: SheetImportJob, by) -> SheetImportJob:
    with transaction.atomic():
        job = locked_preview(SheetImportJob, job, by, "放弃导入")
        job.status, job.finished_at = Status.CANCELLED, timezone.now()
        job.message = "已放弃，未导入任何数据。"
        job.save()
    return job


def sheet_job_take_secrets(*, job: SheetImportJob, by) -> list[tuple[str, str]]:
    """New accounts' initial passwords, to their uploader, once: read and wiped together."""
    with transaction.atomic():
        job = SheetImportJob.objects.select_for_update().get(pk=job.pk)
        if job.user_id != by.pk or not job.secrets:
            return []
        secrets = [tuple(pair) for pair in json.loads(crypto.decrypt(job.secrets))]
        job.secrets = ""
        job.save(update_fields=["secrets", "updated_at"])
    return secrets
