"""Bulk import of a sheet of records (units, cadres, postings, pairings, accounts): one runner
for every kind, on the tabular engine the roster reads through.

A kind is a `SheetImport` subclass: its columns (the header it writes in its blank template and
the spellings it accepts), the permissions it needs, and `apply(row)`, which writes one row and
says what it did. The runner reads the file (header found below title rows, footers skipped),
applies every row inside one transaction (each row in a savepoint, so one bad row does not stop
the others from being checked), and rolls the whole transaction back when any row failed or the
run is a preview. A preview is therefore exactly what the import would do, and an import is
all-or-nothing. Errors name the row Excel shows, the column as the file names it, and why.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import excel, tabular
from .excel import ExcelError, Limits
from .scoping import in_scope

MAX_BYTES = 20 * 1024 * 1024
MAX_ERRORS = 500  # past this many the file is plainly not the right one
TEMPLATE_ROWS = 2000  # rows of the blank template that carry the dropdowns
PROGRESS_EVERY = 200  # rows between two progress reports of a job


class RowError(Exception):
    """One row's problem: the column (by key) and the reason in Chinese."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header of the blank template
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: tuple[str, ...] = ()  # the values offered as a dropdown in the template
    note: str = ""


@dataclass
class Row:
    number: int  # the row Excel shows
    values: dict[str, str]
    header: tabular.Header

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def name(self, key: str) -> str:
        return self.header.name_of(key) if key else ""

    def required(self, key: str) -> str:
        value = self.get(key)
        if not value:
            raise RowError(key, "必填，不能为空。")
        return value


@dataclass
class Change:
    row: int
    action: str  # "created", "updated" or "unchanged"
    label: str
    detail: str = ""


ACTIONS = {"created": "新增", "updated": "更新", "unchanged": "未变"}


@dataclass
class SheetResult:
    title: str
    dry_run: bool = False
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)
    changes: list[Change] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headers the kind does not read
    # Shown once after a real import and never stored (initial passwords of new accounts).
    secrets: list[tuple[str, str]] = field(default_factory=list)
    # Rows a kind counts as unchanged without listing them, and what else it has to say.
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for change in self.changes:
            counts[change.action] += 1
        counts["unchanged"] += self.unchanged
        return counts

    def summary(self) -> str:
        counts = self.counts()
        return "，".join(f"{label}{counts[action]}条" for action, label in ACTIONS.items())

    def listed(self, limit: int = 50) -> list[Change]:
        """The first changes worth reading (the unchanged ones are only counted)."""
        return [c for c in self.changes if c.action != "unchanged"][:limit]

    def as_dict(self, limit: int = 200) -> dict:
        """What a job keeps of it (never the secrets): errors, counts, the first changes."""
        return {
            "dry_run": self.dry_run,
            "errors": [list(e) for e in self.errors[: MAX_ERRORS + 1]],
            "counts": self.counts(),
            "changes": [
                {"row": c.row, "action": c.action, "label": c.label, "detail": c.detail}
                for c in self.listed(limit)
            ],
            "skipped": [list(s) for s in self.skipped],
            "ignored": list(self.ignored),
            "notes": list(self.notes),
        }


