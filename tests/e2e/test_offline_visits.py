"""A first secretary records visits with no signal: the app opens offline, the visits wait on
the phone through a reload, and when the connection returns each is saved exactly once, the
one of a household edited meanwhile flagged for her to check."""

import io
import time

import pytest
from django.db.models import F
from PIL import Image

from accounts.choices import Role
from households.models import Household, Visit
from tests.factories import (
    CadreFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    UnitFactory,
    UserFactory,
    build_world,
)

from .conftest import log_in, phone_context, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

GATE = {"latitude": 30.8523, "longitude": 116.3614, "accuracy": 20}


@pytest.fixture
def field_phone(browser):
    context = phone_context(browser, geolocation=GATE, permissions=["geolocation"])
    page = context.new_page()
    yield page
    context.close()


def big_photo(path) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (3200, 2400), (90, 140, 60)).save(buffer, "JPEG", quality=95)
    path.write_bytes(buffer.getvalue())
    return str(path)


def until(page, expression: str, timeout: float = 15) -> None:
    """Poll `expression` in the page (wait_for_function evaluates a string, which the page's
    Content-Security-Policy forbids; evaluate() goes through the debugger and is not)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def queue_count(page) -> str:
    return page.inner_text("#queue-count")


def record(page, household, findings, photo=None):
    page.click(f"[data-household='{household.pk}']")
    page.wait_for_selector("#geo-status:has-text('已获取位置')")
    page.fill("#f-findings", findings)
    if photo:
        page.set_input_files("#f-photo", photo)
    page.click("#visit-form [type=submit]")
    page.wait_for_selector("#picker:not(.d-none)")


def test_visits_recorded_offline_are_sent_once_when_the_signal_returns(
    live_server, field_phone, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    cadre = CadreFactory(unit=UnitFactory(area=world.county), name="江书记")
    first = HouseholdFactory(village=world.v11, code="SHAN-001")
    second = HouseholdFactory(village=world.v11, code="SHAN-002")
    for household in (first, second):
        HouseholdPairingFactory(household=household, cadre=cadre)
    HouseholdFactory(village=world.v21, code="ELSEWHERE-9")
    UserFactory(username="jiang", role=Role.VILLAGE_CADRE, areas=[world.v11], cadre=cadre)

    page = field_phone
    log_in(page, live_server, "jiang")
    page.goto(f"{live_server.url}/field/")
    # The service worker takes over the page, and a reload fetches the list through it (kept).
    until(page, "navigator.serviceWorker.controller !== null")
    page.reload()
    page.wait_for_selector(f"[data-household='{first.pk}']")
    assert "ELSEWHERE-9" not in page.inner_text("#household-list")
    assert "本人结对" in page.inner_text("#household-list")

    # Up the mountain: no signal.
    page.context.set_offline(True)
    record(page, first, "户主在家，已了解光伏收益到账情况。", big_photo(tmp_path / "p.jpg"))
    record(page, second, "家中无人，邻居称户主外出务工。")
    assert queue_count(page) == "2"
    assert Visit.objects.count() == 0
    screenshot(page, "field-offline-queue")

    # The phone is put away and the app opened again, still offline: nothing is lost.
    page.reload()
    page.wait_for_selector(f"[data-household='{first.pk}']")
    until(page, "document.querySelector('#queue-count').textContent === '2'")
    assert page.inner_text("#network") == "离线"

    # Meanwhile the township edits the second household.
    Household.objects.filter(pk=second.pk).update(version=F("version") + 1)

    # On the way down the signal returns and the queue empties by itself.
    page.context.set_offline(False)
    until(page, "document.querySelector('#queue-count').textContent === '0'", timeout=20)
    assert "请核对" in page.inner_text("#notes")
    assert page.inner_text("#last-sync") != "—"
    screenshot(page, "field-synced")

    # Sent again (another round), still one visit each.
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    visits = {v.household_id: v for v in Visit.objects.all()}
    assert set(visits) == {first.pk, second.pk} and Visit.objects.count() == 2
    assert not visits[first.pk].needs_review and visits[second.pk].needs_review
    assert visits[first.pk].cadre == cadre and visits[first.pk].client_id
    assert float(visits[first.pk].latitude) == pytest.approx(GATE["latitude"])
    assert visits[first.pk].accuracy == 20
    with Image.open(visits[first.pk].photo.path) as saved:
        assert max(saved.size) == 1600 and saved.format == "JPEG"

    # Logging out empties the phone's copy of her households.
    assert page.evaluate("caches.has('field-data')")
    page.goto(f"{live_server.url}/")
    page.click(".navbar-toggler")
    page.wait_for_selector(".navbar-collapse.show")  # the menu has opened (it slides down)
    page.click("nav .dropdown-toggle >> nth=-1")
    page.wait_for_selector("form[data-logout] button", state="visible")
    page.click("form[data-logout] button")
    page.wait_for_url("**/accounts/log*/**")
    assert not page.evaluate("caches.has('field-data')")
