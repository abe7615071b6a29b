"""Hostile files: every one refused before a parser sees it, with a clear Chinese message, in
about one chunk of memory (poverty.common.excel.check_xlsx, tabular.check_file/open_table, which
every import goes through). Scaled-down limits keep the files small; the memory test runs the
guard in a process of its own and reads its peak resident size."""

import os
import random
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from accounts.choices import Role
from poverty.common import tabular
from poverty.common.excel import ExcelError, Limits

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"></Types>'
)
WORKBOOK = (
    b'<?xml version="1.0"?><workbook><sheets><sheet name="s" sheetId="1"/></sheets></workbook>'
)
ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>%s</t></is></c></row>'


def xlsx(path: Path, parts: dict) -> Path:
    """A zip with the two parts an .xlsx must have and `parts` (bytes, or an iterable of chunks
    streamed in)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", parts.pop("xl/workbook.xml", WORKBOOK))
        for name, content in parts.items():
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in [content] if isinstance(content, bytes) else iter(content):
                    part.write(chunk)
    return path


def padded_rows(megabytes: int, seed: int = 1):
    """Sheet XML of about `megabytes` MB: repetitive rows with 1 % random padding, so it
    compresses about 60:1, below the ratio that looks like a bomb."""
    rng = random.Random(seed)
    yield b'<?xml version="1.0"?><worksheet><sheetData>'
    row = ROW % (b"x" * 12)
    for _ in range(megabytes):
        yield row * (1_000_000 // len(row)) + rng.randbytes(10_000)
    yield b"</sheetData></worksheet>"


def lie_about_sizes(path: Path, declared: int = 1_000_000) -> Path:
    """Rewrite the sheet's uncompressed size, in its local header and the central directory, as
    `declared` bytes: big enough that a look at its first bytes passes, far below what it holds,
    and with an ordinary ratio to its compressed size."""
    data = bytearray(path.read_bytes())
    sheet = b"xl/worksheets/sheet1.xml"
    # (signature, offset of the uncompressed size, of the name's length, of the name)
    for signature, size_at, length_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),
        (b"PK\x01\x02", 24, 28, 46),
    ):
        start = 0
        while (start := data.find(signature, start)) != -1:
            length = struct.unpack_from("<H", data, start + length_at)[0]
            name = bytes(data[start + name_at : start + name_at + length])
            if name == sheet and struct.unpack_from("<I", data, start + size_at)[0] != 0xFFFFFFFF:
                struct.pack_into("<I", data, start + size_at, declared)
            start += 4
    path.write_bytes(bytes(data))
    return path


def refused(path: Path, limits: Limits | None = None, match: str = "") -> str:
    with pytest.raises(ExcelError, match=match) as caught:
        tabular.open_table(path, limits or Limits())
    return str(caught.value)


def test_a_padded_bomb_is_refused_by_its_real_size(tmp_path):
    path = xlsx(tmp_path / "padded.xlsx", {"xl/worksheets/sheet1.xml": (padded_rows(30))})
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size / info.compress_size < Limits.max_ratio  # the ratio looks normal
    refused(path, Limits.for_upload(1024 * 1024), "疑似压缩炸弹")


def test_a_bomb_whose_headers_lie_is_refused_as_damaged(tmp_path):
    path = xlsx(tmp_path / "lying.xlsx", {"xl/worksheets/sheet1.xml": (padded_rows(5))})
    lie_about_sizes(path)
    assert sum(i.file_size for i in zipfile.ZipFile(path).infolist()) < 3_100_000
    refused(path, match="文件已损坏")


def test_the_shared_strings_have_a_cap_of_their_own(tmp_path):
    sheet = b"<worksheet><sheetData>" + ROW % b"x" + b"</sheetData></worksheet>"
    entries = (b"<si><t>" + os.urandom(500).hex().encode() + b"</t></si>" for _ in range(2200))
    path = xlsx(
        tmp_path / "strings.xlsx",
        {
            "xl/sharedStrings.xml": [b"<sst>", *entries, b"</sst>"],
            "xl/worksheets/sheet1.xml": sheet,
        },
    )
    refused(path, Limits(max_shared_strings=1024 * 1024), "xl/sharedStrings.xml.*解压后超过1MB")


@pytest.mark.parametrize(
    "declaration",
    [
        # Billion laughs, after 8 KB of comment so a look at the first bytes misses it.
        b"<!--" + b"." * 8192 + b'--><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>',
        # An external entity reading a server file.
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ],
    ids=["billion-laughs", "external-entity"],
)
def test_xml_declaring_entities_is_refused_wherever_it_is(tmp_path, declaration):
    path = xlsx(tmp_path / "dtd.xlsx", {"xl/sharedStrings.xml": declaration})
    refused(path, match="不允许的 XML 声明")


def test_a_sheet_claiming_more_rows_than_excel_has_is_refused(tmp_path):
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 151))
    sheet = b"<worksheet><sheetData>" + rows + b"</sheetData></worksheet>"
    path = xlsx(tmp_path / "rows.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    refused(path, Limits(max_rows=100), "超过 Excel 的上限")


def real_workbook(path: Path) -> Path:
    book = Workbook()
    book.active.append(["户编号", "姓名"])
    book.active.append(["A-1", "张三"])
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("name", "make", "match"),
    [
        ("empty.xlsx", lambda p: p.write_bytes(b""), "文件是空的"),
        ("text.xlsx", lambda p: p.write_text("户编号,姓名\nA-1,张三\n"), "这不是有效的 .xlsx 文件"),
        (
            "page.xls",
            lambda p: p.write_text("<html><table><tr><td>1</td></tr></table></html>"),
            "网页",
        ),
        (
            "truncated.xlsx",
            lambda p: p.write_bytes(real_workbook(p).read_bytes()[:1500]),
            "这不是有效的 .xlsx 文件|文件已损坏",
        ),
        ("huge.xlsx", lambda p: os.truncate(p.touch() or p, 201 * 1024 * 1024), "文件过大"),
    ],
)
def test_broken_renamed_empty_and_oversized_files_are_refused(tmp_path, name, make, match):
    path = tmp_path / name
    make(path)
    refused(path, match=match)


def test_a_real_workbook_still_opens(tmp_path):
    table = tabular.open_table(real_workbook(tmp_path / "ok.xlsx"))
    assert [cells for _, cells in table.rows][:2] == [["户编号", "姓名"], ["A-1", "张三"]]


@pytest.mark.django_db
def test_the_import_command_refuses_a_bomb_with_a_message_and_exit_1(
    tmp_path, world, make_user, capsys
):
    make_user(Role.COUNTY_STAFF, world.county, username="importer")
    path = lie_about_sizes(
        xlsx(tmp_path / "lying.xlsx", {"xl/worksheets/sheet1.xml": (padded_rows(3))})
    )
    with pytest.raises(SystemExit) as stopped:
        call_command("import_roster", str(path), "--user", "importer")
    out = capsys.readouterr()
    assert stopped.value.code == 1
    assert "文件已损坏" in out.out and "Traceback" not in out.out + out.err


GUARD = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from poverty.common import tabular
    from poverty.common.excel import ExcelError, Limits
    try:
        tabular.open_table(sys.argv[1], Limits.for_upload(int(sys.argv[2])))
        outcome = "opened"
    except ExcelError as exc:
        outcome = str(exc)
    # VmHWM: this process's own peak (ru_maxrss would carry the forking parent's over exec).
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0]) // 1024
    print(f"{peak}|{outcome}")
    """
)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's VmHWM")
@pytest.mark.parametrize("lying", [False, True], ids=["padded", "lying"])
def test_a_large_bomb_is_refused_in_under_256_mb(tmp_path, lying):
    """300 MB inside a 5 MB file, checked in a process of its own: its peak resident size."""
    path = xlsx(tmp_path / "bomb.xlsx", {"xl/worksheets/sheet1.xml": (padded_rows(300))})
    if lying:
        lie_about_sizes(path)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "poverty.settings.test"}
    done = subprocess.run(  # noqa: S603 -- our interpreter, our script
        [sys.executable, "-c", GUARD, str(path), str(8 * 1024 * 1024)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
        check=True,
    )
    peak, outcome = done.stdout.strip().rsplit("\n", 1)[-1].split("|", 1)
    assert ("文件已损坏" if lying else "疑似压缩炸弹") in outcome
    assert int(peak) < 256, f"peak {peak} MB"


def test_the_check_reads_a_part_once_in_chunks(tmp_path, monkeypatch):
    """No part is read whole: every read asks for at most one chunk."""
    from poverty.common import excel

    sizes = []
    real_open = zipfile.ZipFile.open

    def spying_open(self, name, *args, **kwargs):
        handle = real_open(self, name, *args, **kwargs)
        read = handle.read

        def recorded(n=-1):
            sizes.append(n)
            return read(n)

        handle.read = recorded
        return handle

    monkeypatch.setattr(zipfile.ZipFile, "open", spying_open)
    path = xlsx(tmp_path / "big.xlsx", {"xl/worksheets/sheet1.xml": (padded_rows(4))})
    excel.check_xlsx(path)
    assert sizes and all(0 < n <= 1 << 20 for n in sizes)
