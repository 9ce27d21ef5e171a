"""Village staff on a desktop record a 支部委员会 meeting with its attendance, then find it on the branch's
page; a member records a contact on a phone (360×740); the overview shows both (docs/party.md)."""

import pytest
from django.conf import settings

from party.models import Attendance, Meeting
from tests.browser.conftest import DESKTOP, PHONE, log_in
from tests.party.conftest import member_user, party  # noqa: F401  (the Party world as fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_with_password(staff):
    staff.set_password(settings.DEMO_PASSWORD)
    staff.save(update_fields=["password"])
    return staff


def test_staff_record_a_branch_committee_meeting(
    transactional_db,
    world,
    party,  # noqa: F811  (the fixture imported above)
    member_user,  # noqa: F811
    staff_with_password,
    live_server,
    browser,
    output_dir,
):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    log_in(page, live_server, "staff", settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/villages/{world.village.pk}/party/")
    page.click(".mainnav >> text=党建")
    page.screenshot(path=str(output_dir / "party-overview.png"), full_page=True)
    page.click("#meetings >> text=登记会议")
    page.select_option("#id_organisation", str(party.branch1.pk))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "第一网格党支部" in page.locator("h1").inner_text()
    page.fill("#id_place", "村党群服务中心")
    page.fill("#id_topic", "研究网格矛盾排查")
    page.select_option("#id_chair", str(party.member1.pk))
    page.check(f"input[name=att-{party.member2.pk}][value=absent]")
    page.click("main button[type=submit]")  # no reason given: refused, the input kept
    page.wait_for_load_state()
    assert "请填写缺席原因" in page.locator(".form-errors").inner_text()
    assert page.input_value("#id_topic") == "研究网格矛盾排查"
    page.fill(f"input[name=reason-{party.member2.pk}]", "外出务工")
    page.screenshot(path=str(output_dir / "party-meeting-form.png"), full_page=True)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    meeting = Meeting.objects.get()
    assert page.url.endswith(f"/party/meetings/{meeting.pk}/")
    assert "外出务工" in page.locator("#absent").inner_text()
    assert Attendance.objects.filter(meeting=meeting).count() == 2
    page.screenshot(path=str(output_dir / "party-meeting-detail.png"), full_page=True)
    page.goto(f"{live_server.url}/party/organisations/{party.branch1.pk}/")
    assert page.locator(f"#periods a[href='/party/meetings/{meeting.pk}/']").count() >= 1

    # A member, on a phone, records a contact with their household in one tap.
    member_user.set_password(settings.DEMO_PASSWORD)
    member_user.save(update_fields=["password"])
    phone_context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone = phone_context.new_page()
    log_in(phone, live_server, "member", settings.DEMO_PASSWORD)
    assert phone.url.endswith("/field/party/")
    phone.locator(f"#h-{world.household1.pk} button[type=submit]").click()
    phone.wait_for_load_state()
    phone.locator(f"#h-{world.household1.pk} .badge.state-done").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(output_dir / "party-member-contact-360.png"), full_page=True)
    phone_context.close()

    # The overview shows both: the meeting held this month and the household contacted this month.
    page.goto(f"{live_server.url}/villages/{world.village.pk}/party/")
    grid_row = page.locator(f"#contact-coverage tr[data-grid='{world.grid1.pk}'] td")
    assert grid_row.nth(3).inner_text().startswith("1")  # 本月已联系
    month = page.locator("#compliance tr[data-span='month'] td")
    assert int(month.nth(1).inner_text()) >= 1  # 按时召开: this month's 支部委员会
    page.screenshot(path=str(output_dir / "party-overview-after.png"), full_page=True)
    context.close()
