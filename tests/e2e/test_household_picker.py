"""An inspector records a finding about a household by typing part of the head's name into
the household box and clicking the match, in a county whose households are never listed; on the
beneficiary form the box searches only the villages of the project chosen above it."""

import re

import pytest
from playwright.sync_api import expect

from accounts.choices import Role
from inspections.models import Finding
from tests.factories import (
    HouseholdFactory,
    InspectionFactory,
    MemberFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
    build_world,
)

from .conftest import log_in, pick, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_inspector_finds_the_household_by_name_and_saves_the_finding(live_server, browser):
    world = build_world()
    InspectionFactory(area=world.county, title="十月暗访")
    UnitFactory(area=world.t1, name="一乡人民政府")
    target = HouseholdFactory(village=world.v11, code="4201-0042", head=False)
    MemberFactory(household=target, relation="head", name="陈秀兰")
    HouseholdFactory(village=world.v12, code="4201-0043")
    UserFactory(username="inspector", role=Role.INSPECTOR, areas=[world.county])

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, "inspector")

    page.goto(f"{live_server.url}/inspections/findings/add/")
    assert "4201-0043" not in page.content()  # no household is listed up front
    page.select_option("select[name=inspection]", label="十月暗访")
    page.select_option("select[name=category]", "identification")
    page.select_option("select[name=subject]", "household")
    page.fill("#id_household", "秀兰")
    match = page.locator("[data-search-pick]")
    match.wait_for()
    assert match.count() == 1 and "4201-0042 陈秀兰" in match.inner_text()
    match.click()
    assert page.input_value("#id_household") == "4201-0042 陈秀兰"
    assert page.input_value("input[name=household][type=hidden]") == str(target.pk)
    page.fill("textarea[name=description]", "户主长期外出务工，收入未如实登记。")
    page.select_option("select[name=unit]", label="一乡人民政府")
    page.fill("input[name=found_on]", "2026-10-09")
    page.fill("input[name=deadline]", "2026-11-09")
    screenshot(page, "finding-household-picked")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    finding = Finding.objects.get()
    assert finding.household == target
    assert "4201-0042" in page.inner_text("main")
    context.close()


def test_the_beneficiary_search_follows_the_project_chosen_on_the_form(live_server, browser):
    world = build_world()
    ProjectFactory(area=world.t1, areas=[world.v11], name="一村养羊项目")
    ProjectFactory(area=world.t1, areas=[world.v12], name="二村光伏项目")
    HouseholdFactory(village=world.v11, code="4201-0101")
    HouseholdFactory(village=world.v12, code="4201-0201")
    UserFactory(username="staff", role=Role.COUNTY_STAFF, areas=[world.county])
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/projects/beneficiarys/add/")

    def shows_only(project: str, code: str) -> None:
        page.select_option("select[name=project]", label=project)
        page.fill("#id_household", "")
        page.fill("#id_household", "4201")
        # The answer is swapped in after the response arrives: wait for the list itself.
        picks = page.locator("[data-search-pick]")
        expect(picks).to_have_count(1)
        expect(picks).to_have_attribute("data-label", re.compile(rf"^{code} "))

    shows_only("一村养羊项目", "4201-0101")
    shows_only("二村光伏项目", "4201-0201")
    page.close()


def test_a_search_by_id_number_is_posted_and_never_lands_in_the_address(live_server, browser):
    """Issue 28 item 6: the number stays out of access logs, proxies and the browser history."""
    world = build_world()
    target = HouseholdFactory(village=world.v11, code="4201-0042")
    HouseholdFactory(village=world.v12, code="4201-0043")
    number = target.members.get().id_number
    UserFactory(username="staff", role=Role.COUNTY_STAFF, areas=[world.county])

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, "staff")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/registry/households/")
    page.fill(".filter-form [name=q]", number)
    page.click(".filter-form button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    assert "4201-0042" in rows.inner_text()
    assert not any(number in url for url in requested), requested
    # A name still searches by GET, bookmarkable as before.
    page.fill(".filter-form [name=q]", "4201-0043")
    page.click(".filter-form button[type=submit]")
    page.wait_for_load_state()
    assert re.search(r"[?&]q=4201-0043", page.url)

    # The household box on a form (an income record here) searches by POST as well.
    posted = []
    page.on("request", lambda request: posted.append((request.method, request.post_data)))
    page.goto(f"{live_server.url}/registry/incomerecords/add/")
    page.fill("#id_household", number)
    match = page.locator("[data-search-pick]")
    expect(match).to_have_count(1)
    assert "4201-0042" in match.inner_text()
    assert any(method == "POST" and number in (data or "") for method, data in posted)
    assert not any(number in url for url in requested), requested
    context.close()


def test_the_list_filters_by_a_cadre_picked_in_a_search_box(live_server, browser):
    """The filter bar's 帮扶责任人 is a search box (a county has hundreds of cadres): picking
    one and searching a name as well lists that cadre's households with the name, and the box
    still shows the cadre on the filtered page."""
    from tests.factories import CadreFactory, HouseholdPairingFactory

    world = build_world()
    unit = UnitFactory(area=world.county, name="县扶贫办")
    mine = CadreFactory(unit=unit, name="周帮扶", position="科员")
    other = CadreFactory(unit=unit, name="吴帮扶", position="科员")
    for n, cadre in enumerate((mine, mine, other)):
        household = HouseholdFactory(village=world.v11, code=f"4201-07{n}", head=False)
        MemberFactory(household=household, relation="head", name=f"张{n}")
        HouseholdPairingFactory(household=household, cadre=cadre)
    UserFactory(username="staff", role=Role.COUNTY_STAFF, areas=[world.county])

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/registry/households/")
    assert page.locator(".filter-form select[name=cadre]").count() == 0
    page.fill(".filter-form [name=q]", "张1")
    pick(page, "cadre", "周", "周帮扶（科员）")
    page.click(".filter-form button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    assert "4201-071" in rows.inner_text()
    assert page.input_value("#id_cadre") == "周帮扶（科员）"
    assert re.search(r"[?&]q=%E5%BC%A01", page.url)  # the list's own search kept: 张1
    context.close()
