"""Roster workbooks for tests, written with openpyxl like a user's Excel would."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from households.excel import HEADERS


def roster_bytes(rows: list[dict], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster_upload(rows: list[dict], name: str = "花名册.xlsx", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        roster_bytes(rows, **kwargs),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def zip_bomb() -> bytes:
    """A structurally plausible .xlsx whose one part inflates ~1000 times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + "0" * 5_000_000 + "</a>")
    return buffer.getvalue()


def with_dtd() -> bytes:
    """An .xlsx whose workbook part declares entities (billion laughs / XXE)."""
    good = roster_bytes([])
    source = zipfile.ZipFile(io.BytesIO(good))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                dtd = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
                if data.startswith(b"<?xml"):
                    end = data.index(b"?>") + 2
                    data = data[:end] + dtd + data[end:]
                else:
                    data = dtd + data
            archive.writestr(info, data)
    return buffer.getvalue()


# --- the national system's layout -------------------------------------------------------------

# (group over the columns or None, the columns), as 全国扶贫开发信息系统's 花名册 lays them out:
# single columns merged down over both header rows, groups merged across above their columns.
NATIONAL_LAYOUT = [
    (None, ["序号"]),
    (None, ["县(市、区、旗)"]),
    (None, ["乡（镇）"]),
    (None, ["行政村"]),
    (None, ["自然村（组）"]),
    (None, ["户编号"]),
    (
        "家庭成员信息",
        [
            "人编号",
            "姓名",
            "身份证号码",
            "性别",
            "与户主的关系",
            "民族",
            "文化程度",
            "在校生情况",
            "健康状况",
            "劳动技能",
            "务工状况",
            "务工时间（月）",
            "是否参加大病保险",
        ],
    ),
    (
        "家庭基本情况",
        [
            "人数",
            "贫困户属性",
            "主要致贫原因",
            "其它致贫原因",
            "识别年度",
            "计划脱贫年度",
            "脱贫状态",
            "脱贫年度",
            "联系电话",
            "危房户",
            "饮水安全",
            "人均纯收入（元）",
        ],
    ),
]
NATIONAL_HEADERS = [h for _, columns in NATIONAL_LAYOUT for h in columns]
NATIONAL_HOUSEHOLD = {
    "县(市、区、旗)",
    "乡（镇）",
    "行政村",
    "自然村（组）",
    "人数",
    "贫困户属性",
    "主要致贫原因",
    "其它致贫原因",
    "识别年度",
    "计划脱贫年度",
    "脱贫状态",
    "脱贫年度",
    "联系电话",
    "危房户",
    "饮水安全",
    "人均纯收入（元）",
}
NATIONAL_TOP = 4  # title, 填报单位, two header rows: the first person is on row 5


def national_grid(
    rows: list[dict],
    *,
    head_only: bool = True,
    code_on_members: bool = True,
    rename: dict[str, str] | None = None,
) -> tuple[list[list], list[tuple[int, int, int, int]]]:
    """The sheet as rows of cells and its merged ranges (first row, first col, last row, last
    col; from 0). Household columns only on the head's row unless `head_only` is False; the
    户编号 on member rows too unless `code_on_members` is False; headers as a county renamed
    them (`rename`: ours -> theirs)."""
    width = len(NATIONAL_HEADERS)
    grid = [
        ["建档立卡贫困人口花名册", *[""] * (width - 1)],
        ["填报单位：东山县扶贫开发领导小组办公室", *[""] * 10, "填报日期：2020年12月31日"]
        + [""] * (width - 12),
    ]
    merges = [(0, 0, 0, width - 1)]
    groups, names = [], []
    column = 0
    for group, columns in NATIONAL_LAYOUT:
        if group is None:
            groups.append(columns[0])
            names.append("")
            merges.append((2, column, 3, column))
        else:
            groups.extend([group] + [""] * (len(columns) - 1))
            names.extend(columns)
            merges.append((2, column, 2, column + len(columns) - 1))
        column += len(columns)
    rename = rename or {}
    grid += [[rename.get(g, g) for g in groups], [rename.get(n, n) for n in names]]
    for number, row in enumerate(rows, start=1):
        head = row.get("与户主的关系") == "户主"
        cells = []
        for header in NATIONAL_HEADERS:
            value = row.get(header, "")
            if header == "序号":
                value = number
            elif not head and (
                (header == "户编号" and not code_on_members)
                or (header in NATIONAL_HOUSEHOLD and head_only)
            ):
                value = ""
            cells.append(value)
        grid.append(cells)
    grid += [[], ["填表人：张三", "", "", "", "审核人：李四", *[""] * (width - 5)]]
    return grid, merges


def national_xlsx(path, rows: list[dict], **kwargs):
    grid, merges = national_grid(rows, **kwargs)
    workbook = Workbook()
    sheet = workbook.active
    for cells in grid:
        sheet.append(cells)
    for r0, c0, r1, c1 in merges:
        sheet.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    workbook.save(path)
    return path


def national_xls(path, rows: list[dict], **kwargs):
    """Excel 97-2003, as the national system saves it (xlwt writes BIFF8)."""
    import xlwt

    grid, merges = national_grid(rows, **kwargs)
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("花名册")
    merged = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in merges}
    covered = {
        (r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
    }
    for r, cells in enumerate(grid):
        for c, value in enumerate(cells):
            if (r, c) in merged:
                r1, c1 = merged[(r, c)]
                sheet.write_merge(r, r1, c, c1, value)
            elif (r, c) not in covered and value != "":
                sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def national_csv(path, rows: list[dict], encoding: str = "gb18030", **kwargs):
    import csv

    grid, _ = national_grid(rows, **kwargs)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(grid)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
