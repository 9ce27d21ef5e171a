"""Household pages: list, detail, create, edit, move to another micro-grid, archive and restore. Lookups go
through ``visible_to`` (out of scope is a 404); changes need the village's staff (else a 403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.db import get_as_written_or_404
from core.pages import paginate
from grids import access
from grids.forms import add_service_errors

from .. import panels, services
from ..filters import HouseholdFilter
from ..forms import HouseholdForm, HouseholdMoveForm
from ..models import Household, KeyPerson, Resident, head_name
from ._shared import _active_unless_archived_asked, _default_village, _ordered, _staff_village

# What a list's row shows of a household (templates/jinja2/residents/household_rows.html and the phone's list).
_ROW_FIELDS = ("id", "village_id", "number", "address", "phone", "living_status", "archived_at")


def _household_rows(queryset):
    """A page's households with what their rows show: the names of their places as values (``grid_name``,
    ``micro_grid_name``, ``group_name``), not as three model objects a row (docs/performance.md, "What a row
    shows"), the head and the member count. For the page's rows only (``paginate``'s ``rows``)."""
    members = (
        Resident.objects.filter(household=OuterRef("pk"), archived_at__isnull=True)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.only(*_ROW_FIELDS).annotate(
        grid_name=F("grid__name"),
        micro_grid_name=F("micro_grid__name"),
        group_name=F("villager_group__name"),
        head_name=head_name(),
        member_count=Subquery(members),
    )


def _with_tag_names(households) -> None:
    """Each household's tags' names in the tags' order as ``tag_names``, by one statement of pairs (Django's
    ``prefetch_related`` made a tag object a row and cost as much again as the statement)."""
    names: dict[int, list[str]] = {h.pk: [] for h in households}
    if names:
        pairs = Household.tags.through.objects.filter(household_id__in=names).order_by("tag__order", "tag__name")
        for household_id, name in pairs.values_list("household_id", "tag__name"):
            names[household_id].append(name)
    for household in households:
        household.tag_names = names[household.pk]


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    base = _active_unless_archived_asked(request, Household.objects.visible_to(request.user))
    filterset = HouseholdFilter(request.GET, queryset=base, user=request.user)
    page, query = paginate(request, _ordered(filterset, "village_id", "number"), rows=_household_rows)
    _with_tag_names(page.object_list)
    return render(
        request,
        "residents/household_list.html",
        {"filter": filterset, "page": page, "query": query, "create_village": _default_village(request)},
    )


def _visible_household(request: HttpRequest, pk: int) -> Household:
    households = Household.objects.visible_to(request.user).select_related(
        "village", "grid", "micro_grid", "villager_group", "natural_village", "wechat_member"
    )
    return get_as_written_or_404(households, pk=pk)  # planning its joins was 3.2 ms, running them 0.1


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = _visible_household(request, pk)
    members = list(household.members.order_by("archived_at", "relation", "birth_date"))
    key_persons = (
        KeyPerson.objects.visible_to(request.user).filter(resident__household=household).select_related("resident")
    )
    context = {
        "household": household,
        "members": members,
        "key_persons": key_persons,
        "moves": household.moves.select_related("from_micro_grid__grid", "to_micro_grid__grid", "moved_by"),
        "can_manage": access.can_manage_village(request.user, household.village),
        # Visits and cases, from the apps above the registry (residents/panels.py).
        "panels": panels.panels_for(panels.HOUSEHOLD, request.user, household),
    }
    return render(request, "residents/household_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest, pk: int) -> HttpResponse:
    village = _staff_village(request, pk)
    form = HouseholdForm(request.POST or None, village=village)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_save(by=request.user, household=form.save(commit=False))
            form.save_m2m()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已新建户“%(h)s”。") % {"h": household})
            return redirect("residents:household-detail", pk=household.pk)
    return render(request, "residents/household_form.html", {"form": form, "village": village})


def _household_for_staff(request: HttpRequest, pk: int) -> Household:
    household = _visible_household(request, pk)
    access.require_manage(request.user, household.village)
    return household


@login_required
@require_http_methods(["GET", "POST"])
def household_update(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_staff(request, pk)
    if household.is_archived:
        raise PermissionDenied(_("该户已归档，请先恢复。"))
    form = HouseholdForm(request.POST or None, instance=household, village=household.village)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_save(by=request.user, household=form.save(commit=False))
            form.save_m2m()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("residents:household-detail", pk=household.pk)
    return render(
        request, "residents/household_form.html", {"form": form, "village": household.village, "household": household}
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_move(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_staff(request, pk)
    form = HouseholdMoveForm(request.POST or None, village=household.village)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_move(
                by=request.user, household=household, to=form.cleaned_data["micro_grid"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已将该户迁到“%(m)s”。") % {"m": form.cleaned_data["micro_grid"]})
            return redirect("residents:household-detail", pk=household.pk)
    return render(request, "residents/household_move.html", {"form": form, "household": household})


@login_required
@require_POST
def household_archive(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_staff(request, pk)
    services.household_archive(by=request.user, household=household)
    messages.success(request, _("已归档该户及其成员；历史记录保留，可随时恢复。"))
    return redirect("residents:household-detail", pk=household.pk)


@login_required
@require_POST
def household_restore(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_staff(request, pk)
    try:
        services.household_restore(by=request.user, household=household)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已恢复该户。"))
    return redirect("residents:household-detail", pk=household.pk)
