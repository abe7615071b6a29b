"""The Excel engine: safe reading of uploaded .xlsx files and streaming, formula-safe writing.

Reading goes through python-calamine-plus (python-calamine's Rust parser, streaming one row at a
time in constant memory: it returns cached cell values, never evaluates formulas, and does not
expand XML entities). Before it sees a file, `check_xlsx`
refuses what is not a real .xlsx, archives whose sizes (as really decompressed, not as declared)
or compression ratios look like a zip bomb, and XML parts that declare a DTD. Writing uses openpyxl's write-only mode; a text
that Excel would take for a formula (= + - @ ...) is written as a text cell.
"""

from __future__ import annotations

import datetime
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice, zip_longest
from pathlib import Path

from defusedxml import ElementTree
from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font, NamedStyle
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from python_calamine_plus import CalamineWorkbook

from .text import without_control

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 200 * 1024 * 1024  # the upload itself (settings.ROSTER_MAX_BYTES)
    # Everything inside, as really decompressed (a full Excel sheet of a roster is about 1.2 GB).
    max_uncompressed: int = 2 * 1024 * 1024 * 1024
    max_ratio: int = 120  # uncompressed / compressed, per part (real rosters: about 10)
    max_entries: int = 2000
    # The shared strings are held whole by the reader (a 350,000-household roster: ~90 MB).
    max_shared_strings: int = 128 * 1024 * 1024
    # Any other part but a worksheet (workbook, styles, relationships: kilobytes in real files).
    max_other_part: int = 32 * 1024 * 1024
    max_rows: int = 1_048_576  # Excel's own limit: a sheet claiming more was not made by Excel

    @classmethod
    def for_upload(cls, max_bytes: int) -> Limits:
        """Limits scaled to an upload cap: a sheet's XML is about ten times its zipped size."""
        return cls(max_bytes=max_bytes, max_uncompressed=min(max_bytes * 25, cls.max_uncompressed))


class ExcelError(Exception):
    """A file that cannot be read as a roster; the message is shown to the user."""


# Read a part this much at a time while checking it: what the check holds, whatever the file.
CHECK_CHUNK = 1 << 20
BOMB = "文件解压后过大，疑似压缩炸弹，已拒绝。"


