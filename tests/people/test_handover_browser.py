"""The handover on a desktop, in Debian's Chromium: the staff see what moves, choose the successor, confirm."""

from __future__ import annotations

import pytest

from grids.models import Assignment
from people.models import Handover
from tests.browser.conftest import (  # noqa: F401 (fixtures)
    _few_pages_kept_offline,
    browser_context_args,
    browser_type_launch_args,
    log_in,
)
from tests.conftest import PASSWORD, make_household, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def test_staff_hand_a_grid_over_to_a_successor(
    transactional_db, world, worker, staff, live_server, desktop, output_dir
):
    make_household(world.micro1, world.group1, "0003", "张庄3号")
    successor = make_user("successor", world.village, full_name="接替人丙")
    log_in(desktop, live_server, "staff", PASSWORD)
    desktop.goto(f"{live_server.url}/grids/{world.grid1.pk}/")
    desktop.click("text=离岗交接")
    assert "网格员甲 离岗" in desktop.locator("h1").inner_text()
    assert "张庄3号" in desktop.locator("main").inner_text()
    desktop.click("main button[type=submit]")  # no successor chosen: the form says so and stays
    assert "请选择接替人" in desktop.locator("main").inner_text()
    desktop.screenshot(path=str(output_dir / "staff-handover-form.png"), full_page=True)
    desktop.select_option("#id_successor", str(successor.pk))
    desktop.click("main button[type=submit]")
    desktop.wait_for_load_state()
    assert "交接已完成" in desktop.locator("body").inner_text()
    desktop.screenshot(path=str(output_dir / "staff-handover-done.png"), full_page=True)
    handover = Handover.objects.get()
    assert handover.successor == successor
    assert Assignment.objects.current().get(grid=world.grid1).user == successor
