"""Roster import and export: all-or-nothing, every error with row and column, idempotent
re-import, updates by 户编号 and ID number, a safe reader, and an export that re-imports."""

import datetime
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import Role
from households.models import Household, Member, RosterExport, RosterImport, SensitiveAccess
from households.roster import export_roster, import_roster
from poverty.common import excel
from tests.factories import HouseholdFactory, new_id_number

from .roster_files import roster_bytes, roster_upload, with_dtd, zip_bomb

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def person(world, code="H-0001", name="王建国", relation="户主", number=None, **extra):
    village = extra.pop("village", world.v11)
    row = {
        "乡镇": village.parent.name,
        "行政村": village.name,
        "自然村": "2组",
        "户编号": code,
        "姓名": name,
        "证件号码": number or new_id_number("male", datetime.date(1966, 4, 8)),
        "与户主关系": relation,
        "贫困户属性": "一般贫困户",
        "主要致贫原因": "因病",
        "其他致贫原因": "缺技术、缺资金",
        "识别年度": 2014,
        "计划脱贫年度": 2018,
        "脱贫状态": "未脱贫",
        "健康状况": "长期慢性病",
        "联系电话": "13912345678",
    }
    row.update(extra)
    return row


def family(world, code="H-0001", **extra):
    return [
        person(world, code=code, **extra),
        person(
            world,
            code=code,
            name="李秀兰",
            relation="配偶",
            number=new_id_number("female", datetime.date(1968, 2, 1)),
            **extra,
        ),
    ]


def write(tmp_path, rows, name="roster.xlsx", **kwargs) -> Path:
    path = tmp_path / name
    path.write_bytes(roster_bytes(rows, **kwargs))
    return path


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.COUNTY_STAFF, world.county)


def test_import_creates_households_and_members(tmp_path, world, staff):
    rows = family(world) + family(world, code="H-0002", 脱贫状态="已脱贫", 脱贫年度=2018)
    result = import_roster(write(tmp_path, rows), user=staff)
    assert result.ok, result.errors
    assert result.counts["households_created"] == 2 and result.counts["members_created"] == 4
    h = Household.objects.get(code="H-0001")
    assert (h.village, h.group, h.category, h.primary_cause) == (
        world.v11,
        "2组",
        "general",
        "illness",
    )
    assert h.other_cause_list == ["no_skills", "no_capital"]
    assert Household.objects.get(code="H-0002").status == "exited"
    wife = h.members.get(name="李秀兰")
    assert (wife.gender, wife.relation, wife.birth_date) == (
        "female",
        "spouse",
        datetime.date(1968, 2, 1),
    )
    assert h.history.first().history_user == staff  # imports leave an audit trail too
    assert wife.history.get().history_user == staff
    assert h.persons == 2  # counted as the rows were written
    number = rows[1]["证件号码"]
    assert Member.objects.with_id_number(number).get() == wife
    assert wife.id_number == number and wife.id_number_masked == number[:4] + "*" * 10 + number[-4:]


def test_the_same_file_again_changes_nothing(tmp_path, world, staff):
    path = write(tmp_path, family(world))
    assert import_roster(path, user=staff).rows_changed == 2
    before = list(Member.objects.values_list()) + list(Household.objects.values_list())
    result = import_roster(path, user=staff)
    assert result.rows_changed == 0
    assert result.counts == {
        "households_created": 0,
        "households_updated": 0,
        "households_unchanged": 1,
        "members_created": 0,
        "members_updated": 0,
        "members_unchanged": 2,
        "members_removed": 0,
        "incomes_created": 0,
        "incomes_updated": 0,
        "incomes_unchanged": 0,
        "incomes_kept": 0,
    }
    assert not result.changes_anything
    assert list(Member.objects.values_list()) + list(Household.objects.values_list()) == before


