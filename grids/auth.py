"""The API's token authentication (settings: ``REST_FRAMEWORK``): DRF's token, refused with a code a
client can act on when it has expired, when its owner's assignments are over, or while its owner must
first choose their own password. Imports no model at the top: DRF loads this class while importing its
views, which may be before the apps are ready (as ``core.rest``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, status


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("登录已过期，请重新登录以获取新的令牌。")
    default_code = "token_expired"


class TokenInvalid(exceptions.AuthenticationFailed):
    default_detail = _("令牌无效或已被撤销，请重新登录。")
    default_code = "authentication_failed"  # DRF's code for an unknown token, kept for existing clients


class AssignmentEnded(exceptions.AuthenticationFailed):
    default_detail = _("您的岗位已结束，不能再使用本系统。如有疑问，请联系村或镇综治办。")
    default_code = "assignment_ended"


class PasswordChangeRequired(exceptions.PermissionDenied):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("您的密码是由管理员设置的，请先在网页上设置您自己的密码，再使用接口。")
    default_code = "password_change_required"


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None:
            from .middleware import allowed_before_password_change

            user, _token = found
            if user.must_change_password and not allowed_before_password_change(request.path):
                raise PasswordChangeRequired()
        return found

    def authenticate_credentials(self, key):
        from . import credentials

        model = self.get_model()
        token = model.objects.select_related("user").filter(key=key).first()
        if token is None or not token.user.is_active:
            raise TokenInvalid()
        if credentials.token_expired(token):
            token.delete()
            raise TokenExpired()
        if credentials.assignments_over(token.user):
            token.delete()
            raise AssignmentEnded()
        return (token.user, token)
