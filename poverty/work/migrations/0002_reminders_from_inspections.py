"""The reminders made while they lived in inspections (findings due), kept: each becomes a
reminder of its finding, leading to the finding's page, and the unread badges are counted."""

from django.db import migrations
from django.db.models import Count
from django.urls import reverse


def move(apps, schema_editor):
    Old = apps.get_model("inspections", "Notification")
    New = apps.get_model("work", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    User = apps.get_model("accounts", "User")
    finding_type, _ = ContentType.objects.get_or_create(app_label="inspections", model="finding")
    rows = []
    for old in Old.objects.filter(finding__isnull=False).iterator():
        rows.append(
            New(
                user_id=old.user_id,
                kind=old.kind,
                subject_type=finding_type,
                subject_id=old.finding_id,
                due=old.due or old.created_at.date(),
                message=old.message,
                link=reverse("inspections:finding_detail", args=[old.finding_id]),
                read_at=old.read_at,
                emailed=old.emailed,
            )
        )
    New.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    # created_at is auto_now_add: keep the original times.
    for old in Old.objects.filter(finding__isnull=False).iterator():
        New.objects.filter(
            user_id=old.user_id, subject_id=old.finding_id, kind=old.kind, due=old.due
        ).update(created_at=old.created_at)
    unread = (
        New.objects.filter(read_at__isnull=True).values("user").annotate(n=Count("pk"))
    )
    for row in unread:
        User.objects.filter(pk=row["user"]).update(unread_notifications=row["n"])


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0001_initial"),
        ("inspections", "0003_finding_extensions"),
        ("accounts", "0007_user_unread_notifications"),
    ]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
