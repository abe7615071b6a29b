"""The statistics bureau's 区划代码 list: levels and parents from the code, short names, re-runs
that rename and add but never delete, all-or-nothing with Excel's row numbers, the page's
preview and confirmation."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from accounts.choices import Role
from villages.choices import AreaLevel
from villages.imports import import_areas
from villages.models import Area

pytestmark = pytest.mark.django_db

LIST = [
    ("990123000000", "", "测试县"),
    ("990123100000", "", "一乡"),
    ("990123100201", "220", "一乡甲村村民委员会"),
    ("990123100203", "220", "丙村民委员会"),
    ("990123102000", "", "城关街道办事处"),
    ("990123102001", "111", "南街社区居民委员会"),
]


def bureau_xlsx(rows, title=True) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append(["2020年统计用区划代码和城乡划分代码"])
        sheet.merge_cells("A1:C1")
    sheet.append(["统计用区划代码", "城乡分类代码", "名称"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def county_staff(make_user, world):
    return make_user(Role.COUNTY_STAFF, world.county)


def test_areas_are_created_with_level_parent_and_short_name(tmp_path, world, county_staff):
    path = tmp_path / "区划.xlsx"
    path.write_bytes(bureau_xlsx(LIST))
    result = import_areas(path, user=county_staff)
    assert result.ok, result.errors
    assert result.counts() == {"created": 3, "renamed": 0, "unchanged": 3, "kept": 4}
    assert result.skipped == [(1, "表头以上：2020年统计用区划代码和城乡划分代码")]
    new = Area.objects.get(code="990123100203")
    assert (new.name, new.level, new.parent) == ("丙村", AreaLevel.VILLAGE, world.t1)
    community = Area.objects.get(code="990123102001")
    assert (community.name, community.parent.name) == ("南街社区", "城关街道")
    # The registry's 一乡甲村, listed by its long name: the same name, unchanged.
    assert Area.objects.get(code="990123100201").name == "一乡甲村"
    # The areas the file does not list are kept and said: nothing is deleted.
    assert [code for code, _ in result.kept] == [
        "990123100202",
        "990123101000",
        "990123101201",
        "990123101202",
    ]
    assert Area.objects.filter(code__in=[c for c, _ in result.kept]).count() == 4


def test_a_rerun_renames_and_adds_and_never_deletes(tmp_path, world, county_staff):
    path = tmp_path / "a.xlsx"
    path.write_bytes(bureau_xlsx(LIST))
    assert import_areas(path, user=county_staff).ok
    before = Area.objects.count()
    renamed = [*LIST[:3], ("990123100203", "220", "丙新村村民委员会")]
    path.write_bytes(bureau_xlsx(renamed))
    result = import_areas(path, user=county_staff)
    assert [(r.code, old, r.name) for r, old in result.renamed] == [
        ("990123100203", "丙村", "丙新村")
    ]
    assert Area.objects.count() == before  # 城关街道 and 南街社区 are not in this file: kept
    assert ("990123102001", "南街社区") in result.kept
    area = Area.objects.get(code="990123100203")
    assert area.name == "丙新村"
    assert area.history.latest().history_user == county_staff


def test_a_bad_list_writes_nothing_and_names_its_rows(tmp_path, world, county_staff):
    rows = [
        *LIST,
        ("99012310020", "", "短码村"),  # row 9 (title, header, six rows): 11 digits
        ("990123100203", "", "重复村"),  # row 10: 990123100203 again (row 6)
        ("990123109201", "", "无乡村"),  # its township is nowhere
        ("990124100201", "", "邻县村"),  # another county's village
    ]
    path = tmp_path / "bad.xlsx"
    path.write_bytes(bureau_xlsx(rows))
    before = Area.objects.count()
    result = import_areas(path, user=county_staff)
    found = {(row, column): message for row, column, message in result.errors}
    assert "不是区划代码" in found[(9, "统计用区划代码")]
    assert "与第6行的区划代码重复" in found[(10, "统计用区划代码")]
    assert found.keys() == {(9, "统计用区划代码"), (10, "统计用区划代码")}
    assert Area.objects.count() == before

    path.write_bytes(bureau_xlsx([*LIST, rows[-2], rows[-1]]))
    result = import_areas(path, user=county_staff)
    found = {(row, column): message for row, column, message in result.errors}
    assert "找不到上级区划990123109000" in found[(9, "统计用区划代码")]
    assert "不在您的管辖范围内" in found[(10, "统计用区划代码")]
    assert Area.objects.count() == before


def test_leaders_cannot_import_and_a_township_only_its_own(tmp_path, world, make_user):
    path = tmp_path / "a.xlsx"
    path.write_bytes(bureau_xlsx(LIST))
    result = import_areas(path, user=make_user(Role.LEADER, world.county))
    assert "没有导入区划的权限" in result.errors[0][2]
    result = import_areas(path, user=make_user(Role.TOWNSHIP_STAFF, world.t1))
    assert [(row, message) for row, _, message in result.errors] == [
        (7, "990123102000不在您的管辖范围内。"),
        (8, "990123102001不在您的管辖范围内。"),
    ]
    assert not Area.objects.filter(code="990123100203").exists()


def test_the_command_previews_and_imports(tmp_path, world, county_staff, capsys):
    path = tmp_path / "a.csv"
    path.write_bytes(
        "统计用区划代码,城乡分类代码,名称\n990123100203,220,丙村民委员会\n".encode("gb18030")
    )
    call_command("import_areas", str(path), "--user", county_staff.username, "--dry-run")
    assert "预览（未写入）：新增1个" in capsys.readouterr().out
    assert not Area.objects.filter(code="990123100203").exists()
    call_command("import_areas", str(path), "--user", county_staff.username)
    assert Area.objects.get(code="990123100203").name == "丙村"


def test_the_page_previews_then_imports_on_confirmation(
    client, world, county_staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    from villages.models import SheetImportJob

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(county_staff)
    listing = client.get(reverse("villages:area_list")).content.decode()
    url = reverse("sheet_import", args=["areas"])
    assert f'href="{url}">批量导入' in listing
    upload = SimpleUploadedFile("区划.xlsx", bureau_xlsx(LIST))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file": upload})
    job = SheetImportJob.objects.get()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "预览：以下变化尚未写入" in page and "新增3条，更新0条，未变3条" in page
    assert "990123100203 丙村（丙村民委员会）" in page
    assert "系统中有、文件中没有的区划保留不删" in page
    assert not Area.objects.filter(code="990123100203").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sheet_job_confirm", args=[job.pk]), {"confirm": "1"})
    assert response.status_code == 302
    assert Area.objects.filter(code="990123100203").exists()
    # Confirmed once: the job is done, a second confirmation is refused.
    again = client.post(reverse("sheet_job_confirm", args=[job.pk]), {"confirm": "1"})
    assert "该导入当前为“已完成”，不能确认导入" in again.content.decode()


def test_the_roster_import_matches_a_village_by_its_long_name(tmp_path, world, county_staff):
    from households.models import Household
    from households.roster import import_roster

    from ..households.test_roster import family, write

    rows = family(world)
    for row in rows:
        row["行政村"] = "一乡甲村村民委员会"
    result = import_roster(write(tmp_path, rows), user=county_staff)
    assert result.ok, result.errors
    assert Household.objects.get().village == world.v11
