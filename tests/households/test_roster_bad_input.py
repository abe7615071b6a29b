"""Thirty-odd kinds of bad roster input: each is refused with its row, column and reason, and
nothing is written."""

import datetime
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from accounts.choices import Role
from households.excel import HEADERS
from households.models import ID_TAKEN_ELSEWHERE, Household, Member
from households.roster import import_roster
from poverty.personal import idnumber
from tests.factories import HouseholdFactory, new_id_number

from .roster_files import roster_bytes, with_dtd, zip_bomb
from .test_roster import family, person

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def number_with_birth(birth: str) -> str:
    first17 = f"110105{birth}001"
    return first17 + idnumber.check_char(first17)


def sheet_file(tmp_path, rows, headers=HEADERS, hook=None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    if hook:
        hook(sheet)
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    return path


def rows_with(world, index=0, **changes):
    rows = family(world)
    rows[index].update(changes)
    return rows


def id_case(value):
    return lambda w: rows_with(w, 证件号码=value)


CASES = {
    # name: (rows(world) or None, expected (row, column, fragment), file hook)
    "missing required column": (
        lambda w: family(w),
        (1, "证件号码", "缺少必填列"),
        {"headers": [h for h in HEADERS if h != "证件号码"]},
    ),
    "duplicated column": (
        lambda w: family(w),
        (1, "姓名", "列名重复"),
        {"headers": [*HEADERS, "姓名"]},
    ),
    "unknown code value": (
        lambda w: rows_with(w, 贫困户属性="特别贫困户"),
        (2, "贫困户属性", "不在代码表中"),
        {},
    ),
    "bad check digit": (id_case("110105194912310021"), (2, "证件号码", "校验位错误"), {}),
    "17 digits": (id_case("11010519491231002"), (2, "证件号码", "18位"), {}),
    "19 digits": (id_case("11010519491231002X1"), (2, "证件号码", "18位"), {}),
    "full-width digits": (
        id_case("１１０１０５１９４９１２３１００２Ｘ"),
        (2, "证件号码", "全角"),
        {},
    ),
    "zero-width space": (id_case("110105\u200b19491231002X"), (2, "证件号码", "看不见的字符"), {}),
    "spreadsheet number": (id_case(1.10105194912310e17), (2, "证件号码", "存成了数字"), {}),
    "lower-case x": (id_case("11010519491231002x"), (2, "证件号码", "大写X"), {}),
    "impossible birth date": (
        id_case(number_with_birth("19490230")),
        (2, "证件号码", "出生日期无效"),
        {},
    ),
    "future birth date": (
        id_case(number_with_birth("20990101")),
        (2, "证件号码", "出生日期无效"),
        {},
    ),
    "15-digit legacy number": (id_case("110105491231002"), (2, "证件号码", "15位"), {}),
    "duplicate ID in the file": (
        lambda w: (lambda rows: [*rows, dict(rows[0], 户编号="H-0002")])(family(w)),
        (4, "证件号码", "与第2行的证件号码重复"),
        {},
    ),
    "two heads": (
        lambda w: rows_with(w, 1, 与户主关系="户主"),
        (3, "与户主关系", "有2名户主（第2、3行）"),
        {},
    ),
    "no head": (
        lambda w: rows_with(w, 0, 与户主关系="子女"),
        (2, "与户主关系", "有0名户主（第2、3行）"),
        {},
    ),
    "household columns disagree": (
        lambda w: rows_with(w, 1, 主要致贫原因="因学"),
        (3, "主要致贫原因", "与第2行不一致"),
        {},
    ),
    "unknown village": (lambda w: rows_with(w, 行政村="不存在村"), (2, "行政村", "找不到"), {}),
    "year that is not a year": (
        lambda w: rows_with(w, 识别年度="二〇一四"),
        (2, "识别年度", "不是年份"),
        {},
    ),
    "year out of range": (lambda w: rows_with(w, 识别年度=1999), (2, "识别年度", "超出范围"), {}),
    "date stored as a serial number": (
        lambda w: rows_with(w, 识别年度=datetime.datetime(2014, 6, 1)),
        (2, "识别年度", "不是年份"),
        {},
    ),
    "negative income": (
        lambda w: rows_with(w, 年人均纯收入=-300),
        (2, "年人均纯收入", "不能为负数"),
        {},
    ),
    "income not a number": (
        lambda w: rows_with(w, 年人均纯收入="三千"),
        (2, "年人均纯收入", "应为数字"),
        {},
    ),
    "exited without a year": (
        lambda w: rows_with(w, 脱贫状态="已脱贫"),
        (2, "脱贫年度", "须填写脱贫年度"),
        {},
    ),
    "not exited with a year": (
        lambda w: rows_with(w, 脱贫年度=2018),
        (2, "脱贫年度", "应为空"),
        {},
    ),
    "unknown exit status": (lambda w: rows_with(w, 脱贫状态="脱贫"), (2, "脱贫状态", "应为"), {}),
    "bad household code": (lambda w: rows_with(w, 户编号="户#1"), (2, "户编号", "只能包含"), {}),
    "gender disagrees with the ID": (
        lambda w: rows_with(w, 性别="女"),
        (2, "性别", "性别与证件号码不符"),
        {},
    ),
    "bad phone number": (
        lambda w: rows_with(w, 联系电话="打电话"),
        (2, "联系电话", "格式不正确"),
        {},
    ),
    "three other causes": (
        lambda w: rows_with(w, 其他致贫原因="缺技术、缺资金、因学"),
        (2, "其他致贫原因", "最多两项"),
        {},
    ),
    "required value missing": (lambda w: rows_with(w, 姓名=""), (2, "姓名", "必填"), {}),
    "formula cell": (
        lambda w: family(w),
        (2, "姓名", "公式"),
        {"hook": lambda sheet: sheet.cell(row=2, column=HEADERS.index("姓名") + 1, value="=B2")},
    ),
    "merged cells": (
        lambda w: family(w),
        (2, "乡镇", "合并单元格"),
        {"hook": lambda sheet: sheet.merge_cells("A2:A3")},
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_refused_with_its_reason(tmp_path, world, make_user, name):
    make_rows, (row, column, fragment), options = CASES[name]
    user = make_user(Role.COUNTY_STAFF, world.county)
    path = sheet_file(tmp_path, make_rows(world), **options)
    before = Household.objects.count(), Member.objects.count()
    result = import_roster(path, user=user)
    found = [e for e in result.errors if (e.row, e.column) == (row, column)]
    assert found and fragment in found[0].message, [
        (e.row, e.column, e.message) for e in result.errors
    ]
    assert (Household.objects.count(), Member.objects.count()) == before


def test_a_second_head_is_marked_on_its_own_row(tmp_path, world, make_user):
    # The error copy marks the row to correct, not the real head above it.
    rows = [*family(world), person(world, code="H-0001", name="李强", relation="户主")]
    result = import_roster(
        sheet_file(tmp_path, rows), user=make_user(Role.COUNTY_STAFF, world.county)
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (4, "与户主关系", "户编号H-0001有2名户主（第2、4行），每户须有且只有一名。")
    ]


@pytest.mark.parametrize("index", [0, 1])
def test_a_value_outside_its_code_list_is_one_error_not_two(tmp_path, world, make_user, index):
    # Not also "disagrees with the household's other row", which would point at the wrong row.
    rows = rows_with(world, index, 主要致贫原因="因懒")
    result = import_roster(
        sheet_file(tmp_path, rows), user=make_user(Role.COUNTY_STAFF, world.county)
    )
    assert [(e.row, e.column) for e in result.errors] == [(2 + index, "主要致贫原因")]
    assert "“因懒”不在代码表中" in result.errors[0].message


def test_duplicate_against_the_database_and_villages_outside_the_area(tmp_path, world, make_user):
    HouseholdFactory(village=world.v11, code="OLD-1")
    taken = Member.objects.get().id_number
    township = make_user(Role.TOWNSHIP_STAFF, world.t2)
    rows = [
        person(world, code="H-0001", number=taken, village=world.v21),
        person(world, code="H-0002", number=new_id_number(), village=world.v11),
    ]
    result = import_roster(sheet_file(tmp_path, rows), user=township)
    messages = {(e.row, e.column): e.message for e in result.errors}
    # The other township's household, village and person are not named: only that the number
    # is taken, and whom to ask.
    assert messages[(2, "证件号码")] == ID_TAKEN_ELSEWHERE
    assert "请与县扶贫办核实" in ID_TAKEN_ELSEWHERE
    assert "找不到一乡一乡甲村" in messages[(3, "行政村")]
    assert Household.objects.count() == 1


FILES = {
    "empty sheet": (lambda: _empty_workbook(), "工作表是空的"),
    "a renamed .csv": (lambda: "乡镇,行政村\n一乡,甲村\n".encode(), "不是有效的 .xlsx"),
    "a broken .xls": (
        lambda: bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512,
        "无法读取该 .xls 文件",
    ),
    "a web page saved as .xls": (
        lambda: "<html><body><table><tr><td>乡镇</td></tr></table></body></html>".encode(),
        "网页（HTML/XML）格式",
    ),
    "an .xlsm": (lambda: _with_macro(), "含宏"),
    "a zip bomb": (zip_bomb, "压缩炸弹"),
    "billion laughs": (with_dtd, "DTD"),
    "a broken zip": (lambda: roster_bytes([])[:200], "不是有效的 .xlsx"),
}


def _empty_workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _with_macro() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(roster_bytes([])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        archive.writestr("xl/vbaProject.bin", b"\0" * 64)
    return buffer.getvalue()


@pytest.mark.parametrize("name", FILES)
def test_files_that_are_not_safe_rosters_are_refused(tmp_path, world, make_user, name):
    content, fragment = FILES[name]
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content())
    result = import_roster(path, user=make_user(Role.COUNTY_STAFF, world.county))
    assert result.errors and fragment in result.errors[0].message, result.errors
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("roster.csv", b"\x81\x30\xff\xfe" * 50, "无法识别 .csv 文件的编码"),
        ("roster.csv", b"", "文件是空的"),
        ("roster.csv", b"\n\n,,\n", "工作表是空的"),
        # An .xlsx under a .csv or .xls name is read as the workbook it is.
        ("roster.csv", None, None),
        ("roster.xls", None, None),
    ],
)
def test_a_file_is_told_by_what_it_holds(tmp_path, world, make_user, name, content, fragment):
    user = make_user(Role.COUNTY_STAFF, world.county)
    path = tmp_path / name
    if content is None:
        content = sheet_file(tmp_path, family(world)).read_bytes()
    path.write_bytes(content)
    result = import_roster(path, user=user)
    if fragment is None:
        assert result.ok, result.errors
        assert Member.objects.count() == 2
    else:
        assert fragment in result.errors[0].message, result.errors
        assert not Household.objects.exists()


def test_an_oversized_file_is_refused(tmp_path, world, make_user, settings):
    settings.ROSTER_MAX_BYTES = 1024
    path = sheet_file(tmp_path, family(world))
    result = import_roster(path, user=make_user(Role.COUNTY_STAFF, world.county))
    assert "文件过大" in result.errors[0].message


def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path):
    """Checked in a fresh process, whose peak memory must stay under 256 MB."""
    bomb = tmp_path / "bomb.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 400_000_000)  # 400 MB of zeros
    bomb.write_bytes(buffer.getvalue())
    code = (
        "import sys\n"
        "from poverty.common.excel import check_xlsx, ExcelError\n"
        f"try:\n    check_xlsx({str(bomb)!r})\nexcept ExcelError as e:\n    print(e)\n"
        # VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec).
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(int(hwm.split()[1]) // 1024)\n"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split("\n")
    assert "压缩炸弹" in out[0]
    assert int(out[1]) < 256, f"peak {out[1]} MB"


def test_openpyxl_reads_xml_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_there_are_at_least_thirty_kinds():
    assert len(CASES) + len(FILES) + 3 >= 30
