"""Roster import and export (DESIGN §6): one service for the upload page, the Celery job and
`manage.py import_roster` / `export_roster`.

Import reads the workbook streaming, validates every row and collects every error (row, column,
reason in Chinese); only a file without errors is written, in one transaction, so a bad file
changes nothing. Households are matched by 户编号 and persons by ID number (through the keyed
hash); re-importing the same file, or an export of ours, changes nothing.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict, namedtuple
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, When
from simple_history.utils import bulk_update_with_history

from poverty.common import bulk, crypto, excel, idnumber
from poverty.common.masking import can_see_sensitive, mask_id_number, mask_phone
from poverty.common.scoping import code_in_scope
from poverty.common.sql import among, among_text, as_date, fetch
from villages.choices import AreaLevel
from villages.models import Area

from .choices import (
    Category,
    Cause,
    Education,
    Gender,
    Health,
    HouseholdStatus,
    LabourSkill,
    Relation,
    Schooling,
    WorkStatus,
)
from .excel import (
    BY_HEADER,
    BY_KEY,
    COLUMNS,
    EXITED,
    HEADERS,
    HOUSEHOLD_KEYS,
    NOT_EXITED,
    label_map,
    label_of,
    labels_of,
)
from .models import Household, IncomeRecord, Member, SensitiveAccess, recount_members
from .signals import registry_changed

YEAR_RANGE = range(2013, 2036)
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
CAUSE_SPLIT = re.compile(r"[、,，;；/ ]+")
HOUSEHOLD_FIELDS = [
    "village_id",
    "group",
    "phone",
    "category",
    "primary_cause",
    "other_causes",
    "identified_year",
    "planned_exit_year",
    "status",
    "exit_year",
]
MEMBER_FIELDS = [
    "household_id",
    "name",
    "gender",
    "birth_date",
    "relation",
    "education",
    "schooling",
    "health",
    "labour_skill",
    "work_status",
]
PROGRESS_EVERY = 2000
WRITE_CHUNK = 5000
MEMBER_COMPARED = [f for f in MEMBER_FIELDS if f != "household_id"]
# The compared values as one tuple, read in C (a re-import compares every row).
MEMBER_VALUES = attrgetter(*MEMBER_COMPARED)
REGISTERED_HOUSEHOLD = attrgetter(*HOUSEHOLD_FIELDS)
FILE_HOUSEHOLD = itemgetter(*HOUSEHOLD_FIELDS)
COMPARED_KEYS = [k for k in (*HOUSEHOLD_KEYS, "exited") if k not in ("code", "income")]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rows_changed: int = 0  # the rows that change the registry (Plan.rows_changed)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


Progress = Callable[..., None]


def _noop(**kwargs) -> None:
    pass


@dataclass(slots=True)
class Person:
    """A row's member values (slotted: a province file holds millions of them)."""

    name: str
    id_number: str
    hash: str  # the keyed hash of the ID number, by which persons are matched
    gender: str
    birth_date: datetime.date
    relation: str
    education: str
    schooling: str
    health: str
    labour_skill: str
    work_status: str


@dataclass(slots=True)
class ParsedRow:
    row: int
    household: dict
    member: Person


