"""The Content-Security-Policy refuses inline script, and no page needs any: a day's pages
(lists, a search, a household, a form's search box, the dashboard, a print page, the API docs,
the admin) run in the browser without one violation, and print buttons still work."""

import pytest

from accounts.choices import Role
from tests.factories import (
    FindingFactory,
    HouseholdFactory,
    InspectionFactory,
    UserFactory,
    build_world,
)

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_days_pages_run_under_the_policy_without_violations(live_server, browser):
    world = build_world()
    household = HouseholdFactory(village=world.v11, code="4201-0042")
    number = household.members.get().id_number
    InspectionFactory(area=world.county, title="十月暗访")
    FindingFactory(area=world.v11, person=None)
    UserFactory(username="staff", role=Role.COUNTY_STAFF, areas=[world.county], is_superuser=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and violations.append((page.url, message.text))
        ),
    )
    log_in(page, live_server, "staff")
    response = page.goto(f"{live_server.url}/registry/households/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    # The filter's Bootstrap classes come from page.js; an ID number is still posted.
    assert "form-control" in page.get_attribute(".filter-form [name=q]", "class")
    page.fill(".filter-form [name=q]", number)
    page.click(".filter-form button[type=submit]")
    page.wait_for_load_state()
    assert "4201-0042" in page.inner_text("table") and number not in page.url

    page.goto(f"{live_server.url}{household.get_absolute_url()}")
    # The 变更记录 comes in (htmx) when scrolled to: the household's registration.
    page.locator("#audit").scroll_into_view_if_needed()
    page.locator("#audit table").wait_for()
    assert "户信息" in page.inner_text("#audit")
    page.goto(f"{live_server.url}/inspections/findings/add/")
    page.fill("#id_household", "4201")
    page.locator("[data-search-pick]").wait_for()  # htmx, under the policy
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("#chart-causes[data-drawn=true] svg")  # ECharts drew
    other = page.evaluate(
        "[...document.querySelectorAll('select[name=year] option')].find(o => !o.selected).value"
    )
    with page.expect_navigation():
        page.select_option("select[name=year]", other)  # data-autosubmit
    assert f"year={other}" in page.url

    card = context.new_page()
    card.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    card.goto(f"{live_server.url}/registry/households/{household.pk}/card/")
    card.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    card.click("[data-print]")
    assert card.evaluate("window.printed") == 1

    for path in ("/api/v1/docs/", "/admin/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert page.locator("#content").count() == 1  # the admin rendered
    assert violations == []
    context.close()
