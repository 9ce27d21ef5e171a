"""A grid worker on a phone finds a household by a member's name and corrects its phone number."""

import pytest
from django.conf import settings

from residents.models import Household, Resident
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_worker_finds_a_household_and_corrects_the_phone(seeded_registry, live_server, phone, output_dir):
    head = Resident.objects.filter(
        household__grid__number=1, household__grid__village__name="新庄村", relation="02"
    ).order_by("household__number")[7]
    log_in(phone, live_server, "worker", settings.DEMO_PASSWORD)
    phone.click("text=找户 · 更正信息")
    phone.fill("input[name=q]", head.name)
    phone.press("input[name=q]", "Enter")
    phone.wait_for_load_state()
    phone.screenshot(path=str(output_dir / "field-household-search-360.png"), full_page=True)
    phone.click(f".tap-list a:has-text('{head.household.address}')")
    phone.click("text=更正信息")
    phone.fill("#id_phone", "1391234")
    phone.click("main button[type=submit]")
    assert "手机号应为以1开头的11位数字。" in phone.locator("[role=alert]").inner_text()
    phone.fill("#id_phone", "13912345678")
    phone.click("main button[type=submit]")
    assert phone.locator("[data-field=phone]").inner_text() == "13912345678"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(output_dir / "field-household-corrected-360.png"), full_page=True)
    assert Household.objects.get(pk=head.household_id).phone == "13912345678"
    # The household's page also says whether someone of it is in the grid's WeChat group: one tap to tick.
    phone.select_option("[data-wechat] select", label=f"已入群：{head.name}")
    phone.click("[data-wechat] button")
    assert phone.locator("[data-field=wechat]").inner_text() == f"已入群（{head.name}）"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(output_dir / "field-household-wechat-360.png"), full_page=True)
    household = Household.objects.get(pk=head.household_id)
    assert household.in_wechat_group and household.wechat_member_id == head.pk