class RosterReader:
    """Header mapping and per-row parsing; collects errors instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.columns: dict[int, str] = {}  # position -> key
        self.positions: dict[str, int] = {}  # key -> position
        self.unknown: list[str] = []
        # Households with a row that failed: their head count is not judged on the rest.
        self.failed_codes: set[str] = set()
        self.formula_cells: set[tuple[int, str | None]] = set()
        self.first_rows: dict[str, tuple[int, dict]] = {}
        self.labels = {c.key: label_map(c) for c in COLUMNS if c.choices}
        self.cause_labels = label_map(BY_HEADER["主要致贫原因"])
        self.required: list[str] = []  # the required columns the header has
        self.last_household: tuple[tuple, dict] | None = None
        self.today = datetime.date.today()

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def read_header(self, cells: list) -> bool:
        seen = set()
        for position, value in enumerate(cells):
            header = excel.cell_text(value).replace(" ", "").replace("\n", "")
            if not header:
                continue
            column = BY_HEADER.get(header)
            if column is None:
                self.unknown.append(header)
            elif column.key in seen:
                self.error(1, header, "列名重复。")
            else:
                seen.add(column.key)
                self.columns[position] = column.key
                self.positions[column.key] = position
        self.required = [c.key for c in COLUMNS if c.required and c.key in seen]
        self._prepare()
        missing = [c.header for c in COLUMNS if c.required and c.key not in seen]
        for header in missing:
            self.error(1, header, "缺少必填列。")
        return not missing

    def header_of(self, position: int) -> str:
        key = self.columns.get(position)
        if key is None:
            return excel.column_letters(position)
        return BY_KEY[key].header

    def check_sheet(self, scan: excel.SheetScan) -> None:
        """Formulas and merged cells: the reader sees neither, so they are refused here."""
        for position, row in scan.formulas:
            self.formula_cells.add((row, self.columns.get(position)))
            self.error(row, self.header_of(position), "单元格是公式；请复制后“粘贴为数值”再导入。")
        for position, row, ref in scan.merged:
            self.error(
                row, self.header_of(position), f"合并单元格（{ref}）；请取消合并，每行都填上内容。"
            )

    def _prepare(self) -> None:
        """Getters for the header's columns, made once: a row's values are then picked in C."""
        self.keys = list(self.columns.values())
        self.width = max(self.columns, default=-1) + 1
        self.pick = bulk.values_at(list(self.columns))
        # The household columns the header has, in HOUSEHOLD_KEYS order (a missing one reads
        # "" on every row, so it adds nothing to the comparison).
        household = [key for key in HOUSEHOLD_KEYS if key in self.positions]
        self.household_texts = itemgetter(*household) if household else lambda text: ()
        self.member_codes = [
            (key, self.labels[key])
            for key in ("relation", "education", "schooling", "labour_skill", "work_status")
        ]

    def parse(self, row: int, cells: list) -> ParsedRow | None:
        if len(cells) < self.width:
            cells = [*cells, *[""] * (self.width - len(cells))]
        text = dict(
            zip(
                self.keys,
                [v.strip() if type(v) is str else excel.cell_text(v) for v in self.pick(cells)],
                strict=True,
            )
        )
        if not any(text.values()):
            return None  # a blank line
        before = len(self.errors)
        if INVISIBLE.search("".join(text.values())):
            for key, value in text.items():
                if INVISIBLE.search(value):
                    self.error(
                        row,
                        BY_KEY[key].header,
                        "含有看不见的字符（如零宽空格），请删除后重新输入。",
                    )
                    text[key] = INVISIBLE.sub("", value)
        if not all(map(text.__getitem__, self.required)):
            for key in self.required:
                if not text[key] and (row, key) not in self.formula_cells:
                    self.error(row, BY_KEY[key].header, "必填，不能为空。")
        # A household's rows repeat its columns: a row whose household columns read exactly as
        # the row before (already checked, without error) shares that row's values.
        texts = self.household_texts(text)
        if self.last_household is not None and self.last_household[0] == texts:
            h = self.last_household[1]
        else:
            checked = len(self.errors)
            h = self._shared_household(row, self._household(row, text))
            self.last_household = (texts, h) if len(self.errors) == checked else None
        position = self.positions.get("id_number")
        raw_number = None if position is None else cells[position]
        number, info = self._id_number(row, raw_number, text.get("id_number", ""))
        if info is not None:
            gender = text.get("gender", "")
            if gender and self._code(row, "gender", gender) not in ("", info.gender):
                self.error(row, "性别", "性别与证件号码不符（第17位奇数为男、偶数为女）。")
        codes = {}
        for key, labels in self.member_codes:
            value = text.get(key, "")
            codes[key] = (labels.get(value) or self._code(row, key, value)) if value else ""
        health = self._code(row, "health", text.get("health", "")) or "healthy"
        if len(self.errors) > before or info is None:
            self.failed_codes.add(h["code"])
            return None
        person = Person(
            name=text.get("name", ""),
            id_number=number,
            hash=crypto.keyed_hash(number),
            gender=info.gender,
            birth_date=info.birth_date,
            health=health,
            **codes,
        )
        return ParsedRow(row, h, person)

    def _household(self, row: int, text: dict) -> dict:
        checked = len(self.errors)
        h = {}
        for key in ("township", "village", "code", "group"):
            h[key] = text.get(key, "")
        if h["code"] and not re.match(r"^[0-9A-Za-z\-]{4,30}$", h["code"]):
            self.error(row, "户编号", "户编号只能包含数字、字母和短横线（4至30位）。")
        for key in ("category", "primary_cause"):
            h[key] = self._code(row, key, text.get(key, ""))
        h["other_causes"] = self._other_causes(
            row, text.get("other_causes", ""), h["primary_cause"]
        )
        for key, header in (("identified_year", "识别年度"), ("planned_exit_year", "计划脱贫年度")):
            h[key] = self._year(row, header, text.get(key, ""))
        if (
            h["identified_year"]
            and h["planned_exit_year"]
            and h["planned_exit_year"] < h["identified_year"]
        ):
            self.error(row, "计划脱贫年度", "计划脱贫年度不能早于识别年度。")
        exited = text.get("exited", "")
        if exited and exited not in (EXITED, NOT_EXITED):
            self.error(row, "脱贫状态", f"应为“{NOT_EXITED}”或“{EXITED}”。")
        h["exited"] = exited == EXITED
        exit_text = text.get("exit_year", "")
        h["exit_year"] = self._year(row, "脱贫年度", exit_text) if exit_text else None
        if exited == EXITED and not exit_text:
            self.error(row, "脱贫年度", "已脱贫的户须填写脱贫年度。")
        if exited == NOT_EXITED and exit_text:
            self.error(row, "脱贫年度", "未脱贫的户脱贫年度应为空。")
        h["phone"] = text.get("phone", "")
        if h["phone"] and not PHONE.match(h["phone"]):
            self.error(row, "联系电话", "电话号码格式不正确。")
        income = text.get("income", "")
        if income:
            try:
                if Decimal(income) < 0:
                    self.error(row, "年人均纯收入", "不能为负数。")
            except InvalidOperation:
                self.error(row, "年人均纯收入", "应为数字。")
        # The columns that failed here: not compared with the household's other rows.
        if invalid := {
            BY_HEADER[e.column].key for e in self.errors[checked:] if e.column in BY_HEADER
        }:
            h["invalid"] = invalid
        return h

    def _shared_household(self, row: int, h: dict) -> dict:
        """The household's columns must agree with its first row; later rows then share the
        first row's dict, so a 300,000-row file holds one copy per household, not per person."""
        first = self.first_rows.get(h["code"])
        if first is None:
            self.first_rows[h["code"]] = (row, h)
            return h
        first_row, first_h = first
        # A value that failed its own check (not in its code list, not a year...) has its own
        # error; "disagrees with row N" on top would send the user to the wrong row.
        invalid = h.get("invalid", set()) | first_h.get("invalid", set())
        for key in COMPARED_KEYS:
            if h.get(key) != first_h.get(key) and key not in invalid:
                header = BY_KEY[key].header
                self.error(
                    row, header, f"同一户（户编号{h['code']}）的“{header}”与第{first_row}行不一致。"
                )
        return first_h

    def _code(self, row: int, key: str, value: str) -> str:
        if not value:
            return ""
        code = self.labels[key].get(value)
        if code is None:
            column = BY_KEY[key]
            options = "、".join(list(self.labels[key])[:12])
            self.error(row, column.header, f"“{value}”不在代码表中（可填：{options}）。")
            return ""
        return code

    def _other_causes(self, row: int, value: str, primary: str) -> str:
        if not value:
            return ""
        codes = []
        for label in filter(None, CAUSE_SPLIT.split(value)):
            code = self.cause_labels.get(label)
            if code is None:
                self.error(row, "其他致贫原因", f"“{label}”不在致贫原因代码表中。")
            elif code != primary and code not in codes:
                codes.append(code)
        if len(codes) > 2:
            self.error(row, "其他致贫原因", "其他致贫原因最多两项。")
        # Kept in the national list's order, so the same causes always read the same.
        order = list(Cause.values)
        return ",".join(sorted(codes, key=order.index))

    def _year(self, row: int, header: str, value: str) -> int | None:
        if not value:
            return None
        try:
            year = int(value)
        except ValueError:
            self.error(row, header, f"“{value}”不是年份。")
            return None
        if year not in YEAR_RANGE:
            self.error(row, header, f"年份{year}超出范围（2013至2035）。")
            return None
        return year

    def _id_number(self, row: int, raw, value: str):
        if not value:
            return "", None
        if FULL_WIDTH.search(value):
            self.error(row, "证件号码", "含有全角数字或字母，请改为半角（英文输入法）。")
            return "", None
        if value.endswith("x"):
            self.error(row, "证件号码", "末位校验码应为大写X。")
            return "", None
        if isinstance(raw, float) and len(value) >= 15:
            self.error(
                row,
                "证件号码",
                "证件号码被存成了数字，末几位可能已丢失；请将该列设为文本格式后重新填写。",
            )
            return "", None
        try:
            info = idnumber.parse(value, today=self.today)
        except ValidationError as exc:
            self.error(row, "证件号码", exc.messages[0])
            return "", None
        return info.number, info