def test_the_rows_written_are_the_rows_that_change_something(tmp_path, world, staff):
    rows = family(world) + family(world, code="H-0002")
    import_roster(write(tmp_path, rows), user=staff)
    rows[1]["健康状况"] = "患有大病"  # one person of the first household
    for row in rows[2:]:
        row["联系电话"] = "13900000000"  # a household column: both of the second's rows
    result = import_roster(write(tmp_path, rows), user=staff)
    assert result.rows_changed == 3
    assert (result.counts["members_updated"], result.counts["households_updated"]) == (1, 1)


def test_an_unchanged_upload_says_so_and_fills_its_write_bar(
    client, world, staff, tmp_path, settings
):
    import households.roster.jobs as roster

    settings.MEDIA_ROOT = tmp_path / "media"
    data = roster_bytes(family(world))
    for _ in range(2):
        upload = RosterImport.objects.create(user=staff, area=world.county, file_name="x.xlsx")
        upload.file.save("x.xlsx", io.BytesIO(data))
        roster.run_import_job(upload.pk)
        upload.refresh_from_db()
        if upload.status == "previewed":
            roster.roster_import_confirm(job=upload, by=staff, removals_checked=False)
            roster.run_import_job(upload.pk)
    upload.refresh_from_db()
    # The second upload's preview found nothing to write: it ends there, never to confirm.
    assert (upload.status, upload.rows_written, upload.confirmed_at) == ("succeeded", 0, None)
    assert upload.message == "文件与已登记的信息完全相同，没有需要写入的变化。"
    client.force_login(staff)
    page = client.get(upload.get_absolute_url()).content.decode()
    assert "写入 0 行" in page and 'aria-label="写入" aria-valuenow="100"' in page
    first = RosterImport.objects.order_by("pk").first()
    assert (first.rows_written, first.message) == (2, "导入完成。")


def test_an_edited_file_updates_what_changed(tmp_path, world, staff):
    rows = family(world)
    import_roster(write(tmp_path, rows), user=staff)
    for row in rows:
        row["计划脱贫年度"] = 2019
    rows[1]["健康状况"] = "患有大病"
    # The head changes: the wife becomes head, the husband spouse (one statement apart).
    rows[0]["与户主关系"], rows[1]["与户主关系"] = "配偶", "户主"
    rows.append(
        person(
            world,
            name="王小明",
            relation="子女",
            number=new_id_number("male", datetime.date(2008, 9, 1)),
            计划脱贫年度=2019,
        )
    )
    result = import_roster(write(tmp_path, rows, "edited.xlsx"), user=staff)
    assert result.ok, result.errors
    assert result.counts["households_updated"] == 1
    assert result.counts["members_updated"] == 2 and result.counts["members_created"] == 1
    assert Household.objects.get().planned_exit_year == 2019
    assert Member.objects.get(relation="head").name == "李秀兰"
    # A person left out of the household's rows is removed from it, once the user agrees: the
    # file is not an export of ours, so nothing says the removal is not an older file's.
    smaller = write(tmp_path, rows[:2], "smaller.xlsx")
    refused = import_roster(smaller, user=staff)
    assert [e.message for e in refused.errors] == [
        "此文件将移出1名已登记的成员（如H-0001户王小明），移出须在预览中逐一核对后确认；"
        "未导入任何数据。"
    ]
    assert [(r.name, r.needs_confirm) for r in refused.removals] == [("王小明", True)]
    assert Member.objects.filter(name="王小明").exists()
    result = import_roster(smaller, user=staff, allow_removals=True)
    assert result.counts["members_removed"] == 1
    assert not Member.objects.filter(name="王小明").exists()


def test_a_person_moving_between_households_of_the_file_is_moved_not_duplicated(
    tmp_path, world, staff
):
    son = person(
        world,
        name="王小明",
        relation="子女",
        number=new_id_number("male", datetime.date(2001, 5, 5)),
    )
    one, two = family(world), family(world, code="H-0002")
    import_roster(write(tmp_path, [*one, son, *two]), user=staff)
    # He leaves H-0001 and is listed under H-0002.
    moved = {**son, "户编号": "H-0002", "与户主关系": "其他"}
    result = import_roster(write(tmp_path, [*one, *two, moved], "moved.xlsx"), user=staff)
    assert result.ok, result.errors
    assert (result.counts["members_updated"], result.counts["members_created"]) == (1, 0)
    assert result.counts["members_removed"] == 0
    member = Member.objects.with_id_number(son["证件号码"]).get()
    assert (member.household.code, member.relation) == ("H-0002", "other")
    persons = dict(Household.objects.values_list("code", "persons"))
    assert persons == {"H-0001": 2, "H-0002": 3}


