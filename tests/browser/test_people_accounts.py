"""Village staff create a grid worker's account at their desk and assign them a grid; the worker logs in on a
360×740 phone with the one-time password, is made to choose their own, and reaches their work list."""

import pytest
from django.conf import settings

from grids.models import Assignment, Role, User
from tests.browser.conftest import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.browser

OWN_PASSWORD = "Qiao-river-2026"


def test_staff_create_and_assign_a_worker_who_sets_their_own_password_on_a_phone(
    seeded, live_server, browser, output_dir
):
    desk_context = browser.new_context(**DESKTOP)
    desk = desk_context.new_page()
    log_in(desk, live_server, "staff", settings.DEMO_PASSWORD)
    desk.click("header >> text=人员账号")
    assert desk.locator("h1").inner_text() == "人员账号"
    desk.screenshot(path=str(output_dir / "people-accounts-list.png"), full_page=True)

    desk.click("text=新建账号")
    desk.fill("#id_full_name", "赵新")
    desk.fill("#id_phone", "1391234567")  # one digit short: said, and the input kept
    desk.fill("#id_username", "zhaoxin")
    desk.click("main button[type=submit]")
    assert "11 位" in desk.locator(".field-error").inner_text()
    assert desk.input_value("#id_username") == "zhaoxin"
    desk.screenshot(path=str(output_dir / "people-account-form-error.png"), full_page=True)
    desk.fill("#id_phone", "13912345678")
    desk.click("main button[type=submit]")

    password = desk.locator("#one-time-password").inner_text().strip()
    assert len(password) == 10
    desk.screenshot(path=str(output_dir / "people-account-one-time-password.png"), full_page=True)

    desk.click("#assign-link")
    assert desk.locator("#id_user option:checked").inner_text().startswith("赵新")
    desk.select_option("#id_role", "grid_worker")
    desk.select_option("#id_grid", index=1)
    desk.screenshot(path=str(output_dir / "people-account-assign.png"), full_page=True)
    desk.click("main button[type=submit]")
    desk.wait_for_load_state()
    newcomer = User.objects.get(username="zhaoxin")
    assert Assignment.objects.current().get(user=newcomer).role == Role.GRID_WORKER
    desk.goto(f"{live_server.url}/people/accounts/{newcomer.pk}/")
    assert "网格员 · " in desk.locator("main dl").inner_text()
    desk.screenshot(path=str(output_dir / "people-account-detail.png"), full_page=True)
    desk_context.close()

    phone_context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone = phone_context.new_page()
    log_in(phone, live_server, "zhaoxin", password)
    assert phone.url.endswith("/accounts/password/")
    phone.screenshot(path=str(output_dir / "people-first-login-phone.png"), full_page=True)
    phone.fill("#id_old_password", password)
    phone.fill("#id_new_password1", OWN_PASSWORD)
    phone.fill("#id_new_password2", OWN_PASSWORD)
    phone.click("main button[type=submit]")
    phone.wait_for_url("**/field/**")
    assert "/field/" in phone.url
    phone.screenshot(path=str(output_dir / "people-worker-field-phone.png"), full_page=True)
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password and newcomer.check_password(OWN_PASSWORD)
    phone_context.close()


def test_staff_create_accounts_from_a_sheet_all_or_nothing(seeded, live_server, browser, output_dir, tmp_path):
    from core import excel
    from people import accounts

    rows = [
        {"full_name": f"信息员{i}", "phone": f"1370000000{i}", "username": f"info{i}", "role": "", "place": ""}
        for i in range(5)
    ]
    rows[1]["phone"] = "137000"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(excel.write_workbook(accounts.SHEET_TITLE, accounts.COLUMNS, rows))
    context = browser.new_context(**DESKTOP)
    desk = context.new_page()
    log_in(desk, live_server, "staff", settings.DEMO_PASSWORD)
    desk.goto(f"{live_server.url}/people/accounts/import/")
    desk.set_input_files("#id_file", str(bad))
    desk.click("main button[type=submit]")
    assert "第 3 行 手机号：" in desk.locator("[role=alert]").first.inner_text()
    assert not User.objects.filter(username__startswith="info").exists()
    desk.screenshot(path=str(output_dir / "people-import-errors.png"), full_page=True)

    rows[1]["phone"] = "13700000001"
    good = tmp_path / "good.xlsx"
    good.write_bytes(excel.write_workbook(accounts.SHEET_TITLE, accounts.COLUMNS, rows))
    desk.set_input_files("#id_file", str(good))
    desk.click("main button[type=submit]")
    assert desk.locator("table.one-time tbody tr").count() == 5
    desk.screenshot(path=str(output_dir / "people-import-passwords.png"), full_page=True)
    assert User.objects.filter(username__startswith="info", must_change_password=True).count() == 5
    context.close()
