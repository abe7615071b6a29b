"""Cadres are picked by searching, in forms and in list filter bars: a county has hundreds,
and a <select> of them all was a fifth of a list page's time (bench/load.py)."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from tests.factories import (
    CadreFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

PICK = reverse("villages:cadre_pick")


def matches(response) -> set[str]:
    return {str(c) for c in response.context["matches"]}


def test_the_box_that_asked_is_searched_not_the_forms_other_boxes(client, world, make_user):
    """A form with several cadre boxes (a meeting's convener and its attendees) posts them all
    around the one typed into; htmx names that one."""
    unit = UnitFactory(area=world.county)
    CadreFactory(unit=unit, name="周帮扶", position="科员")
    CadreFactory(unit=unit, name="吴书记", position="第一书记")
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    form = {"q": "吴", "convener__search": "周", "attendees-0-cadre__search": ""}
    asked = client.post(PICK, form, headers={"HX-Trigger-Name": "convener__search"})
    assert matches(asked) == {"周帮扶（科员）"}
    asked = client.post(PICK, form, headers={"HX-Trigger-Name": "attendees-0-cadre__search"})
    assert matches(asked) == set()  # an empty box lists nothing
    assert matches(client.get(PICK, {"q": "书记"})) == {"吴书记（第一书记）"}  # a plain link


def test_a_picked_cadres_label_finds_that_cadre_only(client, world, make_user):
    unit = UnitFactory(area=world.county, name="县扶贫办")
    CadreFactory(unit=unit, name="周帮扶", position="科员")
    CadreFactory(unit=unit, name="周帮扶", position="组长")
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    assert matches(client.get(PICK, {"q": "周帮扶（组长）"})) == {"周帮扶（组长）"}
    assert len(matches(client.get(PICK, {"q": "周帮扶"}))) == 2
    assert len(matches(client.get(PICK, {"q": "扶贫办"}))) == 2  # by unit


def test_a_township_finds_county_and_own_cadres_not_another_townships(client, world, make_user):
    CadreFactory(unit=UnitFactory(area=world.county), name="县级干部")
    CadreFactory(unit=UnitFactory(area=world.t1), name="一乡干部")
    CadreFactory(unit=UnitFactory(area=world.t2), name="二乡干部")
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    assert matches(client.get(PICK, {"q": "干部"})) == {"县级干部（科员）", "一乡干部（科员）"}


def test_the_filter_bar_shows_a_search_box_with_the_chosen_cadre(client, world, make_user):
    cadre = CadreFactory(unit=UnitFactory(area=world.county), name="周帮扶", position="科员")
    paired = HouseholdFactory(village=world.v11)
    HouseholdPairingFactory(household=paired, cadre=cadre)
    HouseholdFactory(village=world.v11)
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    response = client.get(reverse("households:household_list"), {"cadre": cadre.pk})
    page = response.content.decode()
    assert '<select name="cadre"' not in page
    assert 'name="cadre__search"' in page and 'value="周帮扶（科员）"' in page
    assert [row.record for row in response.context["table"].paginated_rows] == [paired]
