"""On a phone, a grid worker reads the inbox in the field layout, filters it and marks it all read; a page
that does not exist is a Chinese 404 on the phone with the ways back."""

import pytest
from django.conf import settings

from grids.models import User
from messaging.services import notice_send, notices_done
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_worker_marks_the_inbox_read_and_meets_a_404_on_the_phone(seeded, live_server, phone, output_dir):
    worker = User.objects.get(username="worker")
    notice_send(recipients=[worker], key="b1", kind="case", title="请签收案件：东头排水沟堵塞", topic="case-x")
    notices_done(topic="case-x")  # the case moved on since
    notice_send(recipients=[worker], key="b2", kind="case", title="请签收案件：两户宅基地边界纠纷", body="村调委会指派")
    notice_send(recipients=[worker], key="b3", kind="reminder", title="本月还有 12 户未走访，请在月底前完成")
    log_in(phone, live_server, "worker", settings.DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/inbox/")
    assert phone.locator("body").get_attribute("class") == "field"
    assert phone.locator(".field-bar .brand").get_attribute("href") == "/field/"
    assert phone.locator(".notices li.done").count() == 1
    assert "已处理" in phone.locator(".notices li.done").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(output_dir / "field-inbox-360.png"), full_page=True)

    phone.click("text=未读")
    assert "show=unread" in phone.url
    phone.click("button:has-text('全部标为已读')")
    phone.wait_for_load_state()
    assert "show=unread" in phone.url  # back to the same filter, now empty
    assert phone.locator(".field-bar .badge").count() == 0
    assert "没有符合条件的消息" in phone.locator(".notices").inner_text()
    phone.screenshot(path=str(output_dir / "field-inbox-read-360.png"), full_page=True)

    settings.DEBUG = False  # Django's own technical page while DEBUG is on
    response = phone.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    assert phone.locator("body").get_attribute("class") == "field"
    assert "页面不存在" in phone.locator("h1").inner_text()
    assert phone.locator("a:has-text('回到首页')").bounding_box()["height"] >= 44
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(output_dir / "field-404-360.png"), full_page=True)
    phone.click("a:has-text('返回上一页')")
    phone.wait_for_load_state()
    assert phone.url.endswith("/inbox/?show=unread")


def test_staff_meet_the_404_at_their_desk(seeded, live_server, desk_as, output_dir):
    page = desk_as(live_server, "staff")
    settings.DEBUG = False
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    assert page.locator("body").get_attribute("class") == "staff"
    assert page.locator(".mainnav").is_visible()  # their menus stay
    assert "页面不存在" in page.locator("h1").inner_text()
    page.screenshot(path=str(output_dir / "staff-404-1280.png"), full_page=True)
