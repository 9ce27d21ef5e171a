"""Login lockout (page and API token), idle sessions, and the Content-Security-Policy."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def _fail(client, username, times, **extra):
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "wrong-password"}, **extra)


def test_five_failures_lock_the_account_on_that_address_for_15_minutes(client, world, staff):
    _fail(client, "staff", 5)
    response = client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "连续 5 次密码错误，已锁定 15 分钟" in page
    assert "_auth_user_id" not in client.session
    # Another address is not locked out for this account.
    other = client.post(reverse("login"), {"username": "staff", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_the_admin_unlocks(client, world, staff):
    _fail(client, "staff", 5)
    call_command("axes_reset_username", "staff")
    assert client.post(reverse("login"), {"username": "staff", "password": PASSWORD}).status_code == 302


def test_the_api_token_endpoint_has_the_same_lockout(client, world, staff):
    from rest_framework.test import APIClient

    api = APIClient()
    codes = [
        api.post(reverse("api-token"), {"username": "staff", "password": "nope"}, format="json").status_code
        for _ in range(5)
    ]
    assert codes == [400, 400, 400, 400, 429]  # the fifth failure locks
    response = api.post(reverse("api-token"), {"username": "staff", "password": PASSWORD}, format="json")
    assert response.status_code == 429 and response.json()["code"] == "locked_out"
    assert "锁定 15 分钟" in response.json()["message"]


def test_sessions_end_after_30_idle_minutes(client, world, staff):
    client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    client.get(reverse("home"))
    assert client.session.get_expiry_age() == 30 * 60
    assert client.cookies["sessionid"]["httponly"]


def test_idle_expiry_moves_on_without_a_write_on_every_request(client, world, staff):
    client.force_login(staff)
    key = client.cookies["sessionid"].value
    first = Session.objects.get(pk=key).expire_date
    # Within the minute: the session is read, not written, and the cookie is not sent again.
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("password_change"))
    assert response.status_code == 200 and "sessionid" not in response.cookies
    assert [q["sql"].split()[0] for q in ctx.captured_queries if "django_session" in q["sql"]] == ["SELECT"]
    assert Session.objects.get(pk=key).expire_date == first
    # Two minutes later the expiry read lags: it moves on, row and cookie.
    Session.objects.filter(pk=key).update(expire_date=first - datetime.timedelta(minutes=2))
    response = client.get(reverse("password_change"))
    assert response.cookies["sessionid"]["max-age"] == 30 * 60
    assert Session.objects.get(pk=key).expire_date >= first
    # An expired session is not brought back by the request that finds it so.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(reverse("home")).status_code == 302
    assert not Session.objects.filter(pk=key).exists() or Session.objects.get(pk=key).expire_date < timezone.now()


def test_the_written_out_session_read_matches_the_row(world, staff):
    """core/sessions.py reads the row with its own statement: the data, the expiry as the ORM has it, nothing of
    an expired or unknown session."""
    from core.sessions import SessionStore

    store = SessionStore()
    store["_auth_user_id"] = str(staff.pk)
    store.create()
    read = SessionStore(store.session_key)
    assert read.load()["_auth_user_id"] == str(staff.pk)
    assert read.read_expiry == Session.objects.get(pk=store.session_key).expire_date
    assert read.read_expiry.tzinfo is not None
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    gone = SessionStore(store.session_key)
    assert gone.load() == {} and gone.read_expiry is None and gone.session_key is None
    assert SessionStore("no-such-session-key-000000000000").load() == {}


def test_a_new_session_is_inserted_without_a_look_up_and_a_taken_key_is_not_reused(world, staff, monkeypatch):
    from core.sessions import SessionStore

    taken = SessionStore()
    taken["_auth_user_id"] = str(staff.pk)
    taken.create()
    with CaptureQueriesContext(connection) as ctx:
        fresh = SessionStore()
        fresh.create()
    assert [q["sql"].split()[0] for q in ctx.captured_queries if "django_session" in q["sql"]] == ["INSERT"]
    keys = iter([taken.session_key, "k" * 32])
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: next(keys))
    third = SessionStore()
    third["x"] = 1
    third.create()
    assert third.session_key == "k" * 32
    assert SessionStore(taken.session_key).load()["_auth_user_id"] == str(staff.pk)  # the taken one untouched


def test_a_login_inserts_its_session_once_and_the_old_key_is_gone(client, world, staff):
    """The login's new key is made when the session is saved (core/sessions.py, ``cycle_key``): one INSERT
    with the signed-in person, no UPDATE after it; the session held before the login (fixation) is deleted and
    no longer signs anyone in."""
    before = client.session  # a session held before the login, with a row of its own
    before["seen"] = 1
    before.save()
    client.cookies["sessionid"] = before.session_key
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    assert response.status_code == 302
    statements = [q["sql"].split()[0] for q in ctx.captured_queries if "django_session" in q["sql"]]
    assert [s for s in statements if s != "SELECT"] == ["DELETE", "INSERT"]
    key = response.cookies["sessionid"].value
    assert key != before.session_key and not Session.objects.filter(pk=before.session_key).exists()
    stored = Session.objects.get(pk=key).get_decoded()
    assert stored["_auth_user_id"] == str(staff.pk) and stored["seen"] == 1  # the data carried over
    assert client.get(reverse("reports:village-overview", args=[world.village.pk])).status_code == 200


def test_pages_send_a_csp_without_inline_scripts(client, world, staff):
    client.force_login(staff)
    response = client.get(reverse("reports:village-overview", args=[world.village.pk]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    docs = client.get(reverse("api-docs"))
    assert "unsafe-inline" not in docs["Content-Security-Policy"]


def test_no_template_has_an_inline_script_or_style_attribute():
    """CSP forbids them: scripts come from files; data for scripts goes in json_script blocks."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.name}: {tag}")
        if re.search(r"\sstyle=\"", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path.name}: inline style or event handler")
    assert offenders == []


def test_every_post_form_carries_a_csrf_token():
    """CSRF on every form: each <form method="post"> in a template holds {% csrf_token %}."""
    forms = 0
    for path in TEMPLATES.rglob("*.html"):
        for form in re.findall(r"<form\b[^>]*method=\"post\".*?</form>", path.read_text(), flags=re.S | re.I):
            forms += 1
            assert "{% csrf_token %}" in form, f"{path.relative_to(TEMPLATES)}: {form[:120]}"
    assert forms >= 30
