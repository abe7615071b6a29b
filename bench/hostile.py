"""Hostile uploads at full size: how long the guard takes to refuse them and the peak memory of
the process refusing them (VmHWM, Linux). Prints figures against the targets (refused, under
256 MB); not a test. Needs no database.

    .venv/bin/python bench/hostile.py [--gigabytes 3]

Files, made in a temporary folder:
- padded: a worksheet of N GB that compresses only about 90:1 (1 % random bytes), so its
  compression ratio looks like a real file's;
- lying: 1.9 GB the same way, with the zip headers claiming the sheet holds 1 MB;
- 200 MB: an upload over the cap.
Each is opened by `manage.py import_roster`'s reader (tabular.open_table with the roster's
limits) in a fresh process, as the import job would.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GUARD = """
import sys, django
django.setup()
from django.conf import settings
from poverty.common import tabular
from poverty.common.excel import ExcelError, Limits
try:
    tabular.open_table(sys.argv[1], Limits.for_upload(settings.ROSTER_MAX_BYTES))
    outcome = "opened (NOT refused)"
except ExcelError as exc:
    outcome = str(exc)
status = open("/proc/self/status").read()
print(int(status.split("VmHWM:")[1].split()[0]) // 1024, outcome, sep="|")
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gigabytes", type=float, default=3.0)
    args = parser.parse_args()
    from tests.poverty.test_hostile_files import lie_about_sizes, padded_rows, xlsx

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "poverty.settings.test"}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        megabytes = int(args.gigabytes * 1024)
        padded = xlsx(
            Path(folder) / "padded.xlsx", {"xl/worksheets/sheet1.xml": padded_rows(megabytes)}
        )
        made = time.perf_counter() - started
        # Under 2 GB, so the central directory keeps 32-bit sizes for the lie to rewrite.
        lying = xlsx(Path(folder) / "lying.xlsx", {"xl/worksheets/sheet1.xml": padded_rows(1900)})
        lie_about_sizes(lying)
        huge = Path(folder) / "huge.xlsx"
        with huge.open("wb") as handle:
            handle.truncate(201 * 1024 * 1024)
        print(
            f"padded bomb: {megabytes:,} MB inside {padded.stat().st_size / 1024 / 1024:.1f} MB "
            f"(made in {made:.0f} s)"
        )
        for name, path in (("padded", padded), ("lying", lying), ("201 MB", huge)):
            started = time.perf_counter()
            done = subprocess.run(  # noqa: S603 -- our interpreter, our script
                [sys.executable, "-c", GUARD, str(path)],
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
                check=True,
            )
            took = time.perf_counter() - started
            peak, outcome = done.stdout.strip().splitlines()[-1].split("|", 1)
            verdict = "✓" if int(peak) < 256 and "NOT" not in outcome else "✗"
            print(
                f"{name:>7}: {took:5.1f} s, peak {peak} MB (target < 256 MB) {verdict} — {outcome}"
            )


if __name__ == "__main__":
    main()
