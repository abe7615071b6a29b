"""Writing an import: the plan of what changes (counted for the preview and the progress bar),
then everything in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from operator import attrgetter, itemgetter

from django.db import connection, transaction
from simple_history.utils import bulk_update_with_history

from poverty.common import bulk
from poverty.personal import crypto
from poverty.personal.masking import mask_id_number

from .. import periods
from ..choices import HouseholdStatus, Relation
from ..models import Household, IncomeRecord, Member, recount_members
from ..signals import registry_changed
from .match import HOUSEHOLD_FIELDS, MEMBER_COMPARED, MEMBER_FIELDS, registered_incomes
from .read import ParsedRow, Person

WRITE_CHUNK = 5000
REGISTERED_HOUSEHOLD = attrgetter(*HOUSEHOLD_FIELDS)
FILE_HOUSEHOLD = itemgetter(*HOUSEHOLD_FIELDS)


@dataclass
class Plan:
    # The values of new households (HOUSEHOLD_FIELDS, with "code" and "persons").
    new_households: list[dict] = field(default_factory=list)
    # (id, the file's values) of registered households that changed
    changed_households: list[tuple[int, dict]] = field(default_factory=list)
    unchanged_households: int = 0
    # 户编号 -> id of the file's households already registered.
    existing_ids: dict[str, int] = field(default_factory=dict)
    # (household code, the row's member values)
    new_members: list[tuple[str, Person]] = field(default_factory=list)
    # (household code, member pk, the row's member values)
    changed_members: list[tuple[str, int, Person]] = field(default_factory=list)
    unchanged_members: int = 0
    removed_members: list[int] = field(default_factory=list)
    # 年人均纯收入 a file gives: (户编号, year, per-capita net, persons) to record; (record pk,
    # per-capita net, persons) of figures a file gave before; and how many a cadre's own
    # accounting of the year already holds (kept: a file never overwrites it).
    new_incomes: list[tuple[str, int, Decimal, int]] = field(default_factory=list)
    changed_incomes: list[tuple[int, Decimal, int]] = field(default_factory=list)
    unchanged_incomes: int = 0
    kept_incomes: int = 0
    # The file's rows that change something: a new or changed household's, a new or changed
    # person's. An unchanged re-import writes none.
    rows_changed: int = 0
    # Registered households whose members change: their persons and names are recounted.
    recount: set[int] = field(default_factory=set)
    # Villages whose households change, including any a household moves out of.
    villages: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {
            "households_created": len(self.new_households),
            "households_updated": len(self.changed_households),
            "households_unchanged": self.unchanged_households,
            "members_created": len(self.new_members),
            "members_updated": len(self.changed_members),
            "members_unchanged": self.unchanged_members,
            "members_removed": len(self.removed_members),
            "incomes_created": len(self.new_incomes),
            "incomes_updated": len(self.changed_incomes),
            "incomes_unchanged": self.unchanged_incomes,
            "incomes_kept": self.kept_incomes,
        }

    @property
    def changes_anything(self) -> bool:
        return any(
            n
            for key, n in self.counts().items()
            if key.endswith(("_created", "_updated", "_removed"))
        )


def household_values(rows: list[ParsedRow], villages) -> dict:
    h = rows[0].household
    status = HouseholdStatus.EXITED if h["exited"] else None
    return {
        "village_id": villages[(h["township"], h["village"])].pk,
        "group": h["group"],
        "phone": h["phone"],
        "category": h["category"],
        "primary_cause": h["primary_cause"],
        "other_causes": h["other_causes"],
        "identified_year": h["identified_year"],
        "planned_exit_year": h["planned_exit_year"],
        "status": status,
        "exit_year": h["exit_year"] if h["exited"] else None,
        "dilapidated_house": h["dilapidated_house"],
        "safe_water": h["safe_water"],
    }


def make_plan(households, villages, existing, people, removed) -> Plan:
    plan = Plan(existing_ids={code: h.pk for code, h in existing.items()})
    for code, rows in households.items():
        values = household_values(rows, villages)
        current = existing.get(code)
        if current is None:
            values["status"] = values["status"] or HouseholdStatus.ASSISTED
            names = " ".join(row.member.name for row in rows)
            plan.new_households.append(
                {"code": code, "persons": len(rows), "member_names": names, **values}
            )
            plan.villages.add(values["village_id"])
            household_changed = True
        else:
            if values["status"] is None:
                # 未脱贫 in the file: any stage short of exit stays as it is (a change of exit
                # status was refused by match.exit_conflict).
                values["status"] = current.status
            household_changed = REGISTERED_HOUSEHOLD(current) != FILE_HOUSEHOLD(values)
            if household_changed:
                plan.villages.update((current.village_id, values["village_id"]))
                plan.changed_households.append((current.pk, values))
            else:
                plan.unchanged_households += 1
        for row in rows:
            m = row.member
            person = people.get(m.hash)
            if person is None:
                plan.new_members.append((code, m))
            elif person.household_code != code or not person.same:
                plan.changed_members.append((code, person.pk, m))
                plan.recount.add(person.household_id)
            else:
                plan.unchanged_members += 1
                plan.rows_changed += household_changed  # its household's columns
                continue
            plan.rows_changed += 1
            if current is not None:
                plan.recount.add(current.pk)
    # Members of the file's households that the file no longer lists.
    plan.removed_members = [pk for pk, _ in removed]
    plan.recount.update(household for _, household in removed)
    plan.villages.update(h.village_id for h in existing.values() if h.pk in plan.recount)
    return plan


def plan_incomes(plan: Plan, households, existing, default_year: int) -> None:
    """The year's 人均纯收入 the file gives, as income records: new where the household has none
    for the year, updated where a file gave the last one, kept where a cadre's own accounting
    of the year holds it (its items say more than a file's total). Registered records are read
    and compared a batch at a time, so a province's re-import keeps only what changes."""
    wanted = (
        (code, h["income_year"] or default_year, h["income"], len(rows))
        for code, rows in households.items()
        if (h := rows[0].household)["income"] is not None
    )
    while batch := list(islice(wanted, WRITE_CHUNK)):
        ids = [existing[code].pk for code, *_ in batch if code in existing]
        registered = registered_incomes(ids, {year for _, year, _, _ in batch}) if ids else {}
        for code, year, amount, persons in batch:
            current = existing.get(code)
            record = registered.get((current.pk, year)) if current is not None else None
            if record is None:
                plan.new_incomes.append((code, year, amount, persons))
            elif record[1] == amount:
                plan.unchanged_incomes += 1
            elif record[2]:
                plan.changed_incomes.append((record[0], amount, persons))
            else:
                plan.kept_incomes += 1


def _chunks(items: list, size: int = WRITE_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


NEW_HOUSEHOLD_FIELDS = ["id", "code", *HOUSEHOLD_FIELDS, "persons", "member_names"]
NEW_MEMBER_FIELDS = [
    "id",
    *MEMBER_FIELDS,
    "id_number_encrypted",
    "id_number_hash",
    "id_number_masked",
]


@transaction.atomic
def write(plan: Plan, user) -> None:
    """Everything in one transaction. New households and members (the bulk of a first import)
    go in by COPY with their history rows (poverty.common.bulk); changes go through the ORM."""
    if connection.vendor == "postgresql":
        # Django makes foreign keys DEFERRABLE INITIALLY DEFERRED. Checked as each row arrives,
        # they run while the COPY overlaps with making the rows, not all at once at COMMIT.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    ids = dict(plan.existing_ids)
    reserved = bulk.reserve_ids(Household, len(plan.new_households))
    for pk, h in zip(reserved, plan.new_households, strict=True):
        ids[h["code"]] = pk
    bulk.insert_with_history(
        Household,
        NEW_HOUSEHOLD_FIELDS,
        (
            (pk, *(h[name] for name in NEW_HOUSEHOLD_FIELDS[1:]))
            for pk, h in zip(reserved, plan.new_households, strict=True)
        ),
        user=user,
    )
    for chunk in _chunks(plan.changed_households):
        households = Household.objects.in_bulk([pk for pk, _ in chunk])
        for pk, values in chunk:
            household = households[pk]
            for name, value in values.items():
                setattr(household, name, value)
            household.version += 1
        bulk_update_with_history(
            list(households.values()),
            Household,
            [*HOUSEHOLD_FIELDS, "version"],
            batch_size=2000,
            default_user=user,
        )

    for chunk in _chunks(plan.removed_members):
        for member in Member.objects.filter(pk__in=chunk):
            member._history_user = user
            member.delete()
    # Demote every changed person first, so no household holds two heads between statements.
    changed_pks = [pk for _, pk, _ in plan.changed_members]
    for chunk in _chunks(changed_pks):
        Member.objects.filter(pk__in=chunk, relation=Relation.HEAD).update(relation=Relation.OTHER)
    for chunk in _chunks(plan.changed_members):
        members = Member.objects.in_bulk([pk for _, pk, _ in chunk])
        for code, pk, values in chunk:
            member = members[pk]
            member.household_id = ids[code]
            for name in MEMBER_COMPARED:
                setattr(member, name, getattr(values, name))
        bulk_update_with_history(
            list(members.values()), Member, MEMBER_FIELDS, batch_size=2000, default_user=user
        )
    bulk.insert_with_history(
        Member,
        NEW_MEMBER_FIELDS,
        (
            (
                pk,
                ids[code],
                *(getattr(m, name) for name in MEMBER_COMPARED),
                crypto.encrypt(m.id_number),
                m.hash,
                mask_id_number(m.id_number),
            )
            for pk, (code, m) in zip(
                bulk.reserve_ids(Member, len(plan.new_members)), plan.new_members, strict=True
            )
        ),
        user=user,
    )
    _write_incomes(plan, ids, user)
    # New households were written with their persons and names; registered ones are recounted.
    for chunk in _chunks(sorted(plan.recount)):
        recount_members(chunk)
    # What the file says held goes into the periods, from the years it happened (recounted
    # households were followed by recount_members already).
    periods.follow(
        [ids[h["code"]] for h in plan.new_households]
        + [pk for pk, _ in plan.changed_households if pk not in plan.recount]
    )
    registry_changed.send(sender=Household, households=(), villages=plan.villages)


INCOME_FIELDS = [
    "id",
    "household_id",
    "year",
    "persons",
    "wage",
    "business",
    "property_income",
    "transfer",
    "business_costs",
    "per_capita_net",
    "reported",
]


def _write_incomes(plan: Plan, ids: dict[str, int], user) -> None:
    zero = Decimal("0")
    bulk.insert_with_history(
        IncomeRecord,
        INCOME_FIELDS,
        (
            (pk, ids[code], year, persons, zero, zero, zero, zero, zero, amount, True)
            for pk, (code, year, amount, persons) in zip(
                bulk.reserve_ids(IncomeRecord, len(plan.new_incomes)),
                plan.new_incomes,
                strict=True,
            )
        ),
        user=user,
    )
    for chunk in _chunks(plan.changed_incomes):
        records = IncomeRecord.objects.in_bulk([pk for pk, _, _ in chunk])
        for pk, amount, persons in chunk:
            records[pk].per_capita_net, records[pk].persons = amount, persons
        bulk_update_with_history(
            list(records.values()),
            IncomeRecord,
            ["per_capita_net", "persons"],
            batch_size=2000,
            default_user=user,
        )
