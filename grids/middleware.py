"""Someone whose password was set by another person (the admin) chooses their own before anything else:
the pages send them to the password page, the API answers 403 ``password_change_required`` (over a session
here; over a token in ``grids.auth``). Changing the password and logging out stay open."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .auth import PasswordChangeRequired

ALLOWED_PREFIXES = ("/static/", "/i18n/", "/accounts/logout/", "/accounts/password/", "/api/v1/auth/")


def allowed_before_password_change(path: str) -> bool:
    """The token login and its revocation (the API's logout), the password page, logging out, static files."""
    return path.startswith(ALLOWED_PREFIXES)


def password_change_required_response() -> JsonResponse:
    # The API's error shape (core/rest.py), as a token call gets it from grids.auth.
    error = PasswordChangeRequired()
    return JsonResponse({"code": error.default_code, "message": str(error.detail), "fields": {}}, status=403)


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not allowed_before_password_change(request.path)
        ):
            if request.path.startswith("/api/"):
                return password_change_required_response()
            return redirect(reverse("password_change"))
        return self.get_response(request)
