"""Resident pages: list, detail, the full ID number shown once (and recorded), create, edit, move to
another household, archive and restore."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit import trail
from core.db import get_as_written_or_404
from core.pages import paginate
from grids import access
from grids.forms import add_service_errors

from .. import disclosure, services
from ..filters import ResidentFilter
from ..forms import ResidentForm, ResidentMoveForm
from ..models import KeyPerson, Resident
from ._shared import _active_unless_archived_asked, _default_village, _ordered, _staff_village


def _rows(residents):
    """The household's number and address as values, not a household object a row (docs/performance.md,
    "What a row shows")."""
    return residents.annotate(household_number=F("household__number"), household_address=F("household__address"))


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    base = _active_unless_archived_asked(request, Resident.objects.visible_to(request.user))
    filterset = ResidentFilter(request.GET, queryset=base, user=request.user)
    page, query = paginate(request, _ordered(filterset, "village_id", "household_id", "relation", "pk"), rows=_rows)
    for resident in page.object_list:  # as the viewer may see them (the rows are written by Jinja2: core/jinja.py)
        resident.shown_id = disclosure.masked_id(request.user, resident)
        resident.shown_age = disclosure.age(request.user, resident)
    return render(
        request,
        "residents/resident_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query,
            "create_village": _default_village(request),
            "search_tails": disclosure.may_search_tails(request.user),
            "id_search_limit": settings.ID_SEARCH_DAILY_LIMIT,
        },
    )


def _visible_resident(request: HttpRequest, pk: int) -> Resident:
    residents = Resident.objects.visible_to(request.user).select_related(
        "village", "household__grid", "household__micro_grid"
    )
    return get_as_written_or_404(residents, pk=pk)


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _visible_resident(request, pk)
    context = {
        "resident": resident,
        "key_listings": KeyPerson.objects.visible_to(request.user).filter(resident=resident),
        "moves": resident.moves.select_related("from_household", "to_household", "moved_by"),
        "can_manage": access.can_manage_village(request.user, resident.village),
        "may_see_full_id": access.may_see_full_id(request.user, resident.village_id),
    }
    return render(request, "residents/resident_detail.html", context)


@login_required
@require_POST
def resident_id_number(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number once, and record who saw it."""
    resident = _visible_resident(request, pk)
    try:
        number = services.id_number_reveal(
            viewer=request.user, resident=resident, address=trail.client_address(request), purpose="resident-page"
        )
    except PermissionError:
        raise PermissionDenied(_("只有本村村干部可以查看完整身份证号码。")) from None
    return render(request, "residents/resident_id_number.html", {"resident": resident, "number": number})


@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request: HttpRequest, pk: int) -> HttpResponse:
    village = _staff_village(request, pk)
    initial = {}
    if number := request.GET.get("household"):
        initial["household"] = number
    form = ResidentForm(request.POST or None, village=village, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_save(
                by=request.user, resident=form.save(commit=False), id_number=form.cleaned_data["id_number"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记居民“%(name)s”。") % {"name": resident.name})
            return redirect("residents:resident-detail", pk=resident.pk)
    return render(request, "residents/resident_form.html", {"form": form, "village": village})


def _resident_for_staff(request: HttpRequest, pk: int) -> Resident:
    resident = _visible_resident(request, pk)
    access.require_manage(request.user, resident.village)
    return resident


@login_required
@require_http_methods(["GET", "POST"])
def resident_update(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_for_staff(request, pk)
    if resident.is_archived:
        raise PermissionDenied(_("该居民已归档，请先恢复。"))
    form = ResidentForm(request.POST or None, instance=resident, village=resident.village)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_save(
                by=request.user, resident=form.save(commit=False), id_number=form.cleaned_data["id_number"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("residents:resident-detail", pk=resident.pk)
    return render(
        request, "residents/resident_form.html", {"form": form, "village": resident.village, "resident": resident}
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_move(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_for_staff(request, pk)
    form = ResidentMoveForm(request.POST or None, village=resident.village)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_move(
                by=request.user,
                resident=resident,
                to=form.cleaned_data["household"],
                relation=form.cleaned_data["relation"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已迁移。"))
            return redirect("residents:resident-detail", pk=resident.pk)
    return render(request, "residents/resident_move.html", {"form": form, "resident": resident})


@login_required
@require_POST
def resident_archive(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_for_staff(request, pk)
    services.resident_archive(by=request.user, resident=resident)
    messages.success(request, _("已归档；历史记录保留，可随时恢复。"))
    return redirect("residents:resident-detail", pk=resident.pk)


@login_required
@require_POST
def resident_restore(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_for_staff(request, pk)
    try:
        services.resident_restore(by=request.user, resident=resident)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已恢复。"))
    return redirect("residents:resident-detail", pk=resident.pk)
