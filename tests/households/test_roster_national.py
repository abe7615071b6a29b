"""Rosters as counties really have them: the national system's layout (title, 填报单位, a
two-row header with merged group cells, a signature footer), its spellings, household columns
on the head's row only, and .xls and GB18030 .csv files; a registered household's exit status
left to the exit procedure."""

import datetime

import pytest

from accounts.choices import Role
from households.choices import (
    Category,
    Cause,
    Education,
    Health,
    HouseholdStatus,
    LabourSkill,
    Relation,
    Schooling,
    WorkStatus,
)
from households.excel import ALIASES, BY_KEY, COLUMNS, HEADER_ALIASES, label_map, resolve_header
from households.models import Household, Member
from households.roster import import_roster
from poverty.common import tabular
from tests.factories import HouseholdFactory, new_id_number

from .roster_files import NATIONAL_TOP, national_csv, national_xls, national_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.COUNTY_STAFF, world.county)


def national_family(world, code="3307221001", **extra):
    """A household of four as the national system writes it."""
    village = world.v11
    shared = {
        "县(市、区、旗)": "东山县",
        "乡（镇）": village.parent.name,
        "行政村": village.name,
        "自然村（组）": "东组",
        "户编号": code,
        "人数": 4,
        "贫困户属性": "一般贫困户",
        "主要致贫原因": "缺劳动力",
        "其它致贫原因": "因病，其它",
        "识别年度": "2014年",
        "计划脱贫年度": "2019年",
        "脱贫状态": "未脱贫",
        "联系电话": "13800001111",
        "危房户": "否",
        "饮水安全": "是",
        "人均纯收入（元）": "3120.5",
    }
    people = [
        ("王大山", "户主", "male", datetime.date(1960, 3, 1), "小学", "非在校生", "县外省内务工"),
        ("李小花", "配偶", "female", datetime.date(1962, 5, 9), "文盲", "非在校生", "在家务农"),
        ("王明", "之子", "male", datetime.date(2008, 9, 1), "小学", "七年级", "未务工"),
        (
            "赵芳",
            "之儿媳",
            "female",
            datetime.date(1990, 1, 2),
            "初中",
            "非在校生",
            "乡（镇）内务工",
        ),
    ]
    rows = []
    for number, (name, relation, gender, born, education, schooling, work) in enumerate(people):
        rows.append(
            {
                **shared,
                "人编号": f"{code}{number:02d}",
                "姓名": name,
                "身份证号码": new_id_number(gender, born),
                "与户主的关系": relation,
                "民族": "汉族",
                "文化程度": education,
                "在校生情况": schooling,
                "健康状况": "长期慢性病" if number == 0 else "健康",
                "劳动技能": "普通劳动力",
                "务工状况": work,
                "务工时间（月）": 6,
                "是否参加大病保险": "是",
                **extra,
            }
        )
    return rows


WRITERS = {"xlsx": national_xlsx, "xls": national_xls, "csv": national_csv}


