"""What an import would change, in words, before it writes: the first changes by row, and every
member the file would remove, with whether that removal needs the user's confirmation.

A file older than the registry must not silently undo later work. A removal needs confirming
unless the file is an export of ours and the member has not changed since it was exported
(the export stamps its time in the workbook's properties, which Excel keeps on saving).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from itertools import islice

from django.db.models import BooleanField, Max

from villages.models import Area

from ..choices import Cause
from ..models import Household, Member
from .match import HOUSEHOLD_FIELDS, RegisteredHousehold
from .read import ParsedRow
from .write import Plan

CHANGES_LISTED = 50


@dataclass(frozen=True)
class Change:
    row: int
    action: str  # 新增户, 更新户, 新增成员, 更新成员
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Removal:
    id: int
    household: str  # 户编号
    name: str
    id_number: str  # masked: the preview is shown to whoever may see the job
    needs_confirm: bool
    why: str

    def as_dict(self) -> dict:
        return asdict(self)


def _shown(name: str, value, villages: dict[int, str]) -> str:
    if name == "village_id":
        return villages.get(value, str(value))
    if value in (None, ""):
        return "（空）"
    if name == "other_causes":
        labels = dict(Cause.choices)
        return "、".join(str(labels.get(c, c)) for c in str(value).split(",") if c) or "（空）"
    field = Household._meta.get_field(name)
    if isinstance(field, BooleanField):
        return "是" if value else "否"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def describe_changes(
    plan: Plan,
    households: dict[str, list[ParsedRow]],
    existing: dict[str, RegisteredHousehold],
    file_villages: dict,
    limit: int = CHANGES_LISTED,
) -> list[Change]:
    """The first `limit` changes in the file's row order: new and changed households (field by
    field, before → after), then new and changed persons."""
    villages = {area.pk: area.name for area in file_villages.values()}
    # Each list is in the file's order: its first `limit` are all that can be shown, and only
    # what those need is looked up (a province's re-import may change a handful of rows).
    changes: list[Change] = []
    for h in islice(plan.new_households, limit):
        rows = households[h["code"]]
        changes.append(
            Change(
                rows[0].row,
                "新增户",
                f"{h['code']} {rows[0].member.name}",
                f"{villages.get(h['village_id'], '')}，{h['persons']}人",
            )
        )
    shown = list(islice(plan.changed_households, limit))
    if shown:
        pks = {pk for pk, _ in shown}
        code_of = {r.pk: code for code, r in existing.items() if r.pk in pks}
        moved_from = {existing[code].village_id for code in code_of.values()} - set(villages)
        if moved_from:
            villages.update(Area.objects.filter(pk__in=moved_from).values_list("pk", "name"))
    for pk, values in shown:
        code = code_of[pk]
        before = existing[code]
        details = [
            f"{Household._meta.get_field(name).verbose_name}："
            f"{_shown(name, getattr(before, name), villages)} → {_shown(name, values[name], villages)}"
            for name in HOUSEHOLD_FIELDS
            if getattr(before, name) != values[name]
        ]
        changes.append(Change(households[code][0].row, "更新户", code, "；".join(details)))
    joining = ((c, p) for c, p in plan.new_members if c in plan.existing_ids)
    members = [
        *(("新增成员", code, person) for code, person in islice(joining, limit)),
        *(("更新成员", code, person) for code, _, person in islice(plan.changed_members, limit)),
    ]
    for action, code, person in members:
        row = next(r.row for r in households[code] if r.member.hash == person.hash)
        changes.append(Change(row, action, f"{code} {person.name}"))
    changes.sort(key=lambda c: c.row)
    return changes[:limit]


def describe_removals(member_ids: list[int], stamp: datetime.datetime | None) -> list[Removal]:
    """Every member the file would remove; a removal needs confirming unless the file is an
    export of ours and the member is unchanged since (no history row after the stamp)."""
    if not member_ids:
        return []
    members = (
        Member.objects.filter(pk__in=member_ids)
        .order_by("household__code", "pk")
        .values_list("pk", "household__code", "name", "id_number_masked")
    )
    changed_since: dict[int, datetime.datetime] = {}
    if stamp is not None:
        changed_since = dict(
            Member.history.filter(id__in=member_ids)
            .values("id")
            .annotate(last=Max("history_date"))
            .values_list("id", "last")
        )
    removals = []
    for pk, household, name, masked in members:
        if stamp is None:
            needs, why = True, "文件不是本系统导出的花名册"
        elif (last := changed_since.get(pk)) is not None and last > stamp:
            needs, why = True, "导出后此人有新增或修改"
        else:
            needs, why = False, "导出后未变，文件中已删去"
        removals.append(Removal(pk, household, name, masked, needs, why))
    return removals
