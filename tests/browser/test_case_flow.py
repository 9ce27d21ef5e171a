"""One dispute from a grid worker's phone to the town and back: the whole life of a case in real Chromium.

The worker reports a neighbour dispute with a photo on a 360 px phone; the village staff accept it at the
village's mediation committee, hand it to themselves, record a mediation and, when it does not settle,
escalate it to the town; the town office accepts it, gives it to 司法所 and resolves it; the village
tells the parties and closes the case after the return visit. Every step is taken through the pages a
person would use, and checked both on the page and in the database.
"""

import pytest
from django.conf import settings
from PIL import Image

from disputes.models import Case, CaseAttachment, MediationSession, State, Tier
from grids.models import User
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

DESCRIPTION = "两户共用的排水沟被一方填堵，昨夜下雨积水倒灌进邻居院子，双方在村口争吵。"


def act(page, name: str, fill=None, shot=None) -> None:
    """Open the action's <details>, let ``fill`` fill its form, submit it and wait for the case page."""
    details = page.locator(f"details.action-{name}")
    details.locator("summary").click()
    form = details.locator("form")
    if fill:
        fill(form)
    if shot:
        page.screenshot(path=str(shot), full_page=True)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def message(page) -> str:
    return page.locator(".messages").inner_text()


def no_horizontal_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def table_fits(page) -> bool:
    """The case table shows every column (state, handler, deadline) without scrolling sideways."""
    return page.evaluate("(w => w.scrollWidth <= w.clientWidth)(document.querySelector('.table-wrap'))")


