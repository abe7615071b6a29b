"""Sheets of the assistance force (units, cadres, postings, pairings): title rows skipped,
people matched instead of duplicated, all-or-nothing with the rows Excel shows, previews that
write nothing, scoping, blank templates with dropdowns, the page and the command."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.choices import Role
from households.models import HouseholdPairing
from poverty.sheets import KINDS
from tests.factories import CadreFactory, HouseholdFactory, UnitFactory, UserFactory, new_id_number
from villages.choices import PostingRole
from villages.models import Cadre, LeaderPairing, Unit, UnitPairing, VillagePosting
from villages.sheets import CadreImport, UnitImport, UnitPairingImport, VillagePostingImport

pytestmark = pytest.mark.django_db


def sheet(tmp_path, header, rows, title="2020年帮扶力量统计表", name="f.xlsx"):
    workbook = Workbook()
    ws = workbook.active
    if title:
        ws.append([title])
        ws.append(["填报单位：测试县扶贫办"])
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    ws.append(["填表人：张三", "", "审核人：李四"])
    path = tmp_path / name
    workbook.save(path)
    return path


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.COUNTY_STAFF, world.county)


def test_units_are_created_then_matched_on_the_second_run(tmp_path, world, staff):
    path = sheet(
        tmp_path,
        ["单位名称", "所属区域", "单位性质", "联系人", "联系电话"],
        [
            ("县农业农村局", "测试县", "党政机关", "张三", "0351-1234567"),
            ("一乡政府", "一乡", "乡镇党委政府", "", ""),
        ],
    )
    result = UnitImport(staff).run(path)
    assert result.ok, result.errors
    assert result.counts() == {"created": 2, "updated": 0, "unchanged": 0}
    # Title, 填报单位 and the footer are skipped and said; the data's first row is row 4.
    assert [row for row, _ in result.skipped] == [1, 2, 6]
    assert [c.row for c in result.changes] == [4, 5]
    assert Unit.objects.get(name="一乡政府").area == world.t1
    again = UnitImport(staff).run(path)
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 2}
    assert Unit.objects.count() == 2


def test_a_cadre_is_matched_by_id_number_then_by_name_and_phone(tmp_path, world, staff):
    unit = UnitFactory(area=world.county, name="县农业农村局")
    number = new_id_number()
    by_id = CadreFactory(unit=unit, name="李四", phone="13800000001")
    by_id.id_number = number
    by_id.save()
    by_phone = CadreFactory(unit=unit, name="王五", phone="13800000002")
    path = sheet(
        tmp_path,
        ["姓名", "所在单位", "职务", "手机号码", "身份证号码", "领导干部"],
        [
            ("李四", "县农业农村局", "局长", "13900000009", number, "是"),
            ("王五", "县农业农村局", "", "13800000002", "", ""),
            ("赵六", "县农业农村局", "科员", "13800000003", "", "否"),
        ],
    )
    result = CadreImport(staff).run(path)
    assert result.ok, result.errors
    assert result.counts() == {"created": 1, "updated": 1, "unchanged": 1}
    by_id.refresh_from_db()
    assert (by_id.position, by_id.phone, by_id.is_leader) == ("局长", "13900000009", True)
    updated = next(c for c in result.changes if c.action == "updated")
    assert "职务：科员 → 局长" in updated.detail
    assert Cadre.objects.filter(name="王五").get() == by_phone
    assert Cadre.objects.count() == 3


def test_one_bad_row_imports_nothing_and_every_error_names_its_row_and_column(
    tmp_path, world, staff
):
    path = sheet(
        tmp_path,
        ["单位名称", "所属区域", "单位性质"],
        [("县农业农村局", "测试县", "党政机关"), ("某局", "火星乡", ""), ("某所", "一乡", "民营")],
    )
    result = UnitImport(staff).run(path)
    assert result.errors == [
        (5, "所属区域", "在您的管辖范围内找不到省或市或县或乡镇“火星乡”。"),
        (
            6,
            "单位性质",
            "“民营”不是可选的值（可选：党政机关、事业单位、国有企业、乡镇党委政府、其他）。",
        ),
    ]
    assert not Unit.objects.exists()


def test_a_preview_writes_nothing(tmp_path, world, staff):
    path = sheet(tmp_path, ["单位名称", "所属区域"], [("县农业农村局", "测试县")])
    result = UnitImport(staff).run(path, dry_run=True)
    assert result.ok and result.counts()["created"] == 1
    assert not Unit.objects.exists()


def test_a_missing_required_column_is_named(tmp_path, world, staff):
    path = sheet(tmp_path, ["单位名称", "联系人"], [("县农业农村局", "张三")])
    result = UnitImport(staff).run(path)
    assert result.errors == [(3, "所属区域", "缺少必填列。")]


def test_a_township_user_cannot_write_outside_its_township(tmp_path, world, make_user):
    user = make_user(Role.TOWNSHIP_STAFF, world.t1)
    UnitFactory(area=world.county, name="县农业农村局")
    path = sheet(
        tmp_path,
        ["村", "帮扶单位", "开始日期"],
        [("一乡甲村", "县农业农村局", "2016-01-01"), ("二镇甲村", "县农业农村局", "2016-01-01")],
    )
    result = UnitPairingImport(user).run(path)
    assert result.errors == [(5, "村", "在您的管辖范围内找不到行政村“二镇甲村”。")]
    assert not UnitPairing.objects.exists()


def test_postings_take_national_role_spellings_and_dates_as_clerks_write_them(
    tmp_path, world, staff
):
    unit = UnitFactory(area=world.county)
    cadre = CadreFactory(unit=unit, name="李四", phone="13800000001")
    path = sheet(
        tmp_path,
        ["乡镇", "村", "姓名", "联系电话", "驻村身份", "任职时间", "离任时间"],
        [
            (
                "一乡",
                "一乡甲村村民委员会",
                "李四",
                "13800000001",
                "驻村第一书记",
                "2018年3月1日",
                "",
            ),
            ("一乡", "990123100202", "李四", "", "工作队员", "2018/3/1", "2019.12.31"),
        ],
    )
    result = VillagePostingImport(staff).run(path)
    assert result.ok, result.errors
    postings = VillagePosting.objects.order_by("village__code")
    assert [(p.village, p.cadre, p.role, p.start_date, p.end_date) for p in postings] == [
        (world.v11, cadre, PostingRole.FIRST_SECRETARY, datetime.date(2018, 3, 1), None),
        (
            world.v12,
            cadre,
            PostingRole.TEAM_MEMBER,
            datetime.date(2018, 3, 1),
            datetime.date(2019, 12, 31),
        ),
    ]
    # The same file again: nothing new; a later end date updates the period, said before → after.
    assert VillagePostingImport(staff).run(path).counts()["unchanged"] == 2


def test_an_unknown_or_ambiguous_cadre_is_refused_with_the_way_out(tmp_path, world, staff):
    unit = UnitFactory(area=world.county)
    CadreFactory(unit=unit, name="李四", phone="1")
    CadreFactory(unit=unit, name="李四", phone="2")
    path = sheet(
        tmp_path,
        ["村", "姓名", "驻村身份", "开始日期"],
        [
            ("一乡甲村", "李四", "第一书记", "2018-03-01"),
            ("一乡甲村", "周七", "第一书记", "2018-03-01"),
        ],
    )
    result = VillagePostingImport(staff).run(path)
    assert result.errors == [
        (4, "姓名", "有2名干部叫李四，请填写联系电话或证件号码区分。"),
        (5, "姓名", "找不到干部周七：请先导入干部名单。"),
    ]


def test_a_model_rule_is_reported_on_its_row(tmp_path, world, staff):
    unit = UnitFactory(area=world.county)
    CadreFactory(unit=unit, name="王五", phone="3", is_leader=False)
    path = sheet(
        tmp_path, ["包联乡镇/村", "包联领导", "开始日期"], [("一乡", "王五", "2016-01-01")]
    )
    result = KINDS["leader-pairings"](staff).run(path)
    assert result.errors == [(4, "包联领导", "只有领导干部可以包联乡镇或村。")]
    assert not LeaderPairing.objects.exists()


def test_a_new_household_pairing_ends_the_previous_one_the_day_before(tmp_path, world, staff):
    unit = UnitFactory(area=world.county)
    old = CadreFactory(unit=unit, name="李四", phone="1")
    new = CadreFactory(unit=unit, name="王五", phone="2")
    household = HouseholdFactory(village=world.v11)
    HouseholdPairing.objects.create(
        household=household, cadre=old, start_date=datetime.date(2016, 1, 1)
    )
    path = sheet(
        tmp_path, ["户编号", "帮扶责任人", "开始日期"], [(household.code, "王五", "2019-07-01")]
    )
    result = KINDS["household-pairings"](staff).run(path)
    assert result.ok, result.errors
    assert "原帮扶责任人李四的结对于2019-06-30结束" in result.changes[0].detail
    pairings = household.pairings.order_by("start_date")
    assert [(p.cadre, p.end_date) for p in pairings] == [
        (old, datetime.date(2019, 6, 30)),
        (new, None),
    ]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_blank_template_reads_back_and_offers_its_code_lists(tmp_path, kind, world, staff):
    path = tmp_path / "t.xlsx"
    KINDS[kind].write_template(path)
    workbook = load_workbook(path)
    ws = workbook.worksheets[0]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header == [c.label for c in KINDS[kind].columns]
    dropdowns = {
        str(v.sqref).split(":")[0][:-1]: v.formula1 for v in ws.data_validations.dataValidation
    }
    with_choices = [c for c in KINDS[kind].columns if c.choices]
    assert len(dropdowns) == len(with_choices)
    # The blank template itself is a valid file: its header is found, it only lacks data.
    result = KINDS[kind](staff).run(path)
    assert result.errors == [(1, "", "表头以下没有数据。")]


def test_the_page_previews_then_imports_in_background_jobs(
    client, tmp_path, world, staff, settings, django_capture_on_commit_callbacks
):
    from villages.models import SheetImportJob

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(staff)
    url = reverse("sheet_import", args=["units"])
    assert "下载空白模板" in client.get(url).content.decode()
    path = sheet(tmp_path, ["单位名称", "所属区域"], [("县农业农村局", "测试县")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile("单位.xlsx", path.read_bytes())})
    job = SheetImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.status, job.user, job.area, job.file_name) == (
        "previewed",
        staff,
        world.county,
        "单位.xlsx",
    )
    assert "单位" not in job.file.name  # stored under a name of our making
    assert not Unit.objects.exists()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "新增1条" in page and "确认导入" in page and "hx-trigger" not in page
    # While a job runs its page polls; the poll that finds it ended reloads the page.
    SheetImportJob.objects.filter(pk=job.pk).update(status="running", rows_done=200, total_rows=400)
    running = client.get(job.get_absolute_url()).content.decode()
    assert "hx-trigger" in running and 'aria-valuenow="50"' in running
    SheetImportJob.objects.filter(pk=job.pk).update(status="previewed")
    assert client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("sheet_job_confirm", args=[job.pk]), {"confirm": "1"})
    assert done.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.message) == ("succeeded", "导入完成：新增1条，更新0条，未变0条。")
    assert Unit.objects.get().name == "县农业农村局"
    template = client.get(reverse("sheet_template", args=["units"]))
    assert template["Content-Disposition"].startswith("attachment")


def test_only_the_uploader_confirms_a_sheet(
    client, tmp_path, world, staff, make_user, settings, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    from poverty.sheets import sheet_job_confirm, sheet_job_start

    settings.MEDIA_ROOT = tmp_path / "media"
    path = sheet(tmp_path, ["单位名称", "所属区域"], [("县农业农村局", "测试县")])
    with django_capture_on_commit_callbacks(execute=True):
        job = sheet_job_start(
            kind="units", upload=SimpleUploadedFile("单位.xlsx", path.read_bytes()), by=staff
        )
    colleague = make_user(Role.COUNTY_STAFF, world.county)
    with pytest.raises(ValidationError, match="只有上传该文件的人可以确认导入"):
        sheet_job_confirm(job=job, by=colleague)
    client.force_login(colleague)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "等待上传人" in page and 'name="confirm"' not in page
    assert not Unit.objects.exists()


def test_the_page_is_refused_without_the_permission(client, world, make_user):
    client.force_login(make_user(Role.LEADER, world.county))
    assert client.get(reverse("sheet_import", args=["units"])).status_code == 403
    assert client.get(reverse("sheet_template", args=["cadres"])).status_code == 403


def test_the_setup_guide_counts_what_is_there_and_links_the_imports(client, world, staff):
    UnitFactory(area=world.county)
    client.force_login(staff)
    page = client.get(reverse("setup_guide")).content.decode()
    assert "帮扶单位 <strong>1</strong>" in page
    assert reverse("sheet_import", args=["cadres"]) in page
    assert reverse("sheet_import", args=["areas"]) in page


def test_the_command_imports_and_exits_1_on_errors(tmp_path, world, staff, capsys):
    good = sheet(tmp_path, ["单位名称", "所属区域"], [("县农业农村局", "测试县")], name="g.xlsx")
    call_command("import_sheet", "units", str(good), user=staff.username)
    assert "导入完成：新增1条" in capsys.readouterr().out
    bad = sheet(tmp_path, ["单位名称", "所属区域"], [("某局", "火星乡")], name="b.xlsx")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_sheet", "units", str(bad), user=staff.username)
    assert exit_info.value.code == 1
    assert "第4行【所属区域】" in capsys.readouterr().out


def test_measures_are_added_then_matched_and_updated(tmp_path, world, staff):
    from decimal import Decimal

    from households.models import AssistanceMeasure

    household = HouseholdFactory(village=world.v11, code="4201-0101")
    cadre = CadreFactory(unit=UnitFactory(area=world.county), name="李四", phone="13800000001")
    header = [
        "户编号",
        "措施类别",
        "措施内容",
        "金额（元）",
        "开始日期",
        "结束日期",
        "状态",
        "责任人",
    ]
    path = sheet(
        tmp_path,
        header,
        [
            ("4201-0101", "产业", "养牛2头", "6,000", "2018年4月1日", "", "实施中", "李四"),
            ("4201-0101", "护林员", "生态护林员岗位", "", "2019-01-01", "2019-12-31", "", ""),
        ],
    )
    result = KINDS["measures"](staff).run(path)
    assert result.ok, result.errors
    assert result.counts() == {"created": 2, "updated": 0, "unchanged": 0}
    cow = AssistanceMeasure.objects.get(measure_type="industry")
    assert (cow.household, cow.amount, cow.start_date, cow.cadre) == (
        household,
        Decimal("6000.00"),
        datetime.date(2018, 4, 1),
        cadre,
    )
    assert AssistanceMeasure.objects.get(measure_type="ecology").status == "ongoing"

    edited = sheet(
        tmp_path,
        header,
        [("4201-0101", "产业扶贫", "养牛2头", "8000", "2018-04-01", "2020-06-30", "已完成", "")],
        name="edited.xlsx",
    )
    again = KINDS["measures"](staff).run(edited)
    assert again.counts() == {"created": 0, "updated": 1, "unchanged": 0}
    assert again.changes[0].detail == (
        "金额(元)：6000.00 → 8000.00；结束日期：（空） → 2020-06-30；状态：实施中 → 已完成"
    )
    assert AssistanceMeasure.objects.count() == 2


def test_a_bad_measure_row_writes_nothing_and_says_where(tmp_path, world, staff):
    from households.models import AssistanceMeasure

    HouseholdFactory(village=world.v11, code="4201-0101")
    HouseholdFactory(village=world.v21, code="4202-0001")
    township = UserFactory(role=Role.TOWNSHIP_STAFF, areas=[world.t1])
    path = sheet(
        tmp_path,
        ["户编号", "措施类别", "措施内容", "金额", "开始日期"],
        [
            ("4201-0101", "产业扶贫", "养牛", "-5", "2018-04-01"),
            ("4201-0101", "修路", "通村路", "", "2018-04-01"),
            ("4202-0001", "教育扶贫", "助学金", "", "2018-09-01"),
            ("4201-0101", "教育扶贫", "助学金", "", "2018-09-01"),
        ],
    )
    result = KINDS["measures"](township).run(path)
    assert result.errors[:3] == [
        (4, "金额", "金额不能为负数。"),
        (5, "措施类别", result.errors[1][2]),
        (6, "户编号", "找不到户编号4202-0001，或该户不在您的管辖范围内。"),
    ]
    assert result.errors[1][2].startswith("“修路”不是可选的值")
    assert not AssistanceMeasure.objects.exists()
