"""Reading a roster's rows: the header the engine found, each row's cells turned into checked
values, and each household put together from its rows.

A household's columns may repeat on every member row or be filled on one row only (the
national export fills them on the head's row); a blank is "see the household's other rows",
only two different non-blank values disagree. A member row with no 户编号 belongs to the
household of the row above it. Checks that need the whole household run once the file has been
read (check.finish_households).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from poverty.common import bulk, excel, tabular
from poverty.common.sheetimport import NO, YES
from poverty.common.text import control_problem, without_control
from poverty.personal import crypto, idnumber

from ..choices import Cause
from ..excel import (
    BY_HEADER,
    BY_KEY,
    COLUMNS,
    EXITED,
    EXITED_VALUES,
    HOUSEHOLD_KEYS,
    NOT_EXITED,
    WATER_DIFFICULTY,
    label_map,
    normalise_value,
)
from .errors import RowError

YEAR_RANGE = range(2013, 2036)
YEAR = re.compile(r"^(\d{4})(?:\.0)?(?:年|年度)?$")
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
CODE = re.compile(r"^[0-9A-Za-z\-]{4,30}$")
CAUSE_SPLIT = re.compile(r"[、,，;；/\s]+")
HOUSEHOLD_REQUIRED = [c.key for c in COLUMNS if c.required and c.household]
MEMBER_REQUIRED = [c.key for c in COLUMNS if c.required and not c.household]
MEMBER_CODED = (
    "relation",
    "education",
    "schooling",
    "labour_skill",
    "work_status",
    "ethnicity",
    "political_status",
)
MEMBER_YES_NO = [c.key for c in COLUMNS if c.yes_no and not c.household]
HOUSEHOLD_YES_NO = [c.key for c in COLUMNS if c.yes_no and c.household]
MONTHS = re.compile(r"^(\d{1,2})(?:\.0)?(?:个月|月)?$")
CAUSE_ORDER = {code: position for position, code in enumerate(Cause.values)}
NONE_INVALID: frozenset[str] = frozenset()


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
    person_code: str
    # The national form's other person columns (EXTRA_FIELDS), one tuple shared by everyone
    # with the same values: one slot where six cost a province file 50 MB.
    extra: tuple

    ethnicity = property(lambda self: self.extra[0])
    political_status = property(lambda self: self.extra[1])
    work_months = property(lambda self: self.extra[2])
    basic_medical = property(lambda self: self.extra[3])
    critical_illness = property(lambda self: self.extra[4])
    basic_pension = property(lambda self: self.extra[5])


@dataclass(slots=True)
class ParsedRow:
    row: int
    household: (
        dict  # the household's values, shared by its rows (complete after check.finish_households)
    )
    member: Person


class RosterReader:
    """Header mapping and per-row parsing; collects errors instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.columns: dict[int, str] = {}  # position -> key
        self.positions: dict[str, int] = {}  # key -> position
        self.names: dict[str, str] = {c.key: c.header for c in COLUMNS}  # as the file names it
        self.names[WATER_DIFFICULTY] = "饮水困难"
        self.unknown: list[str] = []
        # Households with a row that failed: their head count is not judged on the rest.
        self.failed_codes: set[str] = set()
        self.formula_cells: set[tuple[int, str | None]] = set()
        # 户编号 -> the household's values; "sources" says which row gave each one.
        self.households: dict[str, dict] = {}
        self.labels = {c.key: label_map(c) for c in COLUMNS if c.choices}
        self.cause_labels = label_map(BY_HEADER["主要致贫原因"])
        self.required: list[str] = []  # the required member columns the header has
        self.last_code: str | None = None
        self.last_texts: tuple | None = None
        self.header_row = 1
        self.today = datetime.date.today()
        self.extras: dict[tuple, tuple] = {}  # Person.extra, one of each

    def error(self, row: int, key_or_name: str, message: str) -> None:
        self.errors.append(RowError(row, self.names.get(key_or_name, key_or_name), message))

    # --- the header ---------------------------------------------------------------------------

    def read_header(self, header: tabular.Header) -> bool:
        self.header_row = header.last_row
        self.unknown = list(header.unknown)
        for _position, name in header.duplicates:
            self.errors.append(RowError(header.last_row, name, "列名重复。"))
        self.columns = dict(header.columns)
        self.positions = {key: position for position, key in self.columns.items()}
        for position, key in self.columns.items():
            self.names[key] = header.names[position]
        seen = set(self.positions)
        self.required = [key for key in MEMBER_REQUIRED if key in seen]
        self._prepare()
        missing = [c.header for c in COLUMNS if c.required and c.key not in seen]
        for name in missing:
            self.errors.append(RowError(header.last_row, name, "缺少必填列。"))
        return not missing

    def header_of(self, position: int) -> str:
        key = self.columns.get(position)
        return self.names[key] if key else excel.column_letters(position)

    def check_sheet(self, table: tabular.Table, header: tabular.Header) -> None:
        """Formulas and merged cells below the header: the reader sees neither, so they are
        refused here (a header may merge its group cells)."""
        for position, row in tabular.formulas_in_data(table, header):
            self.formula_cells.add((row, self.columns.get(position)))
            self.errors.append(
                RowError(
                    row, self.header_of(position), "单元格是公式；请复制后“粘贴为数值”再导入。"
                )
            )
        for merge in tabular.merged_in_data(table, header):
            row = max(merge.first_row, header.last_row + 1)
            self.errors.append(
                RowError(
                    row,
                    self.header_of(merge.first_col),
                    f"合并单元格（{merge.ref}）；请取消合并，每行都填上内容。",
                )
            )

    def _prepare(self) -> None:
        """Getters for the header's columns, made once: a row's values are then picked in C."""
        self.keys = list(self.columns.values())
        self.width = max(self.columns, default=-1) + 1
        self.pick = bulk.values_at(list(self.columns))
        household = [key for key in HOUSEHOLD_KEYS if key in self.positions]
        self.household_keys = household
        self.member_codes = [(key, self.labels[key]) for key in MEMBER_CODED]
        self.key_of_name = {self.names[key]: key for key in HOUSEHOLD_KEYS}

    # --- rows ---------------------------------------------------------------------------------

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
        joined = "".join(text.values())
        if INVISIBLE.search(joined):
            for key, value in text.items():
                if INVISIBLE.search(value):
                    self.error(row, key, "含有看不见的字符（如零宽空格），请删除后重新输入。")
                    text[key] = INVISIBLE.sub("", value)
        if control_problem(joined):
            for key, value in text.items():
                if problem := control_problem(value):
                    self.error(row, key, problem)
                    text[key] = without_control(value)
        if not all(map(text.__getitem__, self.required)):
            for key in self.required:
                if not text[key] and (row, key) not in self.formula_cells:
                    self.error(row, key, "必填，不能为空。")
        code = text.get("code", "")
        if not code:
            if self.last_code is None:
                if (row, "code") not in self.formula_cells:
                    self.error(row, "code", "必填，不能为空。")
                return None
            # A member row under its household's first row, the 户编号 left to that row.
            code = text["code"] = self.last_code
        self.last_code = code
        texts = tuple(map(text.__getitem__, self.household_keys))
        if texts != self.last_texts:
            checked = len(self.errors)
            self._merge(row, code, *self._household_cells(row, text))
            self.last_texts = texts if len(self.errors) == checked else None
        h = self.households[code]
        member = self._member(row, text, cells)
        if len(self.errors) > before or member is None:
            self.failed_codes.add(code)
            return None
        return ParsedRow(row, h, member)

    def _member(self, row: int, text: dict, cells: list) -> Person | None:
        position = self.positions.get("id_number")
        raw_number = None if position is None else cells[position]
        number, info = self._id_number(row, raw_number, text.get("id_number", ""))
        if info is not None:
            gender = text.get("gender", "")
            if gender and self._code(row, "gender", gender) not in ("", info.gender):
                self.error(row, "gender", "性别与证件号码不符（第17位奇数为男、偶数为女）。")
        codes = {}
        for key, labels in self.member_codes:
            value = text.get(key, "")
            codes[key] = (labels.get(value) or self._code(row, key, value)) if value else ""
        health = self._code(row, "health", text.get("health", "")) or "healthy"
        extra = (
            codes.pop("ethnicity"),
            codes.pop("political_status"),
            self._months(row, text.get("work_months", "")),
            *(self._yes_no(row, key, text.get(key, "")) for key in MEMBER_YES_NO),
        )
        if info is None:
            return None
        return Person(
            name=text.get("name", ""),
            id_number=number,
            hash=crypto.keyed_hash(number),
            gender=info.gender,
            birth_date=info.birth_date,
            health=health,
            person_code=text.get("person_code", ""),
            extra=self.extras.setdefault(extra, extra),
            **codes,
        )

    def _household_cells(self, row: int, text: dict) -> tuple[dict, set[str]]:
        """The household columns this row fills, checked one by one; and those that failed."""
        checked = len(self.errors)
        h: dict = {}
        for key in ("township", "village", "group", "phone"):
            if value := text.get(key, ""):
                h[key] = value
        for key in ("category", "primary_cause"):
            if value := text.get(key, ""):
                h[key] = self._code(row, key, value)
        if value := text.get("other_causes", ""):
            h["other_causes"] = self._other_causes(row, value)
        for key in ("identified_year", "planned_exit_year", "exit_year"):
            if value := text.get(key, ""):
                h[key] = self._year(row, key, value)
        if value := text.get("exited", ""):
            exited = EXITED_VALUES.get(normalise_value(value))
            if exited is None:
                self.error(row, "exited", f"应为“{NOT_EXITED}”或“{EXITED}”。")
            else:
                h["exited"] = exited
        for key in HOUSEHOLD_YES_NO:
            if value := text.get(key, ""):
                h[key] = self._yes_no(row, key, value)
        if value := text.get(WATER_DIFFICULTY, ""):
            difficult = self._yes_no(row, WATER_DIFFICULTY, value)
            if difficult is not None:
                if "safe_water" in h and h["safe_water"] == difficult:
                    self.error(row, WATER_DIFFICULTY, "与“饮水安全”列相矛盾。")
                h["safe_water"] = not difficult
        if h.get("phone") and not PHONE.match(h["phone"]):
            self.error(row, "phone", "电话号码格式不正确。")
        if income := text.get("income", ""):
            try:
                amount = Decimal(income.replace(",", ""))
            except InvalidOperation:
                self.error(row, "income", "应为数字。")
            else:
                if amount < 0:
                    self.error(row, "income", "不能为负数。")
                else:
                    h["income"] = amount.quantize(Decimal("0.01"))
        if value := text.get("income_year", ""):
            h["income_year"] = self._year(row, "income_year", value)
        invalid = {self.key_of_name.get(e.column, e.column) for e in self.errors[checked:]}
        for key in invalid:
            h.pop(key, None)
        return h, invalid

    def _merge(self, row: int, code: str, values: dict, invalid: set[str]) -> None:
        """This row's household values into its household: a value given twice must agree."""
        h = self.households.get(code)
        if h is None:
            if not CODE.match(code):
                self.error(row, "code", "户编号只能包含数字、字母和短横线（4至30位）。")
            h = self.households[code] = {
                "code": code,
                "first_row": row,
                "sources": {},
                # Shared until a value fails: an empty set each is 21 MB a province file.
                "invalid": NONE_INVALID,
            }
        sources = h["sources"]
        for key, value in values.items():
            if key not in sources:
                h[key] = value
                sources[key] = row
            elif h[key] != value and key not in h["invalid"]:
                name = self.names[key]
                self.error(
                    row, key, f"同一户（户编号{code}）的“{name}”与第{sources[key]}行不一致。"
                )
        # A value that failed its own check (not in its code list, not a year...) has its own
        # error; "disagrees with row N" on top would send the user to the wrong row.
        if invalid:
            h["invalid"] = h["invalid"] | invalid

    # --- values -------------------------------------------------------------------------------

    def _code(self, row: int, key: str, value: str) -> str:
        if not value:
            return ""
        labels = self.labels[key]
        code = labels.get(value) or labels.get(normalise_value(value))
        if code is None:
            options = "、".join(list(BY_KEY[key].choices.labels)[:12])
            self.error(row, key, f"“{value}”不在代码表中（可填：{options}）。")
            return ""
        return code

    def _yes_no(self, row: int, key: str, value: str) -> bool | None:
        """是/否 as sheets write them (the sheets' own spellings: √, ×, 有, 无 …); blank is not
        known here, where a sheet of the assistance force reads it as 否."""
        if not value:
            return None
        text = value.strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        self.error(row, key, f"“{value}”应为“是”或“否”（也可写√或×，不清楚的留空）。")
        return None

    def _months(self, row: int, value: str) -> int | None:
        if not value:
            return None
        match = MONTHS.match(value.strip())
        if match is None or int(match.group(1)) > 12:
            self.error(row, "work_months", f"“{value}”应为0至12的整数（月数）。")
            return None
        return int(match.group(1))

    def _other_causes(self, row: int, value: str) -> tuple[str, ...]:
        codes = []
        for label in filter(None, CAUSE_SPLIT.split(value)):
            code = self.cause_labels.get(label) or self.cause_labels.get(normalise_value(label))
            if code is None:
                self.error(row, "other_causes", f"“{label}”不在致贫原因代码表中。")
            elif code not in codes:
                codes.append(code)
        return tuple(codes)

    def _year(self, row: int, key: str, value: str) -> int | None:
        match = YEAR.match(value)
        if match is None:
            self.error(row, key, f"“{value}”不是年份。")
            return None
        year = int(match.group(1))
        if year not in YEAR_RANGE:
            self.error(row, key, f"年份{year}超出范围（2013至2035）。")
            return None
        return year

    def _id_number(self, row: int, raw, value: str):
        if not value:
            return "", None
        if FULL_WIDTH.search(value):
            self.error(row, "id_number", "含有全角数字或字母，请改为半角（英文输入法）。")
            return "", None
        if value.endswith("x"):
            self.error(row, "id_number", "末位校验码应为大写X。")
            return "", None
        if isinstance(raw, float) and len(value) >= 15:
            self.error(
                row,
                "id_number",
                "证件号码被存成了数字，末几位可能已丢失；请将该列设为文本格式后重新填写。",
            )
            return "", None
        try:
            info = idnumber.parse(value, today=self.today)
        except ValidationError as exc:
            self.error(row, "id_number", exc.messages[0])
            return "", None
        return info.number, info
