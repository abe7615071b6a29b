"""Matching a file against the registry: households by 户编号, persons by the keyed hash of
their ID number, nothing outside the user's area, and nothing a procedure owns.

Reads go in plain SQL, a batch of keys as one array parameter: a province file holds millions
of people, so a person's registered values are compared with the file's row as they are read
and only the outcome is kept (small tuples, not model instances).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from functools import cache
from operator import attrgetter
from typing import NamedTuple

from django.db import connection

from poverty.common.scoping import code_in_scope
from poverty.common.sql import among, among_text, as_date, fetch

from ..choices import HouseholdStatus
from ..models import ID_TAKEN_ELSEWHERE, NATIONAL_MEMBER_FIELDS, Household, Member
from .errors import RowError

HOUSEHOLD_FIELDS = [
    "village_id",
    "group",
    "phone",
    "category",
    "primary_cause",
    "other_causes",
    "identified_year",
    "planned_exit_year",
    "status",
    "exit_year",
    "dilapidated_house",
    "safe_water",
]
MEMBER_FIELDS = [
    "household_id",
    "name",
    "gender",
    "birth_date",
    "relation",
    "education",
    "schooling",
    "health",
    "labour_skill",
    "work_status",
    *NATIONAL_MEMBER_FIELDS,
]
MEMBER_COMPARED = [f for f in MEMBER_FIELDS if f != "household_id"]
# The compared values as one tuple, read in C (a re-import compares every row).
MEMBER_VALUES = attrgetter(*MEMBER_COMPARED)
# Matching: ids, 户编号 or ID hashes per statement, as one parameter.
MATCH_CHUNK = 5000
# A registered household as check_registry reads it, its fields named as in the ORM.
RegisteredHousehold = namedtuple(
    "RegisteredHousehold", ["pk", "code", *HOUSEHOLD_FIELDS, "village__code"]
)
EXIT_PROCEDURE = "脱贫退出须通过退出程序办理（提出退出→核实→公示→公告→销号）"


class Registered(NamedTuple):
    """A registered person the file lists."""

    pk: int
    household_id: int
    household_code: str
    same: bool  # the registered values equal the file's row


def columns(model, fields: list[str], alias: str) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(model._meta.get_field(f).column)}" for f in fields)


def _dated_values() -> Callable[[list], tuple]:
    """A registered person's compared values (MEMBER_COMPARED) as the ORM would give them, to
    compare with the file's: SQLite hands the birth date back as text."""
    if connection.vendor == "postgresql":
        return tuple
    birth = MEMBER_COMPARED.index("birth_date")

    def dated(values: list) -> tuple:
        values[birth] = as_date(values[birth])
        return tuple(values)

    return dated


def exit_conflict(registered: RegisteredHousehold, h: dict, names: dict[str, str]):
    """(row, column, message) when the file would change what the exit procedure owns: move a
    registered household to 已脱贫 or back, or change its exit year; else None."""
    was_exited = registered.status == HouseholdStatus.EXITED
    row = h["sources"].get("exited", h["first_row"])
    if h["exited"] and not was_exited:
        label = HouseholdStatus(registered.status).label
        return (
            row,
            names["exited"],
            f"该户在系统中为“{label}”，导入不能把它改为已脱贫；{EXIT_PROCEDURE}。",
        )
    if was_exited and not h["exited"]:
        return (
            row,
            names["exited"],
            f"该户已于{registered.exit_year}年脱贫，导入不能把它改回未脱贫；返贫须在该户页面办理“返贫”。",
        )
    if was_exited and h["exit_year"] != registered.exit_year:
        return (
            h["sources"].get("exit_year", row),
            names["exit_year"],
            f"系统登记的脱贫年度为{registered.exit_year}年，导入不能修改；脱贫年度由退出程序记录。",
        )
    return None


