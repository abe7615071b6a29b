"""The mapping step: a county's own sheet names columns we do not know; the uploader maps them
(or leaves them out) with the first values in view, keeps the choice as the county's template,
and the next file of that kind maps itself; the command takes --mapping NAME."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.choices import Role
from households.excel import HEADERS
from households.models import Household, RosterImport, RosterMapping
from households.roster import import_roster
from households.roster.jobs import run_import_job
from households.roster.mapping import roster_import_map

from .roster_files import roster_bytes
from .test_roster import family, write

pytestmark = pytest.mark.django_db

# The county's own sheet: 识别年度 is called 纳入建档年份, and it keeps 家庭住址 we do not.
OWN_HEADERS = ["纳入建档年份" if h == "识别年度" else h for h in HEADERS if h != "年人均纯收入"] + [
    "家庭住址"
]


def own_rows(world, code="H-0001"):
    rows = family(world, code=code)
    for row in rows:
        row["纳入建档年份"] = row.pop("识别年度")
        row["家庭住址"] = "一乡甲村2组18号"
    return rows


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.COUNTY_STAFF, world.county)


def uploaded(user, data: bytes, settings, tmp_path) -> RosterImport:
    settings.MEDIA_ROOT = tmp_path / "media"
    job = RosterImport.objects.create(
        user=user, area=user.areas.get(), file_name="乡镇自制花名册.xlsx"
    )
    job.file.save("x.xlsx", io.BytesIO(data))
    run_import_job(job.pk)
    job.refresh_from_db()
    return job


def test_unknown_columns_are_mapped_on_the_page_and_the_next_file_maps_itself(
    client, world, staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    job = uploaded(staff, roster_bytes(own_rows(world), OWN_HEADERS), settings, tmp_path)
    # Without 识别年度 the file cannot be read; the step shows what the columns hold.
    assert job.status == "failed"
    assert {"column": "识别年度", "message": "缺少必填列。", "row": 1} in job.errors
    assert job.unknown_columns == ["纳入建档年份", "家庭住址"]
    assert job.samples == {"纳入建档年份": ["2014", "2014"], "家庭住址": ["一乡甲村2组18号"] * 2}
    client.force_login(staff)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "列名对应：文件中有 2 列未能识别" in page and "一乡甲村2组18号" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("households:rosterimport_map", args=[job.pk]),
            {"column_0": "identified_year", "column_1": "", "template_name": "乡镇自制花名册"},
        )
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.errors, job.unknown_columns) == ("previewed", [], [])
    assert job.counts["households_created"] == 1
    template = RosterMapping.objects.get()
    assert (template.name, template.area, template.columns) == (
        "乡镇自制花名册",
        world.county,
        {"纳入建档年份": "identified_year", "家庭住址": ""},
    )

    # The next file of that kind, from a township clerk of the county, maps itself.
    clerk = staff.__class__.objects.create(username="clerk", role=Role.TOWNSHIP_STAFF)
    clerk.areas.set([world.t1])
    again = uploaded(
        clerk, roster_bytes(own_rows(world, code="H-0002"), OWN_HEADERS), settings, tmp_path
    )
    assert (again.status, again.mapping_name, again.unknown_columns) == (
        "previewed",
        "乡镇自制花名册",
        [],
    )
    # The write reads the file the way the preview did.
    assert again.column_map == template.columns
    page = client.get(reverse("households:rostermapping_list")).content.decode()
    assert "纳入建档年份 → 识别年度" in page and "家庭住址 → 忽略" in page


def test_a_mapping_may_not_name_one_column_twice_and_is_the_uploaders(
    world, staff, make_user, settings, tmp_path
):
    job = uploaded(staff, roster_bytes(own_rows(world), OWN_HEADERS), settings, tmp_path)
    with pytest.raises(ValidationError, match="两列不能对应同一项：识别年度"):
        roster_import_map(
            job=job,
            by=staff,
            columns={"纳入建档年份": "identified_year", "家庭住址": "identified_year"},
        )
    colleague = make_user(Role.COUNTY_STAFF, world.county)
    with pytest.raises(ValidationError, match="只有上传该文件的人可以设置列名对应"):
        roster_import_map(job=job, by=colleague, columns={"纳入建档年份": "identified_year"})
    assert not RosterMapping.objects.exists()


def test_a_township_clerks_template_is_kept_for_the_township(
    world, make_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    clerk = make_user(Role.TOWNSHIP_STAFF, world.t1)
    job = uploaded(clerk, roster_bytes(own_rows(world), OWN_HEADERS), settings, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        roster_import_map(
            job=job,
            by=clerk,
            columns={"纳入建档年份": "identified_year", "家庭住址": ""},
            template_name="一乡花名册",
        )
    assert RosterMapping.objects.get().area == world.t1
    # Another township neither sees nor uses it.
    other = make_user(Role.TOWNSHIP_STAFF, world.t2)
    assert not RosterMapping.objects.restrict(other).exists()


def test_the_template_naming_most_unknown_headers_is_chosen(world, staff, tmp_path):
    RosterMapping.objects.create(area=world.county, name="只认住址", columns={"家庭住址": ""})
    RosterMapping.objects.create(
        area=world.county,
        name="完整",
        columns={"纳入建档年份": "identified_year", "家庭住址": ""},
    )
    result = import_roster(
        write(tmp_path, own_rows(world), headers=OWN_HEADERS), user=staff, dry_run=True
    )
    assert result.ok, result.errors
    assert result.mapping_name == "完整"


def test_the_command_takes_a_named_mapping(world, staff, tmp_path, capsys):
    RosterMapping.objects.create(
        area=world.county, name="自制", columns={"纳入建档年份": "identified_year"}
    )
    path = write(tmp_path, own_rows(world), headers=OWN_HEADERS)
    call_command("import_roster", str(path), user=staff.username, mapping="自制")
    out = capsys.readouterr().out
    assert "按列名对应模板“自制”读取未识别的列" in out
    assert "未识别的列（已忽略）：家庭住址" in out
    assert Household.objects.get().identified_year == 2014
    with pytest.raises(Exception, match="找不到列名对应模板“别的”"):
        call_command("import_roster", str(path), user=staff.username, mapping="别的")
