"""A user's credentials (sessions and API tokens) end whenever their right to use them ends: a password
reset by the admin, their own password change (this session stays), any ``set_password`` in code, the
account deactivated, the last assignment over. API tokens also expire after ``API_TOKEN_TTL_DAYS``.
Someone who must change their password gets only that, on the API as on the pages."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from grids import services
from grids.models import Assignment, Role, User
from tests.conftest import PASSWORD, assign

NEW_PASSWORD = "Kq7!rain-field-42"
DAY = datetime.timedelta(days=1)


def sessions_of(user) -> list[str]:
    """The keys of the user's sessions in the session store (the database backend)."""
    return [s.session_key for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]


def token_client(token: Token) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


def logged_in(user) -> Client:
    other = Client()
    other.force_login(user)
    return other


def me(api) -> int:
    return api.get(reverse("api-me")).status_code


@pytest.fixture
def tomorrow(monkeypatch):
    """Move the clock one day on (everything that asks ``timezone.now`` / ``localdate``)."""
    real_now = timezone.now

    def move():
        monkeypatch.setattr(timezone, "now", lambda: real_now() + datetime.timedelta(days=1))

    return move


# --- A password reset by the admin ------------------------------------------------------------------------


def test_a_password_reset_in_the_admin_ends_the_users_tokens(admin_client, world, worker):
    token = Token.objects.create(user=worker)
    assert me(token_client(token)) == 200
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[worker.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=worker.pk).check_password(NEW_PASSWORD)
    answer = token_client(token).get(reverse("api-me"))
    assert answer.status_code == 401
    assert not Token.objects.filter(user=worker).exists()


