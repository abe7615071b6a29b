"""In-app reminders (消息提醒), one row per user, obligation and deadline."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from .choices import ReminderKind


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


def recount_unread(user_ids: Iterable[int]) -> None:
    """Keep `User.unread_notifications` (the menu bar's badge, read with the user row on every
    page at no extra query) equal to the user's unread rows: after reminders are made or read."""
    from accounts.models import User

    ids = sorted(set(user_ids))
    if not ids:
        return
    unread = (
        Notification.objects.unread()
        .filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    User.objects.filter(pk__in=ids).update(unread_notifications=Coalesce(Subquery(unread), 0))


class Notification(models.Model):
    """A reminder to one user of one obligation (the thing that is due, `subject`) and its
    deadline (`due`): made once per user, obligation and deadline, so a moved deadline earns a
    new reminder and the daily job repeats none. Also e-mailed and sent by SMS when configured
    (poverty.work.reminders)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人",
    )
    kind = models.CharField("类型", max_length=20, choices=ReminderKind.choices)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name="事项类型"
    )
    subject_id = models.PositiveBigIntegerField("事项编号")
    subject = GenericForeignKey("subject_type", "subject_id")
    due = models.DateField("到期日")
    message = models.CharField("内容", max_length=300)
    # Where the reminder leads (the subject's page, or a filtered list), fixed when it is made.
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed = models.BooleanField("已发邮件", default=False)
    texted = models.BooleanField("已发短信", default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "消息提醒"
        verbose_name_plural = "消息提醒"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "subject_type", "subject_id", "due"],
                name="work_notification_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["user", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            )
        ]

    def __str__(self) -> str:
        return self.message