@pytest.mark.parametrize("kind", WRITERS)
def test_a_national_export_imports_as_it_is(tmp_path, world, staff, kind):
    rows = national_family(world) + national_family(world, code="3307221002")
    path = WRITERS[kind](tmp_path / f"花名册.{kind}", rows)
    result = import_roster(path, user=staff)
    assert result.ok, result.errors
    assert result.counts["households_created"] == 2 and result.counts["members_created"] == 8
    assert result.header_row == NATIONAL_TOP
    skipped = dict(result.skipped)
    assert skipped[1].startswith("表头以上：建档立卡贫困人口花名册")
    assert "填报单位" in skipped[2]
    assert any(why.startswith("表尾：填表人") for why in skipped.values())
    assert result.unknown_columns == []  # every national column is known, kept or not

    household = Household.objects.get(code="3307221001")
    assert household.village == world.v11 and household.group == "东组"
    assert household.category == Category.GENERAL
    assert household.primary_cause == Cause.NO_LABOUR  # 缺劳动力
    assert household.other_causes == f"{Cause.ILLNESS},{Cause.OTHER}"  # 因病，其它
    assert (household.identified_year, household.planned_exit_year) == (2014, 2019)
    assert household.phone == "13800001111" and household.persons == 4
    by_name = {m.name: m for m in Member.objects.filter(household=household)}
    assert by_name["王大山"].relation == Relation.HEAD
    assert by_name["王大山"].work_status == WorkStatus.PROVINCE  # 县外省内务工
    assert by_name["王大山"].health == Health.CHRONIC
    assert by_name["李小花"].education == Education.ILLITERATE  # 文盲
    assert by_name["李小花"].work_status == WorkStatus.FARMING
    assert by_name["王明"].relation == Relation.CHILD  # 之子
    assert by_name["王明"].schooling == Schooling.JUNIOR  # 七年级
    assert by_name["赵芳"].relation == Relation.CHILD_IN_LAW  # 之儿媳
    assert by_name["赵芳"].work_status == WorkStatus.COUNTY  # 乡（镇）内务工
    assert by_name["赵芳"].labour_skill == LabourSkill.ORDINARY

    again = import_roster(path, user=staff)
    assert again.ok and again.rows_changed == 0


@pytest.mark.parametrize("kind", WRITERS)
def test_errors_name_the_row_excel_shows_and_the_column_as_the_file_names_it(
    tmp_path, world, staff, kind
):
    rows = national_family(world) + national_family(world, code="3307221002")
    rows[0]["身份证号码"] = "110105194912310021"  # a bad check digit: the first person, row 5
    rows[6]["与户主的关系"] = "邻居"  # not a relation: the second household's third person
    path = WRITERS[kind](tmp_path / f"花名册.{kind}", rows)
    result = import_roster(path, user=staff)
    found = {(e.row, e.column): e.message for e in result.errors}
    assert "校验位" in found[(NATIONAL_TOP + 1, "身份证号码")]
    assert "“邻居”不在代码表中" in found[(NATIONAL_TOP + 7, "与户主的关系")]
    assert not Household.objects.exists()


def test_household_columns_may_be_blank_on_member_rows_but_not_disagree(tmp_path, world, staff):
    rows = national_family(world)
    rows[2]["主要致贫原因"] = "因学"  # the son's row says otherwise: two values disagree
    path = national_xlsx(tmp_path / "x.xlsx", rows, head_only=False)
    result = import_roster(path, user=staff)
    assert [(e.row, e.column) for e in result.errors] == [(NATIONAL_TOP + 3, "主要致贫原因")]
    assert "与第5行不一致" in result.errors[0].message

    # Blank on three of the four rows: the head's row holds the household.
    path = national_xlsx(tmp_path / "y.xlsx", national_family(world), head_only=True)
    assert import_roster(path, user=staff).ok


def test_member_rows_without_a_household_code_belong_to_the_row_above(tmp_path, world, staff):
    rows = national_family(world) + national_family(world, code="3307221002")
    path = national_xlsx(tmp_path / "x.xlsx", rows, code_on_members=False)
    result = import_roster(path, user=staff)
    assert result.ok, result.errors
    assert sorted(Household.objects.values_list("code", "persons")) == [
        ("3307221001", 4),
        ("3307221002", 4),
    ]


def test_a_required_household_column_on_none_of_its_rows_is_an_error(tmp_path, world, staff):
    rows = national_family(world)
    rows[0]["贫困户属性"] = ""
    result = import_roster(national_xlsx(tmp_path / "x.xlsx", rows), user=staff)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (NATIONAL_TOP + 1, "贫困户属性", "必填，不能为空。")
    ]


def test_merged_cells_in_the_data_are_still_refused(tmp_path, world, staff):
    from openpyxl import load_workbook

    path = national_xlsx(tmp_path / "x.xlsx", national_family(world))
    workbook = load_workbook(path)
    workbook.active.merge_cells("D5:D8")  # 行政村 merged down the household's rows
    workbook.save(path)
    result = import_roster(path, user=staff)
    assert [(e.row, e.column) for e in result.errors] == [(NATIONAL_TOP + 1, "行政村")]
    assert "合并单元格（D5:D8）" in result.errors[0].message


