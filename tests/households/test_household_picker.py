"""Forms pick a household by searching, not from a <select> of the whole registry
(poverty.common.widgets.SearchSelect and the households:household_pick page)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from inspections.choices import Subject
from tests.factories import (
    CadreFactory,
    FindingFactory,
    HouseholdFactory,
    MemberFactory,
    UnitFactory,
    new_id_number,
)

pytestmark = pytest.mark.django_db

PICK = "/registry/households/pick/"
FINDING_FORM = "/inspections/findings/add/"


def queries(client, url, params=None) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_form_naming_a_household_lists_none_and_costs_the_same_at_any_registry_size(
    client, world, make_user
):
    client.force_login(make_user(Role.INSPECTOR, world.county))
    first = HouseholdFactory(village=world.v11, code="PICK-0001")
    before, page = queries(client, FINDING_FORM)
    assert 'name="household"' in page and 'type="search"' in page
    assert "PICK-0001" not in page and f'<option value="{first.pk}"' not in page
    for n in range(2, 30):
        HouseholdFactory(village=world.v12, code=f"PICK-{n:04d}")
    after, page = queries(client, FINDING_FORM)
    assert after == before
    assert "PICK-0" not in page


def test_the_search_finds_by_code_head_name_or_id_number_within_the_users_area(
    client, world, make_user
):
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    mine = HouseholdFactory(village=world.v11, code="T1-0007", head=False)
    number = new_id_number()
    MemberFactory(household=mine, name="李秀英", relation="head", id_number=number)
    HouseholdFactory(village=world.v21, code="T2-0007")  # another township's

    for query in ("0007", "秀英", number):
        _, page = queries(client, PICK, {"q": query})
        assert re.findall(r'data-search-pick="(\d+)"', page) == [str(mine.pk)], query
        assert "T1-0007 李秀英" in page  # the label the box shows once picked
    _, page = queries(client, PICK, {"q": "T2-0007"})
    assert "data-search-pick" not in page and "没有找到“T2-0007”" in page
    assert queries(client, PICK, {"q": "  "})[1].strip() == ""  # no query, no list


def test_the_search_lists_at_most_twenty_at_a_fixed_cost(client, world, make_user):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    for n in range(3):
        HouseholdFactory(village=world.v11, code=f"MANY-{n:03d}")
    few, page = queries(client, PICK, {"q": "MANY"})
    assert len(re.findall("data-search-pick", page)) == 3 and "只列出" not in page
    for n in range(3, 30):
        HouseholdFactory(village=world.v11, code=f"MANY-{n:03d}")
    many, page = queries(client, PICK, {"q": "MANY"})
    assert many == few
    assert len(re.findall("data-search-pick", page)) == 20
    assert "只列出前20户" in page


def test_an_edit_form_shows_the_chosen_household_and_saves_a_new_choice(client, world, make_user):
    client.force_login(make_user(Role.INSPECTOR, world.county))
    old = HouseholdFactory(village=world.v11, code="OLD-1")
    new = HouseholdFactory(village=world.v11, code="NEW-2")
    finding = FindingFactory(
        area=world.v11, subject=Subject.HOUSEHOLD, household=old, category="identification"
    )
    url = f"/inspections/findings/{finding.pk}/edit/"
    response = client.get(url)
    page = response.content.decode()
    assert f'name="household" value="{old.pk}"' in page
    assert 'value="OLD-1 户主OLD-1"' in page  # the search box shows the chosen household
    assert "NEW-2" not in page

    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    # No household chosen: the error shows under the box (Bootstrap needs the marked wrapper).
    page = client.post(url, data | {"household": ""}).content.decode()
    assert '<div class="search-select is-invalid"' in page
    assert 'aria-describedby="id_household_error"' in page and "请选择涉及的贫困户。" in page

    response = client.post(url, data | {"household": new.pk})
    assert response.status_code == 302, response.context["form"].errors
    finding.refresh_from_db()
    assert finding.household == new


def test_a_village_cadre_still_chooses_from_the_villages_list(client, world, make_user):
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    client.force_login(make_user(Role.VILLAGE_CADRE, world.v11, cadre=cadre))
    HouseholdFactory(village=world.v11, code="V11-1")
    page = client.get("/registry/visits/add/").content.decode()
    assert '<select name="household"' in page and "V11-1" in page