def check_xlsx(source, limits: Limits = Limits()) -> None:
    """Refuse what is not a safe .xlsx. `source` is a path or an uploaded file.

    Every part is decompressed here once, in chunks, before any parser sees the file: its sizes
    are what it really holds, not what the zip's headers say (a part whose data does not match
    its header fails its checksum and is refused as damaged), the total and each part have a hard
    cap, and no XML part may declare a DTD anywhere (entity expansion, external entities). The
    check holds about one chunk in memory whatever the file."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        size = path.stat().st_size
    else:
        path, size = source, source.size
        source.seek(0)
    if size > limits.max_bytes:
        raise ExcelError(
            f"文件过大（{size // 1024 // 1024}MB），上限为{limits.max_bytes // 1024 // 1024}MB。"
        )
    if not zipfile.is_zipfile(path):
        raise ExcelError("这不是有效的 .xlsx 文件（请用 Excel 另存为“Excel 工作簿(*.xlsx)”）。")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if any(part not in names for part in REQUIRED_PARTS):
                raise ExcelError("这不是有效的 .xlsx 文件：缺少工作簿结构。")
            if len(infos) > limits.max_entries:
                raise ExcelError("文件结构异常（包含的部件过多），已拒绝。")
            if sum(i.file_size for i in infos) > limits.max_uncompressed:
                raise ExcelError(BOMB)
            for info in infos:
                if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
                    raise ExcelError("文件压缩比异常，疑似压缩炸弹，已拒绝。")
            total = 0
            for info in infos:
                total = _check_part(archive, info, limits, total)
            with archive.open("[Content_Types].xml") as part:
                macro = b"macroEnabled" in part.read(65536)
            if macro or "xl/vbaProject.bin" in names:
                raise ExcelError("不接收含宏的工作簿（.xlsm），请另存为“Excel 工作簿(*.xlsx)”。")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise ExcelError("文件已损坏（内容与文件结构不符），无法读取。") from exc
    except (OSError, RuntimeError) as exc:  # encrypted parts, or a stream cut short
        raise ExcelError("文件已损坏或已加密，无法读取。") from exc
    finally:
        if hasattr(path, "seek"):
            path.seek(0)


def _part_cap(name: str, limits: Limits) -> int:
    if name.startswith("xl/worksheets/"):
        return limits.max_uncompressed
    if name == "xl/sharedStrings.xml":
        return limits.max_shared_strings
    return limits.max_other_part


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, total: int) -> int:
    """Decompress one part in chunks (its checksum is verified at its end); the running total."""
    cap = _part_cap(info.filename, limits)
    xml = info.filename.endswith((".xml", ".rels", ".vml"))
    seen, tail = 0, b""
    with archive.open(info) as part:
        while block := part.read(CHECK_CHUNK):
            seen += len(block)
            total += len(block)
            if total > limits.max_uncompressed:
                raise ExcelError(BOMB)
            if seen > cap:
                raise ExcelError(
                    f"文件中的“{info.filename}”解压后超过{cap // 1024 // 1024}MB，疑似压缩炸弹，已拒绝。"
                )
            if xml:
                window = tail + block
                if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                    raise ExcelError("文件包含不允许的 XML 声明（DTD），已拒绝。")
                tail = block[-16:]
    return total


FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>]*><f[ >/]')
MERGED = re.compile(rb'<mergeCell ref="([A-Z]{1,3})(\d+):([A-Z]{1,3}\d+)"')


@dataclass
class SheetScan:
    """What the value stream does not tell: formula cells and merged ranges, as (column index,
    row), and how many rows the sheet has (a progress total)."""

    formulas: list[tuple[int, int]]
    merged: list[tuple[int, int, str]]
    rows: int = 0


def column_letters(index: int) -> str:
    """0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def scan_sheet(path: str | Path, chunk: int = 1 << 20) -> SheetScan:
    """Stream the first worksheet's XML once, looking for formulas and merged cells and counting
    rows.

    A byte scan, not a parse: one decompression pass and about one chunk of memory. Matches
    are taken where they start; the last 256 bytes of a chunk wait for the next one, so a tag
    split across two chunks is seen once, whole. The regular expressions run only on chunks that
    hold their tag at all (most rosters have neither).
    """
    scan = SheetScan([], [])
    with zipfile.ZipFile(path) as archive:
        sheets = sorted(
            n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
        )
        if not sheets:
            return scan
        name = "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in sheets else sheets[0]
        with archive.open(name) as part:
            tail = b""
            while True:
                block = part.read(chunk)
                data = tail + block
                cut = len(data) - 256 if block else len(data)
                # Counted where they start, like the matches: "<row " is 5 bytes.
                scan.rows += data.count(b"<row ", 0, cut + 4) + data.count(b"<row>", 0, cut + 4)
                if b"<f" in data:
                    for m in FORMULA_CELL.finditer(data):
                        if m.start() < cut:
                            scan.formulas.append(
                                (column_index(m.group(1).decode()), int(m.group(2)))
                            )
                if b"<mergeCell " in data:
                    for m in MERGED.finditer(data):
                        if m.start() < cut:
                            ref = (
                                f"{m.group(1).decode()}{m.group(2).decode()}:{m.group(3).decode()}"
                            )
                            scan.merged.append(
                                (column_index(m.group(1).decode()), int(m.group(2)), ref)
                            )
                if not block:
                    return scan
                tail = data[max(cut, 0) :]


def read_rows(path: str | Path) -> Iterator[list]:
    """The first sheet's rows as lists of cell values, streamed from row 1.

    calamine picks its reader by the file's name; an .xlsx under another name (the format is
    told by content, tabular.sniff) is handed over as a file object instead."""
    try:
        if str(path).lower().endswith(".xlsx"):
            yield from CalamineWorkbook.from_path(str(path)).stream_sheet_by_index(0)
        else:
            with open(path, "rb") as handle:
                yield from CalamineWorkbook.from_filelike(handle).stream_sheet_by_index(0)
    except ExcelError:
        raise
    except Exception as exc:  # calamine raises its own error types for broken files
        raise ExcelError(f"无法读取工作表：{exc}") from exc


def cell_text(value) -> str:
    """A cell as the text a user typed: 2018.0 -> "2018", dates as YYYY-MM-DD."""
    if type(value) is str:  # most cells: checked first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return (
            value.strftime("%Y-%m-%d") if value.time() == datetime.time() else value.isoformat(" ")
        )
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