# --- the header finder ---------------------------------------------------------------------


def rows_of(*rows):
    return list(enumerate(rows, start=1))


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # Row 1 holds the names.
        (rows_of(["乡镇", "姓名", "证件号码"], ["一乡", "张三", "1"]), (1, 1)),
        # A title and blank rows above.
        (rows_of(["花名册"], [], ["填报单位：某县"], ["乡镇", "姓名", "证件号码"]), (4, 4)),
        # Two rows: a group row above the real names, a name merged down over both.
        (
            rows_of(
                ["标题"], ["乡(镇)", "家庭成员", ""], ["", "姓名", "证件号码"], ["一乡", "张三"]
            ),
            (2, 3),
        ),
        # Names on two rows the other way up: the lower one holds a name the upper lacks.
        (rows_of(["乡镇", "姓名", ""], ["", "", "身份证号"], ["一乡", "张三", "1"]), (1, 2)),
    ],
)
def test_the_header_is_found_below_titles_and_over_two_rows(rows, expected):
    first, last, names = tabular.find_header(rows, resolve_header)
    assert (first, last) == expected
    assert {resolve_header(tabular.normalise_header(n)) for n in names if n} >= {
        "township",
        "name",
        "id_number",
    }


def test_no_known_header_in_the_first_rows_is_a_clear_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("甲,乙,丙\n1,2,3\n", encoding="utf-8")
    with pytest.raises(tabular.ExcelError, match="找不到列名行"):
        tabular.read_table(path, resolve_header)


def test_footer_column_number_and_blank_rows_are_skipped_and_reported(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(
        "乡镇,姓名,证件号码\n1,2,3\n一乡,张三,1\n\n一乡,李四,2\n合计,2人,\n审核人：王五,,\n",
        encoding="utf-8",
    )
    reading = tabular.read_table(path, resolve_header)
    data = [(n, cells) for n, cells in reading.data if any(cells)]
    assert [n for n, _ in data] == [3, 5]
    assert reading.skipped == [(2, "列序号行"), (6, "表尾：合计 2人"), (7, "表尾：审核人：王五")]


# --- the spellings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "alias"), [(key, alias) for key, names in HEADER_ALIASES.items() for alias in names]
)
def test_every_header_alias_names_its_column(key, alias):
    assert resolve_header(tabular.normalise_header(alias)) == key
    # Full-width brackets and stray spaces as typed in Excel.
    typed = alias.replace("(", "（").replace(")", "）")
    assert resolve_header(tabular.normalise_header(f" {typed}\n")) == key


@pytest.mark.parametrize(
    ("key", "spelling", "code"),
    [(key, spelling, code) for key, names in ALIASES.items() for spelling, code in names.items()],
)
def test_every_value_alias_reads_as_its_code(key, spelling, code):
    column = BY_KEY["primary_cause"] if key == "other_causes" else BY_KEY[key]
    assert code in column.choices.values
    assert label_map(column)[spelling] == code


def test_every_national_grade_reads_as_its_schooling():
    labels = label_map(BY_KEY["schooling"])
    assert labels["小学三年级"] == Schooling.PRIMARY
    assert labels["高中二年级"] == Schooling.SENIOR
    assert labels["中职一年级"] == Schooling.VOCATIONAL
    assert labels["高职三年级"] == Schooling.HIGHER_VOCATIONAL
    assert (labels["七年级"], labels["九年级"], labels["初二"]) == (Schooling.JUNIOR,) * 3


def test_every_coded_column_still_takes_our_own_labels():
    for column in COLUMNS:
        if column.choices:
            labels = label_map(column)
            assert all(labels[str(label)] == code for code, label in column.choices.choices)


# --- what the exit procedure owns ------------------------------------------------------------


