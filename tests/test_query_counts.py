"""Every list page and API list costs the same number of queries at 3 rows and at 30."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from households.models import QualityIssue, RosterImport
from tests.factories import (
    AssessmentFactory,
    AssistanceMeasureFactory,
    CadreFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    IncomeRecordFactory,
    LeaderPairingFactory,
    MemberFactory,
    UnitFactory,
    UnitPairingFactory,
    UserFactory,
    VillagePostingFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


def grow(world, n):
    """n more rows of every villages model, spread over the villages."""
    unit = UnitFactory(area=world.county)
    for i in range(n):
        village = world.villages[i % 4]
        cadre = CadreFactory(unit=unit, is_leader=True)
        VillagePostingFactory(cadre=cadre, village=village)
        UnitPairingFactory(unit=UnitFactory(area=world.county), village=village)
        LeaderPairingFactory(leader=cadre, area=village)


# url name -> queries for a county user (session, user, areas, count, page, plus filter choices).
PAGES = {
    "villages:area_list": 6,
    "villages:unit_list": 6,
    "villages:cadre_list": 6,
    "villages:villageposting_list": 6,
    "villages:unitpairing_list": 7,
    "villages:leaderpairing_list": 6,
    "api:area-list": 5,
    "api:unit-list": 5,
    "api:cadre-list": 5,
    "api:villageposting-list": 5,
    "api:unitpairing-list": 5,
    "api:leaderpairing-list": 5,
    "home": 11,
}


@pytest.mark.parametrize(("name", "queries"), PAGES.items())
def test_query_count_does_not_grow_with_rows(
    client, make_user, world, django_assert_num_queries, name, queries
):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    grow(world, 3)
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200
    grow(world, 27)
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200


def cadre_user(world):
    return UserFactory(areas=[world.county])


def grow_registry(world, n):
    """n more households, each with its rows, spread over the villages."""
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    for i in range(n):
        household = HouseholdFactory(village=world.villages[i % 4])
        MemberFactory(household=household)
        HouseholdPairingFactory(household=household, cadre=cadre)
        AssistanceMeasureFactory(household=household, cadre=cadre)
        VisitFactory(household=household, cadre=cadre)
        IncomeRecordFactory(household=household)
        AssessmentFactory(household=household, assessor=cadre)
        QualityIssue.objects.create(household=household, rule="no_recent_visit", detail="x")
        RosterImport.objects.create(
            user=cadre_user(world), area=world.county, file="imports/x.xlsx", file_name="x.xlsx"
        )


# session, user, areas, count, page, plus the filter's choice lists.
REGISTRY_PAGES = {
    "households:household_list": 7,
    "households:visit_list": 7,
    "households:assistancemeasure_list": 7,
    "households:householdpairing_list": 7,
    "households:incomerecord_list": 6,
    "households:assessment_list": 6,
    "households:qualityissue_list": 8,  # plus the per-rule counts
    "households:povertyline_list": 4,
    "households:rosterimport_list": 5,
}


@pytest.mark.parametrize(("name", "queries"), REGISTRY_PAGES.items())
def test_registry_lists_cost_the_same_at_3_and_30_households(
    client, make_user, world, django_assert_num_queries, name, queries
):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    grow_registry(world, 3)
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200
    grow_registry(world, 27)
    with django_assert_num_queries(queries):
        response = client.get(reverse(name))
    assert response.status_code == 200
    assert response.context["table"].paginator.count >= 30 or name.endswith("povertyline_list")


def test_the_household_file_costs_the_same_with_more_members_measures_and_visits(
    client, make_user, world, django_assert_num_queries
):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    household = HouseholdFactory(village=world.v11)
    cadre = CadreFactory(unit=UnitFactory(area=world.county))

    def add(n):
        for _ in range(n):
            MemberFactory(household=household)
            AssistanceMeasureFactory(household=household, cadre=cadre)
            VisitFactory(household=household, cadre=cadre)

    add(2)
    url = reverse("households:household_detail", args=[household.pk])
    client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url)
    add(20)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url)


DETAIL_QUERIES = 16
