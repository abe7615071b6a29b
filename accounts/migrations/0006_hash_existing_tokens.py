"""Tokens issued before keys were hashed (rest_framework.authtoken kept them in plain text):
each becomes an ApiToken holding the key's SHA-256, so clients keep working, and the plain key
is deleted. The authtoken app is no longer installed; its table is read only if it is there."""

import datetime
import hashlib

from django.db import migrations
from django.utils import dateparse, timezone


def hash_existing(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
        for key, user_id, created in rows:
            if isinstance(created, str):  # SQLite hands a timestamp back as text, in UTC
                created = dateparse.parse_datetime(created)
            if created is not None and timezone.is_naive(created):
                created = timezone.make_aware(created, datetime.UTC)
            token = ApiToken.objects.create(
                user_id=user_id, digest=hashlib.sha256(key.encode()).hexdigest(), prefix=key[:6]
            )
            ApiToken.objects.filter(pk=token.pk).update(created=created)
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_api_token")]

    operations = [migrations.RunPython(hash_existing, migrations.RunPython.noop)]
