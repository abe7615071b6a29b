"""The Celery jobs behind the upload and export pages: progress on the job row, then the
outcome (counts, errors, files); and the nightly purge of the files they leave."""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from django.conf import settings

from poverty.common.jobs import claim, queue_after_commit
from poverty.common.models import ImportStatus, locked_preview

from ..models import Member, RosterExport, RosterImport
from . import import_roster
from .export import error_copy, export_roster, households_for_export

MAX_STORED_ERRORS = 5000
# Queued: to preview or (once confirmed) to write; an export to write.
IMPORT_WAITING = (ImportStatus.PENDING, ImportStatus.CONFIRMED)
EXPORT_WAITING = (RosterExport.Status.PENDING,)


@contextmanager
def _failing(jobs, message: str):
    """A job that raises is marked failed with `message` for its page, then the error goes on
    to Celery (and the log)."""
    from django.utils import timezone

    try:
        yield
    except Exception:
        jobs.update(status="failed", message=message, finished_at=timezone.now())
        raise


def run_import_job(job_id: int) -> dict:
    """The Celery job behind the upload page: a pending job is checked and previewed (nothing
    written), a confirmed one written; progress on the job row, then the outcome."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    jobs = RosterImport.objects.filter(pk=job_id)
    Status = RosterImport.Status
    job = claim(RosterImport, job_id, IMPORT_WAITING, Status.RUNNING)
    if job is None:  # sent twice (by the page and the sweep): it ran or is running
        return {"status": jobs.values_list("status", flat=True).get()}
    writing = job.status == Status.CONFIRMED
    path = job.file.path
    jobs.update(phase="read")

    def progress(phase: str, **counts) -> None:
        jobs.update(phase=phase, **counts)

    with _failing(jobs, "处理时发生内部错误，未导入任何数据；请联系系统管理员。"):
        result = import_roster(
            path,
            user=job.user,
            dry_run=not writing,
            progress=progress,
            # Only the removals the uploader saw listed and confirmed.
            confirmed_removals=[r["id"] for r in job.removals] if writing else (),
            mapping=job.column_map or None,
            income_year=job.income_year,
        )
    errors = [e.as_dict() for e in result.errors]
    marked = None
    if any(e["row"] > 1 for e in errors):
        # The copy with the errors marked: for a county's file, a phase of its own (seconds).
        import tempfile

        jobs.update(phase="mark", message=f"发现{len(errors)}处错误，正在生成标注了错误的文件……")
        with (
            _failing(jobs, "生成错误标注文件时发生内部错误；请联系系统管理员。"),
            tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp,
        ):
            error_copy(
                path,
                tmp.name,
                errors,
                lambda rows: jobs.update(rows_marked=rows),
                header_row=result.header_row,
            )
            marked = ContentFile(Path(tmp.name).read_bytes())
    job.refresh_from_db()
    job.errors = errors[:MAX_STORED_ERRORS]
    job.error_count = len(errors)
    job.unknown_columns = result.unknown_columns
    job.skipped_rows = [list(skip) for skip in result.skipped[:MAX_STORED_ERRORS]]
    job.header_row = result.header_row
    job.counts = result.counts
    job.samples = result.samples
    if result.mapping_name and not job.column_map:
        # The county's template mapped it by itself: the write reads it the same way.
        job.column_map, job.mapping_name = result.mapping, result.mapping_name
    job.phase = "done"
    changed = result.changes_anything
    if errors:
        job.status = Status.FAILED
        job.finished_at = timezone.now()
        job.message = f"发现{len(errors)}处错误，未导入任何数据。"
        if marked is not None:
            job.error_file.save(f"imports/errors-{job.pk}.xlsx", marked, save=False)
    elif writing:
        job.status = Status.SUCCEEDED
        job.finished_at = timezone.now()
        job.rows_validated = result.rows
        job.rows_written = result.rows_changed
        job.message = "导入完成。" if changed else "导入完成：没有需要写入的变化。"
    else:
        job.rows_validated = result.rows
        job.changes = [asdict(c) for c in result.changes]
        job.removals = [r.as_dict() for r in result.removals]
        job.exported_at = result.exported_at
        if changed:
            job.status = Status.PREVIEWED
            job.message = "校验通过，尚未写入：请核对下面的变化，确认后导入。"
        else:
            job.status = Status.SUCCEEDED
            job.finished_at = timezone.now()
            job.message = "文件与已登记的信息完全相同，没有需要写入的变化。"
    job.save()
    return {"status": job.status, "errors": len(errors), **result.counts}


def roster_import_confirm(*, job: RosterImport, by, removals_checked: bool) -> RosterImport:
    """The uploader confirms a previewed import: the job is queued again, this time to write.

    Removals the preview said need confirming must have been ticked off; the write then removes
    only the members the preview listed (a member the registry gained meanwhile is refused)."""
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils import timezone

    from .. import tasks

    with transaction.atomic():
        job = locked_preview(RosterImport, job, by, "确认导入")
        if job.removals_to_confirm and not removals_checked:
            raise ValidationError(
                f"此文件将移出{len(job.removals_to_confirm)}名已登记的成员，请逐一核对后勾选确认。"
            )
        job.status = RosterImport.Status.CONFIRMED
        job.confirmed_at = timezone.now()
        job.phase = ""
        job.rows_read = job.rows_validated = job.rows_written = 0
        job.message = "已确认，等待写入……"
        job.save()
        queue_after_commit(tasks.import_roster, job)
    return job


def roster_import_cancel(*, job: RosterImport, by) -> RosterImport:
    """The uploader drops a previewed import; nothing was written (the file is purged with the
    others after ROSTER_FILE_DAYS)."""
    from django.db import transaction
    from django.utils import timezone

    with transaction.atomic():
        job = locked_preview(RosterImport, job, by, "放弃导入")
        job.status = RosterImport.Status.CANCELLED
        job.finished_at = timezone.now()
        job.message = "已放弃，未导入任何数据。"
        job.save()
    return job


def run_export_job(job_id: int) -> dict:
    """The Celery job behind a large export: progress on the job row, then the file on it."""
    import tempfile

    from django.core.files import File
    from django.utils import timezone

    jobs = RosterExport.objects.filter(pk=job_id)
    job = claim(RosterExport, job_id, EXPORT_WAITING, RosterExport.Status.RUNNING)
    if job is None:  # sent twice (by the page and the sweep): it ran or is running
        return {"status": jobs.values_list("status", flat=True).get()}
    households = households_for_export(job.user, job.query)
    total = Member.objects.filter(household__in=households.values("pk")).count()
    jobs.update(total_rows=total)
    with (
        _failing(jobs, "导出时发生内部错误；请联系系统管理员。"),
        tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp,
    ):
        count = export_roster(
            tmp.name,
            households,
            user=job.user,
            progress=lambda rows: jobs.update(rows_written=rows),
        )
        job.refresh_from_db()
        job.file.save(f"exports/roster-{job.pk}.xlsx", File(tmp), save=False)
    job.status = RosterExport.Status.SUCCEEDED
    job.rows_written = count
    job.message = f"已导出{count}人。"
    job.finished_at = timezone.now()
    job.save()
    return {"status": job.status, "rows": count}


def purge_files(now=None) -> int:
    """Delete the files of import and export jobs finished more than ROSTER_FILE_DAYS ago:
    roster uploads, their error copies and exports, and the sheets of the assistance force,
    which may all hold full ID numbers. An upload left previewed and unconfirmed that long is
    dropped first. The jobs stay (who, when, counts, errors). Returns the files deleted."""
    from django.db.models import F
    from django.utils import timezone

    from villages.models import SheetImportJob

    now = now or timezone.now()
    days = settings.ROSTER_FILE_DAYS
    cutoff = now - datetime.timedelta(days=days)
    for model in (RosterImport, SheetImportJob):
        model.objects.filter(status=ImportStatus.PREVIEWED, updated_at__lt=cutoff).update(
            status=ImportStatus.CANCELLED,
            finished_at=F("updated_at"),
            message=f"预览后{days}天未确认，已自动放弃，未导入任何数据。",
        )
    # New accounts' initial passwords nobody came to read: no longer kept, even encrypted.
    SheetImportJob.objects.filter(finished_at__lt=cutoff).exclude(secrets="").update(secrets="")
    deleted = 0
    for model, fields in (
        (RosterImport, ("file", "error_file")),
        (RosterExport, ("file",)),
        (SheetImportJob, ("file",)),
    ):
        for job in model.objects.filter(finished_at__lt=cutoff).exclude(file=""):
            for name in fields:
                if getattr(job, name):
                    getattr(job, name).delete(save=False)
                    deleted += 1
            if model is RosterExport:
                job.message += f"文件已按规定删除（保留{days}天），如需请重新导出。"
            job.save(update_fields=[*fields, "message", "updated_at"])
    return deleted
