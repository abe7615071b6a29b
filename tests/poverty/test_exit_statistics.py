"""GET /api/v1/stats/exits/: every figure against numbers worked out by hand, the 晋中 2019
figures of the seed report, and the refusals."""

import datetime

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.tokens import issue
from households.choices import HouseholdStatus
from households.models import Household, Member, recount_members
from households.periods import follow
from inspections.choices import Metric, PledgeKind
from inspections.models import PledgeTarget
from tests.factories import AreaFactory, HouseholdFactory, MemberFactory, PledgeFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/exits/"


def household(village, persons, *, status=HouseholdStatus.ASSISTED, exited=None, identified=2014):
    h = HouseholdFactory(village=village, identified_year=identified, planned_exit_year=2020)
    for _ in range(persons - 1):
        MemberFactory(household=h)
    if exited or status != HouseholdStatus.ASSISTED:
        Household.objects.filter(pk=h.pk).update(
            status=HouseholdStatus.EXITED if exited else status, exit_year=exited
        )
        follow([h.pk])  # as a service's save would record it
    return h


def pledge(area, **targets):
    p = PledgeFactory(area=area, kind=PledgeKind.OTHER, year=2019)
    for metric, value in targets.items():
        PledgeTarget.objects.create(pledge=p, metric=metric, target=value)


def token_client(client, user):
    token = issue(user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


@pytest.fixture
def registry(world):
    household(world.v11, 3, exited=2018)  # A
    household(world.v11, 2, exited=2019)  # B
    household(world.v11, 4)  # C: still poor
    household(world.v11, 1, identified=2020)  # D: registered only in 2020
    household(world.v12, 5, exited=2019)  # E
    household(world.v12, 2, exited=2020)  # F: exits after the year
    household(world.v21, 6, exited=2019)  # G
    household(world.v22, 3, status=HouseholdStatus.PUBLICISED)  # H: in 公示, not yet exited
    world.v11.actual_exit_year = 2019
    world.v11.save()
    world.v21.actual_exit_year = 2020
    world.v21.save()
    pledge(world.county, **{Metric.PERSONS_EXITED: 12, Metric.VILLAGES_EXITED: 2})
    pledge(world.t1, **{Metric.PERSONS_EXITED: 6})
    return world


def test_every_figure_of_the_county_and_its_townships(client, registry, make_user):
    token_client(client, make_user(Role.API_CLIENT, registry.county))
    body = client.get(URL, {"area": "990123000000", "year": "2019"}).json()
    children = body.pop("children")
    assert body == {
        "area": {"code": "990123000000", "name": "测试县", "level": "county"},
        "year": 2019,
        "registered": {"households": 7, "persons": 25},
        "exited": {"households": 3, "persons": 13},
        "exited_cumulative": {"households": 4, "persons": 16},
        "remaining": {"households": 3, "persons": 9},
        "rural_population": 20000,
        "incidence_rate": 9 / 20000,
        "villages": {"poor": 2, "exited": 1, "remaining": 1},
        "targets": {"persons": 12, "villages": 2},
        "completion": {"persons": 13 / 12, "villages": 0.5},
    }
    t1, t2 = children
    assert t1 == {
        "area": {"code": "990123100000", "name": "一乡", "level": "township"},
        "year": 2019,
        "registered": {"households": 5, "persons": 16},
        "exited": {"households": 2, "persons": 7},
        "exited_cumulative": {"households": 3, "persons": 10},
        "remaining": {"households": 2, "persons": 6},
        "rural_population": 1800,  # no own figure: its villages' 1000 + 800
        "incidence_rate": 6 / 1800,
        "villages": {"poor": 1, "exited": 1, "remaining": 0},
        "targets": {"persons": 6, "villages": None},
        "completion": {"persons": 7 / 6, "villages": None},
    }
    assert (t2["registered"], t2["exited"], t2["remaining"]) == (
        {"households": 2, "persons": 9},
        {"households": 1, "persons": 6},
        {"households": 1, "persons": 3},
    )
    assert (t2["incidence_rate"], t2["villages"], t2["completion"]) == (
        3 / 2100,
        {"poor": 1, "exited": 0, "remaining": 1},
        {"persons": None, "villages": None},
    )
    # A year later F has exited, D is registered and 二镇甲村 is out.
    later = client.get(URL, {"area": "990123000000", "year": "2020"}).json()
    assert later["registered"] == {"households": 8, "persons": 26}
    assert later["exited"] == {"households": 1, "persons": 2}
    assert later["remaining"] == {"households": 3, "persons": 8}
    assert later["villages"] == {"poor": 2, "exited": 1, "remaining": 0}
    assert later["targets"] == {"persons": None, "villages": None}


def test_a_village_has_its_own_figures_and_no_children(client, registry, make_user):
    token_client(client, make_user(Role.API_CLIENT, registry.t1))
    body = client.get(URL, {"area": "990123100201", "year": "2019"}).json()
    assert body["children"] == []
    assert body["registered"] == {"households": 3, "persons": 9}
    assert body["incidence_rate"] == 4 / 1000
    township = client.get(URL, {"area": "990123100000", "year": "2019"}).json()
    assert [c["area"]["name"] for c in township["children"]] == ["一乡甲村", "一乡乙村"]


def test_the_seed_report_figures_of_a_city(client, world, make_user):
    """晋中 2019: targets 16,000 persons and 61 villages; 16,727 persons and 67 villages exited;
    the incidence rate falls to 0.055%."""
    city = world.county.parent
    city.rural_population = 1_000_000
    city.save()
    villages = [
        AreaFactory(
            code=f"990123100{300 + i:03d}",
            is_poor=True,
            actual_exit_year=2019,
        )
        for i in range(67)
    ]
    households = Household.objects.bulk_create(
        Household(
            code=f"JZ{n:06d}",
            village=villages[n % 67],
            category="general",
            primary_cause="illness",
            identified_year=2014,
            planned_exit_year=2019,
            status=HouseholdStatus.EXITED if n < 5576 else HouseholdStatus.ASSISTED,
            exit_year=2019 if n < 5576 else None,
        )
        for n in range(5576 + 275)
    )
    # 5,575 exited households of 3 and one of 2: 16,727 persons; 275 poor households of 2: 550.
    sizes = [3] * 5575 + [2] + [2] * 275
    serial = iter(range(10**6))
    Member.objects.bulk_create(
        Member(
            household=h,
            id_number_hash=f"bench{next(serial)}",  # unique; these people need no number here
            name="成员",
            gender="male",
            birth_date=datetime.date(1970, 1, 1),
            relation="head" if i == 0 else "child",
        )
        for h, size in zip(households, sizes, strict=True)
        for i in range(size)
    )
    recount_members(Household.objects.all())  # bulk inserts send no signals
    pledge(city, **{Metric.PERSONS_EXITED: 16000, Metric.VILLAGES_EXITED: 61})
    token_client(client, make_user(Role.API_CLIENT, city))
    body = client.get(URL, {"area": city.code, "year": "2019"}).json()
    assert body["exited"]["persons"] == 16727 and body["villages"]["exited"] == 67
    assert f"{body['completion']['persons']:.6f}" == "1.045438"  # 16727 / 16000 = 1.0454375
    assert f"{body['completion']['villages']:.6f}" == "1.098361"  # 67 / 61 = 1.0983606…
    assert f"{body['incidence_rate']:.5g}" == "0.00055"  # 550 / 1,000,000
    assert body["incidence_rate"] == 550 / 1_000_000
    [county] = body["children"]
    assert county["area"]["level"] == "county" and county["exited"]["persons"] == 16727


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"year": "2019"}, "area", "请提供12位统计用区划代码"),
        ({"area": "99012300000", "year": "2019"}, "area", "请提供12位统计用区划代码"),
        ({"area": "990123999000", "year": "2019"}, "area", "找不到区划代码 990123999000"),
        ({"area": "990123000000"}, "year", "年度应为"),
        ({"area": "990123000000", "year": "19"}, "year", "年度应为"),
        ({"area": "990123000000", "year": "2099"}, "year", "年度应为"),
        ({"area": "990123000000", "year": "二〇一九"}, "year", "年度应为"),
    ],
)
def test_bad_parameters_get_400_with_a_message(client, world, make_user, params, field, message):
    token_client(client, make_user(Role.API_CLIENT, world.county))
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.json()[field]


