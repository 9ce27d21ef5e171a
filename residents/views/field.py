"""The grid worker's phone pages for households: find one of my grids' households, see it, correct it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.natural import NaturalOrder
from core.pages import paginate
from grids import access

from .. import services
from ..filters import HouseholdFilter
from ..forms import FieldHouseholdForm, FieldWechatForm
from ..models import Household
from ._shared import _require_change
from .households import _household_rows, _visible_household


def _require_field_worker(request: HttpRequest) -> None:
    if not access.scope_for(request.user).works_in_field:
        raise PermissionDenied(_("此页面供网格员使用。"))


@login_required
def field_household_list(request: HttpRequest) -> HttpResponse:
    """Find a household of my grids by name, address or phone (a full ID number too: recorded and limited a
    day, residents/disclosure.py)."""
    _require_field_worker(request)
    base = Household.objects.visible_to(request.user).active()
    filterset = HouseholdFilter(request.GET, queryset=base, user=request.user)
    # The rows as the worker walks them: by micro-grid, then address in natural order (张庄2号 before 张庄11号).
    order = ("micro_grid__grid__number", "micro_grid__number", "address")
    rows = NaturalOrder(filterset.qs, *order, rows=_household_rows)
    page, query = paginate(request, rows, per_page=20)
    return render(request, "residents/field_household_list.html", {"filter": filterset, "page": page, "query": query})


@login_required
def field_household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_field_worker(request)
    household = _visible_household(request, pk)
    members = household.members.active().order_by("relation", "birth_date")
    # Household.objects.changeable_by for the row just read, answered from the scope (no query of its own).
    can_change = access.may_change_at(request.user, village_id=household.village_id, grid_id=household.grid_id)
    can_visit = access.may_record_visit(
        request.user,
        village_id=household.village_id,
        grid_id=household.grid_id,
        micro_grid_id=household.micro_grid_id,
    )
    return render(
        request,
        "residents/field_household_detail.html",
        {
            "household": household,
            "members": members,
            "can_change": can_change,
            "wechat_form": FieldWechatForm(household=household) if can_change else None,
            "can_visit": can_visit and not household.is_archived,
            "here": request.get_full_path(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def field_household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_field_worker(request)
    household = _visible_household(request, pk)
    _require_change(request, household, Household.objects.changeable_by(request.user))
    form = FieldHouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        services.household_save(by=request.user, household=form.save(commit=False))
        messages.success(request, _("已保存。"))
        return redirect("residents:field-household-detail", pk=household.pk)
    return render(request, "residents/field_household_edit.html", {"form": form, "household": household})


@login_required
@require_http_methods(["POST"])
def field_household_wechat(request: HttpRequest, pk: int) -> HttpResponse:
    """The tick on the household's page: someone of it is in the grid's WeChat group (and who), or not."""
    _require_field_worker(request)
    household = _visible_household(request, pk)
    _require_change(request, household, Household.objects.changeable_by(request.user))
    form = FieldWechatForm(request.POST, household=household)
    if form.is_valid():
        services.household_save(by=request.user, household=form.apply())
        messages.success(request, _("已保存入群情况。"))
    else:
        messages.error(request, _("请从列表中选择入群情况。"))
    return redirect("residents:field-household-detail", pk=household.pk)
