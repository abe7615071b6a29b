"""Roster import/export at scale on the current database; prints figures and ratios, not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/poverty_bench \\
        .venv/bin/python bench/roster.py --households 100000

The database named by DATABASE_URL is flushed. The bench makes the demo county's areas, writes
a roster of N households (about 3.1 persons each) with openpyxl's write-only mode, then times:
python-calamine reading it (the reference the issue sets), our streaming reader
(python-calamine-plus) reading it, openpyxl's read-only mode reading it, our import into the
empty registry, a re-import of the unchanged file, and our export of the same rows; then the
national system's own layout as Excel 97-2003 (.xls: title, 填报单位, two-row header, footer; as
many households as one sheet holds), python-calamine's bare read of it against our import. Each
read and import runs in a child process so its peak memory (VmHWM) is its own. Targets (issue 4):
import <= 2x the calamine read, peak < 600 MB, re-import <= first import, export <= 1.5x
openpyxl's write.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty.settings.local")
os.environ["DEBUG"] = "false"

CHILD = """
import os, sys, time
sys.path.insert(0, {root!r})
import django; django.setup()
from accounts.models import User
from households.roster import import_roster
started = time.perf_counter()
result = import_roster({path!r}, user=User.objects.get(username="county"))
took = time.perf_counter() - started
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(took, int(hwm) // 1024, result.rows, len(result.errors), result.counts, sep="|")
"""


READ = """
import sys, time
started = time.perf_counter()
if {reader!r} == "python-calamine":
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path({path!r}).get_sheet_by_index(0).iter_rows()
else:
    from python_calamine_plus import CalamineWorkbook
    rows = CalamineWorkbook.from_path({path!r}).stream_sheet_by_index(0)
count = sum(1 for _ in rows)
took = time.perf_counter() - started
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(took, int(hwm) // 1024, sep="|")
"""


def child_read(reader: str, path: str) -> tuple[float, int]:
    """Seconds and peak MB for `reader` to iterate every row, in a process of its own."""
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", READ.format(reader=reader, path=path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    took, peak = out.split("|")
    return float(took), int(peak)


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def make_rows(n: int, seed: int = 7):
    from households.excel import HEADERS
    from poverty.personal import idnumber
    from villages.models import Area

    rng = random.Random(seed)
    villages = list(Area.objects.filter(level="village").select_related("parent").order_by("code"))
    taken: set[str] = set()
    causes = ["因病", "缺劳力", "缺技术", "缺资金", "因残", "因学"]
    relations = ["配偶", "子女", "子女", "父母", "孙子女/外孙子女"]

    def number(gender_odd: bool) -> str:
        while True:
            birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(0, 29000))
            seq = rng.randrange(0, 500) * 2 + (1 if gender_odd else 0)
            value = idnumber.make("990123", birth, seq)
            if value not in taken:
                taken.add(value)
                return value

    for h in range(n):
        village = villages[h % len(villages)]
        code = f"{village.code}{h:07d}"
        size = rng.choices([1, 2, 3, 4, 5, 6], [16, 23, 26, 19, 11, 5])[0]
        household = {
            "乡镇": village.parent.name,
            "行政村": village.name,
            "自然村": f"{rng.randint(1, 9)}组",
            "户编号": code,
            "贫困户属性": "一般贫困户",
            "主要致贫原因": rng.choice(causes),
            "识别年度": 2014,
            "计划脱贫年度": rng.choice([2016, 2017, 2018, 2019, 2020]),
            "脱贫状态": "未脱贫",
            "联系电话": f"139{rng.randrange(10**8):08d}",
            # The national form carries the year's per-capita income on every household.
            "年人均纯收入": f"{rng.uniform(2000, 9000):.2f}",
        }
        for i in range(size):
            row = dict(household)
            row["姓名"] = f"成员{h}-{i}"
            row["证件号码"] = number(rng.random() < 0.5)
            row["与户主关系"] = "户主" if i == 0 else rng.choice(relations)
            row["健康状况"] = "健康"
            yield [row.get(header, "") for header in HEADERS]


# The national system's 花名册 (全国扶贫开发信息系统): single columns merged down over two
# header rows, groups merged across above theirs, household columns on the head's row only.
NATIONAL = [
    (None, ["序号"]),
    (None, ["县(市、区、旗)"]),
    (None, ["乡（镇）"]),
    (None, ["行政村"]),
    (None, ["自然村（组）"]),
    (None, ["户编号"]),
    ("家庭成员信息", ["人编号", "姓名", "身份证号码", "与户主的关系", "民族", "健康状况"]),
    (
        "家庭基本情况",
        [
            "人数",
            "贫困户属性",
            "主要致贫原因",
            "识别年度",
            "计划脱贫年度",
            "脱贫状态",
            "联系电话",
            "人均纯收入（元）",
        ],
    ),
]
OURS = {
    "乡（镇）": "乡镇",
    "行政村": "行政村",
    "自然村（组）": "自然村",
    "户编号": "户编号",
    "姓名": "姓名",
    "身份证号码": "证件号码",
    "与户主的关系": "与户主关系",
    "健康状况": "健康状况",
    "贫困户属性": "贫困户属性",
    "主要致贫原因": "主要致贫原因",
    "识别年度": "识别年度",
    "计划脱贫年度": "计划脱贫年度",
    "脱贫状态": "脱贫状态",
    "联系电话": "联系电话",
    "人均纯收入（元）": "年人均纯收入",
}
XLS_MAX_ROWS = 65_536  # one BIFF8 sheet


def write_national_xls(path: str, rows) -> tuple[int, int]:
    """Our generated rows as the national system writes them, to an .xls (xlwt writes BIFF8):
    a title, a 填报单位 line, the two-row header, the people, a signature footer. Returns
    (households, person rows); stops before the sheet is full."""
    import xlwt

    from households.excel import HEADERS

    names = [n for _, columns in NATIONAL for n in columns]
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("花名册")
    sheet.write_merge(0, 0, 0, len(names) - 1, "建档立卡贫困人口花名册")
    sheet.write(1, 0, "填报单位：青山县扶贫开发领导小组办公室")
    column = 0
    for group, columns in NATIONAL:
        if group is None:
            sheet.write_merge(2, 3, column, column, columns[0])
        else:
            sheet.write_merge(2, 2, column, column + len(columns) - 1, group)
            for offset, name in enumerate(columns):
                sheet.write(3, column + offset, name)
        column += len(columns)
    r, households, people, size = 4, 0, 0, {}
    rows = [dict(zip(HEADERS, row, strict=True)) for row in rows]
    for row in rows:
        size[row["户编号"]] = size.get(row["户编号"], 0) + 1
    for row in rows:
        head = row["与户主关系"] == "户主"
        if head and r >= XLS_MAX_ROWS - 3 - 6:  # room for the footer and a household's rows
            break
        households += head
        people += 1
        values = {
            "序号": people,
            "县(市、区、旗)": "青山县",
            "人编号": f"P{people:09d}",
            "民族": "汉族",
            "人数": size[row["户编号"]],
            **{national: row[ours] for national, ours in OURS.items()},
        }
        values["与户主的关系"] = "户主" if head else "之子"
        values["识别年度"] = f"{row['识别年度']}年"
        for c, name in enumerate(names):
            value = values.get(name, "")
            if not head and name in (
                "人均纯收入（元）",
                "人数",
                "贫困户属性",
                "主要致贫原因",
                "识别年度",
                "计划脱贫年度",
                "脱贫状态",
                "联系电话",
                "县(市、区、旗)",
            ):
                value = ""
            if value != "":
                sheet.write(r, c, value)
        r += 1
    sheet.write(r + 1, 0, "填表人：张三")
    sheet.write(r + 1, 4, "审核人：李四")
    workbook.save(path)
    return households, people


def bare_write(path: str, header: list[str], rows: list[list]) -> int:
    """openpyxl's own write-only mode, nothing added: what the export is measured against."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return len(rows)


def peer(path: str, households: int, our_rate: float) -> None:
    """The same rows through plain django-import-export ModelResources (households, then
    members), on the first `households` households, into an empty registry."""
    try:
        import tablib
        from import_export import fields, resources, widgets
    except ImportError:
        print("peer (django-import-export): not installed; pip install -e '.[bench]'")
        return
    from households.excel import BY_HEADER, label_map
    from households.models import Household, Member
    from poverty.common import excel
    from poverty.personal import crypto, idnumber
    from villages.models import Area

    rows = excel.read_rows(path)
    header = [excel.cell_text(v) for v in next(rows)]
    col = {h: i for i, h in enumerate(header)}
    maps = {
        h: label_map(BY_HEADER[h]) for h in ("贫困户属性", "主要致贫原因", "与户主关系", "健康状况")
    }
    villages = {
        (v.parent.name, v.name): v.code
        for v in Area.objects.filter(level="village").select_related("parent")
    }
    seen: dict[str, None] = {}
    hh = tablib.Dataset(
        headers=[
            "code",
            "village",
            "group",
            "category",
            "primary_cause",
            "identified_year",
            "planned_exit_year",
            "phone",
        ]
    )
    mm = tablib.Dataset(
        headers=[
            "id_number_hash",
            "id_number",
            "household",
            "name",
            "gender",
            "birth_date",
            "relation",
            "health",
        ]
    )
    for cells in rows:
        text = [excel.cell_text(v) for v in cells]
        code = text[col["户编号"]]
        if code not in seen:
            if len(seen) == households:
                break
            seen[code] = None
            hh.append(
                [
                    code,
                    villages[(text[col["乡镇"]], text[col["行政村"]])],
                    text[col["自然村"]],
                    maps["贫困户属性"][text[col["贫困户属性"]]],
                    maps["主要致贫原因"][text[col["主要致贫原因"]]],
                    text[col["识别年度"]],
                    text[col["计划脱贫年度"]],
                    text[col["联系电话"]],
                ]
            )
        number = text[col["证件号码"]]
        info = idnumber.parse(number)
        mm.append(
            [
                crypto.keyed_hash(number),
                number,
                code,
                text[col["姓名"]],
                info.gender,
                info.birth_date,
                maps["与户主关系"][text[col["与户主关系"]]],
                maps["健康状况"][text[col["健康状况"]]],
            ]
        )

    class HouseholdResource(resources.ModelResource):
        village = fields.Field(
            attribute="village",
            column_name="village",
            widget=widgets.ForeignKeyWidget(Area, "code"),
        )

        class Meta:
            model = Household
            import_id_fields = ("code",)
            fields = (
                "code",
                "village",
                "group",
                "category",
                "primary_cause",
                "identified_year",
                "planned_exit_year",
                "phone",
            )

    class MemberResource(resources.ModelResource):
        household = fields.Field(
            attribute="household",
            column_name="household",
            widget=widgets.ForeignKeyWidget(Household, "code"),
        )

        class Meta:
            model = Member
            import_id_fields = ("id_number_hash",)
            fields = (
                "id_number_hash",
                "household",
                "name",
                "gender",
                "birth_date",
                "relation",
                "health",
            )

        def before_save_instance(self, instance, row, **kwargs):
            instance.id_number = row["id_number"]

    started = time.perf_counter()
    first = HouseholdResource().import_data(hh, use_transactions=True)
    second = MemberResource().import_data(mm, use_transactions=True)
    took = time.perf_counter() - started
    assert not first.has_errors() and not second.has_errors()
    rate = len(mm) / took
    print(
        f"peer (django-import-export ModelResource, {len(hh)} households, {len(mm)} rows, "
        f"codes pre-mapped for it): {took:.1f} s ({rate:,.0f} rows/s); ours {our_rate:,.0f} rows/s "
        f"= {our_rate / rate:.1f}x (target >= 10x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--peer-households", type=int, default=10_000)
    parser.add_argument(
        "--national-households",
        type=int,
        default=25_000,
        help="households generated for the national .xls (cut where the sheet is full)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from households.excel import HEADERS
    from households.models import Household
    from households.roster import export_roster
    from poverty.demo import seed_demo_users
    from poverty.demo.villages import seed_areas_and_people

    def empty_registry():
        call_command("flush", interactive=False, verbosity=0)  # TRUNCATE: seconds, not minutes
        seed_areas_and_people()
        seed_demo_users()

    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    call_command("migrate", verbosity=0)
    empty_registry()
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "roster.xlsx")
        generated = list(make_rows(args.households))
        write_s, rows = timed(lambda: bare_write(path, HEADERS, generated))
        generated.clear()  # the rows are in the file now
        cells = rows * len(HEADERS)
        print(
            f"roster: {args.households} households, {rows} rows, {Path(path).stat().st_size / 1e6:.1f} MB"
        )
        print(f"openpyxl write-only, bare: {write_s:.1f} s ({cells / write_s:,.0f} cells/s)")

        calamine_s, calamine_mb = child_read("python-calamine", path)
        print(f"python-calamine read, bare: {calamine_s:.1f} s, peak {calamine_mb} MB")
        stream_s, stream_mb = child_read("python-calamine-plus", path)
        print(
            f"python-calamine-plus streaming read (ours), bare: {stream_s:.1f} s, "
            f"peak {stream_mb} MB ({stream_s / calamine_s:.2f}x python-calamine)"
        )
        from openpyxl import load_workbook

        def openpyxl_read():
            workbook = load_workbook(path, read_only=True)
            count = sum(1 for _ in workbook.active.iter_rows(values_only=True))
            workbook.close()
            return count

        openpyxl_s, _ = timed(openpyxl_read)
        print(
            f"openpyxl read-only read, bare: {openpyxl_s:.1f} s ({openpyxl_s / calamine_s:.1f}x calamine)"
        )

        def child_import():
            out = (
                subprocess.run(  # noqa: S603
                    [sys.executable, "-c", CHILD.format(root=str(ROOT), path=path)],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                    env=os.environ,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            took, peak, done, errors, counts = out.split("|")
            return float(took), int(peak), int(done), int(errors), counts

        first = child_import()
        print(
            f"import into an empty registry: {first[0]:.1f} s ({first[2] / first[0]:,.0f} rows/s), "
            f"{first[0] / calamine_s:.1f}x the calamine read (target <= 2x); peak {first[1]} MB "
            f"(target < 600 MB); errors {first[3]}; {first[4]}"
        )
        again = child_import()
        print(
            f"re-import, unchanged: {again[0]:.1f} s, {again[0] / first[0]:.2f}x the first import "
            f"(target <= 1x); peak {again[1]} MB; {again[4]}"
        )
        # The export against a bare write of the same cells timed right before it: this
        # machine's speed drifts by a quarter over the minutes since the first write.
        generated = list(make_rows(args.households))
        again_s, _ = timed(lambda: bare_write(str(Path(tmp) / "bare.xlsx"), HEADERS, generated))
        generated.clear()
        out = str(Path(tmp) / "export.xlsx")
        export_s, exported = timed(lambda: export_roster(out, Household.objects.all()))
        print(
            f"export: {exported} rows in {export_s:.1f} s, {export_s / again_s:.2f}x openpyxl's bare "
            f"write of the same cells just before it ({again_s:.1f} s; target <= 1.5x)"
        )
        empty_registry()
        peer(path, args.peer_households, first[2] / first[0])

        # The national system's own .xls (title, 填报单位, two-row header, footer): as many
        # households as one Excel 97-2003 sheet holds (65,536 rows; a county's file of 100,000
        # households cannot be one .xls, the national system splits it by township).
        empty_registry()
        xls = str(Path(tmp) / "national.xls")
        households, people = write_national_xls(xls, make_rows(args.national_households))
        print(
            f"national-layout .xls: {households} households, {people} rows, "
            f"{Path(xls).stat().st_size / 1e6:.1f} MB"
        )
        xls_read_s, xls_read_mb = child_read("python-calamine", xls)
        print(f"python-calamine read of the .xls, bare: {xls_read_s:.2f} s, peak {xls_read_mb} MB")
        path = xls  # child_import reads `path`
        national = child_import()
        print(
            f"import of the national .xls: {national[0]:.1f} s ({national[2] / national[0]:,.0f} "
            f"rows/s), {national[0] / xls_read_s:.1f}x the calamine read; peak {national[1]} MB "
            f"(target < 600 MB); errors {national[3]}; {national[4]}"
        )


if __name__ == "__main__":
    main()
