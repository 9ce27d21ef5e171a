"""Village staff on a desktop open the risk list and follow a row to the key person it names."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_staff_follow_a_risk_to_the_key_person(seeded_registry, live_server, desk_as, output_dir):
    page = desk_as(live_server, "staff")
    assert "/villages/" in page.url  # the staff's home is their village's overview
    page.click(".subnav >> text=风险清单")
    assert page.locator("h1").inner_text().endswith("风险清单")
    rows = page.locator("table.risks tbody tr")
    assert rows.count() > 0
    page.screenshot(path=str(output_dir / "staff-risk-list.png"), full_page=False)
    key_row = page.locator("table.risks tbody tr[data-kind=key_overdue], table.risks tbody tr[data-kind=unreached]")
    if key_row.count() == 0:
        key_row = page.locator("table.risks tbody tr[data-kind=never_visited]")
    row = key_row.first
    name = row.locator("td").nth(1).inner_text()
    row.locator("td").nth(1).locator("a").click()
    page.wait_for_load_state()
    assert re.search(r"/key-persons/\d+/$", page.url)
    assert name in page.locator("main").inner_text()