def import_roster(
    path: str | Path, *, user, dry_run: bool = False, progress: Progress = _noop
) -> ImportResult:
    """Validate the whole file; write it (unless dry_run) only if there is no error."""
    with bulk.gc_paused():
        return _import(path, user, dry_run, progress)


def _import(path, user, dry_run: bool, progress: Progress) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    if not (
        user.has_perm("households.add_household") and user.has_perm("households.change_household")
    ):
        result.errors.append(RowError(0, "", "您没有导入花名册的权限。"))
        return result
    try:
        excel.check_xlsx(path, excel.Limits.for_upload(settings.ROSTER_MAX_BYTES))
        rows = excel.read_rows(path)
        reader = RosterReader()
        header = next(rows, None)
        if header is None:
            result.errors.append(RowError(1, "", "工作表是空的。"))
            return result
        reader.read_header(header)
        result.unknown_columns = reader.unknown
        if reader.errors:
            result.errors = reader.errors
            return result
        scan = excel.scan_sheet(path)
        progress(phase="read", total_rows=max(scan.rows - 1, 0))
        reader.check_sheet(scan)
        parsed: list[ParsedRow] = []
        number = 1
        for number, cells in enumerate(rows, start=2):
            row = reader.parse(number, cells)
            if row is not None:
                parsed.append(row)
            if number % PROGRESS_EVERY == 0:
                progress(phase="read", rows_read=number - 1)
    except excel.ExcelError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    progress(phase="validate", rows_read=number - 1)
    errors = reader.errors
    households = _check_households(parsed, errors, skip_heads=reader.failed_codes)
    villages = _resolve_villages(parsed, user, errors)
    existing, people, removed = _check_registry(parsed, households, villages, user, errors)
    result.rows = len({r.row for r in parsed} | {e.row for e in errors if e.row > 1})
    progress(phase="validate", rows_validated=result.rows)
    if errors:
        result.errors = sorted(errors, key=lambda e: (e.row, e.column))
        return result
    plan = _plan(households, villages, existing, people, removed)
    result.counts = plan.counts()
    result.rows_changed = plan.rows_changed
    if not dry_run:
        progress(phase="write")
        _write(plan, user)
    progress(phase="done", rows_written=0 if dry_run else plan.rows_changed)
    return result


