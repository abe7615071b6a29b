"""Lists of upload jobs (the roster's import list, the work page, a sheet's recent uploads) show
a job's file and status without reading what only the job's own page shows: a preview and up
to 5,000 errors, decoded for every row otherwise."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from households.models import RosterImport
from poverty.common.models import ImportStatus
from tests.factories import RosterImportFactory, SheetImportJobFactory

pytestmark = pytest.mark.django_db

ERRORS = [{"row": n, "column": "身份证号", "message": "身份证号校验位不对"} for n in range(5000)]


@pytest.fixture
def uploader(client, make_user, world):
    user = make_user(Role.COUNTY_STAFF, world.county)
    RosterImportFactory(
        user=user,
        area=world.county,
        file_name="全县花名册.xlsx",
        status=ImportStatus.FAILED,
        errors=ERRORS,
        error_count=len(ERRORS),
        removals=[{"name": "某人", "row": n} for n in range(2000)],
    )
    SheetImportJobFactory(user=user, area=world.county, result={"errors": ERRORS})
    client.force_login(user)
    return client


def read(client, url):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    return page, " ".join(q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (reverse("households:rosterimport_list"), ["全县花名册.xlsx"]),
        (reverse("home"), ["全县花名册.xlsx", "单位.xlsx"]),
        (reverse("sheet_import", args=["units"]), ["单位.xlsx"]),
    ],
)
def test_a_list_of_jobs_shows_them_without_reading_their_errors(uploader, url, shown):
    page, sql = read(uploader, url)
    for name in shown:
        assert name in page
    for column in ("errors", "removals", "changes", "result", "secrets"):
        assert f'."{column}"' not in sql


def test_the_jobs_own_page_still_reads_them(uploader):
    job = RosterImport.objects.get()
    page, sql = read(uploader, job.get_absolute_url())
    assert '."errors"' in sql
    assert "身份证号校验位不对" in page
