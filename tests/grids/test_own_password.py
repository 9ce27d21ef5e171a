"""A password chosen by someone else is changed at the first login; a change ends the other sessions
and the API tokens."""

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from grids.models import User
from tests.conftest import PASSWORD


def test_the_admin_creating_a_user_makes_them_choose_their_own(admin_client, world):
    response = admin_client.post(
        reverse("admin:grids_user_add"),
        {
            "username": "newbie",
            "full_name": "新网格员",
            "password1": "Zx!k82-lmq-Pw",
            "password2": "Zx!k82-lmq-Pw",
            "usable_password": "true",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(username="newbie").must_change_password


def test_first_login_goes_to_the_password_page_until_it_is_changed(client, world, worker):
    User.objects.filter(pk=worker.pk).update(must_change_password=True)
    Token.objects.create(user=worker)
    client.post(reverse("login"), {"username": "worker", "password": PASSWORD})
    assert client.get(reverse("visits:work-list"))["Location"] == reverse("password_change")
    assert (
        APIClient().post(reverse("api-token"), {"username": "worker", "password": PASSWORD}, format="json").status_code
        == 403
    )
    new = "Kq7!rain-field-42"
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert not worker.must_change_password and not Token.objects.filter(user=worker).exists()
    assert client.get(reverse("visits:work-list")).status_code == 200  # this session stays


def test_a_password_change_ends_the_other_sessions(client, world, staff):
    from django.test import Client

    other = Client()
    other.post(reverse("login"), {"username": "staff", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2")
    assert other.get(reverse("disputes:case-list")).status_code == 200
    client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    new = "Kq7!rain-field-42"
    client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert other.get(reverse("disputes:case-list")).status_code == 302  # sent to the login page


def test_demo_accounts_change_their_password_unless_debug(db, settings):
    from tooling import demo

    settings.DEBUG = False
    demo.seed(registry=False)
    assert User.objects.get(username="staff").must_change_password
