"""A county leader opens the 挂图作战 dashboard of the demo county on a projector (big-screen mode)
in Chromium: the charts draw; a click on the reddest township, then on its reddest village, shows
the households behind their deadline first, why they are poor and who answers for them; the
battle map sorts by a column; a household's 作战卡 leads back up."""

import re

import pytest
from django.core.management import call_command

from poverty.demo import DEMO_PASSWORD

from .conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def reddest(page) -> None:
    """Click the reddest tile, as a leader would, after checking that it is the one with the
    most households past their deadline."""
    tiles = page.locator("#tiles a.tile-behind")
    assert tiles.count() >= 1, "no area behind its deadline in the demo"
    overdue = [
        int(re.search(r"超期(\d+)户", tiles.nth(i).inner_text()).group(1))
        for i in range(tiles.count())
    ]
    colours = [
        tiles.nth(i).evaluate("t => getComputedStyle(t).backgroundColor")
        for i in range(tiles.count())
    ]
    worst = overdue.index(max(overdue))
    assert colours[worst] == "rgb(220, 53, 69)"  # the deepest red
    assert colours.count(colours[worst]) == overdue.count(max(overdue))
    href = tiles.nth(worst).get_attribute("href")
    tiles.nth(worst).click()
    # Wait for the area's own page: counting rows before it has loaded counts the old page's.
    page.wait_for_url(lambda url: url.endswith(href))


def test_a_leader_finds_who_is_behind_from_the_projector(live_server, browser):
    call_command("seed_demo", "--households", "600", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    log_in(page, live_server, "leader", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/dashboard/?screen=1")
    page.wait_for_selector("#chart-children[data-drawn=true] svg")
    page.wait_for_selector("#chart-causes[data-drawn=true] svg")
    page.wait_for_selector("#chart-exits[data-drawn=true] svg")
    assert page.locator("#tiles a").count() == 8
    assert "统计数据截至" in page.locator("#as-of").inner_text()
    # Big-screen mode: no menu, type enlarged for the room.
    assert not page.locator("nav.navbar").is_visible()
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
    screenshot(page, "dashboard-county")

    reddest(page)
    page.wait_for_selector("#chart-children[data-drawn=true] svg")
    assert "screen=1" in page.url  # still on the big screen
    assert page.locator(".breadcrumb-item").count() == 2
    assert page.locator("#responsible").is_visible()

    reddest(page)
    rows = page.locator("#battle-map tbody tr")
    assert rows.count() >= 2
    # Behind first: the top row is past its deadline, with its cause and its cadre.
    first = rows.first
    assert "table-danger" in first.get_attribute("class")
    cells = first.locator("td")
    assert cells.nth(3).inner_text().strip()  # 致贫原因
    assert "驻村干部" in page.locator("#responsible").inner_text()
    screenshot(page, "dashboard-village")

    # Printed on A4 landscape (297 mm, 1123 px at 96 dpi), every battle-map column is on the page.
    page.set_viewport_size({"width": 1123, "height": 794})
    page.emulate_media(media="print")
    table, box = page.evaluate(
        "[document.querySelector('#battle-map').scrollWidth,"
        " document.querySelector('#battle-map').parentElement.clientWidth]"
    )
    assert table <= box, (table, box)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1920, "height": 1080})

    # Sort by 脱贫时限, earliest first, then latest first.
    header = page.locator("#battle-map thead th", has_text="脱贫时限")
    header.click()
    years = [
        int(t[:4]) for t in page.locator("#battle-map tbody td:nth-child(8)").all_inner_texts()
    ]
    assert years == sorted(years) and header.get_attribute("aria-sort") == "ascending"
    header.click()
    years = [
        int(t[:4]) for t in page.locator("#battle-map tbody td:nth-child(8)").all_inner_texts()
    ]
    assert years == sorted(years, reverse=True)

    # The household's 作战卡, and back up to the county.
    page.locator("#battle-map tbody tr.table-danger td a").first.click()
    page.wait_for_selector("#behind")
    assert "已超过脱贫时限" in page.locator("#behind").inner_text()
    assert page.locator("#pairing").is_visible() and page.locator("#measures").is_visible()
    screenshot(page, "dashboard-household")
    page.locator(".breadcrumb-item a").first.click()
    page.wait_for_selector("#tiles")
    assert page.locator("#tiles a").count() == 8
    page.close()