HEADER = "表头"  # the named style of the header row
# Text format (builtin number format 49, "@"), set through the cell's style array: digit strings
# longer than Excel's 15 significant digits (ID numbers, 户编号) keep it, so one retyped in Excel
# stays text instead of turning into 1.10105E+17. Shorter ones (phones) survive as numbers.
TEXT_STYLE = StyleArray()
TEXT_STYLE.numFmtId = 49
LONG_DIGITS = 16
SAMPLE_ROWS = 200  # the first rows, which set the column widths
MAX_WIDTH = 40


def _cell(sheet, value):
    """A plain value where safe (fast); else a cell object: a text cell where Excel would see a
    formula, text format for a long digit string. No cell at all for an empty string (openpyxl
    would write an empty element for it, and many roster columns are mostly empty)."""
    if isinstance(value, str):
        if not value:
            return None
        value = without_control(value)  # stored before forms refused them: never a broken file
        if value.startswith(FORMULA_PREFIXES):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, never a formula
            return cell
        if len(value) >= LONG_DIGITS and value[:17].isdigit():
            return Cell(sheet, row=1, column=1, value=value, style_array=TEXT_STYLE)
        return value
    if isinstance(value, Decimal):
        return float(value)
    return value


def _header(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    cell.style = HEADER
    return cell


def _width(value) -> int:
    """A cell's width in Excel's character units: a Chinese character counts two."""
    text = "" if value is None else str(value)
    return len(text) + sum(1 for c in text if ord(c) > 0x2E7F)


def write_rows(
    path: str | Path,
    header: list[str],
    rows: Iterable[Iterable],
    title: str = "Sheet1",
    *,
    stamped: bool = False,
) -> int:
    """Write a one-sheet workbook in write-only (streaming) mode; returns the number of rows."""
    return write_sheets(path, [(title, header, rows)], stamped=stamped)


# The author an export of ours writes in the workbook's properties (docProps/core.xml), with
# its time as the creation time. Excel and WPS keep both when the user edits and saves, so a
# re-imported export tells when it was made (households.roster.preview).
EXPORT_CREATOR = "县扶贫办业务系统"
_CORE = "docProps/core.xml"
_CORE_MAX = 64 * 1024


def write_sheets(
    path: str | Path,
    sheets: Iterable[tuple[str, list[str], Iterable[Iterable]]],
    *,
    stamped: bool = False,
) -> int:
    """Write (title, header, rows) sheets in write-only mode; returns the number of data rows.

    Each sheet opens ready to read in Excel or WPS: columns as wide as the header and the first
    SAMPLE_ROWS rows need, the header row bold, frozen and filterable. A `stamped` workbook
    carries EXPORT_CREATOR and the time it was written."""
    workbook = Workbook(write_only=True)
    if stamped:
        workbook.properties.creator = EXPORT_CREATOR
        workbook.properties.created = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    else:
        workbook.properties.creator = ""
    workbook.add_named_style(NamedStyle(name=HEADER, font=Font(bold=True)))
    count = 0
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title)
        rows = iter(rows)
        sample = [list(row) for row in islice(rows, SAMPLE_ROWS)]
        for position, column in enumerate(zip_longest(header, *sample), start=1):
            width = max(map(_width, column), default=0) + 2
            sheet.column_dimensions[get_column_letter(position)].width = min(width, MAX_WIDTH)
        sheet.freeze_panes = "A2"
        sheet.append([_header(sheet, h) for h in header])
        written = 0
        for row in chain(sample, rows):
            sheet.append([_cell(sheet, v) for v in row])
            written += 1
        if header:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{written + 1}"
        count += written
    workbook.save(str(path))
    return count


def export_stamp(path: str | Path) -> datetime.datetime | None:
    """When an export of ours (a stamped workbook) was written, in UTC; None for any other
    file. Reads only the small core-properties part, after check_xlsx has passed the file."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(_CORE)
            if info.file_size > _CORE_MAX:
                return None
            root = ElementTree.fromstring(archive.read(info))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return None
    creator = root.findtext("{http://purl.org/dc/elements/1.1/}creator") or ""
    created = root.findtext("{http://purl.org/dc/terms/}created") or ""
    if creator != EXPORT_CREATOR or not created:
        return None
    try:
        stamp = datetime.datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=datetime.UTC)


def download(filename: str, write) -> FileResponse:
    """A workbook `write(path)` puts in a temporary file, sent as an attachment (the response
    closes, and so removes, the file)."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 -- closed by the response
    write(handle.name)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename)


def xlsx_response(filename: str, sheets) -> FileResponse:
    """A download of the given (title, header, rows) sheets."""
    return download(filename, lambda path: write_sheets(path, sheets))
