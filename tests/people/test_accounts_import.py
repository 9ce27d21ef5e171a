"""Accounts from an Excel sheet: all of it or nothing, each bad row and column named, every new account with
a one-time password shown once and ``must_change_password``."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from core import excel
from grids.models import Assignment, Role, User
from people import accounts


def sheet(rows: list[dict]) -> SimpleUploadedFile:
    data = excel.write_workbook(accounts.SHEET_TITLE, accounts.COLUMNS, rows)
    return SimpleUploadedFile("people.xlsx", data)


def people(n: int) -> list[dict]:
    return [
        {"full_name": f"人员{i:02}", "phone": f"139{i:08}", "username": f"person{i:02}", "role": "", "place": ""}
        for i in range(n)
    ]


def upload(client, rows):
    return client.post(reverse("people:account-import"), {"file": sheet(rows)})


def test_sixty_with_one_bad_row_saves_nothing_and_names_the_row_and_column(client, world, personas):
    rows = people(60)
    rows[5]["phone"] = "1390000"  # sheet line 7 (line 1 is the header)
    client.force_login(personas["staff"])
    before = User.objects.count()
    response = upload(client, rows)
    assert response.status_code == 400
    page = response.content.decode()
    assert "第 7 行 手机号：" in page
    assert response.context["result"].errors == [(7, "手机号", response.context["result"].errors[0][2])]
    assert User.objects.count() == before
    assert not AuditEntry.objects.filter(action__in=[AuditAction.ACCOUNT_CREATE, AuditAction.IMPORT]).exists()


def test_sixty_good_rows_make_sixty_accounts_each_with_a_one_time_password(client, world, personas):
    client.force_login(personas["staff"])
    response = upload(client, people(60))
    assert response.status_code == 200
    created = response.context["result"].created
    assert len(created) == 60
    made = User.objects.filter(username__startswith="person")
    assert made.count() == 60
    assert all(u.must_change_password and u.home_village_id == world.village.pk for u in made)
    page = response.content.decode()
    account, password = created[0]
    assert password in page and User.objects.get(pk=account.pk).check_password(password)
    assert len({password for _a, password in created}) == 60
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT_CREATE).count() == 60
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT, model="grids.user").count() == 1
    for entry in AuditEntry.objects.all():
        assert password not in str(entry.changes) and password not in entry.note


def test_each_bad_cell_is_named_a_taken_login_name_and_a_repeat_too(client, world, personas):
    rows = people(4)
    rows[0]["username"] = "worker"  # taken
    rows[2]["username"] = "person01"  # repeats line 3
    rows[3]["full_name"] = ""
    client.force_login(personas["staff"])
    errors = upload(client, rows).context["result"].errors
    assert [(n, header) for n, header, _r in errors] == [(2, "登录名"), (4, "登录名"), (5, "姓名")]
    assert not User.objects.filter(username__startswith="person").exists()


def test_roles_and_places_are_assigned_and_a_bad_place_named(client, world, personas):
    rows = people(2)
    rows[0] |= {"role": "网格员", "place": "第二网格"}
    rows[1] |= {"role": "信息员", "place": "第9组"}
    client.force_login(personas["staff"])
    errors = upload(client, rows).context["result"].errors
    assert [(n, header) for n, header, _r in errors] == [(3, "岗位地点")]
    rows[1]["place"] = "第1组"
    response = upload(client, rows)
    assert len(response.context["result"].created) == 2
    new_worker = User.objects.get(username="person00")
    assert Assignment.objects.current().get(user=new_worker).grid == world.grid2
    assert Assignment.objects.current().get(user__username="person01").role == Role.INFO_OFFICER


def test_a_role_above_the_villages_is_refused(client, world, personas):
    rows = people(1)
    rows[0] |= {"role": "镇综治办", "place": ""}
    client.force_login(personas["staff"])
    errors = upload(client, rows).context["result"].errors
    assert [(n, header) for n, header, _r in errors] == [(2, "岗位")]


def test_a_file_that_is_not_a_sheet_keeps_the_form_with_the_reason(client, world, personas):
    client.force_login(personas["staff"])
    response = client.post(reverse("people:account-import"), {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert response.status_code == 200
    assert "xlsx" in " ".join(response.context["form"].errors["file"])


def test_the_template_reads_back(client, world, personas):
    client.force_login(personas["staff"])
    response = client.get(reverse("people:account-import-template"))
    rows = list(excel.read_sheet(response.content, accounts.SHEET_TITLE, accounts.COLUMNS))
    assert rows[0].values["username"] == "zhangsan" and not rows[0].errors


def test_the_town_creates_its_staff_from_a_sheet_without_roles(client, world, personas):
    client.force_login(personas["town"])
    rows = people(3)
    rows[2]["role"] = "网格员"
    errors = upload(client, rows).context["result"].errors
    assert [(n, header) for n, header, _r in errors] == [(4, "岗位")]
    rows[2]["role"] = ""
    assert len(upload(client, rows).context["result"].created) == 3
    made = User.objects.filter(username__startswith="person")
    assert all(u.home_village_id is None for u in made)
    assert Assignment.objects.filter(user__in=made, role=Role.TOWN_OFFICE, town=world.town).count() == 3


def test_a_login_name_taken_while_the_sheet_was_read_is_named_and_nothing_saved(client, world, personas, monkeypatch):
    real = accounts.clean_username
    calls = {"n": 0}

    def checked_before_someone_else_took_it(value):
        calls["n"] += 1
        if calls["n"] == 2:  # the sheet's check of person01 passes; then another keeper takes it
            result = real(value)
            User.objects.create(username="person01")
            return result
        return real(value) if value != "person01" else value

    monkeypatch.setattr(accounts, "clean_username", checked_before_someone_else_took_it)
    client.force_login(personas["staff"])
    response = upload(client, people(3))
    assert response.status_code == 400
    assert [(n, header) for n, header, _r in response.context["result"].errors] == [(3, "登录名")]
    assert not User.objects.filter(username__in=["person00", "person02"]).exists()
