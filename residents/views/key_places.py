"""Key-place pages: list, detail, create, edit, archive and restore."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.db import get_as_written_or_404
from core.pages import paginate
from grids import access

from .. import services
from ..filters import KeyPlaceFilter
from ..forms import KeyPlaceForm
from ..models import KeyPlace
from ._shared import _active_unless_archived_asked, _default_village, _ordered, _staff_village


@login_required
def key_place_list(request: HttpRequest) -> HttpResponse:
    base = _active_unless_archived_asked(request, KeyPlace.objects.visible_to(request.user)).select_related("grid")
    filterset = KeyPlaceFilter(request.GET, queryset=base, user=request.user)
    page, query = paginate(request, _ordered(filterset, "village", "grid", "type", "name"))
    return render(
        request,
        "residents/key_place_list.html",
        {"filter": filterset, "page": page, "query": query, "create_village": _default_village(request)},
    )


def _visible_key_place(request: HttpRequest, pk: int) -> KeyPlace:
    places = KeyPlace.objects.visible_to(request.user).select_related("village", "grid", "micro_grid", "owner")
    return get_as_written_or_404(places, pk=pk)


@login_required
def key_place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = _visible_key_place(request, pk)
    context = {
        "place": place,
        "tenants": place.tenants.all(),
        "can_manage": access.can_manage_village(request.user, place.village),
    }
    return render(request, "residents/key_place_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def key_place_create(request: HttpRequest, pk: int) -> HttpResponse:
    village = _staff_village(request, pk)
    form = KeyPlaceForm(request.POST or None, village=village)
    if request.method == "POST" and form.is_valid():
        place = form.save()
        messages.success(request, _("已新建重点场所“%(name)s”。") % {"name": place.name})
        return redirect("residents:keyplace-detail", pk=place.pk)
    return render(request, "residents/key_place_form.html", {"form": form, "village": village})


@login_required
@require_http_methods(["GET", "POST"])
def key_place_update(request: HttpRequest, pk: int) -> HttpResponse:
    place = _visible_key_place(request, pk)
    access.require_manage(request.user, place.village)
    if place.is_archived:
        raise PermissionDenied(_("该场所已归档，请先恢复。"))
    form = KeyPlaceForm(request.POST or None, instance=place, village=place.village)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存。"))
        return redirect("residents:keyplace-detail", pk=place.pk)
    return render(request, "residents/key_place_form.html", {"form": form, "village": place.village, "place": place})


@login_required
@require_POST
def key_place_archive(request: HttpRequest, pk: int) -> HttpResponse:
    place = _visible_key_place(request, pk)
    access.require_manage(request.user, place.village)
    services.key_place_set_archived(place=place, archived=request.POST.get("restore") != "1")
    messages.success(request, _("已恢复。") if request.POST.get("restore") == "1" else _("已归档；可随时恢复。"))
    return redirect("residents:keyplace-detail", pk=place.pk)
