"""The runtime as deployed: a real Celery worker with beat, and the production settings."""

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from poverty.celery import app
from poverty.management.commands.rundemo import worker_command

ROOT = Path(settings.BASE_DIR)


def test_beat_schedule_is_configured_in_code():
    assert app.conf.beat_schedule["heartbeat"]["task"] == "poverty.tasks.heartbeat"


def worker_env(tmp_path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "poverty.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "CELERY_DATA_DIR": str(tmp_path / "queue"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "HEARTBEAT_SECONDS": "1",
        # Tests run in parallel against one Redis: each worker consumes only its own jobs,
        # or one test's worker takes another's job and runs it on the wrong database.
        "CELERY_QUEUE": f"test-{tmp_path.name}-{os.getpid()}",
    }


@pytest.fixture(scope="session")
def migrated(tmp_path_factory, worker_id) -> Path:
    """A database migrated from nothing by `manage.py migrate`, as a fresh machine gets it:
    made once per test run (the first xdist worker to need it makes it while the others wait;
    a migrate takes most of a minute) and copied for each worker test."""
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent  # this run's, shared by workers
    where = shared / "migrated"
    database = where / "worker.sqlite3"
    with open(shared / "migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not database.exists():
            making = shared / "migrating"  # renamed once whole: a failed migrate leaves none
            making.mkdir(exist_ok=True)
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "-v0"],
                cwd=ROOT,
                env=worker_env(making),
                check=True,
                timeout=180,
            )
            making.rename(where)
    return database


@pytest.fixture
def real_worker(tmp_path, migrated):
    """Run beat and a worker on a copy of the migrated database, as the README command does."""

    @contextmanager
    def run(env, *, database=True):
        if database:  # else the test made its own copy
            shutil.copyfile(migrated, tmp_path / "worker.sqlite3")
        with _worker(tmp_path, env) as worker:
            yield worker

    return run


