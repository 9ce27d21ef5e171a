"""The demo grid worker logs in on a phone and lands on the month's work list, in Chinese."""

import pytest
from django.conf import settings

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_demo_worker_lands_on_the_work_list_on_a_phone(seeded_registry, live_server, phone, output_dir):
    log_in(phone, live_server, "worker", settings.DEMO_PASSWORD)
    assert phone.url == f"{live_server.url}/field/"
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    assert phone.locator(".field-bar .brand").inner_text() == "本月走访"
    assert "已走访" in phone.locator(".progress-line").inner_text()
    rows = phone.locator("section.card .tap-row")
    assert rows.count() >= 10
    # Phone-first: nothing wider than the screen, tap targets at least 48 px high.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert rows.first.bounding_box()["height"] >= 48
    phone.screenshot(path=str(output_dir / "field-worker-360.png"), full_page=True)


def test_wrong_password_says_so_in_chinese(seeded, live_server, phone):
    log_in(phone, live_server, "worker", "not-the-password")
    assert "/accounts/login/" in phone.url
    assert "用户名或密码不正确" in phone.locator("[role=alert]").inner_text()