def _check_households(
    parsed: list[ParsedRow], errors: list[RowError], *, skip_heads: set[str] = frozenset()
) -> dict[str, list[ParsedRow]]:
    """Group rows by 户编号 (their columns were compared as they were read); exactly one head;
    ID numbers unique."""
    groups: dict[str, list[ParsedRow]] = defaultdict(list)
    for row in parsed:
        groups[row.household["code"]].append(row)
    for code, rows in groups.items():
        heads = [r.row for r in rows if r.member.relation == Relation.HEAD]
        if len(heads) == 1 or code in skip_heads:
            continue
        # Marked on the rows to correct: every head after the first, or the household's first row.
        named = heads if heads else [r.row for r in rows]
        where = "、".join(map(str, named[:5])) + ("等" if len(named) > 5 else "")
        message = f"户编号{code}有{len(heads)}名户主（第{where}行），每户须有且只有一名。"
        for row in heads[1:] or [rows[0].row]:
            errors.append(RowError(row, "与户主关系", message))
    # Parsed numbers are 18 digits, upper-case X (anything else failed its row), so equal
    # numbers are equal keyed hashes.
    first: dict[str, int] = {}
    for r in parsed:
        row = first.setdefault(r.member.hash, r.row)
        if row != r.row:
            errors.append(
                RowError(r.row, "证件号码", f"与第{row}行的证件号码重复，一人只能登记一次。")
            )
    return groups


def _resolve_villages(parsed, user, errors) -> dict[tuple[str, str], Area]:
    """(乡镇, 行政村) names -> the village, among the villages the user may write to."""
    villages = (
        Area.objects.restrict(user, "view").filter(level=AreaLevel.VILLAGE).select_related("parent")
    )
    by_names: dict[tuple[str, str], list[Area]] = defaultdict(list)
    for v in villages:
        if code_in_scope(Household, v.code, user, "add"):
            by_names[(v.parent.name if v.parent else "", v.name)].append(v)
    found: dict[tuple[str, str], Area] = {}
    for row in parsed:
        key = (row.household["township"], row.household["village"])
        matches = by_names.get(key, [])
        if len(matches) == 1:
            found[key] = matches[0]
        elif not matches:
            errors.append(RowError(row.row, "行政村", f"在您的管辖范围内找不到{key[0]}{key[1]}。"))
        else:
            errors.append(
                RowError(row.row, "行政村", f"{key[0]}{key[1]}有重名，无法确定是哪一个村。")
            )
    return found


