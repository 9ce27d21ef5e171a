"""The demo grid worker logs in on a phone and sees their grids, in Chinese."""

import pytest
from django.conf import settings

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_demo_worker_sees_their_grids_on_a_phone(seeded, live_server, phone, output_dir):
    log_in(phone, live_server, "worker", settings.DEMO_PASSWORD)
    assert phone.url == f"{live_server.url}/field/"
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    heading = phone.locator("section.card h2").first
    assert heading.inner_text() == "新庄村 · 第一网格"
    micro_rows = phone.locator("section.card .tap-row")
    assert micro_rows.count() == 4
    assert micro_rows.first.inner_text() == "微网格1-1"
    # Phone-first: nothing wider than the screen, tap targets at least 48 px high.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert micro_rows.first.bounding_box()["height"] >= 48
    phone.screenshot(path=str(output_dir / "field-worker-360.png"), full_page=True)


def test_wrong_password_says_so_in_chinese(seeded, live_server, phone):
    log_in(phone, live_server, "worker", "not-the-password")
    assert "/accounts/login/" in phone.url
    assert "用户名或密码不正确" in phone.locator("[role=alert]").inner_text()
