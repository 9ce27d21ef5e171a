"""What every API endpoint shares and DRF's settings point at: paging, scoped filtering, the error format
and its documentation (also for what Django answers under /api/ without a DRF view), the pages' forms behind
the API, ids in the database's range, scoped references, idempotent creation (docs/architecture.md). Kept
free of view and model imports at the top (DRF reads these while importing its views, before apps may be
ready)."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField
from django.http import Http404, JsonResponse, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .parsers import UNREADABLE_BODY
from .pipeline import Changed

MAX_PAGE_SIZE = 200


class Pagination(PageNumberPagination):
    """Page-number paging: ``?page=2&page_size=100``; 50 by default, at most 200 per page."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class ScopedFilterBackend(DjangoFilterBackend):
    """The pages' FilterSets take the user (their choices are scoped to what the user may see)."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and "user" in filterset_class.__init__.__code__.co_varnames:
            kwargs["user"] = request.user
        return kwargs


# --- Errors -------------------------------------------------------------------------------------------

CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "permission_denied",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_409_CONFLICT: "conflict",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _plain(detail, where: tuple = ()) -> list[str]:
    """DRF's error details as plain sentences, never a Python repr of them. A nested error says where it
    is: the item of a list and the field inside it (``第2项 role：“x” 不是合法选项。``)."""
    if isinstance(detail, dict):  # a nested serializer's fields, or a ListField's {index: errors}
        return [m for key, value in detail.items() for m in _plain(value, (*where, key))]
    if isinstance(detail, list):
        if detail and all(isinstance(item, (dict, list)) for item in detail):  # one entry per item of a list
            return [m for index, item in enumerate(detail) for m in _plain(item, (*where, index))]
        return [m for item in detail for m in _plain(item, where)]
    place = " ".join(
        _("第%(n)d项") % {"n": part + 1} if isinstance(part, int) else str(part)
        for part in where
        if part not in ("non_field_errors", "__all__")
    )
    return [f"{place}：{detail}" if place else str(detail)]


def exception_handler(exc, context):
    """One JSON shape for every 4xx; the services' Django errors become 400 / 403 / 404."""
    if isinstance(exc, Changed):
        exc = Conflict(exc.messages[0], code=exc.code)  # someone else changed it meanwhile
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(
                {("non_field_errors" if k == "__all__" or k is None else k): v for k, v in exc.message_dict.items()}
            )
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
        exc.default_code = getattr(exc, "code", "invalid")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, exceptions.ParseError):  # the parsers' own words are English, with Python's in them
        exc = exceptions.ParseError(UNREADABLE_BODY)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    body = {"code": CODES.get(response.status_code, "error"), "message": "", "fields": {}}
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(detail, dict):
            body["fields"] = {k: _plain(v) for k, v in detail.items()}
        messages = [m for field in body["fields"].values() for m in field] if body["fields"] else _plain(detail)
        body["message"] = _("请求中有错误：%s") % "；".join(messages)
    else:
        body["message"] = "；".join(_plain(detail.get("detail", detail) if isinstance(detail, dict) else detail))
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        if isinstance(codes, str) and response.status_code not in (400,):
            body["code"] = codes if codes not in {"error"} else body["code"]
    response.data = body
    return response


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


ERROR_PAGE_MESSAGES = {
    status.HTTP_400_BAD_REQUEST: exceptions.ParseError.default_detail,
    status.HTTP_403_FORBIDDEN: exceptions.PermissionDenied.default_detail,
    status.HTTP_404_NOT_FOUND: exceptions.NotFound.default_detail,
    status.HTTP_500_INTERNAL_SERVER_ERROR: exceptions.APIException.default_detail,
}


def api_or(status_code: int, page):
    """The project's handler400/403/404/500 (governance/urls.py): under /api/, what Django answers without a
    DRF view (a path no route matches, such as an id with a dot: ``/api/v1/residents/1.5/``), or after a view
    failed, is JSON in the same shape as every other API error; elsewhere ``page``, the site's own."""
    message = ERROR_PAGE_MESSAGES[status_code]

    def handler(request, exception=None):
        if _is_api(request):
            body = {"code": CODES.get(status_code, "error"), "message": str(message), "fields": {}}
            return JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})
        return page(request) if status_code == status.HTTP_500_INTERNAL_SERVER_ERROR else page(request, exception)

    return handler


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="a machine code: invalid, not_authenticated, permission_denied, …")
    message = serializers.CharField(help_text="for people, in the request's language")
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