class SheetImport:
    kind: ClassVar[str]  # the URL and command name: "units"
    title: ClassVar[str]  # "帮扶单位"
    columns: ClassVar[tuple[Column, ...]]
    permissions: ClassVar[tuple[str, ...]]
    # Model field → column key, to name the column of a model's ValidationError.
    field_columns: ClassVar[dict[str, str]] = {}
    example: ClassVar[tuple[str, ...]] = ()  # a filled first row for the template's notes
    do_not_call_in_templates = True  # pages show the kind's title, they never instantiate it

    def __init__(self, user):
        self.user = user
        self.result: SheetResult | None = None
        self.progress: Callable[[int, int], None] | None = None

    # --- what a kind implements -----------------------------------------------------------

    def prepare(self) -> None:
        """Load what rows are matched against (once, before the first row)."""

    def apply(self, row: Row) -> Change:
        raise NotImplementedError

    # --- helpers for kinds ----------------------------------------------------------------

    def check_scope(self, instance: models.Model, action: str, key: str) -> None:
        if not in_scope(instance, self.user, action):
            raise RowError(key, "不在您的管辖范围内，或您没有此项权限。")

    def save(self, instance: models.Model) -> None:
        """full_clean and save, the history recording the importing user."""
        instance.full_clean()
        instance._history_user = self.user
        instance.save()

    # --- the runner -------------------------------------------------------------------------

    @classmethod
    def resolver(cls):
        names = {
            tabular.normalise_header(alias): column.key
            for column in cls.columns
            for alias in (column.label, *column.aliases)
        }
        return names.get

    def run(
        self,
        path: str | Path,
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> SheetResult:
        """Check every row and write them all, or nothing (and nothing when `dry_run`).
        `progress(rows done, rows in all)` is told every PROGRESS_EVERY rows."""
        self.progress = progress
        result = self.result = SheetResult(self.title, dry_run=dry_run)
        missing_perms = [p for p in self.permissions if not self.user.has_perm(p)]
        if missing_perms:
            result.errors.append((0, "", f"您没有导入{self.title}的权限。"))
            return result
        try:
            reading = tabular.read_table(path, self.resolver(), limits=Limits.for_upload(MAX_BYTES))
        except ExcelError as exc:
            result.errors.append((0, "", str(exc)))
            return result
        result.skipped = reading.skipped  # filled as the data streams
        try:
            self._check_header(reading, result)
            if not result.errors:
                self._apply_all(reading, result)
        except ExcelError as exc:
            result.errors.append((0, "", str(exc)))
        if result.errors:
            result.secrets.clear()
        return result

    def _check_header(self, reading: tabular.Reading, result: SheetResult) -> None:
        header = reading.header
        found = set(header.columns.values())
        for column in self.columns:
            if column.required and column.key not in found:
                result.errors.append((header.last_row, column.label, "缺少必填列。"))
        for _position, name in header.duplicates:
            result.errors.append((header.last_row, name, "与另一列是同一项，请删去其中一列。"))
        for merge in tabular.merged_in_data(reading.table, header):
            result.errors.append(
                (merge.first_row, "", f"数据区有合并单元格（{merge.ref}），请取消合并后再导入。")
            )
        for col, row in tabular.formulas_in_data(reading.table, header)[:20]:
            result.errors.append(
                (
                    row,
                    header.names.get(col, excel.column_letters(col)),
                    "单元格是公式；请复制后“粘贴为数值”再导入。",
                )
            )
        result.ignored = list(header.unknown)

    def _apply_all(self, reading: tabular.Reading, result: SheetResult) -> None:
        header = reading.header
        total = max(reading.table.total_rows - header.last_row, 0)
        with transaction.atomic():
            self.prepare()
            for number, cells in reading.data:
                if self.progress is not None and (number - header.last_row) % PROGRESS_EVERY == 0:
                    self.progress(number - header.last_row, total)
                values = {
                    key: excel.cell_text(cells[position])
                    for position, key in header.columns.items()
                    if position < len(cells)
                }
                if not any(values.values()):
                    continue
                row = Row(number, values, header)
                try:
                    with transaction.atomic():
                        result.changes.append(self.apply(row))
                except RowError as exc:
                    result.errors.append((number, row.name(exc.key), exc.message))
                except ValidationError as exc:
                    result.errors.extend(self._validation_errors(row, exc))
                if len(result.errors) >= MAX_ERRORS:
                    result.errors.append((0, "", f"错误超过{MAX_ERRORS}处，已停止检查。"))
                    break
            if not result.changes and not result.errors:
                result.errors.append((header.last_row, "", "表头以下没有数据。"))
            if result.errors or result.dry_run:
                transaction.set_rollback(True)

    def _validation_errors(self, row: Row, exc: ValidationError) -> Iterable[tuple[int, str, str]]:
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                yield row.number, "", message
            return
        for name, errors in exc.message_dict.items():
            key = self.field_columns.get(name, "")
            for message in errors:
                yield row.number, row.name(key) if key else "", message

    # --- the blank template -----------------------------------------------------------------

    @classmethod
    def write_template(cls, path: str | Path) -> None:
        """A blank .xlsx: the header bold (required columns red) and frozen, code-list columns
        as dropdowns (data validation against a hidden 代码表 sheet), and a 填写说明 sheet."""
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = cls.title
        lists = workbook.create_sheet("代码表")
        notes = workbook.create_sheet("填写说明")
        notes.append(["列名", "必填", "说明", "可选值"])
        for cell in notes[1]:
            cell.font = Font(bold=True)
        required = Font(bold=True, color="C00000")
        for position, column in enumerate(cls.columns, start=1):
            letter = get_column_letter(position)
            cell = sheet.cell(row=1, column=position, value=column.label)
            cell.font = required if column.required else Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="F2F2F2")
            sheet.column_dimensions[letter].width = max(12, excel._width(column.label) + 4)
            notes.append(
                [
                    column.label,
                    "是" if column.required else "",
                    column.note,
                    "、".join(column.choices),
                ]
            )
            if column.choices:
                for index, value in enumerate(column.choices, start=1):
                    lists.cell(row=index, column=position, value=value)
                validation = DataValidation(
                    type="list",
                    formula1=f"代码表!${letter}$1:${letter}${len(column.choices)}",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="请从列表中选择",
                    error=f"“{column.label}”请从下拉列表中选择。",
                )
                sheet.add_data_validation(validation)
                validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        # Text format for every column: ID numbers and phones stay as typed.
        for position in range(1, len(cls.columns) + 1):
            for row in range(2, 202):
                sheet.cell(row=row, column=position).number_format = "@"
        if cls.example:
            notes.append([])
            notes.append(["示例", *cls.example])
        notes.column_dimensions["A"].width = 16
        notes.column_dimensions["C"].width = 60
        notes.column_dimensions["D"].width = 40
        lists.sheet_state = "hidden"
        sheet.freeze_panes = "A2"
        workbook.save(str(path))


