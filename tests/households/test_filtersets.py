"""HouseholdFilterSet, filter by filter (the list page, the export and the API share it)."""

import datetime

import pytest

from households.filtersets import HouseholdFilterSet
from households.models import QualityIssue
from tests.factories import (
    CadreFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    MemberFactory,
    UnitFactory,
    filtered,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(world):
    behind = HouseholdFactory(
        village=world.v11, code="A-0001", primary_cause="illness", planned_exit_year=2018
    )
    MemberFactory(household=behind, name="王建国")
    exited = HouseholdFactory(
        village=world.v12,
        code="B-0002",
        category="dibao",
        other_causes="disability,illness",
        status="exited",
        exit_year=2017,
        planned_exit_year=2018,
    )
    watched = HouseholdFactory(
        village=world.v21, code="C-0003", planned_exit_year=2099, monitoring_type="marginal"
    )
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    HouseholdPairingFactory(household=watched, cadre=cadre, start_date=datetime.date(2019, 1, 1))
    HouseholdPairingFactory(
        household=behind,
        cadre=cadre,
        start_date=datetime.date(2016, 1, 1),
        end_date=datetime.date(2017, 1, 1),  # over: not paired now
    )
    QualityIssue.objects.create(household=watched, rule="no_recent_visit", detail="半年未走访")
    QualityIssue.objects.create(
        household=behind, rule="no_recent_visit", detail="已说明", status="explained"
    )
    return {"behind": behind, "exited": exited, "watched": watched, "cadre": cadre}


def found(data: dict) -> set[str]:
    return set(filtered(HouseholdFilterSet, data).values_list("code", flat=True))


def test_search_by_household_code_member_name_or_full_id_number(households):
    assert found({"q": "b-000"}) == {"B-0002"}
    assert found({"q": "建国"}) == {"A-0001"}
    number = households["exited"].members.get().id_number
    assert found({"q": number}) == {"B-0002"}
    assert found({"q": number[:-1] + ("0" if number[-1] != "0" else "1")}) == set()


def test_category_status_and_years(households):
    assert found({"category": "dibao"}) == {"B-0002"}
    assert found({"status": "exited"}) == {"B-0002"}
    assert found({"planned_exit_year": 2018}) == {"A-0001", "B-0002"}
    assert found({"exit_year": 2017}) == {"B-0002"}


def test_a_cause_matches_the_primary_and_the_other_causes(households):
    assert found({"cause": "illness"}) == {"A-0001", "B-0002"}
    assert found({"cause": "disability"}) == {"B-0002"}
    assert found({"cause": "schooling"}) == set()


def test_overdue_is_past_the_deadline_and_still_poor(households):
    assert found({"overdue": "true"}) == {"A-0001"}
    assert found({"overdue": "false"}) == {"B-0002", "C-0003"}


def test_monitoring_cadre_now_paired_and_open_quality_issues(households):
    assert found({"monitoring_type": "marginal"}) == {"C-0003"}
    assert found({"cadre": households["cadre"].pk}) == {"C-0003"}  # the ended pairing is not
    assert found({"quality_rule": "no_recent_visit"}) == {"C-0003"}  # explained is not open


def test_several_filters_narrow_together(households, world):
    assert found({"cause": "illness", "within": world.t1.pk, "overdue": "false"}) == {"B-0002"}