def test_a_password_reset_in_the_admin_ends_the_users_sessions(admin_client, world, worker):
    phone, desktop = logged_in(worker), logged_in(worker)
    assert phone.get(reverse("visits:work-list")).status_code == 200
    assert len(sessions_of(worker)) == 2
    admin_client.post(
        reverse("admin:auth_user_password_change", args=[worker.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    # Gone from the session store (not only refused by Django's session hash check at their next request).
    assert sessions_of(worker) == []
    assert phone.get(reverse("visits:work-list"))["Location"].startswith(reverse("login"))
    assert desktop.get(reverse("visits:work-list"))["Location"].startswith(reverse("login"))
    assert sessions_of(User.objects.get(username="admin"))  # the admin's own session stays


def test_a_set_password_in_code_ends_tokens_and_sessions(world, worker):
    token = Token.objects.create(user=worker)
    logged_in(worker)
    worker.set_password(NEW_PASSWORD)
    worker.save()
    assert not Token.objects.filter(pk=token.pk).exists()
    assert sessions_of(worker) == []


def test_a_hash_upgrade_at_login_is_not_a_password_change(world, worker, real_hashers):
    """Django re-hashes a password in an older format when it is checked ("hash upgrades shouldn't be
    considered password changes", AbstractBaseUser.check_password): a PBKDF2 hash becomes Argon2id, and the
    tokens, the sessions in the store and the phone's data stay."""
    User.objects.filter(pk=worker.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    token = Token.objects.create(user=worker)
    logged_in(worker)
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.9")
    assert authenticate(request, username="worker", password=PASSWORD) is not None
    upgraded = User.objects.get(pk=worker.pk)
    assert upgraded.password.startswith("argon2$argon2id$")  # it was upgraded
    assert Token.objects.filter(pk=token.pk).exists()
    assert sessions_of(worker) and upgraded.credentials_ended_at is None


def test_saving_other_fields_leaves_tokens_alone(world, worker):
    token = Token.objects.create(user=worker)
    worker.full_name = "网格员甲（改名）"
    worker.save()
    assert me(token_client(token)) == 200


# --- The user's own password change ------------------------------------------------------------------------


def test_the_own_password_change_keeps_this_session_and_ends_the_others_and_the_tokens(client, world, worker):
    token = Token.objects.create(user=worker)
    other = logged_in(worker)
    client.force_login(worker)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert len(sessions_of(worker)) == 1  # this one, under a new key
    assert client.get(reverse("visits:work-list")).status_code == 200
    assert other.get(reverse("visits:work-list")).status_code == 302
    assert me(token_client(token)) == 401


# --- Deactivation -------------------------------------------------------------------------------------------


def _admin_user_form(user: User, **changes) -> dict:
    """What the admin's change form of ``user`` posts (the fields as they are, with ``changes``)."""
    assignment = user.assignments.get()
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "phone": user.phone,
        "email": user.email,
        "home_village": user.home_village_id or "",
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": "00:00:00",
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "1",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-id": assignment.pk,
        "assignments-0-user": user.pk,
        "assignments-0-role": assignment.role,
        "assignments-0-grid": assignment.grid_id or "",
        "assignments-0-village": assignment.village_id or "",
        "assignments-0-start": assignment.start.isoformat(),
        "assignments-0-end": assignment.end.isoformat() if assignment.end else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_deactivating_a_user_in_the_admin_ends_their_tokens_and_sessions(admin_client, world, worker):
    token = Token.objects.create(user=worker)
    logged_in(worker)
    response = admin_client.post(
        reverse("admin:grids_user_change", args=[worker.pk]), _admin_user_form(worker, is_active=None)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not User.objects.get(pk=worker.pk).is_active
    assert me(token_client(token)) == 401
    assert not Token.objects.filter(user=worker).exists()
    assert sessions_of(worker) == []


# --- The last assignment over --------------------------------------------------------------------------------


def test_a_token_ends_with_the_last_assignment(client, world, staff, worker, tomorrow):
    token = Token.objects.create(user=worker)
    client.force_login(staff)
    today = timezone.localdate()
    response = client.post(reverse("grids:assignment-end", args=[worker.assignments.get().pk]), {"end": today})
    assert response.status_code == 302
    assert me(token_client(token)) == 200  # today is still their last day
    tomorrow()
    answer = token_client(token).get(reverse("api-me"))
    assert answer.status_code == 401
    assert answer.json()["code"] == "assignment_ended"
    assert not Token.objects.filter(pk=token.pk).exists()
    # and no new one is handed out
    login = APIClient().post(reverse("api-token"), {"username": "worker", "password": PASSWORD}, format="json")
    assert login.status_code == 403 and login.json()["code"] == "assignment_ended"
    assert not Token.objects.filter(user=worker).exists()


def test_a_token_stays_while_another_assignment_goes_on(world, staff, worker, tomorrow):
    assign(worker, Role.INFO_OFFICER, world.group1)
    token = Token.objects.create(user=worker)
    services.assignment_end(assignment=worker.assignments.get(role=Role.GRID_WORKER), on=timezone.localdate(), by=staff)
    tomorrow()
    assert me(token_client(token)) == 200


def test_an_admin_correction_that_ends_the_last_assignment_in_the_past_ends_everything(admin_client, world, worker):
    token = Token.objects.create(user=worker)
    logged_in(worker)
    assignment = worker.assignments.get()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = admin_client.post(
        reverse("admin:grids_assignment_change", args=[assignment.pk]),
        {
            "user": worker.pk,
            "role": Role.GRID_WORKER,
            "grid": world.grid1.pk,
            "start": assignment.start.isoformat(),
            "end": yesterday.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Assignment.objects.get(pk=assignment.pk).end == yesterday
    assert not Token.objects.filter(pk=token.pk).exists()
    assert sessions_of(worker) == []


def test_the_nightly_job_ends_the_sessions_of_those_whose_last_assignment_ended(world, staff, worker, colleague):
    from grids import tasks

    for person in (worker, colleague):
        logged_in(person)
        Token.objects.create(user=person)
    yesterday = timezone.localdate() - DAY
    Assignment.objects.filter(user=worker).update(end=yesterday)  # the day passed: nothing was saved
    assign(colleague, Role.INFO_OFFICER, world.group1)  # one of the colleague's two ends, the other goes on
    Assignment.objects.filter(user=colleague, role=Role.GRID_WORKER).update(end=yesterday)
    assert tasks.credentials_after_assignments.delay().get() == 1
    assert sessions_of(worker) == [] and not Token.objects.filter(user=worker).exists()
    assert sessions_of(colleague) and Token.objects.filter(user=colleague).exists()


def test_the_system_admin_needs_no_assignment(world, admin_user):
    token = Token.objects.create(user=admin_user)
    assert me(token_client(token)) == 200


# --- Tokens expire -------------------------------------------------------------------------------------------


def test_an_expired_token_is_refused_with_its_own_code_and_deleted(world, worker, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    token = Token.objects.create(user=worker)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=30, minutes=1))
    answer = token_client(token).get(reverse("api-me"))
    assert answer.status_code == 401
    body = answer.json()
    assert body["code"] == "token_expired"
    assert body["message"] and body["fields"] == {}
    assert not Token.objects.filter(pk=token.pk).exists()
    # an unknown token is told apart from an expired one
    unknown = token_client(token).get(reverse("api-me"))
    assert unknown.status_code == 401 and unknown.json()["code"] != "token_expired"


def test_a_token_works_until_it_expires(world, worker, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    token = Token.objects.create(user=worker)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=29, hours=23))
    assert me(token_client(token)) == 200


def test_logging_in_again_replaces_an_expired_token(world, worker, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    old = Token.objects.create(user=worker)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - datetime.timedelta(days=31))
    login = APIClient().post(reverse("api-token"), {"username": "worker", "password": PASSWORD}, format="json")
    assert login.status_code == 200
    body = login.json()
    assert body["token"] != old.key
    new = Token.objects.get(user=worker)
    expires_at = datetime.datetime.fromisoformat(body["expires_at"])
    assert abs(expires_at - (new.created + datetime.timedelta(days=30))) < datetime.timedelta(seconds=1)
    assert me(token_client(new)) == 200


# --- A password that must be changed: nothing but the change, on the API too -------------------------------


def _must_change(user) -> None:
    User.objects.filter(pk=user.pk).update(must_change_password=True)


def test_the_api_over_a_session_refuses_a_user_who_must_change_their_password(client, world, worker):
    _must_change(worker)
    client.force_login(worker)
    for url in (reverse("api-me"), reverse("api:household-list")):
        answer = client.get(url)
        assert answer.status_code == 403, url
        assert answer.json()["code"] == "password_change_required"
        assert answer.json()["message"]
    answer = client.post(reverse("api:visit-list"), {"household": world.household1.pk})
    assert answer.status_code == 403
    # what they may do: change it, or log out
    assert client.get(reverse("password_change")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_the_api_over_a_token_refuses_a_user_who_must_change_their_password(world, worker):
    token = Token.objects.create(user=worker)
    _must_change(worker)
    api = token_client(token)
    for url in (reverse("api-me"), reverse("api:household-list")):
        answer = api.get(url)
        assert answer.status_code == 403, url
        assert answer.json()["code"] == "password_change_required"
    assert api.post(reverse("api:visit-list"), {"household": world.household1.pk}, format="json").status_code == 403
    # no new token is handed out either; logging out of the API still works
    login = APIClient().post(reverse("api-token"), {"username": "worker", "password": PASSWORD}, format="json")
    assert login.status_code == 403 and login.json()["code"] == "password_change_required"
    assert api.delete(reverse("api-token-revoke")).status_code == 204
    assert not Token.objects.filter(user=worker).exists()


def test_after_the_change_the_api_answers_again(client, world, worker):
    _must_change(worker)
    client.force_login(worker)
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert client.get(reverse("api-me")).status_code == 200
