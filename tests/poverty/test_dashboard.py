"""The 挂图作战 dashboard: figures against a hand-worked registry, drill-down, the village battle
map, scoping (also of the chart data) and a fixed number of queries."""

import json

import pytest
from django.test import Client

from accounts.choices import Role
from households.choices import HouseholdStatus
from households.models import Household
from tests.factories import (
    AssistanceMeasureFactory,
    CadreFactory,
    FindingFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    MemberFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def household(village, persons, *, planned=2020, exited=None, cause="illness"):
    h = HouseholdFactory(
        village=village, identified_year=2014, planned_exit_year=planned, primary_cause=cause
    )
    for _ in range(persons - 1):
        MemberFactory(household=h)
    if exited:
        Household.objects.filter(pk=h.pk).update(status=HouseholdStatus.EXITED, exit_year=exited)
    return h


@pytest.fixture
def registry(world):
    household(world.v11, 3, exited=2019)
    late = household(world.v11, 4, planned=2018, cause="no_labour")  # past its deadline in 2019
    household(world.v12, 2, exited=2018)
    household(world.v21, 5)  # on plan (2020)
    household(world.v22, 2, exited=2019)
    cadre = CadreFactory(unit=UnitFactory(area=world.county), name="张帮扶")
    HouseholdPairingFactory(household=late, cadre=cadre)
    AssistanceMeasureFactory(household=late, cadre=cadre, measure_type="health")
    FindingFactory(area=world.v11, unit=UnitFactory(area=world.county, name="县水利局"))
    return world


def login(make_user, role, area) -> Client:
    client = Client()
    client.force_login(make_user(role, area))
    return client


def test_the_county_page_shows_its_figures_and_colours_each_township(registry, make_user):
    client = login(make_user, Role.LEADER, registry.county)
    response = client.get("/dashboard/", {"year": 2019})
    page = response.content.decode()
    assert '<div class="fs-5" id="kpi-registered">5户 16人</div>' in page
    assert '<div class="fs-5" id="kpi-exited">2户 5人</div>' in page
    assert '<div class="fs-5" id="kpi-remaining">2户 9人</div>' in page
    # Two poor villages, neither out by 2019; no village target pledged.
    assert '<div class="fs-5" id="kpi-villages">0 / — · 剩2个</div>' in page
    # 9 still poor of 20,000 rural residents.
    assert response.context["figures"]["incidence_rate"] == 9 / 20000
    states = {c["area"]["name"]: (c["state"], c["overdue"]) for c in response.context["children"]}
    assert states == {"一乡": ("behind", 1), "二镇": ("on_track", 0)}
    assert 'href="/dashboard/990123100000/?year=2019"' in page  # drill down to 一乡
    causes = {c["label"]: (c["n"], c["poor"]) for c in response.context["causes"]}
    assert causes == {"因病": (4, 1), "缺劳力": (1, 1)}
    assert response.context["exits"] == [(2018, 1, 1), (2019, 0, 2), (2020, 4, 0)]
    assert response.context["without_measures"] == 1  # 二镇甲村's household has none
    # Still poor: 一乡's 缺劳力 household (a health measure, not 兜底 or 公益岗位) and 二镇's 因病
    # household with nothing.
    assert [(c["label"], c["answers"], c["gap"]) for c in response.context["gaps"]] == [
        ("因病", "健康扶贫", 1),
        ("缺劳力", "兜底保障(低保/特困)、公益岗位", 1),
    ]
    assert response.context["findings"] == [{"unit__name": "县水利局", "open": 1, "overdue": 1}]
    chart = json.loads(page.split('id="chart-data" type="application/json">')[1].split("<")[0])
    assert chart["children"] == [
        {"name": "一乡", "exited": 2, "remaining": 1, "state": "behind"},
        {"name": "二镇", "exited": 1, "remaining": 1, "state": "on_track"},
    ]


def test_a_village_shows_the_battle_map_with_the_way_back_up(registry, make_user):
    client = login(make_user, Role.LEADER, registry.county)
    response = client.get("/dashboard/990123100201/", {"year": 2019})
    page = response.content.decode()
    assert [a.name for a in response.context["breadcrumb"]] == ["测试县", "一乡"]
    rows = response.context["households"]
    assert len(rows) == 2
    late = next(h for h in rows if h.primary_cause == "no_labour")
    assert (late.cadre_name, late.persons, late.planned_exit_year) == ("张帮扶", 4, 2018)
    assert "健康扶贫" in page and "张帮扶" in page and 'class="table-danger"' in page


def test_a_township_user_sees_its_own_villages_only(registry, make_user):
    client = login(make_user, Role.TOWNSHIP_STAFF, registry.t1)
    own = client.get("/dashboard/")
    assert own.context["area"] == registry.t1
    names = [c["area"]["name"] for c in own.context["children"]]
    assert names == ["一乡甲村", "一乡乙村"]
    assert "二镇" not in own.content.decode()
    for code in ("990123000000", "990123101000", "990123101201"):
        assert client.get(f"/dashboard/{code}/").status_code == 404
    assert Client().get("/dashboard/").status_code == 302


def test_the_page_costs_the_same_with_more_households(
    registry, make_user, django_assert_num_queries
):
    client = login(make_user, Role.LEADER, registry.county)
    # session, user, areas, the area, its children, villages, households and pledges (the
    # statistics), villages and households past their deadline, ancestors, causes, measures,
    # causes and their measure gaps, exits by year, findings, projects, funds
    with django_assert_num_queries(18):
        client.get("/dashboard/990123000000/", {"year": 2019})
    for village in registry.villages:
        for _ in range(5):
            household(village, 3, exited=2019)
    with django_assert_num_queries(18):
        client.get("/dashboard/990123000000/", {"year": 2019})
