"""A household's kept person count (what the statistics sum) follows every member change:
forms and factories, moves between households, deletions and the roster import's bulk writes."""

import datetime

import pytest

from accounts.choices import Role
from households.models import Household, Member
from households.roster import import_roster
from tests.factories import HouseholdFactory, MemberFactory, new_id_number

from .test_roster import family, person, write

pytestmark = pytest.mark.django_db


def persons(household) -> int:
    return Household.objects.get(pk=household.pk).persons


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


def test_the_roster_import_sets_the_counts(tmp_path, world, make_user):
    staff = make_user(Role.COUNTY_STAFF, world.county)
    son = person(
        world,
        name="王小明",
        relation="之子",
        number=new_id_number("male", datetime.date(1995, 3, 3)),
    )
    rows = [*family(world), son]
    import_roster(write(tmp_path, rows), user=staff)
    assert Household.objects.get(code="H-0001").persons == 3
    import_roster(write(tmp_path, rows[:2], name="second.xlsx"), user=staff)
    assert Household.objects.get(code="H-0001").persons == 2
