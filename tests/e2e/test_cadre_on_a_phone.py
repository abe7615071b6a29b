"""A village cadre on a phone-sized screen records a visit for a paired household, and cannot
open a household of another village by changing the URL."""

import pytest

from accounts.choices import Role
from households.models import Household, Visit
from tests.factories import (
    CadreFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    UnitFactory,
    UserFactory,
    VillagePostingFactory,
    build_world,
    new_id_number,
)

from .conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_cadre_records_a_visit_on_a_phone(live_server, phone):
    world = build_world()
    cadre = CadreFactory(unit=UnitFactory(area=world.county), name="赵书记")
    VillagePostingFactory(cadre=cadre, village=world.v11, role="first_secretary")
    mine = HouseholdFactory(village=world.v11, code="MINE-001")
    HouseholdPairingFactory(household=mine, cadre=cadre)
    HouseholdFactory(village=world.v11, code="NEIGHBOUR-002")
    elsewhere = HouseholdFactory(village=world.v21, code="ELSEWHERE-003")
    UserFactory(username="zhao", role=Role.VILLAGE_CADRE, areas=[world.v11], cadre=cadre)

    page = phone
    log_in(page, live_server, "zhao")

    page.goto(f"{live_server.url}/registry/visits/add/")
    # The cadre's own household is preselected; the form fits the screen without sideways scrolling.
    assert page.input_value("select[name=household]") == str(mine.pk)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.fill("textarea[name=findings]", "户主在家，春耕准备就绪，已了解医保报销进度。")
    page.fill("textarea[name=problems]", "慢性病门诊报销材料不全。")
    screenshot(page, "cadre-visit-form-phone")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    assert page.url.endswith(mine.get_absolute_url())
    assert "已保存" in page.inner_text("main")
    assert "春耕准备就绪" in page.inner_text("main")
    visit = Visit.objects.get()
    assert (visit.household, visit.cadre) == (mine, cadre)
    screenshot(page, "cadre-household-file-phone")

    response = page.goto(f"{live_server.url}{elsewhere.get_absolute_url()}")
    assert response.status == 404
    assert "ELSEWHERE-003" not in page.content()


def test_staff_add_member_rows_in_the_browser(live_server, phone):
    world = build_world()
    UserFactory(username="staff", role=Role.COUNTY_STAFF, areas=[world.county])
    page = phone
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/registry/households/add/")
    page.fill("input[name=code]", "NEW-0001")
    page.select_option("select[name=village]", str(world.v11.pk))
    page.select_option("select[name=category]", "general")
    page.select_option("select[name=primary_cause]", "illness")
    page.fill("input[name=identified_year]", "2014")
    page.fill("input[name=planned_exit_year]", "2018")
    page.fill("input[name=members-0-name]", "王建国")
    page.select_option("select[name=members-0-relation]", "head")
    page.fill("input[name=members-0-id_number]", new_id_number("male"))
    page.click("text=增加成员")
    page.fill("input[name=members-1-name]", "李秀兰")
    page.select_option("select[name=members-1-relation]", "spouse")
    page.fill("input[name=members-1-id_number]", new_id_number("female"))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "已保存" in page.inner_text("main")
    household = Household.objects.get(code="NEW-0001")
    assert sorted(household.members.values_list("name", flat=True)) == ["李秀兰", "王建国"]
