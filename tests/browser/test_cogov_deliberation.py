"""Village staff on a desktop take a topic from its proposal to the resolution through the pages — research with
a file, the Party organisation's approval (ten days ago, so the publicity week is over), the deliberation
meeting, the resolution — and open the printable publicity notice (docs/cogovernance.md)."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from cogovernance.models import Deliberation, Stage
from tests.browser.conftest import DESKTOP, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_with_password(staff):
    staff.set_password(settings.DEMO_PASSWORD)
    staff.save(update_fields=["password"])
    return staff


def _ago(days: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def _submit(page) -> None:
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _move(page, action: str, note: str = "") -> None:
    box = page.locator(f"details.action-{action}")
    box.locator("summary").click()
    if note:
        box.locator("textarea[name=note]").fill(note)
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_staff_take_a_topic_to_its_resolution(
    transactional_db, world, staff_with_password, live_server, browser, output_dir, tmp_path
):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    log_in(page, live_server, "staff", settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/residents/households/")
    page.click(".mainnav >> text=共治")
    assert page.url.endswith(f"/villages/{world.village.pk}/cogov/deliberations/")

    # The topic.
    page.click("main >> text=提出议题")
    page.fill("#id_title", "村内主干道安装路灯")
    page.fill("#id_summary", "村内主干道约 3 公里夜间无照明，群众出行不便。拟安装太阳能路灯。")
    page.fill("#id_proposer", "村民代表张某")
    page.select_option("#id_grid", str(world.grid1.pk))
    page.screenshot(path=str(output_dir / "cogov-deliberation-new.png"), full_page=True)
    _submit(page)
    d = Deliberation.objects.get()
    assert page.url.endswith(f"/cogov/deliberations/{d.pk}/")
    assert page.locator("#stage").inner_text() == "议题提出"

    # Research with a file, then to the Party organisation.
    _move(page, "research", "入户发放问卷")
    assert page.locator("#stage").inner_text() == "调查研究"
    page.click("#add-research")
    page.select_option("#id_kind", "questionnaire")
    page.fill("#id_held_on", _ago(20))
    page.fill("#id_count", "120")
    page.fill("#id_summary", "发放问卷 120 份，九成以上农户赞成安装。")
    sheet = tmp_path / "问卷汇总.txt"
    sheet.write_text("赞成 110，反对 4，无所谓 6", encoding="utf-8")
    page.set_input_files("#id_files", str(sheet))
    _submit(page)
    assert "问卷汇总.txt" in page.locator("#research").inner_text()
    _move(page, "submit")
    assert page.locator("#stage").inner_text() == "报党组织审定"
    page.locator("details.action-send_back summary").click()
    page.screenshot(path=str(output_dir / "cogov-deliberation-submitted.png"), full_page=True)

    # Approved ten days ago: published from the next day for seven days (over by now).
    page.click("#actions >> text=审定通过并公示")
    page.fill("#id_approved_on", _ago(10))
    page.fill("#id_opinions_to", "村委会办公室或村务公开栏意见箱")
    page.screenshot(path=str(output_dir / "cogov-deliberation-approve.png"), full_page=True)
    _submit(page)
    assert page.locator("#stage").inner_text() == "审定公示"
    assert _ago(9) in page.locator("#publicity-dates").inner_text()

    # The deliberation meeting.
    page.click("#actions >> text=召开协商议事会")
    page.fill("#id_held_on", _ago(2))
    page.fill("#id_place", "村委会议室")
    page.fill("#id_cppcc_members", "2")
    page.fill("#id_representatives", "15")
    page.fill("#id_departments", "镇城建办、交通所")
    page.fill("#id_department_people", "2")
    page.fill("#id_residents", "6")
    page.fill("#id_minutes", "现场察看线路后逐项协商，同意分两期安装。")
    _submit(page)
    assert page.locator("#stage").inner_text() == "已协商议事"
    assert "共 25 人" in page.locator("#meeting").inner_text()

    # The resolution.
    page.click("#actions >> text=形成决议")
    page.fill("#id_resolution", "安装太阳能路灯 187 盏，分两期实施，预算 20 万元。")
    _submit(page)
    assert page.locator("#stage").inner_text() == "已形成决议"
    assert "187 盏" in page.locator("#resolution").inner_text()
    page.screenshot(path=str(output_dir / "cogov-deliberation-detail.png"), full_page=True)
    d.refresh_from_db()
    assert d.stage == Stage.RESOLVED

    # The printable notice.
    page.click("#notice-link")
    page.wait_for_load_state()
    assert "村内主干道安装路灯" in page.locator("#notice-title").inner_text()
    assert "村委会办公室" in page.locator("#notice-opinions").inner_text()
    assert page.locator(".mainnav").count() == 0
    page.screenshot(path=str(output_dir / "cogov-deliberation-notice.png"), full_page=True)

    # The list shows it with its publicity dates.
    page.goto(f"{live_server.url}/villages/{world.village.pk}/cogov/deliberations/")
    row = page.locator(f"#deliberation-list tr[data-deliberation='{d.pk}']")
    assert "已形成决议" in row.inner_text() and _ago(9) in row.inner_text()
    page.screenshot(path=str(output_dir / "cogov-deliberation-list.png"), full_page=True)
    context.close()
