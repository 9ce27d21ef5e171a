"""Passwords are hashed with Argon2id at OWASP's parameters (core/hashers.py, docs/sources.md [P2]); a hash
stored before with another hasher is re-hashed at the person's next login, and that is not a password
change: their tokens stay and their phone keeps its data (grids/credentials.py)."""

import re

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from grids import credentials
from grids.models import User
from tests.conftest import PASSWORD

OWASP_ARGON2ID = re.compile(r"^argon2\$argon2id\$v=19\$m=7168,t=5,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$")
ADDRESS = "10.0.0.31"

pytestmark = pytest.mark.usefixtures("real_hashers")


def log_in(client: Client, password: str):
    return client.post(reverse("login"), {"username": "worker", "password": password}, REMOTE_ADDR=ADDRESS)


def test_a_new_password_is_stored_as_argon2id_with_owasps_parameters(world, worker):
    worker.set_password("Kq7!rain-field-42")
    worker.save()
    stored = User.objects.get(pk=worker.pk).password
    assert OWASP_ARGON2ID.match(stored), stored
    assert check_password("Kq7!rain-field-42", stored)


@pytest.mark.parametrize("old_hasher", ["pbkdf2_sha256", "pbkdf2_sha1", "scrypt"])
def test_an_older_hash_is_upgraded_at_login(client, world, worker, old_hasher):
    User.objects.filter(pk=worker.pk).update(password=make_password(PASSWORD, hasher=old_hasher))
    token = Token.objects.create(user=worker)
    response = log_in(client, PASSWORD)
    assert response.status_code == 302 and client.get(reverse("visits:work-list")).status_code == 200
    worker.refresh_from_db()
    assert OWASP_ARGON2ID.match(worker.password), worker.password
    assert worker.check_password(PASSWORD)
    # A re-hash of the same password, not a change: the token stays and nothing tells the phone to wipe.
    assert Token.objects.filter(pk=token.pk).exists()
    assert worker.credentials_ended_at is None
    # And the old password still logs in, now against the new hash.
    assert log_in(Client(), PASSWORD).status_code == 302


def test_the_upgrade_asks_the_other_sessions_to_log_in_again_and_wipes_no_phone(client, world, worker):
    """Django ties a session to the stored hash (``get_session_auth_hash``): a session opened before the
    re-hash, on the person's phone, answers with the login page at its next request, once. An idle time-out
    in effect: nothing is stamped, so the phone keeps its queue (grids.credentials.data_must_go)."""
    User.objects.filter(pk=worker.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    phone = Client()
    phone.force_login(User.objects.get(pk=worker.pk))
    synced = timezone.now()
    assert log_in(client, PASSWORD).status_code == 302
    assert phone.get(reverse("visits:work-list"))["Location"].startswith(reverse("login"))
    assert not credentials.data_must_go(User.objects.get(pk=worker.pk), synced)
    assert client.get(reverse("visits:work-list")).status_code == 200


def test_an_argon2_hash_with_other_parameters_is_upgraded_at_login(client, world, worker):
    """Django's own Argon2 parameters (more memory, parallelism 8) are not OWASP's: re-hashed too."""
    User.objects.filter(pk=worker.pk).update(password=make_password(PASSWORD, hasher="argon2"))
    stored = User.objects.get(pk=worker.pk).password
    assert stored.startswith("argon2$argon2id$") and not OWASP_ARGON2ID.match(stored)
    assert log_in(client, PASSWORD).status_code == 302
    assert OWASP_ARGON2ID.match(User.objects.get(pk=worker.pk).password)


def test_a_hash_of_the_19_mib_configuration_stored_before_is_upgraded_at_login(client, world, worker):
    """The portal stored OWASP's 19 MiB / 2 iterations configuration before its 7 MiB / 5 one (core/hashers.py):
    such a hash still logs in and is re-hashed with the configuration of today."""
    from core.hashers import OWASPArgon2idPasswordHasher

    class Before(OWASPArgon2idPasswordHasher):
        time_cost, memory_cost = 2, 19456

    User.objects.filter(pk=worker.pk).update(password=Before().encode(PASSWORD, Before().salt()))
    assert User.objects.get(pk=worker.pk).password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert log_in(client, PASSWORD).status_code == 302
    assert OWASP_ARGON2ID.match(User.objects.get(pk=worker.pk).password)
    assert log_in(Client(), PASSWORD).status_code == 302


def test_an_owasp_hash_is_left_as_it_is_at_login(client, world, worker):
    worker.set_password(PASSWORD)
    worker.save()
    stored = User.objects.get(pk=worker.pk).password
    assert log_in(client, PASSWORD).status_code == 302
    assert User.objects.get(pk=worker.pk).password == stored


def test_a_wrong_password_upgrades_nothing(client, world, worker):
    old = make_password(PASSWORD, hasher="pbkdf2_sha256")
    User.objects.filter(pk=worker.pk).update(password=old)
    response = log_in(client, "not-the-password-1")
    assert response.status_code == 200  # the form again, with its error
    assert User.objects.get(pk=worker.pk).password == old
    assert client.get(reverse("visits:work-list")).status_code == 302