def test_every_error_is_reported_with_row_and_column_and_nothing_is_written(tmp_path, world, staff):
    HouseholdFactory(village=world.v11, code="EXISTING")
    taken = Member.objects.get().id_number
    rows = [
        *family(world),  # rows 2, 3: fine
        person(world, code="H-0002", number="110105194912310021"),  # 4: check digit
        person(world, code="H-0003", 贫困户属性="特别贫困户"),  # 5: not in the code list
        person(world, code="H-0004", 识别年度=2016, 计划脱贫年度=2015),  # 6: years
        person(world, code="H-0005", number=taken),  # 7: person in another household
        person(world, code="H-0006", 行政村="不存在村"),  # 8: unknown village
        person(world, code="H-0007", 脱贫状态="已脱贫"),  # 9: no exit year
        person(world, code="H-0008"),  # 10: with the next row, a different category
        person(
            world,
            code="H-0008",
            name="乙",
            relation="子女",
            贫困户属性="低保贫困户",
            number=new_id_number("female", datetime.date(1999, 1, 1)),
        ),  # 11
        person(world, code="H-0009", relation="子女"),  # 12: no head
        person(world, code="H-0010", 性别="女"),  # 13: gender disagrees with the ID
    ]
    rows.append(dict(rows[0], 户编号="H-0011", 姓名="重复"))  # 14: the same ID as row 2
    result = import_roster(write(tmp_path, rows), user=staff)
    found = {(e.row, e.column) for e in result.errors}
    assert {
        (4, "证件号码"),
        (5, "贫困户属性"),
        (6, "计划脱贫年度"),
        (7, "证件号码"),
        (8, "行政村"),
        (9, "脱贫年度"),
        (11, "贫困户属性"),
        (12, "与户主关系"),
        (13, "性别"),
        (14, "证件号码"),
    } <= found, sorted(found)
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "校验位错误" in messages[(4, "证件号码")]
    assert "“特别贫困户”不在代码表中" in messages[(5, "贫困户属性")]
    assert "已登记在其他贫困户（户编号EXISTING）" in messages[(7, "证件号码")]
    assert "与第10行不一致" in messages[(11, "贫困户属性")]
    assert "与第2行的证件号码重复" in messages[(14, "证件号码")]
    assert Household.objects.count() == 1 and Member.objects.count() == 1


def test_missing_required_columns_and_unknown_columns(tmp_path, world, staff):
    headers = ["乡镇", "行政村", "户编号", "姓名", "备注"]
    result = import_roster(write(tmp_path, [], headers=headers), user=staff)
    missing = {e.column for e in result.errors if e.row == 1}
    assert {"证件号码", "与户主关系", "贫困户属性", "脱贫状态"} <= missing
    assert result.unknown_columns == ["备注"]


def test_unknown_columns_are_ignored_and_listed(tmp_path, world, staff):
    from households.excel import HEADERS

    rows = [dict(r, 备注="无") for r in family(world)]
    result = import_roster(write(tmp_path, rows, headers=[*HEADERS, "备注"]), user=staff)
    assert result.ok and result.unknown_columns == ["备注"]


def test_areas_outside_the_users_own_are_refused(tmp_path, world, make_user):
    township = make_user(Role.TOWNSHIP_STAFF, world.t1)
    HouseholdFactory(village=world.v21, code="H-T2")
    rows = family(world, village=world.v21) + family(world, code="H-T2")
    result = import_roster(write(tmp_path, rows), user=township)
    messages = " ".join(e.message for e in result.errors)
    assert "在您的管辖范围内找不到二镇二镇甲村" in messages
    assert "户编号H-T2已在您的管辖范围以外登记" in messages
    assert not Household.objects.exclude(code="H-T2").exists()