@contextmanager
def _worker(tmp_path, env):
    worker = subprocess.Popen(  # noqa: S603
        worker_command(tmp_path / "beat-schedule"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def run_shell(env, code: str) -> None:
    """Run `code` in `manage.py shell` against the worker's database."""
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )


def wait_for(worker, db, sql: str, what: str, seconds: int = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(1)
        with sqlite3.connect(db, timeout=10) as conn:
            row = conn.execute(sql).fetchone()
        if row and row[0]:
            return row
        assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
    pytest.fail(f"{what} did not happen within {seconds} s")


def test_scheduled_task_fires_on_a_real_worker(tmp_path, real_worker):
    """Beat and a worker, as the README command starts them: with REDIS_URL through Redis
    (CI), without it through the on-disk queue (a fresh machine)."""
    env = worker_env(tmp_path)
    with real_worker(env) as worker:
        wait_for(
            worker,
            tmp_path / "worker.sqlite3",
            "select count(*) from django_celery_results_taskresult "
            "where task_name = 'poverty.tasks.heartbeat' and status = 'SUCCESS'",
            "the scheduled heartbeat",
        )


SETUP_IMPORT = """
from django.core.files.base import ContentFile
from accounts.models import User
from households.models import RosterImport
from households.tasks import import_roster
from tests.households.roster_files import roster_bytes
from villages.models import Area
county = Area.objects.create(code="990123000000", name="测试县")
township = Area.objects.create(code="990123100000", name="一乡")
village = Area.objects.create(code="990123100201", name="甲村")
user = User.objects.create(username="staff", role="county_staff")
user.areas.set([county])
row = {"乡镇": "一乡", "行政村": "甲村", "户编号": "H-0001", "姓名": "王建国",
       "证件号码": "11010519491231002X", "与户主关系": "户主", "贫困户属性": "一般贫困户",
       "主要致贫原因": "因病", "识别年度": 2014, "计划脱贫年度": 2018, "脱贫状态": "未脱贫"}
job = RosterImport(user=user, area=county, file_name="花名册.xlsx")
job.file.save("r.xlsx", ContentFile(roster_bytes([row])), save=True)
import_roster.delay(job.pk)
"""


CONFIRM_IMPORT = """
from accounts.models import User
from households.models import RosterImport
from households.roster.jobs import roster_import_confirm
user = User.objects.get(username="staff")
roster_import_confirm(job=RosterImport.objects.get(), by=user, removals_checked=False)
"""


SETUP_EXPORT = """
from accounts.models import User
from households.models import RosterExport
from households.tasks import export_roster
user = User.objects.get(username="staff")
job = RosterExport.objects.create(user=user, area=user.areas.get(), query="")
export_roster.delay(job.pk)
"""


def test_a_roster_import_and_a_large_export_run_on_a_real_worker(tmp_path, real_worker):
    """The upload page's and the export's jobs go through the broker to a separate worker."""
    env = worker_env(tmp_path)
    with real_worker(env) as worker:
        run_shell(env, SETUP_IMPORT)
        # First the preview (nothing written), then, once confirmed, the write.
        status, members = wait_for(
            worker,
            tmp_path / "worker.sqlite3",
            "select status, (select count(*) from households_member) "
            "from households_rosterimport where status in ('previewed', 'failed')",
            "the roster import's preview",
        )
        assert (status, members) == ("previewed", 0)
        run_shell(env, CONFIRM_IMPORT)
        status, members = wait_for(
            worker,
            tmp_path / "worker.sqlite3",
            "select status, (select count(*) from households_member) "
            "from households_rosterimport where status in ('succeeded', 'failed')",
            "the roster import",
        )
        assert (status, members) == ("succeeded", 1)

        # A large list export goes the same way, and leaves its file on the job.
        run_shell(env, SETUP_EXPORT)
        status, rows, file = wait_for(
            worker,
            tmp_path / "worker.sqlite3",
            "select status, rows_written, file from households_rosterexport "
            "where status in ('succeeded', 'failed')",
            "the roster export",
        )
        assert (status, rows) == ("succeeded", 1)
        assert (tmp_path / "media" / file).stat().st_size > 0


UPLOAD_WHILE_REDIS_IS_DOWN = """
import time
from django.test import Client
from django.urls import reverse
from accounts.tokens import issue
from accounts.models import User
from households.models import RosterImport
from tests.households.roster_files import roster_upload
from villages.models import Area
county = Area.objects.create(code="990123000000", name="测试县")
Area.objects.create(code="990123100000", name="一乡")
Area.objects.create(code="990123100201", name="甲村")
user = User.objects.create(username="staff", role="county_staff")
user.areas.set([county])
client = Client()
client.force_login(user)
row = {"乡镇": "一乡", "行政村": "甲村", "户编号": "H-0001", "姓名": "王建国",
       "证件号码": "11010519491231002X", "与户主关系": "户主", "贫困户属性": "一般贫困户",
       "主要致贫原因": "因病", "识别年度": 2014, "计划脱贫年度": 2018, "脱贫状态": "未脱贫"}
started = time.monotonic()
response = client.post(reverse("households:rosterimport_add"), {"file": roster_upload([row])})
assert response.status_code == 302, response.status_code
page = client.get(response["Location"]).content.decode()
assert "文件已保存" in page and "无需重新上传" in page, page
assert RosterImport.objects.get().status == "pending"
client_user = User.objects.create(username="feed", role="api_client")
client_user.areas.set([county])
token = issue(client_user).key
api = Client().get("/api/v1/areas/", HTTP_AUTHORIZATION=f"Token {token}")
assert api.status_code == 200, api.status_code
assert time.monotonic() - started < 15, "waiting on the absent Redis"
"""


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of this test's own on a free port, started and stopped at will (the machine's
    is shared by parallel tests and CI)."""
    import socket

    server = shutil.which("redis-server")
    if not server:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    running = []

    def start():
        running.append(
            subprocess.Popen(  # noqa: S603
                [
                    server,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--dir",
                    str(tmp_path),
                    "--appendonly",
                    "no",
                ],
                stdout=subprocess.DEVNULL,
            )
        )
        for _ in range(50):
            with socket.socket() as ping:
                if ping.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.1)
        pytest.fail("the private Redis did not start")

    start.url = f"redis://127.0.0.1:{port}/0"
    yield start
    for process in running:
        process.terminate()
        process.wait(timeout=10)


def test_with_redis_down_an_upload_is_kept_and_imported_once_redis_is_back(
    tmp_path, migrated, real_worker, private_redis
):
    """Redis (broker and cache) away: the upload is saved and says it will be processed, the
    token API still answers; once Redis is back the sweep queues the job and a worker runs it."""
    env = {
        **worker_env(tmp_path),
        "REDIS_URL": private_redis.url,
        "ALLOWED_HOSTS": "testserver,localhost",
        "JOB_REQUEUE_MINUTES": "0.02",
        "JOB_SWEEP_SECONDS": "1",
    }
    shutil.copyfile(migrated, tmp_path / "worker.sqlite3")
    run_shell(env, UPLOAD_WHILE_REDIS_IS_DOWN)
    private_redis()
    with real_worker(env, database=False) as worker:
        status, members = wait_for(
            worker,
            tmp_path / "worker.sqlite3",
            "select status, (select count(*) from households_member) "
            "from households_rosterimport where status in ('previewed', 'failed')",
            "the preview of the upload kept while Redis was down",
        )
    assert (status, members) == ("previewed", 0)


def test_monthly_notices_run_on_the_1st_in_shanghai_time():
    entry = app.conf.beat_schedule["monthly-notices"]
    assert entry["task"] == "inspections.tasks.make_monthly_notices"
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {1}, {0})
    assert app.conf.timezone == "Asia/Shanghai"
    reminders = app.conf.beat_schedule["send-reminders"]
    assert reminders["task"] == "work.tasks.send_reminders"
    assert (reminders["schedule"].hour, reminders["schedule"].minute) == ({7}, {30})
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert "work.tasks.send_reminders" in app.tasks


SETUP_FINDINGS = """
import datetime
from inspections.models import Finding, Inspection
from villages.models import Area, Unit
county = Area.objects.create(code="990123000000", name="测试县")
Area.objects.create(code="990123100000", name="一乡")
village = Area.objects.create(code="990123100201", name="甲村")
unit = Unit.objects.create(name="县水利局", area=county)
visit = Inspection.objects.create(kind="unannounced", title="暗访", area=county)
for deadline in (datetime.date(2020, 1, 20), datetime.date(2099, 1, 1)):
    Finding.objects.create(inspection=visit, category="funds", subject="village", area=village,
                           description="资金拨付滞后", unit=unit, found_on=datetime.date(2020, 1, 5),
                           deadline=deadline)
"""


def test_beat_makes_the_monthly_notices_on_a_real_worker_once(tmp_path, real_worker):
    """The beat entry (fired every 2 s here instead of on the 1st) through the broker to a
    worker; repeated runs for the same month make nothing new."""
    env = {**worker_env(tmp_path), "NOTICES_SECONDS": "2"}
    with real_worker(env) as worker:
        run_shell(env, SETUP_FINDINGS)
        db = tmp_path / "worker.sqlite3"
        runs = (
            "select count(*) from django_celery_results_taskresult "
            "where task_name = 'inspections.tasks.make_monthly_notices' and status = 'SUCCESS'"
        )
        wait_for(worker, db, "select count(*) from inspections_notice", "the monthly notices")
        with sqlite3.connect(db, timeout=10) as conn:
            done = conn.execute(runs).fetchone()[0]
        wait_for(worker, db, f"select ({runs}) >= {done + 2}", "two more runs of the job")
        with sqlite3.connect(db, timeout=10) as conn:
            notices = conn.execute(
                "select kind, number, (select count(*) from inspections_noticeitem i "
                "where i.notice_id = n.id) from inspections_notice n order by kind"
            ).fetchall()
        # Numbered by the month covered (inspections.notices): last month's, made on the 1st.
        with sqlite3.connect(db, timeout=10) as conn:
            month = int(conn.execute("select month from inspections_notice").fetchone()[0][5:7])
        assert notices == [("bulletin", month, 1), ("unit", month * 1000 + 1, 2)]


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