def test_a_dispute_goes_from_the_phone_to_the_town_and_is_closed(
    seeded_registry, live_server, phone, desk_as, output_dir, tmp_path
):
    photo = tmp_path / "drain.png"
    Image.new("RGB", (320, 240), (90, 140, 60)).save(photo)
    staff = User.objects.get(username="staff")

    # 1. The grid worker reports on the phone.
    log_in(phone, live_server, "worker", settings.DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/field/")
    phone.click(".two-buttons a:has-text('上报事件')")
    phone.wait_for_load_state()
    assert phone.url.endswith("/field/cases/new/")
    phone.check("input[name=kind][value=dispute]")
    phone.select_option("select[name=category]", "dispute.neighbour")
    phone.fill("textarea[name=description]", DESCRIPTION)
    phone.set_input_files("input[name=photos]", str(photo))
    no_horizontal_scroll(phone, 360)
    phone.screenshot(path=str(output_dir / "case-flow-1-report-form-360.png"), full_page=True)
    phone.click("form.field-report button[type=submit]")
    phone.wait_for_load_state()
    case = Case.objects.get(description=DESCRIPTION)
    assert phone.url.endswith("/field/cases/")
    assert f"已上报，编号 {case.number}" in message(phone)
    assert phone.locator(f".tap-list a[href='/cases/{case.pk}/']").is_visible()
    no_horizontal_scroll(phone, 360)
    phone.screenshot(path=str(output_dir / "case-flow-2-reported-360.png"), full_page=True)
    assert (case.state, case.tier, case.kind, case.category) == (
        State.REPORTED,
        Tier.GROUP,
        "dispute",
        "dispute.neighbour",
    )
    assert case.reported_by.username == "worker"
    assert CaseAttachment.objects.filter(case=case).count() == 1
    phone.click(f".tap-list a[href='/cases/{case.pk}/']")
    phone.wait_for_load_state()
    assert phone.locator("[data-state]").inner_text() == "待受理"
    assert phone.locator(".photos img").count() == 1
    assert phone.locator("details.action").count() == 0  # the village accepts, not the worker
    no_horizontal_scroll(phone, 360)
    phone.screenshot(path=str(output_dir / "case-flow-2b-worker-case-360.png"), full_page=True)

    # 2. The village staff find it in the case list, accept it at tier 2, take it, mediate, escalate.
    office = desk_as(live_server, "staff")
    office.click("nav .mainnav a:has-text('案件')")
    office.wait_for_load_state()
    office.fill("form.filters input[name=q]", case.number)
    office.click("form.filters button[type=submit]")
    office.wait_for_load_state()
    row = office.locator(f"tr[data-case='{case.pk}']")
    assert "待受理" in row.inner_text()
    assert table_fits(office)
    row.locator(f"a:has-text('{case.number}')").click()
    office.wait_for_load_state()
    assert office.locator(".case-head h1").inner_text().startswith("邻里纠纷：")
    assert office.locator("[data-state]").get_attribute("data-state") == "reported"
    assert office.locator(".photos img").count() == 1
    office.screenshot(path=str(output_dir / "case-flow-3-staff-new-case.png"), full_page=True)

    act(office, "accept", lambda f: f.locator("input[name=accept-tier][value='2']").check())
    assert "已受理。" in message(office)
    assert "二级：村调委会" in office.locator(".case-head").inner_text()

    act(
        office,
        "assign",
        lambda f: f.locator("select[name=assign-assignee]").select_option(str(staff.pk)),
        shot=output_dir / "case-flow-3b-staff-assign-form.png",
    )
    assert "已分办。" in message(office)
    assert office.locator("[data-state]").get_attribute("data-state") == "handling"

    office.click("summary:has-text('记录一次调解')")
    office.fill("input[name=session-parties_present]", "申请人、被申请人")
    office.fill("textarea[name=session-notes]", "双方各执一词，被申请人不同意恢复排水沟。")
    office.select_option("select[name=session-outcome]", "no_agreement")
    office.screenshot(path=str(output_dir / "case-flow-3c-staff-session-form.png"), full_page=True)
    office.click("button:has-text('保存调解记录')")
    office.wait_for_load_state()
    assert "已记录调解。" in message(office)
    assert "调解不成" in office.locator("article.session").inner_text()

    act(
        office,
        "escalate",
        lambda f: f.locator("textarea[name=escalate-note]").fill("村调解不成，涉及排水规划，请镇协调。"),
    )
    assert "已上报上级。" in message(office)
    assert "三级：镇综治中心" in office.locator(".case-head").inner_text()
    assert office.locator("details.action").count() == 0  # now the town's to act on
    office.screenshot(path=str(output_dir / "case-flow-4-staff-escalated.png"), full_page=True)

    # 3. The town office takes it from its desk, gives it to 司法所 and resolves it.
    town = desk_as(live_server, "town")
    town.goto(f"{live_server.url}/town/cases/")
    town.wait_for_load_state()
    row = town.locator(f"tr[data-case='{case.pk}']")
    assert "已上报上级" in row.inner_text()
    assert table_fits(town)
    town.screenshot(path=str(output_dir / "case-flow-5-town-desk.png"), full_page=True)
    row.locator(f"a:has-text('{case.number}')").click()
    town.wait_for_load_state()
    act(town, "accept")
    assert "已受理。" in message(town)
    act(
        town,
        "assign",
        lambda f: f.locator("select[name=assign-department]").select_option(label="司法所"),
        shot=output_dir / "case-flow-5b-town-assign-form.png",
    )
    assert "已分办。" in message(town)

    def settle(form):
        form.locator("input[name=resolve-outcome][value=agreement]").check()
        form.locator("textarea[name=resolve-resolution]").fill("司法所组织现场勘查，双方同意共同出资重修排水沟。")
        form.locator("textarea[name=resolve-agreement_text]").fill("一、排水沟按原走向恢复；二、费用双方各半。")

    act(town, "resolve", settle)
    assert "已办结。" in message(town)
    assert town.locator("[data-state]").get_attribute("data-state") == "resolved"
    town.screenshot(path=str(output_dir / "case-flow-6-town-resolved.png"), full_page=True)

    # 4. The village tells the parties and closes it after the return visit.
    office.reload()
    office.wait_for_load_state()
    act(
        office,
        "feedback",
        lambda f: f.locator("textarea[name=feedback-note]").fill("已电话告知双方镇司法所的处理结果。"),
    )
    assert "已反馈当事人。" in message(office)
    act(office, "close", lambda f: f.locator("textarea[name=close-note]").fill("回访：排水沟已修通，双方满意。"))
    assert "已回访满意，结案。" in message(office)
    assert office.locator("[data-state]").get_attribute("data-state") == "closed"
    timeline = office.locator("ol.timeline")
    town_user = User.objects.get(username="town")
    for action in ("accept", "assign", "resolve"):
        step = timeline.locator(f"li[data-action={action}]").filter(has_text=str(town_user))
        assert step.count() == 1, action
    assert "司法所" in timeline.locator("li[data-action=assign]").last.inner_text()
    assert "共同出资重修排水沟" in timeline.locator("li[data-action=resolve]").inner_text()
    assert office.locator("details.action").count() == 0
    no_horizontal_scroll(office, 1280)
    office.screenshot(path=str(output_dir / "case-flow-7-staff-closed.png"), full_page=True)

    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert case.tier == Tier.TOWN
    assert case.satisfied is True
    assert case.department.name == "司法所"
    assert case.outcome == "agreement"
    assert MediationSession.objects.filter(case=case, recorded_by=staff).count() == 1
    steps = [(e.action, e.by.username, e.to_state) for e in case.events.select_related("by")]
    assert steps == [
        ("report", "worker", "reported"),
        ("accept", "staff", "accepted"),
        ("assign", "staff", "handling"),
        ("session", "staff", "handling"),
        ("escalate", "staff", "escalated"),
        ("accept", "town", "accepted"),
        ("assign", "town", "handling"),
        ("resolve", "town", "resolved"),
        ("feedback", "staff", "feedback"),
        ("close", "staff", "closed"),
    ]

    # The worker follows it on the phone too.
    phone.click(".field-back a:has-text('我的案件')")  # still on the case page it opened after reporting
    phone.wait_for_load_state()
    phone.click(f".tap-list a[href='/cases/{case.pk}/']")
    phone.wait_for_load_state()
    assert phone.locator("[data-state]").get_attribute("data-state") == "closed"
    no_horizontal_scroll(phone, 360)
    phone.screenshot(path=str(output_dir / "case-flow-8-worker-closed-360.png"), full_page=True)
