"""The points supermarket's counter on a phone (360×740): the village staff find a household, see its balance,
redeem an item in two taps (the item, then 兑换) and see the new balance; an item it cannot afford is told and
changes nothing (docs/civility.md)."""

import pytest
from django.conf import settings

from civility import services
from civility.models import EntryKind, StockItem
from tests.browser.conftest import PHONE, log_in

pytestmark = pytest.mark.browser


def test_staff_redeem_an_item_in_two_taps(transactional_db, world, staff, live_server, browser, output_dir):
    staff.set_password(settings.DEMO_PASSWORD)
    staff.save(update_fields=["password"])
    services.award(household=world.household1, points=120, kind=EntryKind.RULE, reason="门前三包", by=staff)
    soap = StockItem.objects.create(village=world.village, name="洗衣液（2kg）", points=30, stock=6)
    StockItem.objects.create(village=world.village, name="电饭煲", points=300, stock=1)
    StockItem.objects.create(village=world.village, name="毛巾", points=10, stock=0)

    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone = context.new_page()
    log_in(phone, live_server, "staff", settings.DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/villages/{world.village.pk}/civility/counter/")
    phone.fill("input[name=q]", "张三")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    row = phone.locator(f"[data-household='{world.household1.pk}']")
    assert "120" in row.inner_text()
    assert row.bounding_box()["height"] >= 48  # a big tap target
    phone.screenshot(path=str(output_dir / "civility-counter-find-360.png"), full_page=True)
    row.click()
    phone.wait_for_load_state()
    assert phone.locator("[data-balance]").inner_text() == "120"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(output_dir / "civility-counter-household-360.png"), full_page=True)

    phone.click(f"[data-item='{soap.pk}']")  # tap 1: the item
    phone.wait_for_load_state()
    assert phone.locator("#confirm").is_visible()
    phone.screenshot(path=str(output_dir / "civility-counter-confirm-360.png"))
    phone.click("#confirm button[type=submit]")  # tap 2: 兑换
    phone.wait_for_load_state()
    assert phone.locator("[data-balance]").inner_text() == "90"
    assert "已兑换 洗衣液（2kg） × 1" in phone.locator(".messages, main").first.inner_text()
    assert StockItem.objects.get(pk=soap.pk).stock == 5 and services.balance_of(world.household1) == 90
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(output_dir / "civility-counter-redeemed-360.png"), full_page=True)

    cooker = StockItem.objects.get(name="电饭煲")
    phone.click(f"[data-item='{cooker.pk}']")  # more than the balance: told, nothing changed
    phone.wait_for_load_state()
    phone.click("#confirm button[type=submit]")
    phone.wait_for_load_state()
    assert "积分不足" in phone.locator("main").inner_text()
    assert phone.locator("[data-balance]").inner_text() == "90"
    assert StockItem.objects.get(pk=cooker.pk).stock == 1
    phone.screenshot(path=str(output_dir / "civility-counter-refused-360.png"), full_page=True)
    context.close()


def test_staff_keep_the_ledger_the_shelf_and_the_selections_on_a_desktop(
    transactional_db, world, staff, live_server, browser, output_dir
):
    from tests.browser.conftest import DESKTOP

    staff.set_password(settings.DEMO_PASSWORD)
    staff.save(update_fields=["password"])
    services.award(household=world.household1, points=40, kind=EntryKind.RULE, reason="门前三包", by=staff)
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    log_in(page, live_server, "staff", settings.DEMO_PASSWORD)
    base = f"{live_server.url}/villages/{world.village.pk}/civility"

    page.goto(f"{base}/stock/new/")
    page.fill("#id_name", "洗衣液")
    page.fill("#id_points", "30")
    page.fill("#id_add", "12")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "库存 12 件" in page.locator("main").inner_text()
    page.screenshot(path=str(output_dir / "civility-stock-list.png"), full_page=True)

    page.goto(f"{base}/selections/new/")
    page.select_option("#id_honour", "five_good")
    page.fill("#id_household_number", "0002")
    page.fill("#id_points", "50")
    page.fill("#id_reason", "孝老爱亲，邻里和睦")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "五好文明家庭" in page.locator("#selection-list").inner_text()
    page.screenshot(path=str(output_dir / "civility-selection-list.png"), full_page=True)

    page.goto(f"{base}/points/")
    rows = page.locator("#points-ledger tbody tr")
    assert rows.first.get_attribute("data-household") == str(world.household2.pk)  # 50 before 40
    page.screenshot(path=str(output_dir / "civility-points-ledger.png"), full_page=True)
    page.click(f"#points-ledger a:text-is('{world.household1.number}')")
    page.wait_for_load_state()
    page.click("main a:text-is('记积分')")
    page.fill("#id_points", "5")
    page.select_option("#id_kind", "activity")
    page.fill("#id_reason", "参加清洁日")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#balance").inner_text() == "45"
    page.screenshot(path=str(output_dir / "civility-household-ledger.png"), full_page=True)
    context.close()
