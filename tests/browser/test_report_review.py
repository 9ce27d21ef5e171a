"""A monthly report through review in real Chromium: village staff submit last month's report, the town
returns it with a comment on a section, staff correct and resubmit, the town approves; the town's
dashboard draws its charts."""

import pytest
from django.utils import timezone

from reports.models import MonthlyReport, ReportVersion, State
from visits import due

pytestmark = pytest.mark.browser


def test_submit_return_resubmit_approve_and_the_charts(seeded_registry, live_server, desk_as, output_dir):
    month = due.previous_month(timezone.localdate())
    # The demo's report of last month for village A awaits review; start from a fresh one in village B.
    report = MonthlyReport.objects.get(village__name="河西村", month=month)
    MonthlyReport.objects.filter(pk=report.pk).update(state=State.DRAFT)  # as if not yet sent

    staff = desk_as(live_server, "staff_b")
    staff.goto(f"{live_server.url}/reports/{report.pk}/")
    staff.fill("#id_work_done", "本月完成全覆盖走访，召开五事联动会议一次。")
    staff.fill("#id_next_plan", "组织网格员培训。")
    staff.click("button[name=submit]")
    staff.wait_for_load_state()
    # Saved, then asked: the figures about to be frozen, and a button to confirm.
    assert staff.locator("table.submit-figures [data-figure=coverage]").inner_text().endswith("%")
    staff.screenshot(path=str(output_dir / "report-submit-confirm.png"), full_page=True)
    staff.click("button[name=confirm]")
    staff.wait_for_load_state()
    assert "已报送镇综治办" in staff.locator(".messages").inner_text()
    assert staff.locator("[data-state]").get_attribute("data-state") == "submitted"

    town = desk_as(live_server, "town")
    town.goto(f"{live_server.url}/town/reports/?month={month:%Y-%m}")
    town.screenshot(path=str(output_dir / "report-town-list.png"), full_page=True)
    town.click(f"tr[data-village='{report.village_id}'] a")
    town.wait_for_load_state()
    town.click(".review-box details > summary")
    town.fill("#id_on_problems", "请写明存在的问题和整改措施。")
    town.click("button[name=return]")
    town.wait_for_load_state()
    assert town.locator("[data-state]").get_attribute("data-state") == "returned"

    staff.goto(f"{live_server.url}/reports/{report.pk}/")
    assert "请写明存在的问题和整改措施" in staff.locator(".review-comments").inner_text()
    staff.fill("#id_problems", "外出户走访难，已约定周末集中走访。")
    staff.click("button[name=submit]")
    staff.wait_for_load_state()
    staff.click("button[name=confirm]")
    staff.wait_for_load_state()
    assert staff.locator("[data-state]").get_attribute("data-state") == "submitted"

    town.goto(f"{live_server.url}/reports/{report.pk}/")
    town.click("button[name=approve]")
    town.wait_for_load_state()
    assert town.locator("[data-state]").get_attribute("data-state") == "approved"
    town.screenshot(path=str(output_dir / "report-approved.png"), full_page=True)

    report.refresh_from_db()
    versions = list(ReportVersion.objects.filter(report=report).order_by("number"))
    assert report.state == State.APPROVED and versions[-1].sections["problems"].startswith("外出户走访难")
    assert [e.to_state for e in report.events.order_by("at", "pk")][-4:] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]

    town.goto(f"{live_server.url}/town/dashboard/")
    town.wait_for_function("() => window.Chart && Chart.getChart('chart-coverage') && Chart.getChart('chart-cases')")
    drawn = town.evaluate(
        "() => ['chart-coverage','chart-cases','chart-mediation'].map(id => Chart.getChart(id).data.datasets.length)"
    )
    assert drawn[0] == 2 and drawn[1] == 2 and drawn[2] == 1  # two villages; the town's mediation line
    town.screenshot(path=str(output_dir / "town-dashboard.png"), full_page=True)
