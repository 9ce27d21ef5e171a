"""A phone's data goes when its worker's credentials were ended by a password reset, a deactivation or the
last assignment over, and stays through an idle time-out (README, "Offline field view" and "What a phone
holds"). The phone asks /field/device-check/ without a session; only the phone that was handed the
device key with the offline manifest can ask."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grids.models import Assignment
from tests.conftest import PASSWORD

CHECK = "visits:device-check"
NEW_PASSWORD = "Kq7!rain-field-42"


def _manifest(client, worker, **params) -> dict:
    client.force_login(worker)
    response = client.get(reverse("visits:offline-manifest"), {"urls": "0", **params})
    assert response.status_code == 200
    return json.loads(response.content)


def _check(device: dict, *, key=None, user=None, since=None):
    """What the phone asks once its session is gone: a fresh client, no cookie."""
    headers = {} if key == "" else {"HTTP_X_FIELD_DEVICE": key or device["device"]}
    return Client().get(
        reverse(CHECK), {"user": user or device["user"], "since": device["now"] if since is None else since}, **headers
    )


def _wipe(response) -> bool:
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert set(data) == {"wipe"}  # nothing else about the person
    return data["wipe"]


def test_the_manifest_hands_the_phone_a_device_key_and_the_servers_time(client, world, worker):
    device = _manifest(client, worker)
    assert device["user"] == worker.pk and len(device["device"]) >= 40
    assert abs(datetime.datetime.fromisoformat(device["now"]) - timezone.now()) < datetime.timedelta(minutes=1)
    assert device["wipe"] is False
    assert "urls" not in device  # ?urls=0: a check, not a day's list of pages


def test_the_device_check_needs_the_phones_key(client, world, worker, colleague):
    device = _manifest(client, worker)
    worker.set_password(NEW_PASSWORD)
    worker.save()
    assert _check(device, key="").status_code == 403
    assert _check(device, key="0" * len(device["device"])).status_code == 403
    other = _manifest(Client(), colleague)
    # Another worker's key does not open this worker's answer (nor an unknown person's).
    assert _check(device, key=other["device"]).status_code == 403
    assert _check(device, user=999999).status_code == 403
    for response in (_check(device, key=""), _check(device, user=999999)):
        assert json.loads(response.content) == {"wipe": False}
    assert _wipe(_check(device)) is True


def test_bad_input_is_a_clear_400(client, world, worker):
    device = _manifest(client, worker)
    for user, since in (("abc", device["now"]), (worker.pk, "yesterday"), (worker.pk, ""), ("9" * 30, device["now"])):
        response = _check(device, user=user, since=since)
        assert response.status_code == 400, (user, since)
        assert json.loads(response.content)["wipe"] is False


def test_an_admin_password_reset_means_wipe(client, world, worker):
    device = _manifest(client, worker)
    assert _wipe(_check(device)) is False
    worker.set_password(NEW_PASSWORD)
    worker.must_change_password = True
    worker.save()
    assert _wipe(_check(device)) is True
    # A phone that synced after the reset (the worker logged in with the new password) keeps its data.
    assert _wipe(_check(device, since=timezone.now().isoformat())) is False


def test_a_deactivation_means_wipe(client, world, worker):
    device = _manifest(client, worker)
    worker.is_active = False
    worker.save()
    assert _wipe(_check(device)) is True


def test_the_last_assignment_ended_means_wipe(client, world, worker):
    device = _manifest(client, worker)
    assignment = worker.assignments.get()
    assignment.end = timezone.localdate() - datetime.timedelta(days=1)  # the admin's correction
    assignment.save()
    assert _wipe(_check(device)) is True


def test_the_nightly_job_marks_the_end_of_the_last_assignment(client, world, worker):
    from grids import tasks

    device = _manifest(client, worker)
    Assignment.objects.filter(user=worker).update(end=timezone.localdate() - datetime.timedelta(days=1))
    assert tasks.credentials_after_assignments.delay().get() == 1
    worker.refresh_from_db()
    assert worker.credentials_ended_at is not None
    assert _wipe(_check(device)) is True


def test_an_assignment_over_while_the_session_lives_is_a_403_with_a_code(client, world, worker):
    """Same day: the assignment ended yesterday, the nightly job has not run yet, the session lives."""
    client.force_login(worker)
    Assignment.objects.filter(user=worker).update(end=timezone.localdate() - datetime.timedelta(days=1))
    response = client.get(reverse("visits:offline-manifest"), {"urls": "0"})
    assert response.status_code == 403
    assert json.loads(response.content)["code"] == "assignment_ended"
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    # Opening the field view itself: a 403 that says why, and the browser empties the phone.
    page = client.get(reverse("visits:work-list"))
    assert page.status_code == 403 and page["Clear-Site-Data"] == '"cache", "storage"'
    assert "岗位已结束" in page.content.decode()


def test_only_a_wipe_answer_clears_the_site(client, world, worker):
    device = _manifest(client, worker)
    assert not _check(device).has_header("Clear-Site-Data")
    worker.is_active = False
    worker.save()
    assert _check(device)["Clear-Site-Data"] == '"cache", "storage"'


def test_an_idle_expiry_keeps_the_data(client, world, worker):
    device = _manifest(client, worker)
    Session.objects.all().delete()  # the session ends (SESSION_IDLE_MINUTES): nothing about the credentials
    assert client.get(reverse("visits:offline-manifest")).status_code == 302
    assert _wipe(_check(device)) is False


def test_the_own_password_change_keeps_the_other_phones_queue(client, world, worker):
    """The worker's own change ends the phone's session ("请重新登录") but is not a reason to wipe: the
    worker logs in with the new password and the queue is sent."""
    device = _manifest(Client(), worker)
    client.force_login(worker)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _wipe(_check(device)) is False


def test_a_manifest_after_logging_in_again_says_wipe_when_the_reset_came_after_the_last_sync(client, world, worker):
    device = _manifest(client, worker)
    worker.set_password(NEW_PASSWORD)
    worker.must_change_password = True
    worker.save()
    worker.must_change_password = False  # chose their own at the login
    worker.save(update_fields=["must_change_password"])
    again = _manifest(Client(), worker, since=device["now"])
    assert again["wipe"] is True
    assert _manifest(Client(), worker, since=again["now"])["wipe"] is False


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_device_check_only_answers_get(world, method):
    assert getattr(Client(), method)(reverse(CHECK)).status_code == 405