def _check_registry(parsed, households, villages, user, errors):
    """Existing households by 户编号 and persons by ID hash; nothing outside the user's area.

    Returns the registered households (by code) and persons (by hash) the file names, and the
    registered members of the file's households that the file no longer lists, as (pk,
    household id). Small tuples, not model instances: a province file holds millions of people,
    so a person's values are compared with the file's row as they are read, and only the
    outcome is kept.
    """
    allowed = cache(
        lambda village_code, action: code_in_scope(Household, village_code, user, action)
    )
    codes = list(households)
    existing: dict[str, RegisteredHousehold] = {}
    for start in range(0, len(codes), MATCH_CHUNK):
        condition, param = among_text("h.code", codes[start : start + MATCH_CHUNK])
        for values in fetch(
            f"SELECT h.id, h.code, {_columns(Household, HOUSEHOLD_FIELDS, 'h')}, a.code "  # noqa: S608
            "FROM households_household h JOIN villages_area a ON a.id = h.village_id "
            f"WHERE {condition}",
            [param],
        ):
            h = RegisteredHousehold(*values)
            existing[h.code] = h
    for code, h in existing.items():
        if not allowed(h.village__code, "change"):
            errors.append(
                RowError(
                    households[code][0].row,
                    "户编号",
                    f"户编号{code}已在您的管辖范围以外登记，不能导入。",
                )
            )
    hashes = {r.member.hash: r for r in parsed}
    people: dict[str, Registered] = {}
    removed: list[tuple[int, int]] = []
    compared = _columns(Member, MEMBER_COMPARED, "m")
    dated = _dated_values()
    # First the members of the file's registered households, found by household (an unchanged
    # re-import finds everyone here)...
    code_of = {h.pk: h.code for h in existing.values()}
    ids = list(code_of)
    for start in range(0, len(ids), MATCH_CHUNK):
        condition, param = among("m.household_id", ids[start : start + MATCH_CHUNK])
        for pk, household_id, digest, *values in fetch(
            f"SELECT m.id, m.household_id, m.id_number_hash, {compared} "  # noqa: S608
            f"FROM households_member m WHERE {condition}",
            [param],
        ):
            row = hashes.get(digest)
            if row is None:
                removed.append((pk, household_id))
            else:
                same = dated(values) == MEMBER_VALUES(row.member)
                # Keyed by the row's own hash string, not the equal one just read: on a
                # province re-import that is a copy of 113 bytes per person less.
                people[row.member.hash] = Registered(pk, household_id, code_of[household_id], same)
    # ...then, by ID hash, the file's other persons: new, or registered in another household.
    keys = [key for key in hashes if key not in people]
    for start in range(0, len(keys), MATCH_CHUNK):
        condition, param = among_text("m.id_number_hash", keys[start : start + MATCH_CHUNK])
        for pk, household_id, digest, code, village_code, *values in fetch(
            f"SELECT m.id, m.household_id, m.id_number_hash, h.code, a.code, {compared} "  # noqa: S608
            "FROM households_member m JOIN households_household h ON h.id = m.household_id "
            f"JOIN villages_area a ON a.id = h.village_id WHERE {condition}",
            [param],
        ):
            row = hashes[digest]
            same = dated(values) == MEMBER_VALUES(row.member)
            people[row.member.hash] = Registered(pk, household_id, code, same)
            if code == row.household["code"] or code in households:
                continue  # a move between households of this file
            where = f"（户编号{code}）" if allowed(village_code, "view") else ""
            errors.append(
                RowError(row.row, "证件号码", f"此人已登记在其他贫困户{where}，一人只能属于一户。")
            )
    return existing, people, removed


# Matching a file against the registry: ids, 户编号 or ID hashes per statement, as one parameter.
MATCH_CHUNK = 5000
# A registered household as _check_registry reads it, its fields named as in the ORM.
RegisteredHousehold = namedtuple(
    "RegisteredHousehold", ["pk", "code", *HOUSEHOLD_FIELDS, "village__code"]
)


def _columns(model, fields: list[str], alias: str) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(model._meta.get_field(f).column)}" for f in fields)


def _dated_values() -> Callable[[list], tuple]:
    """A registered person's compared values (MEMBER_COMPARED) as the ORM would give them, to
    compare with the file's: SQLite hands the birth date back as text."""
    if connection.vendor == "postgresql":
        return tuple
    birth = MEMBER_COMPARED.index("birth_date")

    def dated(values: list) -> tuple:
        values[birth] = as_date(values[birth])
        return tuple(values)

    return dated


class Registered(NamedTuple):
    """A registered person the file lists."""

    pk: int
    household_id: int
    household_code: str
    same: bool  # the registered values equal the file's row


@dataclass
class Plan:
    # The values of new households (HOUSEHOLD_FIELDS, with "code" and "persons").
    new_households: list[dict] = field(default_factory=list)
    # (id, the file's values) of registered households that changed
    changed_households: list[tuple[int, dict]] = field(default_factory=list)
    unchanged_households: int = 0
    # 户编号 -> id of the file's households already registered.
    existing_ids: dict[str, int] = field(default_factory=dict)
    # (household code, the row's member values)
    new_members: list[tuple[str, Person]] = field(default_factory=list)
    # (household code, member pk, the row's member values)
    changed_members: list[tuple[str, int, Person]] = field(default_factory=list)
    unchanged_members: int = 0
    removed_members: list[int] = field(default_factory=list)
    # The file's rows that change something: a new or changed household's, a new or changed
    # person's. An unchanged re-import writes none.
    rows_changed: int = 0
    # Registered households whose members change: their persons and names are recounted.
    recount: set[int] = field(default_factory=set)
    # Villages whose households change, including any a household moves out of.
    villages: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {
            "households_created": len(self.new_households),
            "households_updated": len(self.changed_households),
            "households_unchanged": self.unchanged_households,
            "members_created": len(self.new_members),
            "members_updated": len(self.changed_members),
            "members_unchanged": self.unchanged_members,
            "members_removed": len(self.removed_members),
        }


def _household_values(rows: list[ParsedRow], villages) -> dict:
    h = rows[0].household
    status = HouseholdStatus.EXITED if h["exited"] else None
    return {
        "village_id": villages[(h["township"], h["village"])].pk,
        "group": h["group"],
        "phone": h["phone"],
        "category": h["category"],
        "primary_cause": h["primary_cause"],
        "other_causes": h["other_causes"],
        "identified_year": h["identified_year"],
        "planned_exit_year": h["planned_exit_year"],
        "status": status,
        "exit_year": h["exit_year"] if h["exited"] else None,
    }


