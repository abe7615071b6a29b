"""The tabular-import engine: any sheet a county brings (.xlsx, .xls, .csv), read the way a
careful clerk reads it.

`open_table` tells the format by what the file holds (not its name), guards it before anything
parses it, and streams its first sheet as (row number as Excel shows it, cells). `read_table`
then finds the header itself: the first rows that name known columns, one or two rows deep
(a group row of merged cells above the real names, or names merged down over two rows);
the title, 填报单位 and date rows above it, a column-number row under it and a signature
footer (填表人, 审核人, 制表, 合计 …) below the data are skipped and reported as skipped.
What a column is called is the caller's business: it passes `resolve(normalised header) ->
key | None` (and `IGNORED` for columns it knows but does not keep).

Every importer (roster, areas, people) reads through here, so they all accept the same files
and name rows the same way.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

from python_calamine_plus import CalamineWorkbook

from . import excel
from .excel import ExcelError, Limits

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# How far down the header may start (title, 填报单位, dates, notes above it).
HEADER_SEARCH_ROWS = 30
# The words a signature or totals line below the data starts with.
FOOTER = re.compile(
    r"^(填表人|填报人|填表|审核人|审核|制表人|制表|负责人|单位负责人|主管领导|合计|总计|小计|"
    r"填表日期|填报日期|制表日期|统计日期|备注|说明|注[:：])"
)
DEFAULT_LIMITS = Limits()
IGNORED = "__ignored__"  # resolve() returns it for a column the caller knows and does not keep
_SPACES = re.compile(r"[\s\u3000*※]+")
_FULL_WIDTH = str.maketrans("（）：，、", "():,,")


def normalise_header(text: str) -> str:
    """A header as typed in any of the spellings in use: no spaces, line breaks or required
    marks (*), half-width brackets. 人均纯收入（元） -> 人均纯收入(元)."""
    return _SPACES.sub("", text).translate(_FULL_WIDTH)


@dataclass(frozen=True)
class Merge:
    """A merged range, rows as Excel numbers them, columns from 0."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    ref: str


@dataclass
class Table:
    """An opened, guarded first sheet."""

    kind: str  # "xlsx", "xls" or "csv"
    rows: Iterator[tuple[int, list]]  # (row number, cells), blank rows included
    total_rows: int = 0  # a progress total
    formulas: list[tuple[int, int]] = field(default_factory=list)  # (column, row)
    merged: list[Merge] = field(default_factory=list)


