"""What the registry pages share: permission checks, list ordering, the village a form is for."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from grids import access
from grids.models import Village


def _require_change(request: HttpRequest, obj, changeable_qs) -> None:
    if not changeable_qs.filter(pk=obj.pk).exists():
        raise PermissionDenied(_("您可以查看，但只有本村村干部可以修改。"))


def _ordered(filterset, *default: str):
    """The user's chosen ordering (OrderingFilter), else the list's natural order."""
    qs = filterset.qs
    return qs if qs.query.order_by else qs.order_by(*default)


def _active_unless_archived_asked(request: HttpRequest, queryset):
    return queryset if request.GET.get("archived") in {"true", "1"} else queryset.active()


def _staff_village(request: HttpRequest, pk: int) -> Village:
    return access.village_for_change(request.user, pk)


def _default_village(request: HttpRequest) -> Village | None:
    return access.sole_changeable_village(request.user)
