"""FindingFilterSet, filter by filter (the findings list, a unit's queue and the API share it)."""

import datetime

import pytest
import time_machine

from accounts.choices import Role
from inspections.filtersets import FindingFilterSet
from inspections.models import Finding
from tests.factories import CadreFactory, FindingFactory, UnitFactory, UserFactory, filtered

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def findings(world):
    water = UnitFactory(area=world.county, name="县水利局")
    late = FindingFactory(
        area=world.v11, description="饮水工程未完工", unit=water, deadline=D(2019, 4, 1)
    )
    grave = FindingFactory(
        area=world.v21,
        category="funds",
        severity="grave",
        deadline=D(2019, 9, 30),
        inspection=late.inspection,
    )
    done = FindingFactory(area=world.v12, unit=water, deadline=D(2019, 4, 1))
    Finding.objects.filter(pk=done.pk).update(status="closed", closed_on=D(2019, 3, 30))
    return {"late": late, "grave": grave, "done": done, "water": water}


def found(data: dict, user=None) -> set[int]:
    return set(filtered(FindingFilterSet, data, user).values_list("pk", flat=True))


def test_search_status_category_severity_and_unit(findings):
    late, grave, done = findings["late"], findings["grave"], findings["done"]
    assert found({"q": "饮水"}) == {late.pk}
    assert found({"status": "closed"}) == {done.pk}
    assert found({"category": "funds"}) == {grave.pk}
    assert found({"severity": "grave"}) == {grave.pk}
    assert found({"unit": findings["water"].pk}) == {late.pk, done.pk}
    assert found({"inspection": late.inspection_id}) == {late.pk, grave.pk}
    assert found({"deadline_before": "2019-04-01"}) == {late.pk, done.pk}


@time_machine.travel(datetime.datetime(2019, 6, 1, 12, tzinfo=datetime.UTC))
def test_overdue_is_past_the_deadline_and_not_closed(findings):
    assert found({"overdue": "true"}) == {findings["late"].pk}
    assert found({"overdue": "false"}) == {findings["grave"].pk, findings["done"].pk}


def test_mine_is_the_queue_of_the_users_own_unit(findings, world):
    cadre = CadreFactory(unit=findings["water"])
    officer = UserFactory(role=Role.COUNTY_STAFF, areas=[world.county], cadre=cadre)
    assert found({"mine": "true"}, officer) == {findings["late"].pk, findings["done"].pk}
    assert found({"mine": "true"}, UserFactory(role=Role.COUNTY_STAFF)) == set()  # no unit
    assert len(found({"mine": "false"}, officer)) == 3
