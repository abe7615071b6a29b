"""The Celery jobs behind the upload and export pages: progress on the job row, then the
outcome (counts, errors, files); and the nightly purge of the files they leave."""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from ..models import Member, RosterExport, RosterImport
from . import import_roster
from .export import error_copy, export_roster, households_for_export

MAX_STORED_ERRORS = 5000


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
    """The Celery job behind the upload page: progress on the job row, then the outcome."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    jobs = RosterImport.objects.filter(pk=job_id)
    job = jobs.select_related("user").get()
    if job.is_done:
        return {"status": job.status}  # a retried message: the job already ran
    path = job.file.path
    jobs.update(status=RosterImport.Status.RUNNING, phase="read")

    def progress(phase: str, **counts) -> None:
        jobs.update(phase=phase, **counts)

    with _failing(jobs, "处理时发生内部错误，未导入任何数据；请联系系统管理员。"):
        result = import_roster(path, user=job.user, dry_run=job.dry_run, progress=progress)
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
    job.finished_at = timezone.now()
    job.phase = "done"
    if errors:
        job.status = RosterImport.Status.FAILED
        job.message = f"发现{len(errors)}处错误，未导入任何数据。"
        if marked is not None:
            job.error_file.save(f"imports/errors-{job.pk}.xlsx", marked, save=False)
    else:
        job.status = RosterImport.Status.SUCCEEDED
        job.rows_validated = result.rows
        job.rows_written = 0 if job.dry_run else result.rows_changed
        if job.dry_run:
            job.message = "校验通过（未写入）。"
        elif result.rows_changed or result.counts.get("members_removed"):
            job.message = "导入完成。"
        else:
            job.message = "导入完成：文件与已登记的信息完全相同，没有需要写入的变化。"
    job.save()
    return {"status": job.status, "errors": len(errors), **result.counts}


def run_export_job(job_id: int) -> dict:
    """The Celery job behind a large export: progress on the job row, then the file on it."""
    import tempfile

    from django.core.files import File
    from django.utils import timezone

    jobs = RosterExport.objects.filter(pk=job_id)
    job = jobs.select_related("user").get()
    if job.is_done:
        return {"status": job.status}  # a retried message: the job already ran
    households = households_for_export(job.user, job.query)
    total = Member.objects.filter(household__in=households.values("pk")).count()
    jobs.update(status=RosterExport.Status.RUNNING, total_rows=total)
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
    """Delete the files of roster jobs finished more than ROSTER_FILE_DAYS ago: uploads, their
    error copies and exports, which may all hold full ID numbers. The jobs stay (who, when,
    counts, errors). Returns the number of files deleted."""
    from django.utils import timezone

    now = now or timezone.now()
    days = settings.ROSTER_FILE_DAYS
    cutoff = now - datetime.timedelta(days=days)
    deleted = 0
    for model, fields in ((RosterImport, ("file", "error_file")), (RosterExport, ("file",))):
        for job in model.objects.filter(finished_at__lt=cutoff).exclude(file=""):
            for name in fields:
                if getattr(job, name):
                    getattr(job, name).delete(save=False)
                    deleted += 1
            if model is RosterExport:
                job.message += f"文件已按规定删除（保留{days}天），如需请重新导出。"
            job.save(update_fields=[*fields, "message", "updated_at"])
    return deleted