def test_leaders_cannot_import(tmp_path, world, make_user):
    result = import_roster(
        write(tmp_path, family(world)), user=make_user(Role.LEADER, world.county)
    )
    assert "没有导入花名册的权限" in result.errors[0].message


def test_dry_run_reports_counts_and_writes_nothing(tmp_path, world, staff):
    result = import_roster(write(tmp_path, family(world)), user=staff, dry_run=True)
    assert result.ok and result.counts["members_created"] == 2
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,id\n1,2\n", "不是有效的 .xlsx"),
        (zip_bomb(), "压缩炸弹"),
        (with_dtd(), "DTD"),
    ],
)
def test_unsafe_or_fake_files_are_refused(tmp_path, staff, content, message):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    result = import_roster(path, user=staff)
    assert message in result.errors[0].message


def test_formulas_are_never_evaluated(tmp_path, world, staff):
    rows = family(world)
    rows[0]["姓名"] = '=CONCATENATE("王","建国")'  # a formula with no cached value
    result = import_roster(write(tmp_path, rows), user=staff)
    # Found by the sheet scan and refused: the formula's result is never computed or trusted.
    assert [(e.row, e.column) for e in result.errors] == [(2, "姓名")]
    assert "公式" in result.errors[0].message
    assert not Member.objects.exists()


def test_export_reimports_with_zero_changes(tmp_path, world, staff):
    import_roster(
        write(
            tmp_path, family(world) + family(world, code="H-0002", 脱贫状态="已脱贫", 脱贫年度=2018)
        ),
        user=staff,
    )
    HouseholdFactory(village=world.v12)  # made in the app, not imported
    out = tmp_path / "export.xlsx"
    assert export_roster(out, Household.objects.all(), user=staff) == 5
    result = import_roster(out, user=staff)
    assert result.ok, result.errors
    assert result.counts["households_unchanged"] == 3 and result.counts["members_unchanged"] == 5
    assert SensitiveAccess.objects.filter(what__startswith="导出花名册").exists()

    # Opened in Excel or WPS: header frozen, bold and filterable, columns wide enough, and the
    # ID numbers in text format, so one retyped keeps its 18 digits (a phone's 11 survive as a
    # number).
    sheet = load_workbook(out).active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:AF6"
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet.column_dimensions["F"].width == 20  # 18 digits, and a margin
    assert sheet.column_dimensions["A"].width == 6  # 乡镇, 一乡: two wide characters, a margin
    assert sheet["F2"].number_format == "@"
    assert (sheet["E2"].number_format, sheet["U2"].number_format) == ("General", "General")


def test_export_masks_for_users_without_the_permission_and_writes_formulas_as_text(
    tmp_path, world, staff, make_user
):
    import_roster(write(tmp_path, family(world)), user=staff)
    Household.objects.update(group='=HYPERLINK("http://x")')
    out = tmp_path / "leader.xlsx"
    export_roster(out, Household.objects.all(), user=make_user(Role.LEADER, world.county))
    sheet = load_workbook(out).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    numbers = [v[5] for v in values]
    assert numbers and all("**********" in n for n in numbers)
    assert all(v[20] == "139****5678" for v in values)
    group = sheet.cell(row=2, column=3)
    assert group.value.startswith("=HYPERLINK") and group.data_type == "s"


def test_the_command_prints_counts_or_every_error_with_status_1(tmp_path, world, staff):
    good = write(tmp_path, family(world))
    out = io.StringIO()
    call_command("import_roster", str(good), "--user", staff.username, stdout=out)
    assert "导入完成：2行" in out.getvalue() and "新增户1" in out.getvalue()
    bad = write(tmp_path, [person(world, number="110105194912310021")], "bad.xlsx")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_roster", str(bad), "--user", staff.username, stdout=out)
    assert exit_.value.code == 1
    assert "第2行【证件号码】身份证号码校验位错误" in out.getvalue()


