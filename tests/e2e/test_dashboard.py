"""A county leader opens the 挂图作战 dashboard of the demo county in Chromium: the charts draw,
a township tile drills down, and a village shows its battle map."""

import pytest
from django.core.management import call_command

from poverty.demo import DEMO_PASSWORD

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_leader_drills_down_from_the_county_dashboard(live_server, browser):
    call_command("seed_demo", "--households", "150", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/dashboard/?year=2019")
    page.wait_for_selector("#chart-children[data-drawn=true] svg")
    page.wait_for_selector("#chart-causes[data-drawn=true] svg")
    assert page.locator("#tiles a").count() == 8
    screenshot(page, "dashboard-county")
    page.locator("#tiles a").first.click()
    page.wait_for_selector("#chart-children[data-drawn=true] svg")
    assert page.locator("nav .breadcrumb-item").count() == 2
    page.locator("#tiles a").first.click()
    page.wait_for_selector("#battle-map")
    assert page.locator("#battle-map tbody tr").count() >= 1
    screenshot(page, "dashboard-village")
    page.close()
