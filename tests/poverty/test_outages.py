"""When Redis is away: uploads and exports are kept and run later by the requeue sweep, each job
runs once however often it is sent, and the API throttle counts per account, atomically, and
keeps counting in memory instead of failing. (test_runtime stops a real Redis.)"""

import datetime
import logging
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.choices import Role
from accounts.tokens import issue, revoke
from households.models import RosterExport, RosterImport
from households.roster.jobs import run_import_job
from poverty.common import apiconf
from poverty.tasks import requeue_jobs
from tests.factories import HouseholdFactory
from tests.households.roster_files import roster_upload
from villages.models import SheetImportJob

pytestmark = pytest.mark.django_db

ROW = {
    "户编号": "H-0001",
    "姓名": "王建国",
    "证件号码": "11010519491231002X",
    "与户主关系": "户主",
    "贫困户属性": "一般贫困户",
    "主要致贫原因": "因病",
    "识别年度": 2014,
    "计划脱贫年度": 2018,
    "脱贫状态": "未脱贫",
}


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.COUNTY_STAFF, world.county)


@pytest.fixture
def broker_down(monkeypatch):
    """Every queueing fails as kombu fails when Redis refuses the connection."""

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for task in (
        "households.tasks.import_roster",
        "households.tasks.export_roster",
        "poverty.tasks.run_sheet_job",
    ):
        monkeypatch.setattr(f"{task}.delay", refuse)


def row(world):
    return {"乡镇": world.t1.name, "行政村": world.v11.name, **ROW}


def age(job, minutes: float) -> None:
    type(job).objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )


def test_an_upload_while_the_broker_is_down_is_kept_and_run_by_the_sweep(
    client, world, staff, broker_down, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOB_REQUEUE_MINUTES = 5
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("households:rosterimport_add"), {"file": roster_upload([row(world)])}
        )
    job = RosterImport.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "等待处理" in page and "文件已保存" in page and "无需重新上传" in page
    assert "约5分钟内" in page
    assert job.file.storage.exists(job.file.name)

    # The broker is still down: the sweep leaves the job waiting and fails no one.
    age(job, 6)
    assert requeue_jobs() == 0
    job.refresh_from_db()
    assert job.status == "pending"


def test_the_sweep_queues_only_jobs_waiting_longer_than_the_setting(
    world, staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOB_REQUEUE_MINUTES = 5
    stale, fresh = (
        RosterImport(user=staff, area=world.county, file_name=f"{name}.xlsx")
        for name in ("stale", "fresh")
    )
    for job in (stale, fresh):
        job.file.save("r.xlsx", roster_upload([row(world)]), save=True)
    age(stale, 6)
    age(fresh, 4)
    export = RosterExport.objects.create(user=staff, area=world.county, query="")
    age(export, 6)
    # A sheet job waiting confirmed (the uploader confirmed, the broker lost the message).
    sheet = SheetImportJob(kind="units", title="单位", user=staff, area=world.county)
    sheet.file.save("u.xlsx", SimpleUploadedFile("u.xlsx", b"not a workbook"), save=False)
    sheet.status = SheetImportJob.Status.CONFIRMED
    sheet.save()
    age(sheet, 10)
    # Nothing is waiting that ran already.
    done = RosterExport.objects.create(
        user=staff, area=world.county, status=RosterExport.Status.SUCCEEDED
    )
    age(done, 60)

    assert requeue_jobs() == 3  # run eagerly here, as a worker would
    for job in (stale, fresh, export, sheet, done):
        job.refresh_from_db()
    assert (stale.status, fresh.status) == ("previewed", "pending")
    assert export.status == "succeeded" and export.rows_written == 0
    assert sheet.status == "failed"  # it ran: the file is not a workbook, and says so
    assert done.finished_at is None  # untouched


def test_a_job_sent_twice_runs_once(world, staff, settings, tmp_path, monkeypatch):
    """The page's message and the sweep's can both arrive; only the first claims the job."""
    settings.MEDIA_ROOT = tmp_path / "media"
    job = RosterImport(user=staff, area=world.county, file_name="r.xlsx")
    job.file.save("r.xlsx", roster_upload([row(world)]), save=True)
    runs = []
    real = run_import_job.__globals__["import_roster"]
    monkeypatch.setitem(
        run_import_job.__globals__,
        "import_roster",
        lambda *a, **k: runs.append(1) or real(*a, **k),
    )
    assert run_import_job(job.pk)["status"] == "previewed"
    assert run_import_job(job.pk) == {"status": "previewed"}
    assert runs == [1]


def test_two_workers_claiming_one_job_at_once_get_it_once(world, staff):
    from poverty.common.jobs import claim

    job = RosterExport.objects.create(user=staff, area=world.county, query="")
    first = claim(RosterExport, job.pk, ("pending",), "running")
    second = claim(RosterExport, job.pk, ("pending",), "running")
    assert first is not None and first.status == "pending"  # the status it was claimed from
    assert second is None
    job.refresh_from_db()
    assert job.status == "running"


# The API throttle ----------------------------------------------------------------------


@pytest.fixture
def rate(settings):
    """Set API_THROTTLE_RATE, starting from no calls counted (ids repeat between tests)."""
    from django.core.cache import cache

    cache.clear()
    apiconf._LOCAL_COUNTS.clear()

    def set_rate(value: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"user": value},
        }

    yield set_rate
    cache.clear()
    apiconf._LOCAL_COUNTS.clear()