# --- values as clerks write them ---------------------------------------------------------------

# 是/否 as clerks write them; the roster reads its yes/no columns with the same words.
YES = {"是", "√", "✓", "✔", "y", "yes", "true", "1", "有"}
NO = {"否", "×", "✗", "n", "no", "false", "0", "无", ""}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
LIST_SEPARATORS = re.compile(r"[、，,;；\s]+")


def parse_yes_no(text: str, key: str) -> bool:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise RowError(key, f"“{text}”应为是或否（也可写√，空白为否）。")


def parse_date(text: str, key: str) -> datetime.date | None:
    """2018-01-01, 2018/1/1, 2018.1.1, 2018年1月1日 or 20180101; None when blank."""
    text = text.strip()
    if not text:
        return None
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} ", text) else text
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            return datetime.date(*map(int, match.groups()))
        except ValueError:
            pass
    raise RowError(key, f"“{text}”不是日期（如2018-01-01或2018年1月1日）。")


def split_list(text: str) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(text.strip()) if part]


def choice_value(text: str, choices, key: str, aliases: dict[str, str] | None = None) -> str:
    """A code list's value from its label (or the value itself, or a known variant)."""
    text = text.strip()
    by_label = {label: value for value, label in choices}
    if text in by_label:
        return by_label[text]
    if text in dict(choices):
        return text
    if aliases and text in aliases:
        return aliases[text]
    raise RowError(key, f"“{text}”不是可选的值（可选：{'、'.join(by_label)}）。")


def changed_fields(instance: models.Model, values: dict) -> list[str]:
    """Set the values that differ on the instance; return what changed as 字段：旧 → 新.

    A blank text cell leaves the stored value alone: a sheet that does not fill a column is not
    a request to erase it."""
    details = []
    for name, value in values.items():
        if value == "":
            continue
        old = getattr(instance, name)
        if old != value:
            field = instance._meta.get_field(name)
            labels = dict(field.flatchoices) if field.choices else {}
            details.append(
                f"{field.verbose_name}：{_shown(labels.get(old, old))} → "
                f"{_shown(labels.get(value, value))}"
            )
            setattr(instance, name, value)
    return details


def _shown(value) -> str:
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)
