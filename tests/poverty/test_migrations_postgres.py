"""Migrations from nothing on PostgreSQL, where index and constraint names share one namespace
per schema (SQLite forgives a clash there: a new table's constraint named like one still on a
table to be dropped later broke `migrate` on PostgreSQL alone). Runs when the suite itself runs
on PostgreSQL (.ci/run); skipped on SQLite."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_a_fresh_postgresql_database_migrates_from_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("the suite runs on SQLite here; .ci/run runs it on PostgreSQL")
    db = settings.DATABASES["default"]
    name = f"migrate_{uuid.uuid4().hex[:12]}"
    # CREATE DATABASE refuses a transaction: a connection of its own, in autocommit.
    admin = connection.get_new_connection(connection.get_connection_params())
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        url = f"postgres://{db['USER']}{password}@{db['HOST']}:{db.get('PORT') or 5432}/{name}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "poverty.settings.local",
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-2000:]
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
