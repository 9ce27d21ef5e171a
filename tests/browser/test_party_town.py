"""The town's Party compliance page in real Chromium, on the demo's Party (新庄村's lagging branch, 河西村):
the villages side by side, worst first, with the on-time chart drawn, and the town home's link to it
(screenshot in test-output/)."""

import pytest

from grids.models import Village
from party import selectors

pytestmark = pytest.mark.browser


def test_the_town_sees_every_villages_meetings_side_by_side(seeded_registry, live_server, desk_as, output_dir):
    villages = list(Village.objects.order_by("name"))
    expected = [row.village.name for row in selectors.town_compliance(villages)]
    assert all(row.year.owed for row in selectors.town_compliance(villages))  # the demo's Party owes meetings
    town = desk_as(live_server, "town")
    town.goto(f"{live_server.url}/town/")
    town.get_by_role("button", name="党建").click()
    town.wait_for_function("() => window.Chart && Chart.getChart('chart-party-on-time')")
    bars = town.evaluate("() => Chart.getChart('chart-party-on-time').data.labels")
    assert bars == expected  # worst first, as the table
    rows = town.locator("#party-compliance tbody tr")
    assert rows.count() == len(villages)
    assert [rows.nth(i).locator("td, th").first.inner_text().strip() for i in range(rows.count())] == expected
    town.screenshot(path=str(output_dir / "party-town-compliance.png"), full_page=True)