def test_an_area_outside_the_token_reads_as_unknown(client, registry, make_user):
    token_client(client, make_user(Role.API_CLIENT, registry.t1))
    for code in ("990123000000", "990123101000", "990123101201"):
        response = client.get(URL, {"area": code, "year": "2019"})
        assert response.status_code == 400
        assert "不在您的管辖范围内" in response.json()["area"]
    assert client.get(URL, {"area": "990123100000", "year": "2019"}).status_code == 200


def test_statistics_need_a_login_or_token(client, world):
    assert client.get(URL, {"area": "990123000000", "year": "2019"}).status_code in (401, 403)


# token and user, the user's areas, the area, its children, villages, the villages due for a
# recount, their tallies, the due villages counted live, pledges
QUERIES = 9


def test_the_figures_cost_a_fixed_number_of_queries(
    client, registry, make_user, django_assert_num_queries
):
    token_client(client, make_user(Role.API_CLIENT, registry.county))
    params = {"area": "990123000000", "year": "2019"}
    with django_assert_num_queries(QUERIES):
        client.get(URL, params)
    for village in registry.villages:
        household(village, 3, exited=2019)
    with django_assert_num_queries(QUERIES):
        client.get(URL, params)


def test_the_endpoint_is_in_the_schema(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/stats/exits/"]["get"]["parameters"]
    assert {p["name"] for p in parameters} == {"area", "year"}
