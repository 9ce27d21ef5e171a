"""Village staff on a desktop record a 民生实事 project with a photo (a wrong date first: refused, the input kept),
see it in the list with the year's total and the spending chart, then register the 村规民约, adopt a new
version and print it (docs/cogovernance.md)."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from cogovernance import services
from cogovernance.models import DocumentVersion, Project, VillageDocument
from tests.browser.conftest import DESKTOP, log_in
from tests.conftest import png_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_with_password(staff):
    staff.set_password(settings.DEMO_PASSWORD)
    staff.save(update_fields=["password"])
    return staff


def test_staff_record_a_project_and_the_village_rules(
    transactional_db, world, staff_with_password, live_server, browser, output_dir, tmp_path
):
    year = timezone.localdate().year
    for i, spent in enumerate([Decimal(80000), Decimal(150000), Decimal(60000)]):
        services.project_save(
            by=staff_with_password,
            project=Project(
                village=world.village,
                title=f"往年项目{i}",
                budget=spent,
                spent=spent,
                started_on=datetime.date(year - 3 + i, 5, 1),
                done_on=datetime.date(year - 3 + i, 9, 1),
            ),
        )
    photo = tmp_path / "light.png"
    photo.write_bytes(png_bytes((400, 300)))

    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    log_in(page, live_server, "staff", settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/villages/{world.village.pk}/cogov/projects/")
    page.click("main >> text=登记项目")
    page.fill("#id_title", "主干道太阳能路灯")
    page.select_option("#id_kind", "lighting")
    page.fill("#id_description", "沿村主干道安装太阳能路灯。")
    page.fill("#id_quantity", "187")
    page.fill("#id_unit", "盏")
    page.select_option("#id_grid", str(world.grid1.pk))
    page.check("input[name=natural_villages]")
    page.fill("#id_budget", "200000")
    page.fill("#id_spent", "186000")
    page.fill("#id_started_on", f"{year}-01-01")
    page.fill("#id_done_on", f"{year - 1}-12-01")  # before the start: refused, the input kept
    page.set_input_files("#id_photos", str(photo))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "完工日期不能早于开工日期" in page.locator(".form-errors").inner_text()
    assert page.input_value("#id_title") == "主干道太阳能路灯"
    page.screenshot(path=str(output_dir / "cogov-project-form-error.png"), full_page=True)
    page.fill("#id_done_on", f"{year}-01-01")
    page.set_input_files("#id_photos", str(photo))  # a file input is never kept by the browser
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    project = Project.objects.get(title="主干道太阳能路灯")
    assert page.url.endswith(f"/cogov/projects/{project.pk}/")
    assert page.locator("#photos img").count() == 1
    img = page.locator("#photos img")  # served through the door (a lazy image: scrolled to, then decoded)
    img.scroll_into_view_if_needed()
    assert img.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    page.screenshot(path=str(output_dir / "cogov-project-detail.png"), full_page=True)

    page.click("main a:text-is('民生实事')")
    page.wait_for_load_state()
    assert page.locator("#year-total [data-stat=projects]").inner_text() == "1"
    assert page.locator("#year-total [data-stat=spent]").inner_text() == "18.60"
    assert page.locator(".spending-chart rect.bar").count() == 6
    assert page.locator(f"#project-list tr[data-project='{project.pk}'] td").nth(2).inner_text() == "187 盏"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(output_dir / "cogov-project-list.png"), full_page=True)

    # The village's rules: the first text with the document, then a revised version, printed.
    page.click("main a:text-is('村规民约')")
    page.click("main >> text=登记制度文件")
    page.fill("#id_title", "村规民约")
    page.select_option("#id_kind", "rules")
    page.fill("#id_text", "第一条 爱护公共设施。\n第二条 门前三包。")
    page.fill("#id_adopted_on", f"{year - 1}-03-01")
    page.fill("#id_adoption_note", "应到 312 人，实到 268 人，赞成 261 人")
    page.fill("#id_copies", "1000")
    page.screenshot(path=str(output_dir / "cogov-document-form.png"), full_page=True)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    document = VillageDocument.objects.get()
    page.click("main >> text=登记新版本")
    assert "爱护公共设施" in page.input_value("#id_text")
    page.fill("#id_text", "第一条 爱护公共设施，损坏照价赔偿。\n第二条 门前三包。")
    page.fill("#id_adopted_on", f"{year - 2}-01-01")  # before the first version: refused
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "不能早于上一版" in page.locator(".form-errors").inner_text()
    page.fill("#id_adopted_on", f"{year}-01-01")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert list(DocumentVersion.objects.filter(document=document).values_list("number", flat=True)) == [2, 1]
    assert "第 2 版（现行）" in page.locator("#versions").inner_text()
    page.screenshot(path=str(output_dir / "cogov-document-detail.png"), full_page=True)
    page.goto(f"{live_server.url}/villages/{world.village.pk}/cogov/documents/")
    row = page.locator(f"#document-list tr[data-document='{document.pk}'] td")
    assert row.nth(2).inner_text() == "第 2 版" and row.nth(6).inner_text() == "2"
    page.screenshot(path=str(output_dir / "cogov-document-list.png"), full_page=True)

    page.goto(f"{live_server.url}/cogov/documents/{document.pk}/print/")
    assert "损坏照价赔偿" in page.locator("#text").inner_text()
    page.emulate_media(media="print")
    assert not page.locator(".no-print").is_visible()
    page.screenshot(path=str(output_dir / "cogov-document-print.png"), full_page=True)
    context.close()
