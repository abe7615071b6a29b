"""The runtime as deployed: a real Celery worker with beat, and the production settings."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from poverty.celery import app
from poverty.management.commands.rundemo import worker_command

ROOT = Path(settings.BASE_DIR)


def test_beat_schedule_is_configured_in_code():
    assert app.conf.beat_schedule["heartbeat"]["task"] == "poverty.tasks.heartbeat"


def test_scheduled_task_fires_on_a_real_worker(tmp_path):
    """Beat and a worker, as the README command starts them: with REDIS_URL through Redis
    (CI), without it through the on-disk queue (a fresh machine)."""
    db = tmp_path / "worker.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "poverty.settings.local",
        "DATABASE_URL": f"sqlite:///{db}",
        "CELERY_DATA_DIR": str(tmp_path / "queue"),
        "HEARTBEAT_SECONDS": "1",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    worker = subprocess.Popen(  # noqa: S603
        worker_command(tmp_path / "beat-schedule"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        done = 0
        while time.monotonic() < deadline and not done:
            time.sleep(1)
            with sqlite3.connect(db, timeout=10) as conn:
                done = conn.execute(
                    "select count(*) from django_celery_results_taskresult "
                    "where task_name = 'poverty.tasks.heartbeat' and status = 'SUCCESS'"
                ).fetchone()[0]
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
        assert done, "the scheduled heartbeat did not run within 90 s"
    finally:
        worker.terminate()
        worker.wait(timeout=20)


@pytest.mark.django_db
def test_system_status_shows_the_last_heartbeat(client, make_user, world):
    from django_celery_results.models import TaskResult

    client.force_login(make_user("leader", world.county))
    assert "尚未收到" in client.get("/system/").content.decode()
    TaskResult.objects.create(task_id="x", task_name="poverty.tasks.heartbeat", status="SUCCESS")
    assert "最近一次" in client.get("/system/").content.decode()


def test_production_settings_pass_the_deployment_check():
    # Browser tests in the same worker allow async-unsafe calls; production never does.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "poverty.settings.production",
        "SECRET_KEY": "k" * 20 + "this-is-only-for-the-deploy-check-9f8e7d6c5b4a",
        "PII_KEY": "only-for-the-deploy-check",
        "ALLOWED_HOSTS": "fupin.example.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_api_docs_and_pages_load_nothing_from_outside(client, make_user, world):
    import re

    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui-bundle.js" in docs
    client.force_login(make_user("county_staff", world.county))
    for page in (docs, client.get("/villages/areas/").content.decode()):
        assert not re.search(r'(src|href)="(https?:)?//', page), "an asset loads from another host"
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/areas/" in schema.content
