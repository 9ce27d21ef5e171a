"""The town hands a 秸秆禁烧 check down to all its villages (docs/towntasks.md); the village signs and starts
it; a grid worker on a 360×740 phone finds it beside the month's visits and ticks three households; the
village reports back; the town sees the progress and accepts. Screenshots in test-output/."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from residents.models import Household
from tests.browser.conftest import DESKTOP, PHONE, log_in
from towntasks.models import ItemState, Stage, Task, TaskItem, TaskVillage

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world, worker, staff, town):
    for user in (worker, staff, town):
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    Household.objects.bulk_create(
        [
            Household(
                village=world.village,
                grid=world.grid1,
                micro_grid=world.micro1,
                villager_group=world.group1,
                number=f"B{i:03d}",
                address=f"张庄{i + 10}号",
            )
            for i in range(4)
        ]
    )
    return {"worker": worker, "staff": staff, "town": town}


def test_a_straw_burning_check_from_the_town_to_the_phone_and_back(
    transactional_db, world, people, live_server, browser, output_dir
):
    deadline = timezone.localdate() + datetime.timedelta(days=5)

    # The town office hands the check down to every village.
    desk = browser.new_context(**DESKTOP)
    page = desk.new_page()
    log_in(page, live_server, "town", settings.DEMO_PASSWORD)
    page.click("header >> text=交办任务")
    page.wait_for_load_state()
    page.click("main >> text=交办新任务")
    page.fill("#id_title", "秸秆禁烧巡查")
    page.fill("#id_instructions", "逐户宣传秸秆禁烧政策，查看房前屋后有无秸秆堆放，发现焚烧隐患当场劝导。")
    page.fill("#id_deadline", deadline.isoformat())
    page.select_option("#id_report_kind", "checklist")
    page.check("#id_all_villages")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    task = Task.objects.get(title="秸秆禁烧巡查")
    assert page.url.endswith(f"/town/tasks/{task.pk}/")
    assert page.locator("#task-villages tbody tr").count() == 2
    page.screenshot(path=str(output_dir / "towntasks-town-issued.png"), full_page=True)
    desk.close()

    # The village signs it and hands the households to the grids' workers.
    desk = browser.new_context(**DESKTOP)
    page = desk.new_page()
    log_in(page, live_server, "staff", settings.DEMO_PASSWORD)
    page.click("header >> text=交办任务")
    page.wait_for_load_state()
    page.click("#village-tasks >> text=秸秆禁烧巡查")
    page.wait_for_load_state()
    page.click("main button:has-text('签收')")
    page.wait_for_load_state()
    page.click("main button:has-text('分派办理')")
    page.wait_for_load_state()
    target = TaskVillage.objects.get(task=task, village=world.village)
    assert target.state == Stage.IN_PROGRESS
    assert TaskItem.objects.filter(target=target).count() == 6
    staff_page = page

    # The worker's phone: the task beside the month's visits, three households ticked.
    phone_context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone = phone_context.new_page()
    log_in(phone, live_server, "worker", settings.DEMO_PASSWORD)
    assert phone.locator("#town-tasks").is_visible()
    assert "还有 5 户待排查" in phone.locator("#town-tasks").inner_text()  # grid 1: household 1 and four more
    phone.screenshot(path=str(output_dir / "towntasks-phone-work-list.png"), full_page=False)
    phone.click("#town-tasks >> text=秸秆禁烧巡查")
    phone.wait_for_load_state()
    phone.screenshot(path=str(output_dir / "towntasks-phone-checklist.png"), full_page=False)
    for n in range(3):
        first = phone.locator("li.check-item").first
        if n == 2:
            first.locator("summary").click()
            first.locator("input[name=note]").fill("常年无人居住")
            first.locator("button[value=na]").click()
        else:
            first.locator("button[value=done]").click()
        phone.wait_for_load_state()
    assert "已排查 3 / 5 户" in phone.locator("main").inner_text()
    phone.screenshot(path=str(output_dir / "towntasks-phone-ticked.png"), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the checklist scrolls sideways on a phone ({width}px)"
    assert TaskItem.objects.filter(target=target, done_by=people["worker"]).count() == 3
    assert TaskItem.objects.filter(target=target, state=ItemState.NOT_APPLICABLE).count() == 1
    phone_context.close()

    # The village reports back.
    staff_page.reload()
    staff_page.click("main >> text=反馈办理情况")
    staff_page.fill("#id_feedback", "已逐户宣传，发现 1 处秸秆堆放已劝导清理。")
    staff_page.click("main button[type=submit]")
    staff_page.wait_for_load_state()
    assert TaskVillage.objects.get(pk=target.pk).state == Stage.REPORTED
    staff_page.context.close()

    # The town sees the progress per village and accepts.
    desk = browser.new_context(**DESKTOP)
    page = desk.new_page()
    log_in(page, live_server, "town", settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/town/tasks/{task.pk}/")
    row = page.locator(f"#task-villages tr[data-village='{world.village.pk}']")
    assert "3 / 6" in row.inner_text() and "已反馈" in row.inner_text()
    page.screenshot(path=str(output_dir / "towntasks-town-progress.png"), full_page=True)
    row.locator("a").last.click()
    page.wait_for_load_state()
    assert "已逐户宣传" in page.locator("#feedback").inner_text()
    page.click("main button:has-text('验收通过')")
    page.wait_for_load_state()
    assert TaskVillage.objects.get(pk=target.pk).state == Stage.ACCEPTED
    page.screenshot(path=str(output_dir / "towntasks-town-accepted.png"), full_page=True)
    desk.close()
