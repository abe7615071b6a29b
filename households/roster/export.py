"""Roster export (the layout of households/excel.py, so an export re-imports unchanged) and the
copy of an upload with its errors marked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import chain
from pathlib import Path

from django.conf import settings
from django.db.models import Case, When

from poverty.common import excel, tabular
from poverty.personal import crypto
from poverty.personal.access import record_access
from poverty.personal.masking import can_see_sensitive, mask_id_number, mask_phone

from ..choices import (
    Category,
    Cause,
    Education,
    Ethnicity,
    Gender,
    Health,
    HouseholdStatus,
    LabourSkill,
    PoliticalStatus,
    Relation,
    Schooling,
    WorkStatus,
)
from ..excel import EXITED, HEADERS, NOT_EXITED, label_of, labels_of
from ..models import NATIONAL_MEMBER_FIELDS, Household, IncomeRecord, Member
from . import errors as reporting


def export_rows(households, *, sensitive: bool):
    """The roster rows of these households (already scoped), members in household order.

    Reads plain values (no model instances) and the latest income per household in one
    grouped query, so 100,000 rows export in seconds rather than minutes.
    """
    ids = households.values("pk")
    incomes: dict[int, tuple] = {}
    for hid, year, net in (
        IncomeRecord.objects.filter(household__in=ids)
        .order_by("household_id", "year")
        .values_list("household_id", "year", "per_capita_net")
        .iterator(chunk_size=5000)
    ):
        incomes[hid] = (year, net)  # ordered by year: the last one wins
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
            *NATIONAL_MEMBER_FIELDS,
            "household__dilapidated_house",
            "household__safe_water",
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
        *national,
        dilapidated,
        safe_water,
    ) in members.iterator(chunk_size=5000):
        number = crypto.decrypt(encrypted)
        exited = status == HouseholdStatus.EXITED
        income_year, income = incomes.get(hid, ("", None))
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
            *_national_cells(*national),
            _yes_no(dilapidated),
            _yes_no(safe_water),
            income_year,
        ]


def _national_cells(code, ethnicity, political, months, medical, illness, pension) -> list:
    """NATIONAL_MEMBER_FIELDS as the roster writes them."""
    return [
        code,
        label_of(Ethnicity, ethnicity),
        label_of(PoliticalStatus, political),
        "" if months is None else months,
        _yes_no(medical),
        _yes_no(illness),
        _yes_no(pension),
    ]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "是" if value else "否"


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
    count = excel.write_rows(path, HEADERS, rows, title="花名册", stamped=True)
    if user is not None:
        record_access(user=user, households=[None], what=f"导出花名册（{count}人）")
    return count


def _counted(rows, progress: Callable[[int], None]):
    count = 0
    for count, row in enumerate(rows, start=1):
        yield row
        if count % reporting.PROGRESS_EVERY == 0:
            progress(count)
    if count == 0 or count % reporting.PROGRESS_EVERY:
        progress(count)  # the total, unless just told


def households_for_export(user, query: str):
    """The household list's rows for `user` under its filter `query` (a query string), as the
    list page shows them: scoped first, then filtered; an invalid filter shows everything."""
    from types import SimpleNamespace

    from django.http import QueryDict

    from ..filtersets import HouseholdFilterSet

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
    *,
    header_row: int = 1,
) -> None:
    """The uploaded sheet with an error column, for the user to correct: every row where the
    file has it (title rows too), so the row numbers in the messages still point at it; always
    .xlsx, whatever the upload was. `progress` is told the rows copied so far."""
    by_row: dict[int, list[str]] = defaultdict(list)
    for e in errors:
        by_row[e["row"]].append(f"{e['column']}：{e['message']}" if e["column"] else e["message"])
    table = tabular.open_table(path, excel.Limits.for_upload(settings.ROSTER_MAX_BYTES))
    width = max((len(r) for r in _top(table, header_row)), default=0)
    rows = iter(table.rows)
    first = next(rows, (1, []))[1]

    def body():
        expected = 2
        for number, cells in rows:
            while expected < number:  # a .csv record over several lines
                yield [""] * (width + 1)
                expected += 1
            expected = number + 1
            texts = [excel.cell_text(v) for v in cells]
            mark = "错误" if number == header_row else "；".join(by_row.get(number, []))
            yield [*texts, *([""] * (width - len(texts))), mark]

    head = [excel.cell_text(v) for v in first]
    head = [*head, *([""] * (width - len(head))), "错误" if header_row == 1 else ""]
    rows_out = body() if progress is None else _counted(body(), progress)
    excel.write_rows(out, head, rows_out, title="花名册（含错误）")


def _top(table: tabular.Table, header_row: int) -> list[list]:
    """The rows down to the header (their width sets the error column's place); put back in
    front of the table's rows."""
    top = []
    for number, cells in table.rows:
        top.append((number, cells))
        if number >= header_row:
            break
    table.rows = chain(top, table.rows)
    return [cells for _, cells in top]