def test_an_import_cannot_move_a_registered_household_to_exited_or_back(tmp_path, world, staff):
    assisted = HouseholdFactory(village=world.v11, code="3307221001")
    exited = HouseholdFactory(
        village=world.v11,
        code="3307221002",
        status=HouseholdStatus.EXITED,
        exit_year=2018,
        planned_exit_year=2018,
    )
    rows = (
        national_family(world, code="3307221001", 脱贫状态="已脱贫", 脱贫年度="2019")
        + national_family(world, code="3307221002", 脱贫状态="已脱贫", 脱贫年度="2020")
        + national_family(world, code="3307221003", 脱贫状态="已脱贫", 脱贫年度="2019")
    )
    result = import_roster(national_xlsx(tmp_path / "x.xlsx", rows), user=staff)
    found = {(e.row, e.column): e.message for e in result.errors}
    assert "不能把它改为已脱贫" in found[(NATIONAL_TOP + 1, "脱贫状态")]
    assert "退出程序" in found[(NATIONAL_TOP + 1, "脱贫状态")]
    assert "脱贫年度为2018年" in found[(NATIONAL_TOP + 5, "脱贫年度")]
    assert len(result.errors) == 2  # the new household may arrive exited: a fact of the past
    assert Household.objects.get(pk=assisted.pk).status == HouseholdStatus.ASSISTED

    rows = national_family(world, code="3307221002")  # 未脱贫: back to poverty by a file
    result = import_roster(national_xlsx(tmp_path / "y.xlsx", rows), user=staff)
    assert ["返贫" in e.message for e in result.errors] == [True]
    assert Household.objects.get(pk=exited.pk).status == HouseholdStatus.EXITED


def test_a_new_household_may_arrive_exited(tmp_path, world, staff):
    rows = national_family(world, 脱贫状态="已脱贫", 脱贫年度="2017年", 计划脱贫年度="2017")
    result = import_roster(national_xlsx(tmp_path / "x.xlsx", rows), user=staff)
    assert result.ok, result.errors
    household = Household.objects.get()
    assert (household.status, household.exit_year) == (HouseholdStatus.EXITED, 2017)


# --- the upload page -----------------------------------------------------------------------


def test_an_xls_upload_shows_its_header_row_and_skipped_rows_and_marks_errors_in_place(
    client, world, staff, tmp_path, settings, django_capture_on_commit_callbacks
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from openpyxl import load_workbook

    from households.models import RosterImport

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(staff)
    rows = national_family(world)
    path = national_xls(tmp_path / "花名册.xls", rows)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("households:rosterimport_add"),
            {"file": SimpleUploadedFile("花名册.xls", path.read_bytes())},
        )
    assert response.status_code == 302
    job = RosterImport.objects.get()
    assert (job.status, job.header_row, job.counts["members_created"]) == ("previewed", 4, 4)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "第 4 行（以上各行为标题、填报单位等说明，未导入）" in page
    assert "第 1 行：表头以上：建档立卡贫困人口花名册" in page
    assert "表尾：填表人：张三 审核人：李四" in page

    rows[1]["身份证号码"] = "110105194912310021"  # the spouse, on row 6 of the sheet
    bad = national_xls(tmp_path / "错.xls", rows)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("households:rosterimport_add"),
            {"file": SimpleUploadedFile("错.xls", bad.read_bytes())},
        )
    job = RosterImport.objects.latest("pk")
    assert job.status == "failed" and job.errors[0]["row"] == NATIONAL_TOP + 2
    download = client.get(job.get_absolute_url(), {"download": "errors"})
    # 错误-错.xlsx: a workbook, whatever the upload was.
    assert download["Content-Disposition"].endswith("%E9%94%99%E8%AF%AF-%E9%94%99.xlsx")
    marked = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    last = marked.max_column
    # The copy keeps every row where it was: title on row 1, the error on row 6.
    assert marked.cell(row=1, column=1).value == "建档立卡贫困人口花名册"
    assert marked.cell(row=NATIONAL_TOP, column=last).value == "错误"
    assert "身份证号码：" in marked.cell(row=NATIONAL_TOP + 2, column=last).value
    assert marked.cell(row=NATIONAL_TOP + 1, column=last).value in (None, "")
