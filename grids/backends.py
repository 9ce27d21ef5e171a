"""Who is signed in, read on every request (docs/performance.md, "What every page pays").

Django's ``ModelBackend``, except that the signed-in account is read by a statement written out once
(``core.db.row_by_pk``): the ORM built ``User.objects.get(pk=…)`` in about 0.4 ms of the 0.66 it took, on
every page. Passwords, permissions and who may sign in are Django's, unchanged.

Sessions signed in before this backend name Django's in their ``_auth_user_backend``; the authentication
middleware below carries them over to this one, so nobody is signed out by the change.
"""

from __future__ import annotations

from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.middleware import get_user as cached_user
from django.utils.functional import SimpleLazyObject

from core.db import row_by_pk

DJANGOS = "django.contrib.auth.backends.ModelBackend"
OURS = "grids.backends.AccountBackend"


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        user = row_by_pk(get_user_model(), user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, a session signed in through Django's ``ModelBackend`` read through ``AccountBackend``."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))


def _user(request):
    session = request.session
    if session.get(BACKEND_SESSION_KEY) == DJANGOS:
        session[BACKEND_SESSION_KEY] = OURS  # saved with the session at the end of the request, once
    return cached_user(request)
