"""Browser tests drive Debian's Chromium through Playwright (never a browser downloaded by a test tool)."""

import os
import shutil

import pytest

from tests.demo_state import seed_demo

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # the browser's own words (file picker, date format) as on a Chinese phone
]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make services` (installs Debian's chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(autouse=True)
def _few_pages_kept_offline(settings):
    """The field view keeps a worker's grid for offline use by fetching its pages in the background
    (visits/offline.py); a test that does not test that would leave those requests running into the next
    test's database flush. tests/browser/test_field_offline.py turns it back on."""
    settings.FIELD_WARM_PAGES = False


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def seeded(transactional_db, settings):
    """The demo's territory and accounts, without the registry (tests/demo_state.py: seeded once per process)."""
    settings.DEBUG = True  # the demo as `make run` serves it (demo accounts keep the shared password)
    seed_demo(registry=False)


@pytest.fixture
def seeded_registry(transactional_db, settings):
    """The whole demo: registry, visits, cases, reports (tests/demo_state.py: seeded once per process)."""
    settings.DEBUG = True  # the demo as `make run` serves it (demo accounts keep the shared password)
    seed_demo()


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def desk_as(browser):
    """Opens a fresh desktop context per person, logged in (each has their own session cookie)."""
    from django.conf import settings

    contexts = []

    def open_as(live_server, username):
        context = browser.new_context(**DESKTOP)
        contexts.append(context)
        page = context.new_page()
        log_in(page, live_server, username, settings.DEMO_PASSWORD)
        return page

    yield open_as
    for context in contexts:
        context.close()