def test_export_command_writes_the_area(tmp_path, world, staff):
    import_roster(
        write(tmp_path, family(world) + family(world, code="H-T2", village=world.v21)), user=staff
    )
    out = tmp_path / "t1.xlsx"
    call_command("export_roster", str(out), "--area", world.t1.code, stdout=io.StringIO())
    codes = {row[3] for row in excel.read_rows(out)} - {"户编号"}
    assert codes == {"H-0001"}


def test_upload_page_runs_the_job_and_shows_progress_and_errors(
    client, world, staff, make_user, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("households:rosterimport_add"), {"file": roster_upload(family(world))}
        )
    job = RosterImport.objects.get()
    assert response.status_code == 302
    assert (job.status, job.user, job.counts["members_created"]) == ("previewed", staff, 2)
    assert not Household.objects.exists()  # a preview writes nothing
    page = client.get(job.get_absolute_url()).content.decode()
    assert "新增 1" in page and "预览：以下变化尚未写入" in page
    assert "hx-trigger" not in page  # waiting for the user: nothing polls
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("households:rosterimport_confirm", args=[job.pk]))
    assert confirmed.status_code == 302
    job.refresh_from_db()
    assert job.status == "succeeded" and Household.objects.count() == 1
    page = client.get(job.get_absolute_url()).content.decode()
    assert "新增 1" in page and "已完成" in page
    assert "hx-trigger" not in page  # finished: nothing polls
    # The page's last poll, when the job has ended, reloads it to show the outcome.
    poll = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert poll.headers["HX-Refresh"] == "true"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("households:rosterimport_add"),
            {"file": roster_upload([person(world, code="BAD-1", number="110105194912310021")])},
        )
    job = RosterImport.objects.latest("pk")
    assert job.status == "failed" and job.error_count == 1
    download = client.get(job.get_absolute_url(), {"download": "errors"})
    marked = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert marked.cell(row=1, column=marked.max_column).value == "错误"
    assert "校验位错误" in marked.cell(row=2, column=marked.max_column).value
    assert SensitiveAccess.objects.filter(user=staff, what="下载导入错误标注文件").exists()

    # A leader of the county sees the errors, but not the uploader's full numbers and phones.
    client.force_login(make_user(Role.LEADER, world.county))
    page = client.get(job.get_absolute_url()).content.decode()
    assert "校验位错误" in page and "下载标注了错误的文件" not in page
    assert client.get(job.get_absolute_url(), {"download": "errors"}).status_code == 404