def _plan(households, villages, existing, people, removed) -> Plan:
    plan = Plan(existing_ids={code: h.pk for code, h in existing.items()})
    for code, rows in households.items():
        values = _household_values(rows, villages)
        current = existing.get(code)
        if current is None:
            values["status"] = values["status"] or HouseholdStatus.ASSISTED
            names = " ".join(row.member.name for row in rows)
            plan.new_households.append(
                {"code": code, "persons": len(rows), "member_names": names, **values}
            )
            plan.villages.add(values["village_id"])
            household_changed = True
        else:
            if values["status"] is None:
                # 未脱贫 in the file: any stage short of exit stays as it is.
                values["status"] = (
                    HouseholdStatus.ASSISTED
                    if current.status == HouseholdStatus.EXITED
                    else current.status
                )
            household_changed = REGISTERED_HOUSEHOLD(current) != FILE_HOUSEHOLD(values)
            if household_changed:
                plan.villages.update((current.village_id, values["village_id"]))
                plan.changed_households.append((current.pk, values))
            else:
                plan.unchanged_households += 1
        for row in rows:
            m = row.member
            person = people.get(m.hash)
            if person is None:
                plan.new_members.append((code, m))
            elif person.household_code != code or not person.same:
                plan.changed_members.append((code, person.pk, m))
                plan.recount.add(person.household_id)
            else:
                plan.unchanged_members += 1
                plan.rows_changed += household_changed  # its household's columns
                continue
            plan.rows_changed += 1
            if current is not None:
                plan.recount.add(current.pk)
    # Members of the file's households that the file no longer lists.
    plan.removed_members = [pk for pk, _ in removed]
    plan.recount.update(household for _, household in removed)
    plan.villages.update(h.village_id for h in existing.values() if h.pk in plan.recount)
    return plan