def test_an_accounts_tokens_and_browser_session_share_one_allowance(world, make_user, rate):
    rate("4/minute")
    client_user = make_user(Role.API_CLIENT, world.county)
    token = issue(client_user).key
    other = issue(make_user(Role.API_CLIENT, world.county)).key
    browser = Client()
    browser.force_login(client_user)

    def by_token(key):
        return Client().get("/api/v1/areas/", HTTP_AUTHORIZATION=f"Token {key}").status_code

    assert [by_token(token), by_token(token)] == [200, 200]
    assert [browser.get("/api/v1/areas/").status_code for _ in range(2)] == [200, 200]
    refused = browser.get("/api/v1/areas/")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert by_token(token) == 429
    # A reissued token does not start afresh either: the allowance is the account's.
    revoke(client_user)
    assert by_token(issue(client_user).key) == 429
    assert by_token(other) == 200  # another account has its own


class _Request:
    def __init__(self, user):
        self.user = user
        self.META = {"REMOTE_ADDR": "10.0.0.9"}


def _parallel_calls(user, calls: int, threads: int, frozen: float) -> int:
    """`calls` API calls of one account from `threads` clients at once; how many passed."""
    passed = []
    start = threading.Barrier(threads)

    def client(count):
        start.wait()
        for _ in range(count):
            throttle = apiconf.AccountRateThrottle()
            throttle.timer = lambda: frozen
            passed.append(throttle.allow_request(_Request(user), None))

    workers = [
        threading.Thread(target=client, args=(calls // threads + (i < calls % threads),))
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(passed) == calls
    return sum(passed)


def test_parallel_calls_never_pass_more_than_the_rate(world, make_user, rate):
    rate("600/minute")
    user = make_user(Role.API_CLIENT, world.county)
    frozen = 1_800_000_000.0 + 10  # 10 s into a minute
    assert _parallel_calls(user, 700, 8, frozen) == 600
    # The next minute is a fresh allowance.
    assert _parallel_calls(user, 10, 2, frozen + 60) == 10


def test_parallel_calls_counted_in_redis_never_pass_more_than_the_rate(
    world, make_user, rate, monkeypatch
):
    """The same against the real Redis (CI sets REDIS_URL): INCR is atomic there too."""
    import os

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")
    from django.core.cache.backends.redis import RedisCache

    redis = RedisCache(url, {"KEY_PREFIX": f"throttle-test-{os.getpid()}"})
    monkeypatch.setattr(apiconf.AccountRateThrottle, "cache", redis)
    rate("600/minute")
    user = make_user(Role.API_CLIENT, world.county)
    frozen = timezone.now().timestamp() // 60 * 60 + 5
    try:
        assert _parallel_calls(user, 700, 8, frozen) == 600
    finally:
        redis.clear()


def test_the_throttle_counts_in_memory_and_warns_when_the_cache_is_away(
    world, make_user, rate, monkeypatch, caplog
):
    class Away:
        def add(self, *args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        incr = add

    monkeypatch.setattr(apiconf.AccountRateThrottle, "cache", Away())
    monkeypatch.setitem(apiconf._FALLBACK_WARNED, "at", 0.0)
    rate("3/minute")
    token = issue(make_user(Role.API_CLIENT, world.county)).key
    HouseholdFactory(village=world.v11)
    with caplog.at_level(logging.WARNING, logger="poverty.common.apiconf"):
        codes = [
            Client().get("/api/v1/areas/", HTTP_AUTHORIZATION=f"Token {token}").status_code
            for _ in range(4)
        ]
    assert codes == [200, 200, 200, 429]  # still limited, per process
    warnings = [r for r in caplog.records if "counting per process" in r.getMessage()]
    assert len(warnings) == 1  # once a minute, not once a call
