"""Visits record where and when they happened: the position against the village's reference
point, the 疑点 of visits far away or at implausible times, and the month's coverage."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from households.models import Household, Visit
from households.quality import find_issues
from households.selectors import visit_coverage
from poverty.common.geo import distance_m
from tests.factories import (
    CadreFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    UnitFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = timezone.localdate()
# The reference point of 一乡甲村 in these tests, and points 1.1 km and 5.6 km north of it.
VILLAGE = (Decimal("30.800000"), Decimal("116.300000"))
NEAR = (Decimal("30.810000"), Decimal("116.300000"))
FAR = (Decimal("30.850000"), Decimal("116.300000"))


@pytest.fixture
def placed(world):
    world.v11.latitude, world.v11.longitude = VILLAGE
    world.v11.save()
    return world


def test_the_distance_is_the_great_circle_one():
    # One hundredth of a degree of latitude is 1.11 km anywhere.
    assert round(distance_m(*VILLAGE, *NEAR)) == 1112
    assert round(distance_m(*VILLAGE, *FAR)) == 5560


def test_the_phone_form_saves_the_position_and_the_page_shows_the_distance(
    client, placed, make_user
):
    cadre = CadreFactory(unit=UnitFactory(area=placed.county))
    household = HouseholdFactory(village=placed.v11)
    client.force_login(make_user(Role.VILLAGE_CADRE, placed.v11, cadre=cadre))
    form = client.get(reverse("households:visit_add")).content.decode()
    assert 'name="latitude"' in form and "data-geo-status" in form and "visit.js" in form
    response = client.post(
        reverse("households:visit_add"),
        {
            "household": household.pk,
            "cadre": cadre.pk,
            "visited_on": TODAY.isoformat(),
            "findings": "入户核实收入。",
            "latitude": "30.810000",
            "longitude": "116.300000",
            "accuracy": "25",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.latitude, visit.longitude, visit.accuracy) == (*NEAR, 25)
    assert visit.recorded_at is not None
    page = client.get(visit.get_absolute_url()).content.decode()
    assert "精度约25米" in page and "1.1公里" in page


def test_a_position_needs_both_coordinates(client, placed, make_user):
    cadre = CadreFactory(unit=UnitFactory(area=placed.county))
    household = HouseholdFactory(village=placed.v11)
    client.force_login(make_user(Role.VILLAGE_CADRE, placed.v11, cadre=cadre))
    response = client.post(
        reverse("households:visit_add"),
        {
            "household": household.pk,
            "cadre": cadre.pk,
            "visited_on": TODAY.isoformat(),
            "findings": "x",
            "latitude": "30.81",
        },
    )
    assert response.status_code == 200
    assert "走访位置不完整" in response.content.decode()
    assert not Visit.objects.exists()


def test_only_villages_take_a_reference_point(client, world, make_user):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    url = reverse("villages:area_edit", args=[world.t1.pk])
    response = client.post(
        url,
        {"code": world.t1.code, "name": world.t1.name, "latitude": "30.8", "longitude": "116.3"},
    )
    assert "只有行政村需要填写村委会位置" in response.content.decode()
    url = reverse("villages:area_edit", args=[world.v12.pk])
    response = client.post(
        url, {"code": world.v12.code, "name": world.v12.name, "latitude": "30.8"}
    )
    assert "须同时填写纬度和经度" in response.content.decode()


def quality(household):
    found = {}
    for code, hit in find_issues(Household.objects.filter(pk=household.pk), today=TODAY):
        found.setdefault(code, []).append(hit.detail)
    return found


def test_visits_far_from_the_village_are_doubtful_beyond_the_phones_accuracy(placed):
    cadre = CadreFactory(unit=UnitFactory(area=placed.county), name="李四")
    household = HouseholdFactory(village=placed.v11)
    VisitFactory(
        household=household, cadre=cadre, visited_on=TODAY, latitude=NEAR[0], longitude=NEAR[1]
    )
    assert "visit_far" not in quality(household)
    far = VisitFactory(
        household=household, cadre=cadre, visited_on=TODAY, latitude=FAR[0], longitude=FAR[1]
    )
    assert quality(household)["visit_far"] == [f"{TODAY:%Y-%m-%d}李四的走访记录于距村委会5.6公里处"]
    # A position the phone says may be 3 km off is no evidence of anything.
    Visit.objects.filter(pk=far.pk).update(accuracy=3000)
    assert "visit_far" not in quality(household)
    # Without the village's point nothing can be judged.
    Visit.objects.filter(pk=far.pk).update(accuracy=10)
    placed.v11.latitude = placed.v11.longitude = None
    placed.v11.save()
    assert "visit_far" not in quality(household)


def test_visits_recorded_at_night_or_by_the_dozen_are_doubtful(world):
    cadre = CadreFactory(unit=UnitFactory(area=world.county), name="王五")
    household = HouseholdFactory(village=world.v11)
    day = TODAY - datetime.timedelta(days=3)
    night = datetime.datetime.combine(day, datetime.time(23, 30), tzinfo=SHANGHAI)
    visit = VisitFactory(household=household, cadre=cadre, visited_on=day, recorded_at=night)
    assert quality(household)["visit_odd_time"] == [f"王五的走访记录于{day:%Y-%m-%d} 23:30"]
    # The evening is a working time; a visit typed in on a later night is no sign either.
    Visit.objects.filter(pk=visit.pk).update(recorded_at=night.replace(hour=20))
    assert "visit_odd_time" not in quality(household)
    Visit.objects.filter(pk=visit.pk).update(recorded_at=night + datetime.timedelta(days=1))
    assert "visit_odd_time" not in quality(household)
    # Sixteen households visited by one cadre in one day.
    for _ in range(15):
        VisitFactory(household=HouseholdFactory(village=world.v12), cadre=cadre, visited_on=day)
    assert quality(household)["visit_odd_time"] == [f"王五在{day:%Y-%m-%d}一天记录了16户走访"]


@pytest.fixture
def month_of_visits(world):
    """一乡: 甲村 two paired households (A's), one visited by A this month; 乙村 one paired
    household (B's), visited this month by A, not B; a visit last month counts for nothing."""
    a = CadreFactory(unit=UnitFactory(area=world.county), name="干部甲")
    b = CadreFactory(unit=a.unit, name="干部乙")
    first = TODAY.replace(day=1)
    h1, h2 = (HouseholdFactory(village=world.v11) for _ in range(2))
    h3 = HouseholdFactory(village=world.v12)
    unpaired = HouseholdFactory(village=world.v12)
    for h, c in ((h1, a), (h2, a), (h3, b)):
        HouseholdPairingFactory(household=h, cadre=c, start_date=datetime.date(2018, 1, 1))
    VisitFactory(household=h1, cadre=a, visited_on=first)
    VisitFactory(household=h3, cadre=a, visited_on=first)
    VisitFactory(household=h2, cadre=a, visited_on=first - datetime.timedelta(days=1))
    VisitFactory(household=unpaired, cadre=a, visited_on=first)
    HouseholdPairingFactory(household=HouseholdFactory(village=world.v21), cadre=b)
    return a, b


def test_the_months_coverage_per_village_and_per_cadre(world, month_of_visits):
    coverage = visit_coverage(world.t1, TODAY)
    assert [(r.name, r.visited, r.paired) for r in coverage.villages] == [
        ("一乡甲村", 1, 2),
        ("一乡乙村", 1, 1),
    ]
    # 乙村's household was visited, but not by its own cadre.
    assert [(r.name, r.visited, r.paired) for r in coverage.cadres] == [
        ("干部乙", 0, 1),
        ("干部甲", 1, 2),
    ]
    assert (coverage.visited, coverage.paired, coverage.percent) == (2, 3, 67)
    last_month = visit_coverage(world.t1, TODAY.replace(day=1) - datetime.timedelta(days=1))
    assert last_month.visited == 1


def test_the_township_page_loads_its_coverage(client, world, make_user, month_of_visits):
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    page = client.get(reverse("villages:area_detail", args=[world.t1.pk])).content.decode()
    url = reverse("households:visit_coverage", args=[world.t1.pk])
    assert f'hx-get="{url}"' in page
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "走访覆盖：2 / 3 户（67%）" in body and "<html" not in body
    full = client.get(url, {"month": "2019-13"}).content.decode()
    assert "格式不对" in full and 'id="coverage-cadres"' in full
    # Another township's coverage is not theirs to read.
    assert client.get(reverse("households:visit_coverage", args=[world.t2.pk])).status_code == 404