def _chunks(items: list, size: int = WRITE_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


NEW_HOUSEHOLD_FIELDS = ["id", "code", *HOUSEHOLD_FIELDS, "persons", "member_names"]
NEW_MEMBER_FIELDS = [
    "id",
    *MEMBER_FIELDS,
    "id_number_encrypted",
    "id_number_hash",
    "id_number_masked",
]


@transaction.atomic
def _write(plan: Plan, user) -> None:
    """Everything in one transaction. New households and members (the bulk of a first import)
    go in by COPY with their history rows (poverty.common.bulk); changes go through the ORM."""
    if connection.vendor == "postgresql":
        # Django makes foreign keys DEFERRABLE INITIALLY DEFERRED. Checked as each row arrives,
        # they run while the COPY overlaps with making the rows, not all at once at COMMIT.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    ids = dict(plan.existing_ids)
    reserved = bulk.reserve_ids(Household, len(plan.new_households))
    for pk, h in zip(reserved, plan.new_households, strict=True):
        ids[h["code"]] = pk
    bulk.insert_with_history(
        Household,
        NEW_HOUSEHOLD_FIELDS,
        (
            (pk, *(h[name] for name in NEW_HOUSEHOLD_FIELDS[1:]))
            for pk, h in zip(reserved, plan.new_households, strict=True)
        ),
        user=user,
    )
    for chunk in _chunks(plan.changed_households):
        households = Household.objects.in_bulk([pk for pk, _ in chunk])
        for pk, values in chunk:
            household = households[pk]
            for name, value in values.items():
                setattr(household, name, value)
            household.version += 1
        bulk_update_with_history(
            list(households.values()),
            Household,
            [*HOUSEHOLD_FIELDS, "version"],
            batch_size=2000,
            default_user=user,
        )

    for chunk in _chunks(plan.removed_members):
        for member in Member.objects.filter(pk__in=chunk):
            member._history_user = user
            member.delete()
    # Demote every changed person first, so no household holds two heads between statements.
    changed_pks = [pk for _, pk, _ in plan.changed_members]
    for chunk in _chunks(changed_pks):
        Member.objects.filter(pk__in=chunk, relation=Relation.HEAD).update(relation=Relation.OTHER)
    for chunk in _chunks(plan.changed_members):
        members = Member.objects.in_bulk([pk for _, pk, _ in chunk])
        for code, pk, values in chunk:
            member = members[pk]
            member.household_id = ids[code]
            for name in MEMBER_COMPARED:
                setattr(member, name, getattr(values, name))
        bulk_update_with_history(
            list(members.values()), Member, MEMBER_FIELDS, batch_size=2000, default_user=user
        )
    bulk.insert_with_history(
        Member,
        NEW_MEMBER_FIELDS,
        (
            (
                pk,
                ids[code],
                *(getattr(m, name) for name in MEMBER_COMPARED),
                crypto.encrypt(m.id_number),
                m.hash,
                mask_id_number(m.id_number),
            )
            for pk, (code, m) in zip(
                bulk.reserve_ids(Member, len(plan.new_members)), plan.new_members, strict=True
            )
        ),
        user=user,
    )
    # New households were written with their persons and names; registered ones are recounted.
    for chunk in _chunks(sorted(plan.recount)):
        recount_members(chunk)
    registry_changed.send(sender=Household, households=(), villages=plan.villages)


# --- export -------------------------------------------------------------------------------


def export_rows(households, *, sensitive: bool):
    """The roster rows of these households (already scoped), members in household order.

    Reads plain values (no model instances) and the latest income per household in one
    grouped query, so 100,000 rows export in seconds rather than minutes.
    """
    ids = households.values("pk")
    incomes: dict[int, object] = {}
    for hid, net in (
        IncomeRecord.objects.filter(household__in=ids)
        .order_by("household_id", "year")
        .values_list("household_id", "per_capita_net")
        .iterator(chunk_size=5000)
    ):
        incomes[hid] = net  # ordered by year: the last one wins
    members = (
        Member.objects.filter(household__in=ids)
        .annotate(head_first=Case(When(relation=Relation.HEAD, then=0), default=1))
        .order_by("household__village__code", "household__code", "head_first", "birth_date", "pk")
        .values_list(
            "household_id",
            "household__village__parent__name",
            "household__village__name",
            "household__group",
            "household__code",
            "name",
            "id_number_encrypted",
            "gender",
            "relation",
            "household__category",
            "household__primary_cause",
            "household__other_causes",
            "household__identified_year",
            "household__planned_exit_year",
            "household__status",
            "household__exit_year",
            "education",
            "schooling",
            "health",
            "labour_skill",
            "work_status",
            "household__phone",
        )
    )
    causes = labels_of(Cause)
    for (
        hid,
        township,
        village,
        group,
        code,
        name,
        encrypted,
        gender,
        relation,
        category,
        primary,
        others,
        identified,
        planned,
        status,
        exit_year,
        education,
        schooling,
        health,
        skill,
        work,
        phone,
    ) in members.iterator(chunk_size=5000):
        number = crypto.decrypt(encrypted)
        exited = status == HouseholdStatus.EXITED
        income = incomes.get(hid)
        yield [
            township or "",
            village,
            group,
            code,
            name,
            number if sensitive else mask_id_number(number),
            label_of(Gender, gender),
            label_of(Relation, relation),
            label_of(Category, category),
            label_of(Cause, primary),
            "、".join(causes.get(c, c) for c in others.split(",") if c),
            identified,
            planned,
            EXITED if exited else NOT_EXITED,
            exit_year if exited else "",
            label_of(Education, education),
            label_of(Schooling, schooling),
            label_of(Health, health),
            label_of(LabourSkill, skill),
            label_of(WorkStatus, work),
            phone if sensitive else mask_phone(phone),
            income if income is not None else "",
        ]


def export_roster(
    path: str | Path, households, *, user=None, progress: Callable[[int], None] | None = None
) -> int:
    """Write the roster of these households; returns the number of person rows.

    For a user, ID numbers and phones are masked unless they hold the sensitive-data
    permission, and a full export is logged. Without a user (the management command, run by
    the operator on the server) the export is full, so it re-imports unchanged. `progress` is
    told the rows written so far, every PROGRESS_EVERY rows.
    """
    sensitive = can_see_sensitive(user) if user is not None else True
    rows = export_rows(households, sensitive=sensitive)
    if progress is not None:
        rows = _counted(rows, progress)
    count = excel.write_rows(path, HEADERS, rows, title="花名册")
    if user is not None and sensitive:
        SensitiveAccess.objects.create(user=user, household=None, what=f"导出花名册（{count}人）")
    return count


def _counted(rows, progress: Callable[[int], None]):
    count = 0
    for count, row in enumerate(rows, start=1):
        yield row
        if count % PROGRESS_EVERY == 0:
            progress(count)
    if count == 0 or count % PROGRESS_EVERY:
        progress(count)  # the total, unless just told


def households_for_export(user, query: str):
    """The household list's rows for `user` under its filter `query` (a query string), as the
    list page shows them: scoped first, then filtered; an invalid filter shows everything."""
    from types import SimpleNamespace

    from django.http import QueryDict

    from .filtersets import HouseholdFilterSet

    households = Household.objects.restrict(user)
    filterset = HouseholdFilterSet(
        QueryDict(query), queryset=households, request=SimpleNamespace(user=user)
    )
    return filterset.qs if filterset.is_valid() else households


def error_copy(
    path: str | Path,
    out: str | Path,
    errors: list[dict],
    progress: Callable[[int], None] | None = None,
) -> None:
    """The uploaded workbook's first sheet with an error column, for the user to correct;
    `progress` is told the rows copied so far, every PROGRESS_EVERY rows."""
    by_row: dict[int, list[str]] = defaultdict(list)
    for e in errors:
        by_row[e["row"]].append(f"{e['column']}：{e['message']}" if e["column"] else e["message"])
    rows = excel.read_rows(path)
    header = [excel.cell_text(v) for v in next(rows, [])]

    def body():
        for number, cells in enumerate(rows, start=2):
            yield [
                *(excel.cell_text(v) for v in cells),
                *([""] * (len(header) - len(cells))),
                "；".join(by_row.get(number, [])),
            ]

    rows_out = body() if progress is None else _counted(body(), progress)
    excel.write_rows(out, [*header, "错误"], rows_out, title="花名册（含错误）")


# --- the background job -------------------------------------------------------------------

MAX_STORED_ERRORS = 5000


@contextmanager
def _failing(jobs, message: str):
    """A job that raises is marked failed with `message` for its page, then the error goes on
    to Celery (and the log)."""
    from django.utils import timezone

    try:
        yield
    except Exception:
        jobs.update(status="failed", message=message, finished_at=timezone.now())
        raise


def run_import_job(job_id: int) -> dict:
    """The Celery job behind the upload page: progress on the job row, then the outcome."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from .models import RosterImport

    jobs = RosterImport.objects.filter(pk=job_id)
    job = jobs.select_related("user").get()
    if job.is_done:
        return {"status": job.status}  # a retried message: the job already ran
    path = job.file.path
    jobs.update(status=RosterImport.Status.RUNNING, phase="read")

    def progress(phase: str, **counts) -> None:
        jobs.update(phase=phase, **counts)

    with _failing(jobs, "处理时发生内部错误，未导入任何数据；请联系系统管理员。"):
        result = import_roster(path, user=job.user, dry_run=job.dry_run, progress=progress)
    errors = [e.as_dict() for e in result.errors]
    marked = None
    if any(e["row"] > 1 for e in errors):
        # The copy with the errors marked: for a county's file, a phase of its own (seconds).
        import tempfile

        jobs.update(phase="mark", message=f"发现{len(errors)}处错误，正在生成标注了错误的文件……")
        with (
            _failing(jobs, "生成错误标注文件时发生内部错误；请联系系统管理员。"),
            tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp,
        ):
            error_copy(path, tmp.name, errors, lambda rows: jobs.update(rows_marked=rows))
            marked = ContentFile(Path(tmp.name).read_bytes())
    job.refresh_from_db()
    job.errors = errors[:MAX_STORED_ERRORS]
    job.error_count = len(errors)
    job.unknown_columns = result.unknown_columns
    job.counts = result.counts
    job.finished_at = timezone.now()
    job.phase = "done"
    if errors:
        job.status = RosterImport.Status.FAILED
        job.message = f"发现{len(errors)}处错误，未导入任何数据。"
        if marked is not None:
            job.error_file.save(f"imports/errors-{job.pk}.xlsx", marked, save=False)
    else:
        job.status = RosterImport.Status.SUCCEEDED
        job.rows_validated = result.rows
        job.rows_written = 0 if job.dry_run else result.rows_changed
        if job.dry_run:
            job.message = "校验通过（未写入）。"
        elif result.rows_changed or result.counts.get("members_removed"):
            job.message = "导入完成。"
        else:
            job.message = "导入完成：文件与已登记的信息完全相同，没有需要写入的变化。"
    job.save()
    return {"status": job.status, "errors": len(errors), **result.counts}


def run_export_job(job_id: int) -> dict:
    """The Celery job behind a large export: progress on the job row, then the file on it."""
    import tempfile

    from django.core.files import File
    from django.utils import timezone

    from .models import RosterExport

    jobs = RosterExport.objects.filter(pk=job_id)
    job = jobs.select_related("user").get()
    if job.is_done:
        return {"status": job.status}  # a retried message: the job already ran
    households = households_for_export(job.user, job.query)
    total = Member.objects.filter(household__in=households.values("pk")).count()
    jobs.update(status=RosterExport.Status.RUNNING, total_rows=total)
    with (
        _failing(jobs, "导出时发生内部错误；请联系系统管理员。"),
        tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp,
    ):
        count = export_roster(
            tmp.name,
            households,
            user=job.user,
            progress=lambda rows: jobs.update(rows_written=rows),
        )
        job.refresh_from_db()
        job.file.save(f"exports/roster-{job.pk}.xlsx", File(tmp), save=False)
    job.status = RosterExport.Status.SUCCEEDED
    job.rows_written = count
    job.message = f"已导出{count}人。"
    job.finished_at = timezone.now()
    job.save()
    return {"status": job.status, "rows": count}


def purge_files(now=None) -> int:
    """Delete the files of roster jobs finished more than ROSTER_FILE_DAYS ago: uploads, their
    error copies and exports, which may all hold full ID numbers. The jobs stay (who, when,
    counts, errors). Returns the number of files deleted."""
    from django.utils import timezone

    from .models import RosterExport, RosterImport

    now = now or timezone.now()
    days = settings.ROSTER_FILE_DAYS
    cutoff = now - datetime.timedelta(days=days)
    deleted = 0
    for model, fields in ((RosterImport, ("file", "error_file")), (RosterExport, ("file",))):
        for job in model.objects.filter(finished_at__lt=cutoff).exclude(file=""):
            for name in fields:
                if getattr(job, name):
                    getattr(job, name).delete(save=False)
                    deleted += 1
            if model is RosterExport:
                job.message += f"文件已按规定删除（保留{days}天），如需请重新导出。"
            job.save(update_fields=[*fields, "message", "updated_at"])
    return deleted
