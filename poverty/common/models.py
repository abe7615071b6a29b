"""Abstract models shared by the apps."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from poverty.personal import crypto, idnumber
from poverty.personal.masking import mask_id_number

from .scoping import ScopedModel, ScopedQuerySet

# Evidence attachments (scans, photos) accepted on workflow steps.
UPLOAD_EXTENSIONS = ["jpg", "jpeg", "png", "pdf"]


def recorded_by_field() -> models.ForeignKey:
    """Who entered a row (assessments, visits, fund entries): set by the form, kept if the user goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name="录入人",
    )


def save_versioned(instance: models.Model, by, **changes) -> None:
    """A service's write to a row with a `version`: the changes, the next version, who did it.

    Edit forms opened before this write are then refused (ScopedModelForm's version check).
    """
    for field, value in changes.items():
        setattr(instance, field, value)
    instance.version += 1
    instance._history_user = by
    instance.save(update_fields=[*changes, "version", "updated_at"])


class StaleEdit(Exception):
    """Someone else saved the object after this form was opened."""


def stale_message(instance) -> str:
    last = (
        instance.history.select_related("history_user").first()
        if hasattr(instance, "history")
        else None
    )
    who = ""
    if last is not None:
        name = last.history_user.display_name if last.history_user else "系统"
        who = f"（{name}，{timezone.localtime(last.history_date):%Y-%m-%d %H:%M}）"
    return f"保存失败：在您编辑期间，该记录已被他人修改{who}。请重新打开页面，核对后再修改。"


def lock_seen(instance: models.Model, seen: int | None) -> models.Model:
    """`instance`'s row locked until the transaction ends, refused (ValidationError naming who
    changed it and when) if its version is no longer `seen`, the one the user's page showed.
    With the service's own lock after it, of two people acting on the same page at once the
    second is told instead of silently overwriting the first. `seen` None: no page version to
    hold (an API client or a command), only the lock."""
    locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if seen is not None and locked.version != seen:
        raise ValidationError(stale_message(locked))
    return locked


class ImportStatus(models.TextChoices):
    """An upload's way (the roster's and every sheet's): checked and previewed by a job, then,
    once its uploader confirms, written by another."""

    PENDING = "pending", "等待处理"
    RUNNING = "running", "处理中"
    PREVIEWED = "previewed", "待确认"
    CONFIRMED = "confirmed", "已确认，等待写入"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "有错误，未导入"
    CANCELLED = "cancelled", "已放弃"


# Queued or at work: the upload's page polls for progress.
IMPORT_RUNNING = (ImportStatus.PENDING, ImportStatus.RUNNING, ImportStatus.CONFIRMED)


def locked_preview(model: type[models.Model], job: models.Model, by, verb: str):
    """An upload's job, locked, for its uploader to confirm or drop while it waits previewed;
    a ValidationError naming why not otherwise. Call inside a transaction."""
    job = model.objects.select_for_update().get(pk=job.pk)
    if job.user_id != by.pk:
        raise ValidationError(f"只有上传该文件的人可以{verb}。")
    if job.status != ImportStatus.PREVIEWED:
        raise ValidationError(f"该导入当前为“{job.get_status_display()}”，不能{verb}。")
    return job


class DatedQuerySet(ScopedQuerySet):
    def active(self, on: datetime.date | None = None) -> DatedQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))


class DatedModel(ScopedModel):
    """A relation that holds from a start date to an optional end date (postings, pairings).

    `overlap_fields` names the fields that identify "the same relation": two rows with equal
    values there may not cover the same day.
    """

    overlap_fields: ClassVar[tuple[str, ...]] = ()
    # Shown when periods overlap; default: "同一<verbose name>在该时间段内已存在…".
    overlap_message: ClassVar[str] = ""

    start_date = models.DateField("开始日期", default=timezone.localdate)
    end_date = models.DateField("结束日期", null=True, blank=True, help_text="在任/有效则留空")

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "结束日期不能早于开始日期。"})
        self._check_overlap()

    def _check_overlap(self) -> None:
        if not self.overlap_fields or not self.start_date:
            return
        try:
            same = {f: getattr(self, f) for f in self.overlap_fields}
        except models.ObjectDoesNotExist:
            return  # a missing required field is reported by field validation
        if any(v is None for v in same.values()):
            return
        others = type(self)._default_manager.filter(**same).exclude(pk=self.pk)
        # Periods [s1, e1] and [s2, e2] overlap when s1 <= e2 and s2 <= e1 (open end = forever).
        if self.end_date:
            others = others.filter(start_date__lte=self.end_date)
        others = others.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
        if others.exists():
            raise ValidationError(
                self.overlap_message
                or f"同一{self._meta.verbose_name}在该时间段内已存在，时间段不能重叠。"
            )


class IdNumberModel(models.Model):
    """A person's ID number stored three ways: encrypted, as a keyed hash, and masked.

    The plain number exists only in memory (`instance.id_number`); a database dump shows the
    ciphertext, a hash that cannot be reversed without PII_KEY, and 1410**********1234.
    """

    id_number_encrypted = models.TextField("证件号码(密文)", blank=True, editable=False)
    id_number_hash = models.CharField(
        "证件号码(检索码)", max_length=64, blank=True, editable=False, db_index=True
    )
    id_number_masked = models.CharField("证件号码", max_length=18, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def id_number(self) -> str:
        """The full number (decrypted); show it only through masking.shown()."""
        return crypto.decrypt(self.id_number_encrypted)

    @id_number.setter
    def id_number(self, value: str) -> None:
        number = idnumber.normalize(value)
        self.id_number_encrypted = crypto.encrypt(number)
        self.id_number_hash = crypto.keyed_hash(number) if number else ""
        self.id_number_masked = mask_id_number(number)
