"""Checks across the file's rows: each household complete once all its rows are read, one head
per household, a person once, and the villages the rows name, among those the user may write
to."""

from __future__ import annotations

from collections import defaultdict

from poverty.common.areacodes import short_name
from poverty.common.scoping import code_in_scope
from villages.choices import AreaLevel
from villages.models import Area

from ..choices import Relation
from ..models import Household
from .errors import RowError
from .read import CAUSE_ORDER, HOUSEHOLD_REQUIRED, HOUSEHOLD_YES_NO, ParsedRow, RosterReader


def finish_households(reader: RosterReader) -> None:
    """The checks that need all of a household's rows (a required column filled on none of
    them, 计划脱贫年度 before 识别年度, 已脱贫 without a year, too many other causes); then
    every household complete, its unfilled columns blank."""
    for code, h in reader.households.items():
        sources = h["sources"]
        first = h["first_row"]
        for key in HOUSEHOLD_REQUIRED:
            if key not in h and key not in h["invalid"] and key in reader.positions:
                if (first, key) not in reader.formula_cells:
                    reader.error(first, key, "必填，不能为空。")
                reader.failed_codes.add(code)
        identified, planned = h.get("identified_year"), h.get("planned_exit_year")
        if identified and planned and planned < identified:
            reader.error(
                sources["planned_exit_year"],
                "planned_exit_year",
                "计划脱贫年度不能早于识别年度。",
            )
        exited, exit_year = h.get("exited"), h.get("exit_year")
        if exited and not exit_year and "exit_year" not in h["invalid"]:
            reader.error(sources["exited"], "exit_year", "已脱贫的户须填写脱贫年度。")
        if exited is False and exit_year:
            reader.error(sources["exit_year"], "exit_year", "未脱贫的户脱贫年度应为空。")
        others = h.get("other_causes", ())
        primary = h.get("primary_cause", "")
        codes = sorted({c for c in others if c != primary}, key=CAUSE_ORDER.__getitem__)
        if len(codes) > 2:
            reader.error(sources["other_causes"], "other_causes", "其他致贫原因最多两项。")
        h["other_causes"] = ",".join(codes)
        h["exited"] = bool(exited)
        h["exit_year"] = exit_year if exited else None
        for key in ("township", "village", "group", "phone"):
            h.setdefault(key, "")
        for key in ("category", "primary_cause", "identified_year", "planned_exit_year"):
            h.setdefault(key, None)
        for key in (*HOUSEHOLD_YES_NO, "income", "income_year"):
            h.setdefault(key, None)


def check_households(
    parsed: list[ParsedRow],
    errors: list[RowError],
    names: dict[str, str],
    *,
    skip_heads: set[str] = frozenset(),
) -> dict[str, list[ParsedRow]]:
    """Group rows by 户编号 (their columns were compared as they were read); exactly one head;
    ID numbers unique."""
    groups: dict[str, list[ParsedRow]] = defaultdict(list)
    for row in parsed:
        groups[row.household["code"]].append(row)
    for code, rows in groups.items():
        heads = [r.row for r in rows if r.member.relation == Relation.HEAD]
        if len(heads) == 1 or code in skip_heads:
            continue
        # Marked on the rows to correct: every head after the first, or the household's first row.
        named = heads if heads else [r.row for r in rows]
        where = "、".join(map(str, named[:5])) + ("等" if len(named) > 5 else "")
        message = f"户编号{code}有{len(heads)}名户主（第{where}行），每户须有且只有一名。"
        for row in heads[1:] or [rows[0].row]:
            errors.append(RowError(row, names["relation"], message))
    # Parsed numbers are 18 digits, upper-case X (anything else failed its row), so equal
    # numbers are equal keyed hashes.
    first: dict[str, int] = {}
    for r in parsed:
        row = first.setdefault(r.member.hash, r.row)
        if row != r.row:
            errors.append(
                RowError(
                    r.row, names["id_number"], f"与第{row}行的证件号码重复，一人只能登记一次。"
                )
            )
    return groups


def resolve_villages(parsed, user, errors, names: dict[str, str]) -> dict[tuple[str, str], Area]:
    """(乡镇, 行政村) names -> the village, among the villages the user may write to."""
    villages = (
        Area.objects.restrict(user, "view").filter(level=AreaLevel.VILLAGE).select_related("parent")
    )
    by_names: dict[tuple[str, str], list[Area]] = defaultdict(list)
    for v in villages:
        if code_in_scope(Household, v.code, user, "add"):
            names_of = (short_name(v.parent.name) if v.parent else "", short_name(v.name))
            by_names[names_of].append(v)
    found: dict[tuple[str, str], Area] = {}
    for row in parsed:
        key = (row.household["township"], row.household["village"])
        if key in found:
            continue
        # The bureau's long names (东关村村民委员会) as the short ones the registry keeps.
        matches = by_names.get((short_name(key[0]), short_name(key[1])), [])
        if len(matches) == 1:
            found[key] = matches[0]
        elif not matches:
            errors.append(
                RowError(row.row, names["village"], f"在您的管辖范围内找不到{key[0]}{key[1]}。")
            )
        else:
            errors.append(
                RowError(row.row, names["village"], f"{key[0]}{key[1]}有重名，无法确定是哪一个村。")
            )
    return found
