"""The demo grid worker on a 360×740 phone walks page 2 of the work list: records a visit there and lands
back on page 2, scrolled to the row just visited, now marked as visited."""

import re

import pytest
from django.conf import settings

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_a_visit_from_page_two_returns_to_page_two_at_the_row(
    seeded_registry, live_server, phone, output_dir, monkeypatch
):
    monkeypatch.setattr("visits.views.FIELD_PAGE", 8)  # a few pages whatever the size of the demo grid
    log_in(phone, live_server, "worker", settings.DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/field/?page=2")
    phone.screenshot(path=str(output_dir / "field-walk-list-top-360.png"), full_page=False)
    rows = phone.locator(".tap-list.walk li[id^='h-']")
    assert rows.count() >= 4
    row = rows.nth(3)
    row_id = row.get_attribute("id")
    address = row.locator("strong").inner_text()
    row.locator("a").click()
    phone.wait_for_load_state()
    assert address in phone.locator(".who h2").inner_text()
    phone.screenshot(path=str(output_dir / "field-walk-visit-360.png"), full_page=True)
    # The fold: the case categories follow the finding (visit-form.js).
    phone.click(".visit-form details > summary")
    assert not phone.locator("[data-case-category]").is_visible()  # "无异常": no case, no category
    phone.select_option("#id_finding", "hazard")
    values = phone.eval_on_selector_all("#id_case_category option", "os => os.map(o => o.value)")
    assert len(values) > 1 and all(v == "" or v.startswith("hazard.") for v in values), values
    phone.screenshot(path=str(output_dir / "field-walk-visit-fold-360.png"), full_page=True)
    phone.select_option("#id_finding", "nothing")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.click("button[data-quick]")
    # The phone keeps the visit, sends it, then goes back (static/js/field-queue.js): wait for the way back.
    phone.wait_for_url(re.compile(rf"/field/\?page=2#{row_id}$"))
    assert "已记录" in phone.locator(".messages").inner_text()
    back = phone.locator(f"#{row_id}")
    assert "已走访" in back.inner_text()
    box = back.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 740  # scrolled to the row
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # The next row: nobody home. Its own choice, and its row says so (orange), unlike the visited one.
    other = phone.locator(".tap-list.walk li[id^='h-']").nth(4)
    other_id = other.get_attribute("id")
    other.locator("a").click()
    phone.wait_for_load_state()
    phone.select_option("#id_reason", "away")
    phone.click("button[name=not_possible]")
    phone.wait_for_url(re.compile(rf"/field/\?page=2#{other_id}$"))
    attempt = phone.locator(f"#{other_id}")
    assert "未能走访·外出" in attempt.inner_text() and "已走访" not in attempt.inner_text()
    phone.screenshot(path=str(output_dir / "field-walk-list-360.png"), full_page=False)