def test_the_upload_form_refuses_a_fake_file(client, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    fake = SimpleUploadedFile("a.xlsx", b"not a workbook")
    response = client.post(reverse("households:rosterimport_add"), {"file": fake})
    assert "不是有效的 .xlsx" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_the_household_list_exports_its_filtered_rows(client, world, staff, tmp_path):
    first = family(world)
    import_roster(
        write(tmp_path, first + family(world, code="H-T2", village=world.v21)), user=staff
    )
    client.force_login(staff)
    url = reverse("households:household_list")
    response = client.post(f"{url}?within={world.t2.pk}", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert {row[3].value for row in sheet.iter_rows(min_row=2)} == {"H-T2"}
    # The list of a posted search (an ID number) exports what it showed.
    number = first[0]["证件号码"]
    response = client.post(url, {"export": "xlsx", "q": number})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert {row[3].value for row in sheet.iter_rows(min_row=2)} == {"H-0001"}
    # A GET never exports (a prefetched link or another site's <img> could send one).
    page = client.get(url, {"export": "xlsx"})
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert not RosterExport.objects.exists()


def test_a_large_list_export_runs_as_a_job_that_only_its_user_downloads(
    client, world, staff, make_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ROSTER_EXPORT_INLINE = 1  # two households are "large" here
    settings.MEDIA_ROOT = tmp_path / "media"
    numbers = [new_id_number(), new_id_number(), new_id_number()]
    rows = (
        family(world, code="H-T1")
        + family(world, code="H-T2", village=world.v21)
        + [person(world, code="H-T3", village=world.v22, number=numbers[2])]
    )
    assert import_roster(write(tmp_path, rows), user=staff).ok
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("households:household_list") + f"?within={world.t2.pk}&page=2",
            {"export": "xlsx"},
        )
    job = RosterExport.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.query == f"within={world.t2.pk}"  # the filter, without the page or the export
    assert (job.status, job.user, job.total_rows, job.rows_written) == ("succeeded", staff, 3, 3)

    page = client.get(job.get_absolute_url()).content.decode()
    assert "已完成" in page and "已导出3人" in page and 'id="job-download"' in page
    assert f'<span id="export-filters">所属区域：{world.t2.name}</span>' in page  # in words
    listed = client.get(reverse("households:rosterexport_list")).content.decode()
    assert f'href="{job.get_absolute_url()}"' in listed  # found again after the tab is closed
    assert 'aria-label="写出" aria-valuenow="100"' in page and "hx-trigger" not in page
    poll = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert poll.headers["HX-Refresh"] == "true"  # the tab left open shows the download
    download = client.get(job.get_absolute_url(), {"download": 1})
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    exported = [(r[3].value, r[5].value) for r in sheet.iter_rows(min_row=2)]
    assert sorted(code for code, _ in exported) == ["H-T2", "H-T2", "H-T3"]  # t2 only
    assert numbers[2] in {number for _, number in exported}  # staff see full numbers (logged)
    assert SensitiveAccess.objects.filter(user=staff, what="导出花名册（3人）").exists()

    # A colleague of the same county sees the job, never its file (full ID numbers), nor what
    # its user searched for (an ID number here).
    searched = RosterExport.objects.create(
        user=staff, area=world.county, query=f"q={numbers[2]}&cause=illness&overdue=true"
    )
    mine = client.get(searched.get_absolute_url()).content.decode()
    assert f"搜索：{numbers[2]}；致贫原因：因病；超过脱贫时限：是" in mine
    colleague = make_user(Role.COUNTY_STAFF, world.county)
    client.force_login(colleague)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "已完成" in page and 'id="job-download"' not in page
    theirs = client.get(searched.get_absolute_url()).content.decode()
    assert "致贫原因：因病；超过脱贫时限：是；搜索：（仅导出人可见）" in theirs
    assert numbers[2] not in theirs
    assert "?cause=illness&amp;overdue=true" in theirs  # the list link without the search
    assert client.get(job.get_absolute_url(), {"download": 1}).status_code == 404
    # A township user of the other township does not see it at all.
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    assert client.get(job.get_absolute_url()).status_code == 404


def test_an_export_job_writes_masked_numbers_for_a_leader_and_reports_progress(
    world, staff, make_user, settings, tmp_path, monkeypatch
):
    import households.roster.jobs as roster

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("households.roster.errors.PROGRESS_EVERY", 2)
    number = new_id_number()
    rows = (
        family(world) + family(world, code="H-0002") + [person(world, code="H-0003", number=number)]
    )
    assert import_roster(write(tmp_path, rows), user=staff).ok
    calls = []
    assert export_roster(tmp_path / "x.xlsx", Household.objects.all(), progress=calls.append) == 5
    assert calls == [2, 4, 5]  # every PROGRESS_EVERY rows, then the total

    leader = make_user(Role.LEADER, world.county)
    job = RosterExport.objects.create(user=leader, area=world.county, query="")
    assert roster.run_export_job(job.pk) == {"status": "succeeded", "rows": 5}
    job.refresh_from_db()
    sheet = load_workbook(job.file.path).active
    numbers = [r[5].value for r in sheet.iter_rows(min_row=2)]
    assert number not in numbers and "*" in numbers[0]  # masked for a leader
    assert roster.run_export_job(job.pk) == {"status": "succeeded"}  # a retried message


def test_a_job_that_breaks_says_so_on_its_page_and_writes_nothing(
    world, staff, tmp_path, settings, monkeypatch
):
    import households.roster.jobs as roster

    settings.MEDIA_ROOT = tmp_path / "media"

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(roster, "export_roster", broken)
    export = RosterExport.objects.create(user=staff, area=world.county)
    with pytest.raises(OSError):
        roster.run_export_job(export.pk)
    export.refresh_from_db()
    assert (export.status, export.is_done, export.file.name) == ("failed", True, "")
    assert "内部错误" in export.message and export.finished_at is not None

    monkeypatch.setattr(roster, "import_roster", broken)
    upload = RosterImport.objects.create(user=staff, area=world.county, file_name="x.xlsx")
    upload.file.save("x.xlsx", io.BytesIO(roster_bytes(family(world))))
    with pytest.raises(OSError):
        roster.run_import_job(upload.pk)
    upload.refresh_from_db()
    assert (upload.status, upload.get_status_display()) == ("failed", "有错误，未导入")
    assert "未导入任何数据" in upload.message
    assert not Household.objects.exists()


def test_roster_files_are_deleted_after_the_retention_days_and_the_jobs_stay(
    client, world, staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    from households.roster.jobs import purge_files, run_export_job

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ROSTER_FILE_DAYS = 30
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):  # an upload with an error copy
        client.post(
            reverse("households:rosterimport_add"),
            {"file": roster_upload([person(world, code="BAD-1", number="110105194912310021")])},
        )
    upload = RosterImport.objects.get()
    assert import_roster(write(tmp_path, family(world)), user=staff).ok
    old, recent = (RosterExport.objects.create(user=staff, area=world.county) for _ in range(2))
    for job in (old, recent):
        run_export_job(job.pk)
    old.refresh_from_db()
    paths = [Path(f.path) for f in (upload.file, upload.error_file, old.file)]
    assert all(path.exists() for path in paths)
    later = old.finished_at + datetime.timedelta(days=31)
    RosterExport.objects.filter(pk=recent.pk).update(finished_at=later - datetime.timedelta(days=1))

    assert purge_files(now=later) == 3
    assert not any(path.exists() for path in paths)
    old.refresh_from_db()
    assert not old.file and not old.download_url and "按规定删除" in old.message
    page = client.get(upload.get_absolute_url()).content.decode()
    assert "保留期满，已按规定删除" in page and "下载标注了错误的文件" not in page
    assert "发现1处错误" in page  # the job's history stays
    recent.refresh_from_db()
    assert recent.file and Path(recent.file.path).exists()  # finished a day before: kept
    assert purge_files(now=later) == 0

    # A preview nobody confirmed, of the roster or of a sheet, is dropped with its file.
    from django.core.files.base import ContentFile

    from villages.models import SheetImportJob

    waiting = RosterImport.objects.create(user=staff, area=world.county, status="previewed")
    waiting.file.save("w.xlsx", ContentFile(b"x"))
    sheet = SheetImportJob.objects.create(
        kind="units", title="帮扶单位", user=staff, area=world.county, status="previewed"
    )
    sheet.file.save("s.xlsx", ContentFile(b"x"))
    files = [Path(waiting.file.path), Path(sheet.file.path)]
    for model, pk in ((RosterImport, waiting.pk), (SheetImportJob, sheet.pk)):
        model.objects.filter(pk=pk).update(updated_at=later - datetime.timedelta(days=31))
    assert purge_files(now=later) == 2
    assert not any(path.exists() for path in files)
    waiting.refresh_from_db()
    assert waiting.status == "cancelled" and "30天未确认，已自动放弃" in waiting.message
    # The nightly job runs the same (today nothing is a month old).
    from households.tasks import purge_roster_files

    assert settings.CELERY_BEAT_SCHEDULE["purge-roster-files"]["task"] == purge_roster_files.name
    assert purge_roster_files.delay().get() == 0


def test_pii_key_is_not_needed_to_read_the_command_help():
    result = subprocess.run(
        [sys.executable, "manage.py", "help", "import_roster"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "--dry-run" in result.stdout


def test_a_file_with_errors_shows_the_marking_of_its_copy_as_a_phase(
    world, staff, tmp_path, settings, monkeypatch, client
):
    import households.roster.jobs as roster

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("households.roster.errors.PROGRESS_EVERY", 2)
    rows = family(world) + family(world, code="H-0002") + family(world, code="H-0003")
    rows[4]["证件号码"] = "110105194912310021"  # a bad check digit on row 6
    upload = RosterImport.objects.create(user=staff, area=world.county, file_name="x.xlsx")
    upload.file.save("x.xlsx", io.BytesIO(roster_bytes(rows)))
    seen, copied = [], []
    real = roster.error_copy

    def watched(path, out, errors, progress, **kwargs):
        # What the page shows while the copy is made: its own bar, under a message.
        def told(count):
            progress(count)
            job = RosterImport.objects.get(pk=upload.pk)
            seen.append((job.phase, job.rows_marked, job.is_done, job.message))

        real(path, out, errors, told, **kwargs)
        copied.append(timezone.now())

    monkeypatch.setattr(roster, "error_copy", watched)
    roster.run_import_job(upload.pk)
    assert seen == [
        ("mark", 2, False, "发现1处错误，正在生成标注了错误的文件……"),
        ("mark", 4, False, "发现1处错误，正在生成标注了错误的文件……"),
        ("mark", 6, False, "发现1处错误，正在生成标注了错误的文件……"),
    ]
    upload.refresh_from_db()
    assert upload.status == "failed" and upload.error_file
    assert upload.finished_at >= copied[0]  # the job ends when its copy is made
    client.force_login(staff)
    page = client.get(upload.get_absolute_url()).content.decode()
    assert 'aria-label="标注错误" aria-valuenow="100"' in page
    assert 'aria-label="写入"' not in page  # nothing is written from a file with errors


def test_progress_is_reported_by_phase(tmp_path, world, staff, monkeypatch):

    monkeypatch.setattr("households.roster.errors.PROGRESS_EVERY", 2)
    calls = []
    rows = family(world) + family(world, code="H-0002") + family(world, code="H-0003")
    result = import_roster(
        write(tmp_path, rows), user=staff, progress=lambda **kw: calls.append(kw)
    )
    assert result.ok
    phases = [c["phase"] for c in calls]
    assert phases[0] == "read" and phases[-2:] == ["write", "done"]
    assert calls[0] == {"phase": "read", "total_rows": 6}  # counted before the rows are read
    assert {"phase": "validate", "rows_read": 6} in calls
    assert {"phase": "validate", "rows_validated": 6} in calls
    assert calls[-1] == {"phase": "done", "rows_written": 6}


def test_the_job_page_shows_bars_for_each_phase(client, world, staff):
    job = RosterImport.objects.create(
        user=staff,
        area=world.county,
        file="imports/x.xlsx",
        file_name="x.xlsx",
        status="running",
        phase="validate",
        total_rows=100,
        rows_read=100,
        rows_validated=40,
    )
    client.force_login(staff)
    partial = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial  # still running: the page keeps polling
    assert 'aria-label="读取" aria-valuenow="100"' in partial
    assert 'aria-label="校验" aria-valuenow="40"' in partial
    assert 'aria-label="写入" aria-valuenow="0"' in partial

    RosterImport.objects.filter(pk=job.pk).update(phase="mark", rows_marked=25)
    partial = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-label="校验" aria-valuenow="100"' in partial
    assert 'aria-label="标注错误" aria-valuenow="25"' in partial


@pytest.mark.parametrize("chunk", [100, 300, 1 << 20])
def test_the_sheet_scan_counts_rows_and_finds_formulas_and_merges_whatever_the_chunk(
    tmp_path, chunk
):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for n in range(1, 61):
        sheet.append([f"户{n}", n, "因病"])
    sheet["B41"] = "=B40+1"
    sheet.merge_cells("C50:C52")
    path = tmp_path / "scan.xlsx"
    book.save(path)
    scan = excel.scan_sheet(path, chunk=chunk)
    assert scan.rows == 60
    assert scan.formulas == [(1, 41)]
    assert scan.merged == [(2, 50, "C50:C52")]
