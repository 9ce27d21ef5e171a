"""Village staff on a desktop: the overview, and a form that keeps its input and says what was wrong."""

import pytest
from django.conf import settings

from grids.models import Grid
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def test_staff_sees_the_village_overview(seeded, live_server, desktop, output_dir):
    log_in(desktop, live_server, "staff", settings.DEMO_PASSWORD)
    assert "/villages/" in desktop.url
    assert desktop.locator("h1").inner_text() == "新庄村 · 村概况"
    stats = {key: desktop.locator(f"[data-stat={key}]").inner_text() for key in ["grids", "micro-grids", "liaisons"]}
    assert stats == {"grids": "6", "micro-grids": "22", "liaisons": "22"}
    desktop.screenshot(path=str(output_dir / "staff-village-overview.png"), full_page=True)


def test_duplicate_grid_name_message_keeps_the_input(seeded, live_server, desktop, output_dir):
    log_in(desktop, live_server, "staff", settings.DEMO_PASSWORD)
    desktop.click("text=新建网格")
    desktop.fill("#id_name", "第一网格")
    desktop.fill("#id_note", "沿河片区")
    desktop.click("main button[type=submit]")
    assert "本村已有名为“第一网格”的网格。" in desktop.locator("[role=alert]").inner_text()
    assert desktop.input_value("#id_note") == "沿河片区"
    desktop.screenshot(path=str(output_dir / "staff-grid-form-error.png"), full_page=True)
    assert Grid.objects.filter(name="第一网格").count() == 2  # one per village, nothing added
