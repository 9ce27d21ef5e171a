"""Village staff on a desktop record a 德治 activity with two photos, the volunteer team credited and a
villager named (a day after today first: refused, the input kept), see it on its page with the photos served
through the door, then in the list with the year's counts by kind (docs/civility.md)."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from civility import services
from civility.models import Activity, ActivityKind, VolunteerTeam
from tests.browser.conftest import DESKTOP, log_in
from tests.conftest import png_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_with_password(staff):
    staff.set_password(settings.DEMO_PASSWORD)
    staff.save(update_fields=["password"])
    return staff


def test_staff_record_an_activity_with_two_photos(
    transactional_db, world, staff_with_password, live_server, browser, output_dir, tmp_path
):
    today = timezone.localdate()
    team = VolunteerTeam.objects.create(village=world.village, name="学雷锋志愿服务队", focus="环境整治")
    for i, kind in enumerate([ActivityKind.CLEANUP, ActivityKind.CLEANUP, ActivityKind.YOUTH]):
        services.activity_save(
            by=staff_with_password,
            activity=Activity(
                village=world.village,
                kind=kind,
                title=f"往期活动{i}",
                held_on=today.replace(day=1),
                organiser="村委会",
                place="村道",
                participants=10 + i,
            ),
        )
    photos = [tmp_path / "a.png", tmp_path / "b.png"]
    photos[0].write_bytes(png_bytes((400, 300)))
    photos[1].write_bytes(png_bytes((300, 400)))

    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    log_in(page, live_server, "staff", settings.DEMO_PASSWORD)
    page.click("header >> text=德治")  # the main menu's link, beside 共治
    page.wait_for_load_state()
    assert page.url.endswith(f"/villages/{world.village.pk}/civility/activities/")
    page.click("main >> text=登记活动")
    page.fill("#id_held_on", (today + datetime.timedelta(days=1)).isoformat())  # tomorrow: refused
    page.select_option("#id_kind", "legal")
    page.fill("#id_title", "宪法宣传日普法集市")
    page.fill("#id_organiser", "村委会、镇司法所")
    page.fill("#id_place", "村文化广场")
    page.fill("#id_participants", "56")
    page.fill("#id_beneficiaries", "230")
    page.fill("#id_summary", "法律明白人现场解答土地承包、赡养纠纷等问题，发放宣传册 300 份。")
    page.select_option("#id_residents", [str(world.resident1.pk), str(world.resident2.pk)])
    page.check(f"input[name=teams][value='{team.pk}']")
    page.set_input_files("#id_photos", [str(p) for p in photos])
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "日期不能晚于今天" in page.locator("main").inner_text()
    assert page.input_value("#id_title") == "宪法宣传日普法集市"
    page.screenshot(path=str(output_dir / "civility-activity-form-error.png"), full_page=True)

    page.fill("#id_held_on", today.isoformat())
    page.set_input_files("#id_photos", [str(p) for p in photos])  # a file input is never kept by the browser
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    activity = Activity.objects.get(title="宪法宣传日普法集市")
    assert page.url.endswith(f"/civility/activities/{activity.pk}/")
    assert page.locator("#photos img").count() == 2
    for i in range(2):  # served through the door (lazy images: scrolled to, then decoded)
        img = page.locator("#photos img").nth(i)
        img.scroll_into_view_if_needed()
        assert img.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    assert page.locator("#teams").inner_text() == "学雷锋志愿服务队"
    assert page.locator("#residents").inner_text() == "张三、李四"
    page.screenshot(path=str(output_dir / "civility-activity-detail.png"), full_page=True)

    page.click("main .subnav >> text=活动")
    page.wait_for_load_state()
    assert page.locator("#kind-counts [data-stat=year-total]").inner_text() == "4"
    assert page.locator("#kind-counts tr[data-kind=legal] td").last.inner_text() == "1"
    assert page.locator(".kind-bar").count() == 3
    widths = page.locator(".kind-bar rect.bar").evaluate_all("rs => rs.map(r => r.getBoundingClientRect().width)")
    assert widths[1] > 1.9 * widths[0] and abs(widths[0] - widths[2]) < 1  # 普法 1, 环境整治 2, 青少年 1
    assert page.locator(f"#activity-list tr[data-activity='{activity.pk}']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(output_dir / "civility-activity-list.png"), full_page=True)

    page.click("main .subnav >> text=志愿服务队")
    page.wait_for_load_state()
    page.click("main >> text=学雷锋志愿服务队")
    page.wait_for_load_state()
    assert "宪法宣传日普法集市" in page.locator("#team-activities").inner_text()
    page.click("main >> text=添加队员")
    page.select_option("#id_resident", str(world.resident2.pk))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "李四" in page.locator("#members-current").inner_text()
    page.screenshot(path=str(output_dir / "civility-team-detail.png"), full_page=True)

    # The 法律明白人 roster: a resident trained by the county's justice bureau.
    page.click("main .subnav >> text=法律明白人")
    page.click("main >> text=登记法律明白人")
    page.select_option("#id_resident", str(world.resident1.pk))
    page.fill("#id_trained_on", today.replace(month=3, day=1).isoformat())
    page.fill("#id_trained_by", "县司法局")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "县司法局" in page.locator("#advisor-list").inner_text()
    page.screenshot(path=str(output_dir / "civility-advisor-list.png"), full_page=True)
    context.close()
