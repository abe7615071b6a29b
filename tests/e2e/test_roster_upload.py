"""A county clerk uploads the 花名册.xls the national system exported (title, 填报单位, two-row
header, footer) in which the county renamed one column, maps that column on the page, reads the
preview and imports it."""

import pytest

from accounts.choices import Role
from households.models import Household, RosterMapping
from tests.factories import UserFactory, build_world
from tests.households.roster_files import national_xls
from tests.households.test_roster_national import national_family

from .conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_clerk_maps_an_unknown_column_previews_and_imports(live_server, browser, tmp_path):
    world = build_world()
    UserFactory(username="clerk", role=Role.COUNTY_STAFF, areas=[world.county])
    path = national_xls(
        tmp_path / "花名册.xls", national_family(world), rename={"识别年度": "建档年份"}
    )

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/registry/rosterimports/add/")
    page.set_input_files("input[name=file]", str(path))
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    # The header lacks 识别年度: the mapping step shows the column and what it holds.
    mapping = page.locator("#mapping")
    mapping.wait_for()
    assert "文件中有 1 列未能识别" in mapping.inner_text()
    assert "2014年" in mapping.inner_text()
    page.select_option("#mapping select", "identified_year")
    page.fill("#id_template_name", "东山县花名册")
    screenshot(page, "roster-mapping-step")
    page.click("#mapping button[type=submit]")
    page.wait_for_load_state()

    preview = page.locator("#preview")
    preview.wait_for()
    assert "预览：以下变化尚未写入" in preview.inner_text()
    assert "新增户" in preview.inner_text() and "3307221001 王大山" in preview.inner_text()
    assert not Household.objects.exists()
    assert "第 4 行" in page.inner_text("main")  # the header's row, below title and 填报单位
    screenshot(page, "roster-preview")
    page.click("#preview button[name=confirm]")
    page.wait_for_load_state()

    assert page.inner_text("[data-status]") == "已完成"
    household = Household.objects.get()
    assert (household.code, household.identified_year, household.persons) == ("3307221001", 2014, 4)
    assert RosterMapping.objects.get().columns == {"建档年份": "identified_year"}
    context.close()