def sniff(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        return "xls"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        raise ExcelError(
            "该文件是网页（HTML/XML）格式，只是扩展名为表格；请用 Excel 打开后另存为“Excel 工作簿(*.xlsx)”再上传。"
        )
    if b"\x00" in head:
        raise ExcelError("无法识别的文件格式：请上传 .xlsx、.xls 或 .csv 文件。")
    return "csv"


def check_file(source, limits: Limits = DEFAULT_LIMITS) -> str:
    """Refuse what cannot be read safely, before any parser sees it; returns the format.
    `source` is a path or an uploaded file (left at its start)."""
    if isinstance(source, (str, Path)):
        size = Path(source).stat().st_size
        with open(source, "rb") as handle:
            head = handle.read(4096)
    else:
        size = source.size
        source.seek(0)
        head = source.read(4096)
        source.seek(0)
    if size == 0:
        raise ExcelError("文件是空的。")
    if size > limits.max_bytes:
        raise ExcelError(
            f"文件过大（{size // 1024 // 1024}MB），上限为{limits.max_bytes // 1024 // 1024}MB。"
        )
    kind = sniff(head)
    name = str(getattr(source, "name", source)).lower()
    if kind == "csv" and name.endswith((".xlsx", ".xls")):
        # Text under a workbook's name: not what the user meant to send.
        extension = name.rsplit(".", 1)[1]
        raise ExcelError(
            f"这不是有效的 .{extension} 文件（请用 Excel 另存为“Excel 工作簿(*.xlsx)”）。"
        )
    if kind == "xlsx":
        excel.check_xlsx(source, limits)
    elif kind == "csv":
        _encoding(source)  # refuses a file in neither UTF-8 nor GB18030
    return kind


def open_table(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Table:
    kind = check_file(path, limits)
    if kind == "xlsx":
        scan = excel.scan_sheet(path)
        if scan.rows > limits.max_rows:
            raise ExcelError(
                f"工作表有{scan.rows:,}行，超过 Excel 的上限{limits.max_rows:,}行，不是 Excel 保存的文件，已拒绝。"
            )
        return Table(
            kind,
            _numbered(excel.read_rows(path)),
            total_rows=scan.rows,
            formulas=scan.formulas,
            merged=[_merge(col, row, ref) for col, row, ref in scan.merged],
        )
    if kind == "xls":
        return _open_xls(path)
    return _open_csv(path)


def _numbered(rows: Iterable[list], start: int = 1) -> Iterator[tuple[int, list]]:
    return enumerate(rows, start=start)


def _merge(first_col: int, first_row: int, ref: str) -> Merge:
    end = ref.split(":")[1]
    letters = end.rstrip("0123456789")
    return Merge(first_row, first_col, int(end[len(letters) :]), excel.column_index(letters), ref)


def _open_xls(path) -> Table:
    """Excel 97-2003: calamine reads the whole sheet (at most 65,536 rows), formulas as their
    cached values (BIFF keeps them; nothing is evaluated)."""
    try:
        with open(path, "rb") as handle:
            sheet = CalamineWorkbook.from_filelike(handle).get_sheet_by_index(0)
            grid = sheet.to_python(skip_empty_area=False)
            ranges = sheet.merged_cell_ranges or []
    except Exception as exc:  # calamine's own error types, in English
        raise ExcelError(
            "无法读取该 .xls 文件：文件已损坏，或不是 Excel 97-2003 工作簿；"
            "请用 Excel 打开后另存为“Excel 工作簿(*.xlsx)”再上传。"
        ) from exc
    merged = [
        Merge(
            r0 + 1,
            c0,
            r1 + 1,
            c1,
            f"{excel.column_letters(c0)}{r0 + 1}:{excel.column_letters(c1)}{r1 + 1}",
        )
        for (r0, c0), (r1, c1) in ranges
    ]
    return Table("xls", _numbered(grid), total_rows=len(grid), merged=merged)


def _encoding(source) -> str:
    """UTF-8 (with or without BOM) or GB18030 (which GBK and GB2312 files are), checked over the
    whole file in chunks: a file that is neither is refused rather than read as mojibake."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        handle = open(source, "rb") if isinstance(source, (str, Path)) else source  # noqa: SIM115
        try:
            handle.seek(0)
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
        finally:
            if isinstance(source, (str, Path)):
                handle.close()
            else:
                handle.seek(0)
    raise ExcelError("无法识别 .csv 文件的编码：请另存为 UTF-8 或 GB18030（GBK）编码。")


def _open_csv(path) -> Table:
    encoding = _encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        sample = handle.read(8192)
        total = sum(1 for _ in handle) + sample.count("\n")
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel

    def rows() -> Iterator[tuple[int, list]]:
        with open(path, encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, dialect)
            try:
                for cells in reader:
                    # Numbered by line, as a text editor and Excel show it.
                    yield reader.line_num, cells
            except csv.Error as exc:
                raise ExcelError(f"第{reader.line_num}行：.csv 格式有误（{exc}）。") from exc

    return Table("csv", rows(), total_rows=total)


# --- the header -------------------------------------------------------------------------------


@dataclass
class Header:
    first_row: int
    last_row: int
    columns: dict[int, str]  # position -> key
    names: dict[int, str]  # position -> the header as the file writes it
    unknown: list[str]  # headers nobody knows (ignored, reported)
    duplicates: list[tuple[int, str]]  # (position, header) naming a key already taken
    unknown_at: dict[int, str] = field(default_factory=dict)  # position -> unknown header

    def name_of(self, key: str) -> str:
        for position, k in self.columns.items():
            if k == key:
                return self.names[position]
        return key


@dataclass
class Reading:
    """A table with its header found; `data` streams the rows below it (skipping and recording
    blank, column-number and footer rows in `skipped` as it goes)."""

    table: Table
    header: Header
    data: Iterator[tuple[int, list]]
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why and what)


def _texts(cells: list) -> list[str]:
    return [excel.cell_text(v) for v in cells]


def _resolve_row(texts: list[str], resolve) -> dict[int, str]:
    found = {}
    for position, text in enumerate(texts):
        if text and (key := resolve(normalise_header(text))) is not None:
            found[position] = key
    return found


def _combine(upper: list[str], lower: list[str], resolve) -> list[str]:
    """Two header rows as one: per column, the lower row's name where it is one we know (the
    real column under a merged group cell), else the upper's (a name merged down over both
    rows leaves the lower cell empty), else whichever is not empty."""
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    names = []
    for up, low in zip(upper, lower, strict=True):
        if low and resolve(normalise_header(low)) is not None:
            names.append(low)
        elif up and resolve(normalise_header(up)) is not None:
            names.append(up)
        else:
            names.append(low or up)
    return names


def find_header(
    top: list[tuple[int, list]], resolve: Callable[[str], str | None]
) -> tuple[int, int, list[str]] | None:
    """(first row, last row, names) of the header among the top rows: the row naming the most
    known columns, joined with the row above or below it when the two together name more."""
    texts = [(number, _texts(cells)) for number, cells in top]
    scores = [len(_resolve_row(t, resolve)) for _, t in texts]
    if not scores or max(scores) == 0:
        return None
    best = scores.index(max(scores))
    number, names = texts[best]
    choice = (number, number, names, scores[best])
    for upper, lower in ((best - 1, best), (best, best + 1)):
        if upper < 0 or lower >= len(texts) or texts[lower][0] != texts[upper][0] + 1:
            continue
        joined = _combine(texts[upper][1], texts[lower][1], resolve)
        score = len(_resolve_row(joined, resolve))
        if score > choice[3]:
            choice = (texts[upper][0], texts[lower][0], joined, score)
    return choice[0], choice[1], choice[2]


def _is_column_numbers(texts: list[str]) -> bool:
    """The row of 1, 2, 3 … (or (1), (2) …) some forms print under their header."""
    values = [t.strip("()（）") for t in texts if t]
    return len(values) >= 3 and values == [str(i) for i in range(1, len(values) + 1)]


def peek(table: Table, rows: int = HEADER_SEARCH_ROWS) -> list[tuple[int, list]]:
    """The table's first rows, left in place for whoever reads it next (to choose how to read
    its header before reading it)."""
    top = list(islice(table.rows, rows))
    table.rows = chain(top, table.rows)
    return top


def read_table(
    path: str | Path,
    resolve: Callable[[str], str | None],
    *,
    limits: Limits = DEFAULT_LIMITS,
    table: Table | None = None,
) -> Reading:
    """Open and find the header; ExcelError when no row names a known column."""
    table = table or open_table(path, limits)
    top = list(islice(table.rows, HEADER_SEARCH_ROWS))
    if not any(any(_texts(cells)) for _, cells in top):
        raise ExcelError("工作表是空的。")
    found = find_header(top, resolve)
    if found is None:
        raise ExcelError(
            f"在前{HEADER_SEARCH_ROWS}行中找不到列名行（如“姓名”“证件号码”）；请检查是否选对了文件。"
        )
    first, last, names = found
    columns: dict[int, str] = {}
    header_names: dict[int, str] = {}
    unknown: list[str] = []
    unknown_at: dict[int, str] = {}
    duplicates: list[tuple[int, str]] = []
    for position, name in enumerate(names):
        if not name:
            continue
        key = resolve(normalise_header(name))
        if key is None:
            unknown.append(name)
            unknown_at[position] = name
        elif key == IGNORED:
            continue
        elif key in columns.values():
            duplicates.append((position, name))
        else:
            columns[position] = key
            header_names[position] = name
    header = Header(first, last, columns, header_names, unknown, duplicates, unknown_at)
    reading = Reading(table, header, iter(()))
    for number, cells in top:
        if number < first and any(_texts(cells)):
            reading.skipped.append((number, "表头以上：" + _summary(cells)))
    rest = chain((r for r in top if r[0] > last), table.rows)
    reading.data = _data(rest, reading, last)
    return reading


def _summary(cells: list) -> str:
    text = " ".join(t for t in _texts(cells) if t)
    return text if len(text) <= 40 else text[:40] + "…"


def _data(rows: Iterator[tuple[int, list]], reading: Reading, last: int):
    for number, cells in rows:
        if number == last + 1 and _is_column_numbers(_texts(cells)):
            reading.skipped.append((number, "列序号行"))
            continue
        # Footers are told by their first text cell only: cheap, and a data row starts with
        # its 乡镇 or 序号, never with 填表人.
        first = next((v for v in cells if v != "" and v is not None), None)
        if type(first) is str and FOOTER.match(normalise_header(first)):
            reading.skipped.append((number, "表尾：" + _summary(cells)))
            continue
        yield number, cells


def merged_in_data(table: Table, header: Header) -> list[Merge]:
    """Merged ranges that reach below the header: a header may merge, the data may not."""
    return [m for m in table.merged if m.last_row > header.last_row]


def formulas_in_data(table: Table, header: Header) -> list[tuple[int, int]]:
    return [(col, row) for col, row in table.formulas if row > header.last_row]


__all__ = [
    "IGNORED",
    "ExcelError",
    "Header",
    "Limits",
    "Merge",
    "Reading",
    "Table",
    "check_file",
    "find_header",
    "merged_in_data",
    "normalise_header",
    "open_table",
    "peek",
    "read_table",
]
