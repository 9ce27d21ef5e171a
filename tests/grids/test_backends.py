"""The signed-in account read by a written-out statement (grids/backends.py, core.db.row_by_pk): the same
account as Django's ModelBackend reads, the same refusals, and sessions signed in through Django's backend kept."""

from __future__ import annotations

import datetime

from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.db import row_by_pk
from grids.backends import DJANGOS, OURS, AccountBackend
from tests.conftest import PASSWORD

User = get_user_model()


def _fields(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_the_account_read_is_djangos_field_for_field(world, staff):
    User.objects.filter(pk=staff.pk).update(
        last_login=timezone.now() - datetime.timedelta(days=2),
        credentials_ended_at=timezone.now() - datetime.timedelta(days=1),
        must_change_password=True,
        home_village=world.village,
    )
    ours, djangos = AccountBackend().get_user(staff.pk), ModelBackend().get_user(staff.pk)
    assert _fields(ours) == _fields(djangos) and ours == djangos
    assert ours._state.adding is False and ours._state.db == "default"
    assert isinstance(ours.last_login, datetime.datetime) and timezone.is_aware(ours.last_login)
    assert ours.must_change_password is True and ours.home_village_id == world.village.pk


def test_one_statement_and_nothing_for_an_unknown_or_switched_off_account(world, staff):
    with CaptureQueriesContext(connection) as queries:
        assert AccountBackend().get_user(staff.pk) is not None
    assert len(queries) == 1
    assert AccountBackend().get_user(987654321) is None and row_by_pk(User, 987654321) is None
    User.objects.filter(pk=staff.pk).update(is_active=False)
    assert AccountBackend().get_user(staff.pk) is None and ModelBackend().get_user(staff.pk) is None


def test_a_login_is_kept_by_this_backend_and_a_changed_password_signs_out(client, world, staff):
    assert client.post(reverse("login"), {"username": "staff", "password": PASSWORD}).status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == OURS
    page = reverse("reports:village-overview", args=[world.village.pk])
    assert client.get(page).status_code == 200
    staff.set_password("another-long-password-9")
    staff.save()
    response = client.get(page)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_session_signed_in_through_djangos_backend_stays_signed_in_and_is_carried_over(client, world, staff):
    assert client.post(reverse("login"), {"username": "staff", "password": PASSWORD}).status_code == 302
    session = client.session
    session[BACKEND_SESSION_KEY] = DJANGOS  # as sessions made before this backend hold it
    session.save()
    page = reverse("reports:village-overview", args=[world.village.pk])
    response = client.get(page)
    assert response.status_code == 200 and response.wsgi_request.user == staff
    stored = Session.objects.get(pk=client.cookies["sessionid"].value).get_decoded()
    assert stored[BACKEND_SESSION_KEY] == OURS
    assert client.get(page).status_code == 200


def test_a_session_naming_an_unknown_backend_signs_in_nobody(client, world, staff):
    assert client.post(reverse("login"), {"username": "staff", "password": PASSWORD}).status_code == 302
    session = client.session
    session[BACKEND_SESSION_KEY] = "somewhere.else.Backend"
    session.save()
    response = client.get(reverse("reports:village-overview", args=[world.village.pk]))
    assert response.status_code == 302
