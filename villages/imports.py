"""Importing the statistics bureau's 统计用区划代码 list (columns 统计用区划代码, 城乡分类代码,
名称; .xlsx, .xls or .csv): one service for `manage.py import_areas` and the page under 地区.

Level and parent follow from the code; the bureau's long names keep their short form (the one
rosters use). Re-running updates names and adds new areas; nothing is ever deleted: the areas
of the file's counties that the file no longer lists are reported as kept. All-or-nothing, and
every error names the row the user sees in Excel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from poverty.common import excel, tabular
from poverty.common.areacodes import (
    ancestor_codes,
    digits_of,
    level_of,
    padded_code,
    parent_code,
    prefix_of,
    short_name,
)
from poverty.common.excel import ExcelError, Limits
from poverty.common.scoping import code_in_scope

from .choices import AreaLevel
from .models import Area

MAX_BYTES = 50 * 1024 * 1024
HEADERS = {
    "code": ["统计用区划代码", "区划代码", "行政区划代码", "代码", "统计用区划码"],
    "name": ["名称", "区划名称", "单位名称", "名字"],
    "urban_rural": ["城乡分类代码", "城乡分类", "城乡属性代码"],
}
_NAMES = {
    tabular.normalise_header(alias): key for key, aliases in HEADERS.items() for alias in aliases
}


@dataclass
class AreaRow:
    row: int
    code: str
    name: str  # the short form
    long_name: str


@dataclass
class AreaImportResult:
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)
    created: list[AreaRow] = field(default_factory=list)
    renamed: list[tuple[AreaRow, str]] = field(default_factory=list)  # (row, the old name)
    unchanged: int = 0
    kept: list[tuple[str, str]] = field(default_factory=list)  # (code, name) not in the file
    skipped: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "renamed": len(self.renamed),
            "unchanged": self.unchanged,
            "kept": len(self.kept),
        }


def import_areas(path: str | Path, *, user, dry_run: bool = False) -> AreaImportResult:
    """Check the whole list, then (unless dry_run) write it in one transaction."""
    result = AreaImportResult(dry_run=dry_run)
    if not (user.has_perm("villages.add_area") and user.has_perm("villages.change_area")):
        result.errors.append((0, "", "您没有导入区划的权限。"))
        return result
    try:
        reading = tabular.read_table(path, _NAMES.get, limits=Limits.for_upload(MAX_BYTES))
        rows = _read(reading, result)
    except ExcelError as exc:
        result.errors.append((0, "", str(exc)))
        return result
    result.skipped = reading.skipped
    if result.errors:
        return result
    _plan(rows, user, result)
    if result.errors or dry_run:
        return result
    _write(result, user)
    return result


def _read(reading: tabular.Reading, result: AreaImportResult) -> list[AreaRow]:
    header = reading.header
    found = set(header.columns.values())
    missing = [HEADERS[key][0] for key in ("code", "name") if key not in found]
    for name in missing:
        result.errors.append((header.last_row, name, "缺少必填列。"))
    if missing:
        return []
    code_at = next(p for p, k in header.columns.items() if k == "code")
    name_at = next(p for p, k in header.columns.items() if k == "name")
    code_name, name_name = header.name_of("code"), header.name_of("name")
    rows: list[AreaRow] = []
    seen: dict[str, int] = {}
    for number, cells in reading.data:
        cells = [*cells, "", ""]
        text = excel.cell_text(cells[code_at])
        long_name = excel.cell_text(cells[name_at])
        if not text and not long_name:
            continue
        code = padded_code(text)
        if code is None:
            result.errors.append(
                (number, code_name, f"“{text}”不是区划代码（应为12位数字，如140121100201）。")
            )
            continue
        if not long_name:
            result.errors.append((number, name_name, "必填，不能为空。"))
            continue
        if code in seen:
            result.errors.append((number, code_name, f"与第{seen[code]}行的区划代码重复。"))
            continue
        seen[code] = number
        rows.append(AreaRow(number, code, short_name(long_name)[:50], long_name))
    if not rows and not result.errors:
        result.errors.append((header.last_row, "", "表头以下没有数据。"))
    return rows


def _plan(rows: list[AreaRow], user, result: AreaImportResult) -> None:
    """Which rows are new and which rename an area; each parent present in the file or the
    registry; every code inside the user's area."""
    codes = {r.code for r in rows}
    registered = dict(
        Area.objects.filter(code__in=codes | {a for r in rows for a in ancestor_codes(r.code)})
        .order_by()
        .values_list("code", "name")
    )
    for r in rows:
        # The province and city above a county are the tree's, not the county's to write.
        if not code_in_scope(Area, r.code, user, "add") and r.code not in registered:
            result.errors.append((r.row, "统计用区划代码", f"{r.code}不在您的管辖范围内。"))
            continue
        level = level_of(r.code)
        if level in (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE):
            parent = parent_code(r.code)
            if parent not in codes and parent not in registered:
                result.errors.append(
                    (
                        r.row,
                        "统计用区划代码",
                        f"找不到上级区划{parent}：请把所属的县和乡镇一并列入。",
                    )
                )
                continue
        old = registered.get(r.code)
        if old is None:
            result.created.append(r)
        elif old != r.name:
            if code_in_scope(Area, r.code, user, "change"):
                result.renamed.append((r, old))
            else:
                result.unchanged += 1  # a province or city above the user's own area
        else:
            result.unchanged += 1
    # The areas of the file's counties that the file no longer lists: kept, and said.
    county_digits = digits_of(AreaLevel.COUNTY)
    counties = {c[:county_digits] for c in codes if len(prefix_of(c)) >= county_digits}
    for county in sorted(counties):
        for code, name in (
            Area.objects.filter(code__startswith=county)
            .exclude(code__in=codes)
            .order_by("code")
            .values_list("code", "name")
        ):
            result.kept.append((code, name))


@transaction.atomic
def _write(result: AreaImportResult, user) -> None:
    # Parents first: the codes sort top down.
    for r in sorted(result.created, key=lambda r: (len(prefix_of(r.code)), r.code)):
        area = Area(code=r.code, name=r.name)
        area._history_user = user
        area.full_clean()
        area.save()
    for r, _old in result.renamed:
        area = Area.objects.get(code=r.code)
        area.name = r.name
        area._history_user = user
        area.save(update_fields=["name"])
