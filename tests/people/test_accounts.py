"""Accounts kept where the people are (README, "Accounts"): a village's staff keep their village's people,
the town office its own staff; nobody manages an account above their scope or their own account; every
act is in the audit log, never with the password."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token

from audit.models import AuditAction, AuditEntry
from grids import access
from grids.models import Assignment, Role, User
from people import accounts
from tests.conftest import PASSWORD, assign, make_user


def entries(action, user) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, model="grids.user", object_id=str(user.pk)))


def no_password_in_the_log(password: str) -> None:
    for entry in AuditEntry.objects.all():
        assert password not in str(entry.changes) and password not in entry.note


def logs_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.9")
    return authenticate(request, username=username, password=password) is not None


def create_post(client, **data):
    body = {"full_name": "新网格员", "phone": "13912345678", "username": "newworker"} | data
    return client.post(reverse("people:account-create"), body)


# --- Who keeps whose account (the door) -----------------------------------------------------------------


def test_staff_keep_only_their_villages_people(world, personas):
    kept = set(access.manageable_accounts(personas["staff"]).values_list("username", flat=True))
    assert kept == {"worker", "colleague"}  # not themselves, not the town office, not the other village


def test_the_town_keeps_only_its_own_staff(world, personas):
    colleague_in_town = make_user("town2", None)
    assign(colleague_in_town, Role.TOWN_OFFICE, world.town)
    kept = set(access.manageable_accounts(personas["town"]).values_list("username", flat=True))
    assert kept == {"town2"}


def test_a_person_holding_a_role_outside_the_village_is_not_the_villages_to_keep(world, personas):
    worker = personas["worker"]
    assign(worker, Role.GRID_WORKER, world.other_grid)  # also works a grid of the other village
    assert not access.may_manage_account(personas["staff"], worker)
    assert not access.may_manage_account(personas["outsider"], worker)  # and not the other village's either


def test_village_staff_never_keep_a_town_office_member_or_a_superuser(world, personas):
    staff = personas["staff"]
    double = make_user("double", world.village)
    assign(double, Role.TOWN_OFFICE, world.town)
    boss = make_user("boss", world.village, is_superuser=True)
    assert not access.may_manage_account(staff, double)
    assert not access.may_manage_account(staff, boss)
    assert not access.may_manage_account(staff, staff)


# --- Creating an account ----------------------------------------------------------------------------------


def test_staff_create_an_account_for_their_village_shown_once_and_audited(client, world, personas):
    client.force_login(personas["staff"])
    response = create_post(client)
    assert response.status_code == 200
    account = User.objects.get(username="newworker")
    password = response.context["password"]
    assert password in response.content.decode()
    assert account.home_village == world.village and account.must_change_password and account.phone == "13912345678"
    assert account.check_password(password) and password not in account.password  # kept hashed only
    assert "no-store" in response["Cache-Control"]
    assert f"?user={account.pk}" in response.content.decode()  # on to the assignment page, the person chosen
    assert len(entries(AuditAction.ACCOUNT_CREATE, account)) == 1
    no_password_in_the_log(password)


def test_the_assignment_page_preselects_the_new_person(client, world, personas):
    client.force_login(personas["staff"])
    url = reverse("grids:assignment-create", args=[world.village.pk]) + f"?user={personas['worker'].pk}"
    assert client.get(url).context["form"].initial["user"] == str(personas["worker"].pk)


def test_the_new_person_must_choose_their_own_password_at_first_login(client, world, personas):
    client.force_login(personas["staff"])
    password = create_post(client).context["password"]
    newcomer = Client()
    newcomer.post(reverse("login"), {"username": "newworker", "password": password})
    response = newcomer.get("/people/accounts/")
    assert response.status_code == 302 and response["Location"] == reverse("password_change")


def test_the_town_creates_its_own_staff_assigned_to_the_town_office(client, world, personas):
    client.force_login(personas["town"])
    response = create_post(client, username="townclerk")
    assert response.status_code == 200
    clerk = User.objects.get(username="townclerk")
    assert clerk.home_village is None
    assert Assignment.objects.get(user=clerk).role == Role.TOWN_OFFICE
    assert access.may_manage_account(personas["town"], clerk)
    assert not access.may_manage_account(personas["staff"], clerk)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "1391234567", "11 位"),
        ("phone", "23912345678", "11 位"),
        ("username", "worker", "已被使用"),
        ("username", "WORKER", "已被使用"),
        ("username", "有 空格", "只能包含"),
        ("full_name", "  ", "必填"),
    ],
)
def test_bad_input_keeps_the_form_and_says_what_is_wrong(client, world, personas, field, value, message):
    client.force_login(personas["staff"])
    before = User.objects.count()
    response = create_post(client, **{field: value})
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert form.data["full_name"] == ("新网格员" if field != "full_name" else value)  # kept as typed
    assert User.objects.count() == before
    assert not AuditEntry.objects.filter(action=AuditAction.ACCOUNT_CREATE).exists()


def test_staff_cannot_create_an_account_in_another_village(client, world, personas):
    client.force_login(personas["staff"])
    create_post(client, home=f"v{world.other_village.pk}")  # ignored: nothing to choose
    assert User.objects.get(username="newworker").home_village == world.village
    with pytest.raises(PermissionDenied):
        accounts.account_create(
            by=personas["staff"], full_name="x", phone="13912345678", username="x1", village=world.other_village
        )
    with pytest.raises(PermissionDenied):  # nor a town office member: a role above their own
        accounts.account_create(
            by=personas["staff"], full_name="x", phone="13912345678", username="x2", town=world.town
        )


# --- Password reset ------------------------------------------------------------------------------------------


def test_a_reset_ends_sessions_and_tokens_wipes_the_phone_and_is_audited(client, world, personas):
    from django.utils import timezone

    from grids import credentials

    worker = personas["worker"]
    token = Token.objects.create(user=worker)
    other = Client()
    other.force_login(worker)
    last_sync = timezone.now()
    client.force_login(personas["staff"])
    response = client.post(reverse("people:account-password", args=[worker.pk]))
    assert response.status_code == 200
    password = response.context["password"]
    worker.refresh_from_db()
    assert worker.must_change_password and worker.check_password(password)
    assert credentials.data_must_go(worker, last_sync)  # the phone wipes its data at its next contact
    assert not Token.objects.filter(pk=token.pk).exists()
    assert other.get(reverse("home")).status_code == 302 and "login" in other.get(reverse("home"))["Location"]
    assert not logs_in("worker", PASSWORD)
    assert len(entries(AuditAction.PASSWORD_RESET, worker)) == 1
    no_password_in_the_log(password)


def test_staff_resetting_the_town_offices_password_get_a_404(client, world, personas):
    town = personas["town"]
    client.force_login(personas["staff"])
    assert client.post(reverse("people:account-password", args=[town.pk])).status_code == 404
    town.refresh_from_db()
    assert town.check_password(PASSWORD) and not town.must_change_password
    assert not entries(AuditAction.PASSWORD_RESET, town)


def test_the_other_villages_staff_get_a_404(client, world, personas):
    client.force_login(personas["outsider"])
    worker = personas["worker"]
    for name in ("people:account-password", "people:account-deactivate", "people:account-reactivate"):
        assert client.post(reverse(name, args=[worker.pk])).status_code == 404
    worker.refresh_from_db()
    assert worker.is_active and worker.check_password(PASSWORD)


def test_the_town_cannot_reset_a_village_workers_password(client, world, personas):
    client.force_login(personas["town"])
    assert client.post(reverse("people:account-password", args=[personas["worker"].pk])).status_code == 404


def test_nobody_resets_or_switches_off_their_own_account_here(client, world, personas):
    staff = personas["staff"]
    client.force_login(staff)
    for name in ("people:account-password", "people:account-deactivate"):
        response = client.post(reverse(name, args=[staff.pk]))
        assert response.status_code == 403
        assert "自己的账号" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active and staff.check_password(PASSWORD) and not staff.must_change_password
    assert not AuditEntry.objects.filter(action__in=[AuditAction.PASSWORD_RESET, AuditAction.ACCOUNT_OFF]).exists()


def test_a_worker_cannot_manage_a_colleague(client, world, personas):
    client.force_login(personas["worker"])
    response = client.post(reverse("people:account-deactivate", args=[personas["colleague"].pk]))
    assert response.status_code == 403
    assert User.objects.get(pk=personas["colleague"].pk).is_active


def test_staff_cannot_give_themselves_a_town_office_role_through_the_assignment_page(client, world, personas):
    staff = personas["staff"]
    client.force_login(staff)
    url = reverse("grids:assignment-create", args=[world.village.pk])
    client.post(url, {"user": staff.pk, "role": Role.TOWN_OFFICE, "start": "2026-01-01"})
    assert not Assignment.objects.filter(user=staff, role=Role.TOWN_OFFICE).exists()
    access_scope = access.scope_for(User.objects.get(pk=staff.pk))
    assert not access_scope.town_ids


# --- Switching off and on ----------------------------------------------------------------------------------


def test_switch_off_and_on_audited(client, world, personas):
    worker = personas["worker"]
    token = Token.objects.create(user=worker)
    client.force_login(personas["staff"])
    response = client.post(reverse("people:account-deactivate", args=[worker.pk]))
    assert response.status_code == 302
    worker.refresh_from_db()
    assert not worker.is_active and worker.credentials_ended_at is not None
    assert not Token.objects.filter(pk=token.pk).exists()
    assert not logs_in("worker", PASSWORD)
    # Still on the list (to be switched on again), marked switched off.
    listed = client.get(reverse("people:account-list"), {"active": "0"})
    assert [p.username for p in listed.context["page"]] == ["worker"]
    client.post(reverse("people:account-reactivate", args=[worker.pk]))
    worker.refresh_from_db()
    assert worker.is_active
    assert logs_in("worker", PASSWORD)
    assert len(entries(AuditAction.ACCOUNT_OFF, worker)) == 1
    assert len(entries(AuditAction.ACCOUNT_ON, worker)) == 1


def test_switching_off_twice_is_refused_with_a_reason(client, world, personas):
    worker = personas["worker"]
    client.force_login(personas["staff"])
    client.post(reverse("people:account-deactivate", args=[worker.pk]))
    response = client.post(reverse("people:account-deactivate", args=[worker.pk]), follow=True)
    assert "已停用" in response.content.decode()
    assert len(entries(AuditAction.ACCOUNT_OFF, worker)) == 1


# --- The list --------------------------------------------------------------------------------------------


def test_the_list_searches_filters_and_shows_current_assignments(client, world, personas):
    client.force_login(personas["staff"])
    User.objects.filter(pk=personas["colleague"].pk).update(phone="13700000001")
    page = client.get(reverse("people:account-list"))
    assert {p.username for p in page.context["page"]} == {"worker", "colleague"}
    assert "第一网格" in page.content.decode()
    assert [p.username for p in client.get(reverse("people:account-list"), {"q": "0000001"}).context["page"]] == [
        "colleague"
    ]
    assert [p.username for p in client.get(reverse("people:account-list"), {"q": "网格员甲"}).context["page"]] == [
        "worker"
    ]
    assert not list(client.get(reverse("people:account-list"), {"role": Role.LIAISON}).context["page"])
    by_role = client.get(reverse("people:account-list"), {"role": Role.GRID_WORKER}).context["page"]
    assert {p.username for p in by_role} == {"worker", "colleague"}


@pytest.mark.parametrize("extra", [3, 30])
def test_the_list_does_not_grow_in_queries_with_its_rows(client, world, personas, extra, django_assert_max_num_queries):
    for n in range(extra):
        person = make_user(f"p{n:02}", world.village)
        assign(person, Role.INFO_OFFICER, world.group1)
    client.force_login(personas["staff"])
    # session, user, scope, count, page ids, rows, their current assignments, the menu's checks
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people:account-list"))
    assert len(response.context["page"]) == extra + 2


def test_the_list_pages(client, world, personas):
    for n in range(60):
        make_user(f"p{n:02}", world.village)
    client.force_login(personas["staff"])
    assert len(client.get(reverse("people:account-list")).context["page"]) == 50
    assert len(client.get(reverse("people:account-list"), {"page": 2}).context["page"]) == 12


def test_the_menu_links_the_account_pages_for_keepers_only(client, world, personas):
    client.force_login(personas["staff"])
    page = client.get(reverse("reports:village-overview", args=[world.village.pk])).content.decode()
    assert reverse("people:account-list") in page
    client.force_login(personas["town"])
    assert reverse("people:account-list") in client.get(reverse("reports:town-home")).content.decode()
    client.force_login(personas["worker"])
    assert reverse("people:account-list") not in client.get(reverse("messaging:inbox")).content.decode()


def test_staff_of_two_villages_choose_among_them_only(client, world, personas):
    from grids.models import Town, Village

    staff = personas["staff"]
    assign(staff, Role.VILLAGE_STAFF, world.other_village)
    far = Village.objects.create(town=Town.objects.create(name="外镇"), name="远村")
    client.force_login(staff)
    response = create_post(client, home=f"v{far.pk}")
    assert response.status_code == 200 and "home" in response.context["form"].errors
    assert not User.objects.filter(username="newworker").exists()
    create_post(client, home=f"v{world.other_village.pk}")
    assert User.objects.get(username="newworker").home_village == world.other_village


# --- One-time passwords by SMS (through the messaging floor's backend) ------------------------------------


@pytest.fixture
def sms_gateway(settings):
    from messaging.sms import MemoryBackend

    settings.SMS_BACKEND = "messaging.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def test_a_reset_by_sms_sends_the_password_to_the_persons_phone_only(client, world, personas, sms_gateway):
    worker = personas["worker"]
    User.objects.filter(pk=worker.pk).update(phone="13800138000")
    client.force_login(personas["staff"])
    response = client.post(reverse("people:account-password", args=[worker.pk]), {"by_sms": "on"})
    assert response.status_code == 200
    [(phone, text, _key)] = sms_gateway
    password = text.split("一次性密码 ")[1].split("。")[0]
    worker.refresh_from_db()
    assert phone == "13800138000" and worker.check_password(password) and worker.must_change_password
    assert password not in response.content.decode() and "138****8000" in response.content.decode()
    no_password_in_the_log(password)
    assert len(entries(AuditAction.PASSWORD_RESET, worker)) == 1


def test_a_gateway_that_fails_leaves_the_password_as_it_was(client, world, personas, sms_gateway, monkeypatch):
    from messaging.sms import MemoryBackend

    def refuse(self, phone, text, *, key):
        raise OSError("gateway down")

    monkeypatch.setattr(MemoryBackend, "send", refuse)
    worker = personas["worker"]
    User.objects.filter(pk=worker.pk).update(phone="13800138000")
    client.force_login(personas["staff"])
    response = client.post(reverse("people:account-password", args=[worker.pk]), {"by_sms": "on"})
    assert "短信发送失败" in response.content.decode()
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD) and not worker.must_change_password
    assert not entries(AuditAction.PASSWORD_RESET, worker)


def test_with_the_logging_backend_no_password_goes_by_sms(client, world, personas, settings, caplog):
    settings.SMS_BACKEND = "messaging.sms.LogBackend"
    worker = personas["worker"]
    User.objects.filter(pk=worker.pk).update(phone="13800138000")
    client.force_login(personas["staff"])
    assert "by_sms" not in client.get(reverse("people:account-password", args=[worker.pk])).context["form"].fields
    response = client.post(reverse("people:account-password", args=[worker.pk]), {"by_sms": "on"})
    password = response.context["password"]
    assert password and password in response.content.decode()
    assert password not in caplog.text


def test_a_new_account_by_sms(client, world, personas, sms_gateway):
    client.force_login(personas["staff"])
    response = create_post(client, by_sms="on")
    assert response.status_code == 200 and response.context["password"] is None
    [(phone, text, _key)] = sms_gateway
    assert phone == "13912345678" and "newworker" in text


def test_a_one_time_password_is_hashed_like_any_other_and_its_first_login_keeps_the_tokens(
    client, world, personas, real_hashers
):
    worker = personas["worker"]
    client.force_login(personas["staff"])
    password = client.post(reverse("people:account-password", args=[worker.pk])).context["password"]
    worker.refresh_from_db()
    stored = worker.password
    assert stored.startswith("argon2$argon2id$v=19$m=7168,t=5,p=1$")
    token = Token.objects.create(user=worker)  # made after the reset: the first login must not end it
    Client().post(reverse("login"), {"username": "worker", "password": password}, REMOTE_ADDR="10.0.0.8")
    worker.refresh_from_db()
    assert worker.password == stored  # already in the current format: nothing to re-hash
    assert worker.check_password(password) and worker.must_change_password
    assert Token.objects.filter(pk=token.pk).exists()


def test_the_system_admin_keeps_everyone_but_superusers(admin_client, admin_user, world, personas):
    kept = set(access.manageable_accounts(admin_user).values_list("username", flat=True))
    assert kept == {"worker", "colleague", "staff", "town", "outsider"}
    other_admin = make_user("root2", None, is_superuser=True)
    assert admin_client.post(reverse("people:account-deactivate", args=[other_admin.pk])).status_code == 404
    assert admin_client.post(reverse("people:account-deactivate", args=[personas["town"].pk])).status_code == 302
    assert not User.objects.get(pk=personas["town"].pk).is_active
