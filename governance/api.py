"""The REST API under /api/v1/: the router, and what every endpoint shares — scoped filtering, paging,
one error format, idempotent creation, token login.

Each app's ``api.py`` holds its serializers and viewsets; they read through ``visible_to`` and write
through the same services as the pages, so the API can do no more than the pages allow.

Errors: every 4xx body is ``{"code": "...", "message": "...", "fields": {...}}`` — a machine code, a
message in the request's language (Accept-Language), and per-field messages for invalid input.
"""

from __future__ import annotations

import hashlib
import json

from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.urls import include, path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from .rest import Conflict
from .security import lockout_message


class LockedOut(exceptions.APIException):
    status_code = 429
    default_code = "locked_out"


# --- Idempotent creation --------------------------------------------------------------------------------

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A client-made unique key (e.g. a UUID). The same key with the same body returns the first "
    "answer and creates nothing; with another body it is refused (409). Keys are kept per user.",
)


class IdempotentCreateMixin:
    """``create`` honours an Idempotency-Key header: one row per key, also for concurrent duplicates."""

    def create(self, request, *args, **kwargs):
        from grids.models import IdempotencyKey

        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key:
            return super().create(request, *args, **kwargs)
        if len(key) > 100:
            raise exceptions.ValidationError({"Idempotency-Key": [_("Idempotency-Key 最长 100 个字符。")]})
        digest = hashlib.sha256(
            json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False).encode()
        ).hexdigest()
        scope = f"{request.method} {request.path}"
        existing = IdempotencyKey.objects.filter(user=request.user, key=key).first()
        if existing is None:
            try:
                with transaction.atomic():
                    # The claim: a concurrent duplicate blocks on this row's unique index until we commit,
                    # then finds it and answers with what we stored.
                    claim = IdempotencyKey.objects.create(user=request.user, key=key, scope=scope, body_hash=digest)
                    response = super().create(request, *args, **kwargs)
                    if response.status_code >= 400:
                        raise _Rollback(response)
                    claim.status = response.status_code
                    claim.response = response.data
                    claim.save(update_fields=["status", "response"])
                    return response
            except _Rollback as rollback:
                return rollback.response
            except IntegrityError:
                existing = IdempotencyKey.objects.filter(user=request.user, key=key).first()
                if existing is None:
                    raise
        if existing.scope != scope or existing.body_hash != digest:
            raise Conflict(_("这个 Idempotency-Key 已用于另一次不同内容的请求。"))
        response = Response(existing.response, status=existing.status)
        response["Idempotent-Replay"] = "true"
        return response


class _Rollback(Exception):
    def __init__(self, response):
        self.response = response


# --- Auth ------------------------------------------------------------------------------------------------


class TokenView(APIView):
    """POST username + password → a token; DELETE revokes the caller's token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        password = request.data.get("password") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
            raise exceptions.ValidationError({"username": [_("请填写用户名和密码。")]})
        try:
            user = authenticate(request._request, username=username, password=password)
        except AxesBackendPermissionDenied:
            raise LockedOut(lockout_message()) from None
        if getattr(request._request, "axes_locked_out", False):
            raise LockedOut(lockout_message())
        if user is None or not user.is_active:
            raise exceptions.ValidationError({"non_field_errors": [_("用户名或密码不正确。")]})
        if user.must_change_password:
            raise exceptions.PermissionDenied(_("您的密码是由管理员设置的，请先在网页上登录并设置您自己的密码。"))
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class TokenRevokeView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


def _router() -> DefaultRouter:
    from disputes.api import CaseViewSet, MediatorViewSet
    from grids.api import AssignmentViewSet, GridViewSet, MicroGridViewSet, NoticeViewSet, VillageViewSet
    from reports.api import ReportViewSet
    from residents.api import HouseholdViewSet, KeyPersonViewSet, KeyPlaceViewSet, ResidentViewSet
    from visits.api import VisitViewSet

    router = DefaultRouter()
    router.register("villages", VillageViewSet, basename="village")
    router.register("grids", GridViewSet, basename="grid")
    router.register("micro-grids", MicroGridViewSet, basename="micro-grid")
    router.register("assignments", AssignmentViewSet, basename="assignment")
    router.register("notices", NoticeViewSet, basename="notice")
    router.register("households", HouseholdViewSet, basename="household")
    router.register("residents", ResidentViewSet, basename="resident")
    router.register("key-persons", KeyPersonViewSet, basename="key-person")
    router.register("key-places", KeyPlaceViewSet, basename="key-place")
    router.register("visits", VisitViewSet, basename="visit")
    router.register("cases", CaseViewSet, basename="case")
    router.register("mediators", MediatorViewSet, basename="mediator")
    router.register("reports", ReportViewSet, basename="report")
    return router


def urls():
    from grids.api import MeView
    from visits.api import WorkListView

    return [
        path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
        path("api/v1/auth/token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
        path("api/v1/me/", MeView.as_view(), name="api-me"),
        path("api/v1/me/work-list/", WorkListView.as_view(), name="api-work-list"),
        path("api/v1/", include((_router().urls, "api"), namespace="api")),
        path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
        path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    ]
