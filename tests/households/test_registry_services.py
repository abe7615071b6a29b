"""Registering and editing households with their members, incomes and measures go through one
workflow each (households.services), whoever calls them: the pages, the sheet import, the
projects' beneficiaries, the demo. The rules hold there, not only in the forms."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.choices import Role
from households.models import AssistanceMeasure, Household, IncomeRecord, Member
from households.services import (
    household_create,
    household_update,
    income_record_save,
    measure_save,
)
from poverty.common.models import StaleEdit
from tests.factories import HouseholdFactory, MemberFactory, new_id_number

pytestmark = pytest.mark.django_db


def new_household(village, code="SVC-1") -> Household:
    return Household(
        code=code,
        village=village,
        category="general",
        primary_cause="illness",
        identified_year=2014,
        planned_exit_year=2018,
    )


def person(name: str, relation: str) -> Member:
    number = new_id_number()
    member = Member(name=name, relation=relation, gender="male", health="healthy")
    member.id_number = number
    member.birth_date = datetime.date(1970, 5, 17)
    return member


def test_a_household_is_registered_with_its_members_in_the_users_area_only(world, make_user):
    clerk = make_user(Role.TOWNSHIP_STAFF, world.t1)
    household = household_create(
        household=new_household(world.v11),
        members=[person("王建国", "head"), person("王小明", "child")],
        by=clerk,
    )
    stored = Household.objects.get(pk=household.pk)
    assert (stored.persons, sorted(stored.member_names.split())) == (2, ["王小明", "王建国"])

    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        household_create(
            household=new_household(world.v21, code="SVC-2"),
            members=[person("李四", "head")],
            by=clerk,
        )
    leader = make_user(Role.LEADER, world.county)
    with pytest.raises(ValidationError, match="没有登记贫困户的权限"):
        household_create(
            household=new_household(world.v11, code="SVC-3"),
            members=[person("赵五", "head")],
            by=leader,
        )
    assert set(Household.objects.values_list("code", flat=True)) == {"SVC-1"}


@pytest.mark.parametrize(
    ("relations", "message"),
    [((), "至少登记一名家庭成员"), (("child",), "现在有0名"), (("head", "head"), "现在有2名")],
)
def test_one_head_among_at_least_one_member_whoever_calls(world, relations, message):
    members = [person(f"成员{n}", relation) for n, relation in enumerate(relations)]
    with pytest.raises(ValidationError, match=message):
        household_create(household=new_household(world.v11), members=members, by=None)
    assert not Household.objects.exists() and not Member.objects.exists()


def test_the_head_can_be_handed_over_in_one_edit_in_any_order(world, make_user):
    household = HouseholdFactory(village=world.v11)
    old_head = household.members.get()
    son = MemberFactory(household=household, relation="child", name="儿子")
    household.refresh_from_db()
    old_head.relation, son.relation = "parent", "head"
    household_update(
        household=household,
        members=[son, old_head],  # the new head first: written last all the same
        seen_version=household.version,
        by=make_user(Role.COUNTY_STAFF, world.county),
    )
    assert Member.objects.get(relation="head").pk == son.pk
    assert Household.objects.get(pk=household.pk).version == household.version


def test_an_edit_from_a_stale_page_or_into_another_area_is_refused(world, make_user):
    household = HouseholdFactory(village=world.v11, address="旧地址")
    clerk = make_user(Role.TOWNSHIP_STAFF, world.t1)
    seen = household.version
    household.address = "新地址"
    household_update(household=household, seen_version=seen, by=clerk)

    stale = Household.objects.get(pk=household.pk)
    stale.address = "另一个地址"
    with pytest.raises(StaleEdit, match="已被他人修改"):
        household_update(household=stale, seen_version=seen, by=clerk)
    moved = Household.objects.get(pk=household.pk)
    moved.village = world.v21
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        household_update(household=moved, seen_version=moved.version, by=clerk)
    other = HouseholdFactory(village=world.v12)
    with pytest.raises(ValidationError, match="不属于该户"):
        household_update(
            household=moved,
            removed=[other.members.get()],
            seen_version=moved.version,
            by=make_user(Role.COUNTY_STAFF, world.county),
        )
    stored = Household.objects.get(pk=household.pk)
    assert (stored.address, stored.village, other.members.count()) == ("新地址", world.v11, 1)


def test_an_income_is_figured_per_person_unless_it_is_a_files_figure(world, make_user):
    household = HouseholdFactory(village=world.v11)
    MemberFactory(household=household)
    clerk = make_user(Role.TOWNSHIP_STAFF, world.t1)
    record = income_record_save(
        record=IncomeRecord(
            household=household, year=2019, wage=Decimal("9000"), business_costs=Decimal("1000")
        ),
        by=clerk,
    )
    assert (record.persons, record.per_capita_net) == (2, Decimal("4000.00"))
    filed = IncomeRecord.objects.create(
        household=household, year=2020, persons=2, reported=True, per_capita_net=Decimal("3300")
    )
    income_record_save(record=filed, by=clerk)  # saved again, as an edit page would
    assert IncomeRecord.objects.get(pk=filed.pk).per_capita_net == Decimal("3300.00")
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        income_record_save(
            record=IncomeRecord(household=HouseholdFactory(village=world.v21), year=2019),
            by=clerk,
        )


def test_a_loan_gets_its_usual_term_and_a_given_end_is_kept(world):
    household = HouseholdFactory(village=world.v11)
    loan = measure_save(
        measure=AssistanceMeasure(
            household=household,
            measure_type="microcredit",
            description="扶贫小额信贷",
            start_date=datetime.date(2019, 3, 1),
        ),
        by=None,
    )
    assert loan.end_date == datetime.date(2022, 2, 28)
    loan.end_date = datetime.date(2020, 12, 31)
    measure_save(measure=loan, by=None)
    assert AssistanceMeasure.objects.get(pk=loan.pk).end_date == datetime.date(2020, 12, 31)
