"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server."""

import os
import shutil

import pytest

from tests.factories import TEST_PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "var", "screenshots")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (scripts/test installs it with apt-get)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def phone_context(browser, **extra):
    """A phone-sized context (360×740, touch), as a village cadre holds it in the field."""
    return browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        **extra,
    )


@pytest.fixture
def phone(browser):
    context = phone_context(browser)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> str:
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.abspath(os.path.join(SCREENSHOTS, f"{name}.png"))
    page.screenshot(path=path, full_page=True)
    return path


def log_in(page, live_server, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the login page, as a user would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def pick(page, name: str, typed: str, expected: str) -> None:
    """Pick one object in a search box (poverty.common.widgets.SearchSelect) named `name`: type,
    wait for the match that reads `expected`, click it."""
    box = page.locator(f"input[type=hidden][name='{name}']").locator("xpath=..")
    box.locator("input[type=search]").fill(typed)
    match = box.locator("[data-search-pick]", has_text=expected)
    match.wait_for()
    match.click()