def check_registry(parsed, households, user, errors, names: dict[str, str]):
    """Existing households by 户编号 and persons by ID hash; nothing outside the user's area.

    Returns the registered households (by code) and persons (by hash) the file names, and the
    registered members of the file's households that the file no longer lists, as (pk,
    household id).
    """
    allowed = cache(
        lambda village_code, action: code_in_scope(Household, village_code, user, action)
    )
    codes = list(households)
    existing: dict[str, RegisteredHousehold] = {}
    for start in range(0, len(codes), MATCH_CHUNK):
        condition, param = among_text("h.code", codes[start : start + MATCH_CHUNK])
        for values in fetch(
            f"SELECT h.id, h.code, {columns(Household, HOUSEHOLD_FIELDS, 'h')}, a.code "  # noqa: S608
            "FROM households_household h JOIN villages_area a ON a.id = h.village_id "
            f"WHERE {condition}",
            [param],
        ):
            h = RegisteredHousehold(*values)
            existing[h.code] = h
    for code, h in existing.items():
        if not allowed(h.village__code, "change"):
            errors.append(
                RowError(
                    households[code][0].row,
                    names["code"],
                    f"户编号{code}已在您的管辖范围以外登记，不能导入。",
                )
            )
        elif conflict := exit_conflict(h, households[code][0].household, names):
            errors.append(RowError(*conflict))
    hashes = {r.member.hash: r for r in parsed}
    people: dict[str, Registered] = {}
    removed: list[tuple[int, int]] = []
    compared = columns(Member, MEMBER_COMPARED, "m")
    dated = _dated_values()
    # First the members of the file's registered households, found by household (an unchanged
    # re-import finds everyone here)...
    code_of = {h.pk: h.code for h in existing.values()}
    ids = list(code_of)
    for start in range(0, len(ids), MATCH_CHUNK):
        condition, param = among("m.household_id", ids[start : start + MATCH_CHUNK])
        for pk, household_id, digest, *values in fetch(
            f"SELECT m.id, m.household_id, m.id_number_hash, {compared} "  # noqa: S608
            f"FROM households_member m WHERE {condition}",
            [param],
        ):
            row = hashes.get(digest)
            if row is None:
                removed.append((pk, household_id))
            else:
                same = dated(values) == MEMBER_VALUES(row.member)
                # Keyed by the row's own hash string, not the equal one just read: on a
                # province re-import that is a copy of 113 bytes per person less.
                people[row.member.hash] = Registered(pk, household_id, code_of[household_id], same)
    # ...then, by ID hash, the file's other persons: new, or registered in another household.
    keys = [key for key in hashes if key not in people]
    for start in range(0, len(keys), MATCH_CHUNK):
        condition, param = among_text("m.id_number_hash", keys[start : start + MATCH_CHUNK])
        for pk, household_id, digest, code, village_code, *values in fetch(
            f"SELECT m.id, m.household_id, m.id_number_hash, h.code, a.code, {compared} "  # noqa: S608
            "FROM households_member m JOIN households_household h ON h.id = m.household_id "
            f"JOIN villages_area a ON a.id = h.village_id WHERE {condition}",
            [param],
        ):
            row = hashes[digest]
            same = dated(values) == MEMBER_VALUES(row.member)
            people[row.member.hash] = Registered(pk, household_id, code, same)
            if code == row.household["code"] or code in households:
                continue  # a move between households of this file
            message = (
                f"此人已登记在其他贫困户（户编号{code}），一人只能属于一户。"
                if allowed(village_code, "view")
                else ID_TAKEN_ELSEWHERE
            )
            errors.append(RowError(row.row, names["id_number"], message))
    return existing, people, removed


def registered_incomes(household_ids: list[int], years: set[int]) -> dict[tuple[int, int], tuple]:
    """(household id, year) -> (pk, per-capita net, reported) of the registered income records
    of a batch of households in these years (through the ORM: SQLite hands decimals back as
    floats)."""
    from ..models import IncomeRecord

    return {
        (household_id, year): (pk, net, reported)
        for pk, household_id, year, net, reported in IncomeRecord.objects.filter(
            household_id__in=household_ids, year__in=years
        ).values_list("pk", "household_id", "year", "per_capita_net", "reported")
    }
