"""Village staff on a desktop record a 支部委员会 meeting with its attendance, then find it on the branch's
page (docs/party.md)."""

import pytest
from django.conf import settings

from party.models import Attendance, Meeting
from tests.browser.conftest import DESKTOP, log_in
from tests.party.conftest import party  # noqa: F401  (the Party world as a fixture)

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
    context.close()
