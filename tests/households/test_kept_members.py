"""A household's kept person count (what the statistics sum) and members' names (what the
search reads) follow every member change: forms and factories, renames, moves between
households, deletions, the roster import's bulk writes and the migration that filled them."""

import datetime
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connection

from accounts.choices import Role
from households.models import Household, Member
from households.roster import import_roster
from tests.factories import HouseholdFactory, MemberFactory, new_id_number

from .test_roster import family, person, write

pytestmark = pytest.mark.django_db


def persons(household) -> int:
    return Household.objects.get(pk=household.pk).persons


def names(household) -> list[str]:
    return sorted(Household.objects.get(pk=household.pk).member_names.split())


def test_members_added_moved_and_removed_are_counted(world):
    a = HouseholdFactory(village=world.v11)
    b = HouseholdFactory(village=world.v12)
    child = MemberFactory(household=a)
    assert (persons(a), persons(b)) == (2, 1)
    child.household = b
    child.save()
    assert (persons(a), persons(b)) == (1, 2)
    child.delete()
    assert persons(b) == 1
    b.delete()  # the cascade to its members does not fail on the vanished household
    assert not Member.objects.filter(household_id=b.pk).exists()


def test_members_names_follow_renames_moves_and_removals(world):
    a = HouseholdFactory(village=world.v11, head=False)
    b = HouseholdFactory(village=world.v12, head=False)
    MemberFactory(household=a, relation="head", name="张大山")
    child = MemberFactory(household=a, relation="child", name="张小雨")
    MemberFactory(household=b, relation="head", name="李春花")
    assert (names(a), names(b)) == (["张大山", "张小雨"], ["李春花"])
    child.name = "张晓雨"
    child.save()
    assert names(a) == ["张大山", "张晓雨"]
    child.household = b
    child.save()
    assert (names(a), names(b)) == (["张大山"], ["张晓雨", "李春花"])
    child.delete()
    assert names(b) == ["李春花"]


def test_the_roster_import_sets_the_counts_and_names(tmp_path, world, make_user):
    staff = make_user(Role.COUNTY_STAFF, world.county)
    son = person(
        world,
        name="王小明",
        relation="之子",
        number=new_id_number("male", datetime.date(1995, 3, 3)),
    )
    rows = [*family(world), son]
    import_roster(write(tmp_path, rows), user=staff)
    household = Household.objects.get(code="H-0001")
    assert household.persons == 3
    assert names(household) == ["李秀兰", "王小明", "王建国"]
    # The son leaves and the head's name is corrected, in one re-import.
    rows = [{**rows[0], "姓名": "王建军"}, rows[1]]
    import_roster(write(tmp_path, rows, name="second.xlsx"), user=staff, allow_removals=True)
    assert persons(household) == 2
    assert names(household) == ["李秀兰", "王建军"]


def test_the_migration_fills_the_names_of_registered_households(world):
    household = HouseholdFactory(village=world.v11, head=False)
    MemberFactory(household=household, relation="head", name="赵铁柱")
    MemberFactory(household=household, relation="spouse", name="钱桂芳")
    empty = HouseholdFactory(village=world.v11, head=False)
    Household.objects.update(member_names="")  # as the column is added
    migration = import_module("households.migrations.0009_household_search")

    def execute(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    migration.fill_member_names(None, SimpleNamespace(connection=connection, execute=execute))
    assert names(household) == ["赵铁柱", "钱桂芳"]
    assert Household.objects.get(pk=empty.pk).member_names == ""
