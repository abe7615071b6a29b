"""Roster import and export (DESIGN §6): one service for the upload page, the Celery job and
`manage.py import_roster` / `export_roster`.

The file is read through the tabular engine (poverty.common.tabular: .xlsx, .xls or .csv, the
header found below any title rows, a footer skipped) and every row checked, collecting every
error (the row as Excel numbers it, the column as the file names it, the reason in Chinese);
only a file without errors is written, in one transaction, so a bad file changes nothing.
Households are matched by 户编号 and persons by ID number (through the keyed hash);
re-importing the same file, or an export of ours, changes nothing. An import never changes what
a procedure owns: a registered household's exit status and year are the exit procedure's.

Modules by concern: read (rows -> values), check (across the file's rows), match (against the
registry), write (the plan and the transaction), export (and the error copy), jobs (Celery).
"""

from __future__ import annotations

from collections.abc import Collection
from itertools import islice
from pathlib import Path

from django.conf import settings

from poverty.common import bulk, excel, tabular

from . import errors as reporting
from .check import check_households, finish_households, resolve_villages
from .errors import ImportResult, Progress, RowError, noop
from .export import error_copy, export_roster, export_rows, households_for_export
from .mapping import SAMPLE_ROWS, Samples, choose, resolver
from .match import check_registry
from .preview import describe_changes, describe_removals
from .read import ParsedRow, RosterReader
from .write import make_plan, plan_incomes, write

__all__ = [
    "ImportResult",
    "RowError",
    "error_copy",
    "export_roster",
    "export_rows",
    "households_for_export",
    "import_roster",
]


def import_roster(
    path: str | Path,
    *,
    user,
    dry_run: bool = False,
    progress: Progress = noop,
    confirmed_removals: Collection[int] = (),
    allow_removals: bool = False,
    mapping: dict[str, str] | None = None,
    income_year: int | None = None,
) -> ImportResult:
    """Validate the whole file and describe what it changes; write it (unless dry_run) only if
    there is no error. A removal the preview says needs confirming is written only when its
    member is among `confirmed_removals` (or `allow_removals`). Headers we do not know are read
    by `mapping` (normalised header -> column key, "" to leave out), else by the user's
    county's template that names most of them. A 年人均纯收入 with no 收入年度 beside it is
    for `income_year` (by default the year before this one)."""
    from django.utils import timezone

    year = income_year or timezone.localdate().year - 1
    with bulk.gc_paused():
        return _import(
            path, user, dry_run, progress, set(confirmed_removals), allow_removals, mapping, year
        )


def _import(
    path,
    user,
    dry_run: bool,
    progress: Progress,
    confirmed: set[int],
    allow_removals: bool,
    mapping: dict[str, str] | None,
    income_year: int,
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    if not (
        user.has_perm("households.add_household") and user.has_perm("households.change_household")
    ):
        result.errors.append(RowError(0, "", "您没有导入花名册的权限。"))
        return result
    reader = RosterReader()
    try:
        table = tabular.open_table(path, excel.Limits.for_upload(settings.ROSTER_MAX_BYTES))
        if mapping is None and (template := choose(user, tabular.peek(table))) is not None:
            mapping = result.mapping = template.columns
            result.mapping_name = template.name
        reading = tabular.read_table(path, resolver(mapping), table=table)
        header = reading.header
        samples = Samples(header)
        result.header_row = header.last_row
        reader.read_header(header)
        result.unknown_columns = reader.unknown
        if reader.errors:
            result.errors = reader.errors
            # The header cannot be read as it is: a few rows still show the mapping step
            # what the unknown columns hold.
            for _number, cells in islice(reading.data, SAMPLE_ROWS):
                samples.add(cells)
            result.samples = samples.values
            return result
        table = reading.table
        progress(phase="read", total_rows=max(table.total_rows - header.last_row, 0))
        reader.check_sheet(table, header)
        parsed: list[ParsedRow] = []
        number = header.last_row
        for number, cells in reading.data:
            samples.add(cells)
            row = reader.parse(number, cells)
            if row is not None:
                parsed.append(row)
            if number % reporting.PROGRESS_EVERY == 0:
                progress(phase="read", rows_read=number - header.last_row)
        finish_households(reader)
        result.skipped = reading.skipped
        result.samples = samples.values
    except excel.ExcelError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    progress(phase="validate", rows_read=number - header.last_row)
    errors = reader.errors
    names = reader.names
    households = check_households(parsed, errors, names, skip_heads=reader.failed_codes)
    villages = resolve_villages(parsed, user, errors, names)
    existing, people, removed = check_registry(parsed, households, user, errors, names)
    result.rows = len({r.row for r in parsed} | {e.row for e in errors if e.row > header.last_row})
    progress(phase="validate", rows_validated=result.rows)
    if errors:
        result.errors = sorted(errors, key=lambda e: (e.row, e.column))
        return result
    plan = make_plan(households, villages, existing, people, removed)
    plan_incomes(plan, households, existing, income_year)
    result.counts = plan.counts()
    result.changes_anything = plan.changes_anything
    result.rows_changed = plan.rows_changed
    result.changes = describe_changes(plan, households, existing, villages)
    if table.kind == "xlsx":
        result.exported_at = excel.export_stamp(path)
    result.removals = describe_removals(plan.removed_members, result.exported_at)
    unconfirmed = [r for r in result.removals if r.needs_confirm and r.id not in confirmed]
    if unconfirmed and not dry_run and not allow_removals:
        result.errors.append(
            RowError(
                0,
                "",
                f"此文件将移出{len(unconfirmed)}名已登记的成员（如{unconfirmed[0].household}户"
                f"{unconfirmed[0].name}），移出须在预览中逐一核对后确认；未导入任何数据。",
            )
        )
        return result
    if not dry_run:
        progress(phase="write")
        write(plan, user)
    progress(phase="done", rows_written=0 if dry_run else plan.rows_changed)
    return result
