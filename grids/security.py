"""Login lockout answers (django-axes calls these): a page in the user's language for the login form,
a JSON error for the API."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("这个账户在本设备上连续 %(n)d 次密码错误，已锁定 %(m)d 分钟。请稍后再试，或请系统管理员解锁。") % {
        "n": settings.AXES_FAILURE_LIMIT,
        "m": minutes,
    }


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": lockout_message(), "fields": {}}, status=429)
    return render(request, "accounts/locked.html", {"message": lockout_message()}, status=429)