def document_error_responses(result, generator, request, public):
    """Every operation documents the error body of the 4xx answers it can give (a postprocessing hook)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
        "required": ["code", "message"],
    }
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    descriptions = {
        "400": "invalid input (see fields)",
        "401": "not logged in",
        "403": "not allowed",
        "404": "not found, or not in your scope",
        "405": "method not allowed",
        "406": "not acceptable",
        "409": "changed meanwhile by someone else, or an idempotency key reused with another body",
        "415": "unsupported media type",
        "429": "locked out after too many failed logins (the token endpoint)",
    }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in descriptions.items():
                if code in {"409", "429"} and method != "post":
                    continue
                responses.setdefault(code, {"description": description, **error})
    return result


def form_data(data, *, over: dict) -> dict | QueryDict:
    """A change laid over a record's current values (``over``), as the page's form reads it: a PATCH keeps
    the fields it leaves out. A form-encoded body stays a QueryDict (``{**querydict}`` would give each field
    its list of values, which a text field stores as the text of the list)."""
    if not isinstance(data, QueryDict):
        return {**over, **data}
    merged = QueryDict(mutable=True)
    for key, value in over.items():
        merged.setlist(key, value if isinstance(value, list) else [value])
    for key in data:
        merged.setlist(key, data.getlist(key))
    return merged


def _as_form_text(value):
    """A JSON scalar as the text a browser would post for it (a form's fields parse text: ``False`` given to a
    date field used to fail with a 500)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return [_as_form_text(item) for item in value]
    return value  # text, None (an empty field), or an object (refused below)


def form_valid_or_400(form):
    """Validate a page's form for an API write (one set of rules for both); its errors become a 400. A JSON
    body is read as a browser's post would be: its numbers and booleans as their text, and a list or an
    object where the form takes one value refused by name (a form would read the Python text of it)."""
    if not isinstance(form.data, QueryDict):
        form.data = {key: _as_form_text(value) for key, value in form.data.items()}
        wrong = {
            name: [_("这里只能填一个值，不能是列表或对象。")]
            for name, field in form.fields.items()
            if isinstance(form.data.get(form.add_prefix(name)), (list, dict))
            and not getattr(field.widget, "allow_multiple_selected", False)
        }
        if wrong:
            raise exceptions.ValidationError(wrong)
    if not form.is_valid():
        raise exceptions.ValidationError(
            {("non_field_errors" if k == "__all__" else k): [str(m) for m in v] for k, v in form.errors.items()}
        )
    return form


# --- Numbers in the database's range ----------------------------------------------------------------------
# A number past what its column holds must be refused before a query carries it: SQLite cannot bind it (a
# 500) and PostgreSQL compares it as a numeric, in a query that can only find nothing.

# Ids are BigAutoField (settings.DEFAULT_AUTO_FIELD): a signed 64-bit integer in PostgreSQL and SQLite alike.
ID_MAX = BigIntegerField.MAX_BIGINT
# A version or a revision, compared in the query that claims the change, is a PositiveIntegerField: 32 bits.
COUNT_MAX = 2**31 - 1


def id_or_none(value) -> int | None:
    """A posted id, or None when it is not a whole number an id can be (so a lookup never raises)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= ID_MAX else None


class IdField(serializers.IntegerField):
    """An id in a request body (1 … 2⁶³−1); one out of that range is no record, said so before any query."""

    default_error_messages = {
        "min_value": gettext_lazy("没有这个编号的记录。"),
        "max_value": gettext_lazy("没有这个编号的记录。"),
    }

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)


class CountField(serializers.IntegerField):
    """A version or revision the caller saw (0 … 2³¹−1)."""

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=COUNT_MAX, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class ScopedPrimaryKey(serializers.PrimaryKeyRelatedField):
    """A reference the caller may use: another village's id fails like a missing one, and so does a number
    no id can be (checked before the lookup)."""

    def __init__(self, *, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if id_or_none(data) is None:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


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
        from .models import IdempotencyKey  # here, not at the top: DRF imports this module before apps are ready

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
