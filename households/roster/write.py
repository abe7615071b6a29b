"""Writing an import: the plan of what changes (counted for the preview and the progress bar),
then everything in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

from django.db import connection, transaction
from simple_history.utils import bulk_update_with_history

from poverty.common import bulk, crypto
from poverty.common.masking import mask_id_number

from ..choices import HouseholdStatus, Relation
from ..models import Household, Member, recount_members
from ..signals import registry_changed
from .match import HOUSEHOLD_FIELDS, MEMBER_COMPARED, MEMBER_FIELDS
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
        }


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
    # New households were written with their persons and names; registered ones are recounted.
    for chunk in _chunks(sorted(plan.recount)):
        recount_members(chunk)
    registry_changed.send(sender=Household, households=(), villages=plan.villages)
