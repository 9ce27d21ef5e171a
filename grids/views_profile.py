"""The village profile (docs/scorecard.md, "The village profile pages"): where the village lies, its area and
industries, its collective income by year (with a bar chart), its honours and its service facilities.

Who: the village's staff change (and the admin); the town office reads and gets a 403 on the change pages;
grid workers, Party-member logins and other villages get a 404 — the doors of the civility records.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import access, services
from .forms import ServiceFacilityForm, VillageHonourForm, VillageIncomeForm, VillageProfileForm, add_service_errors
from .models import FacilityKind, ServiceFacility, Village, VillageHonour, VillageIncome

CHART_WIDTH = 480
CHART_HEIGHT = 160
CHART_BAR_GAP = 12


def village_for_read(request: HttpRequest, pk: int) -> Village:
    """The village ``pk`` if the user may read its profile (its staff, the town office, the admin), else 404:
    the grid path is left out of the door, so a grid worker (and a Party-member login) reaches none."""
    return access.readable_village(request.user, pk)


def village_for_change(request: HttpRequest, pk: int) -> Village:
    village = village_for_read(request, pk)
    access.require_manage(request.user, village)
    return village


def income_chart(incomes: list[VillageIncome]) -> dict:
    """Bars of income by year, oldest on the left, drawn as inline SVG (no script, no CDN)."""
    rows = sorted(incomes, key=lambda i: i.year)
    if not rows:
        return {"bars": [], "width": CHART_WIDTH, "height": CHART_HEIGHT}
    top = max((i.amount for i in rows), default=Decimal(0)) or Decimal(1)
    slot = CHART_WIDTH / len(rows)
    bar_width = max(slot - CHART_BAR_GAP, 4)
    inner = CHART_HEIGHT - 36  # room for the value above and the year below
    bars = []
    for n, income in enumerate(rows):
        h = float(income.amount / top) * inner
        x = n * slot + (slot - bar_width) / 2
        bars.append(
            {
                "x": round(x, 1),
                "y": round(CHART_HEIGHT - 18 - h, 1),
                "w": round(bar_width, 1),
                "h": round(h, 1),
                "cx": round(x + bar_width / 2, 1),
                "year": income.year,
                "amount": income.amount,
            }
        )
    return {"bars": bars, "width": CHART_WIDTH, "height": CHART_HEIGHT, "axis": CHART_HEIGHT - 18}


@login_required
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    incomes = list(VillageIncome.objects.filter(village=village).order_by("-year"))
    honours = list(VillageHonour.objects.active().filter(village=village).order_by("-year", "pk"))
    facilities = list(ServiceFacility.objects.active().filter(village=village).order_by("kind", "pk"))
    labels = dict(FacilityKind.choices)
    by_kind: dict[str, list] = {}
    for f in facilities:
        by_kind.setdefault(f.kind, []).append(f)
    kinds = [(labels[k], by_kind[k]) for k in FacilityKind.values if k in by_kind]
    return render(
        request,
        "grids/village_profile.html",
        {
            "village": village,
            "incomes": incomes,
            "chart": income_chart(incomes),
            "honours": honours,
            "facility_kinds": kinds,
            "facility_count": len(facilities),
            "may_change": access.can_manage_village(request.user, village) and not village.is_archived,
        },
    )


def _form_page(request, village, form, *, title: str, status: int = 200, archive_url: str = "") -> HttpResponse:
    return render(
        request,
        "grids/profile_form.html",
        {"village": village, "form": form, "title": title, "archive_url": archive_url},
        status=status,
    )


def _saved(request, village, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("grids:village-profile", pk=village.pk)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_change(request, pk)
    form = VillageProfileForm(request.POST or None, instance=Village.objects.get(pk=village.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.village_profile_save(
                by=request.user,
                village=form.instance,
                location=data["location"],
                industries=data["industries"],
                area_km2=data["area_km2"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, village, _("已保存村情。"))
    status = 400 if request.method == "POST" else 200
    return _form_page(request, village, form, title=_("编辑村情（位置、面积、产业）"), status=status)


def _row_page(request, village, form, save, *, title: str, done: str, archive_url: str = "") -> HttpResponse:
    """The add / edit page of one profile row: the service saves it or says what is wrong on the form."""
    if request.method == "POST" and form.is_valid():
        row = form.save(commit=False)
        is_new = row.pk is None
        try:
            save(by=request.user, row=row)
        except ValidationError as error:
            if is_new:
                row.pk = None
            add_service_errors(form, error)
        else:
            return _saved(request, village, done)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, village, form, title=title, status=status, archive_url=archive_url)


def _income_save(*, by, row):
    return services.income_save(by=by, income=row)


def _honour_save(*, by, row):
    return services.honour_save(by=by, honour=row)


def _facility_save(*, by, row):
    return services.facility_save(by=by, facility=row)


@login_required
@require_http_methods(["GET", "POST"])
def income_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_change(request, pk)
    form = VillageIncomeForm(request.POST or None, village=village)
    return _row_page(request, village, form, _income_save, title=_("登记村集体收入"), done=_("已登记集体收入。"))


def _row(request, model, pk: int):
    """A profile row the user may see (404 otherwise), and a 403 when they may only read it."""
    row = get_object_or_404(model.objects.visible_to(request.user).select_related("village__town"), pk=pk)
    access.require_manage(request.user, row.village)
    if getattr(row, "archived_at", None) is not None:
        raise PermissionDenied(_("该记录已归档，不能修改。"))
    return row


@login_required
@require_http_methods(["GET", "POST"])
def income_edit(request: HttpRequest, pk: int) -> HttpResponse:
    income = _row(request, VillageIncome, pk)
    form = VillageIncomeForm(request.POST or None, instance=income, village=income.village)
    return _row_page(request, income.village, form, _income_save, title=_("修改村集体收入"), done=_("已保存集体收入。"))


@login_required
@require_http_methods(["GET", "POST"])
def honour_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_change(request, pk)
    form = VillageHonourForm(request.POST or None, village=village)
    return _row_page(request, village, form, _honour_save, title=_("登记村荣誉"), done=_("已登记荣誉。"))


@login_required
@require_http_methods(["GET", "POST"])
def honour_edit(request: HttpRequest, pk: int) -> HttpResponse:
    honour = _row(request, VillageHonour, pk)
    form = VillageHonourForm(request.POST or None, instance=honour, village=honour.village)
    archive = reverse("grids:honour-archive", args=[honour.pk])
    return _row_page(
        request, honour.village, form, _honour_save, title=_("修改村荣誉"), done=_("已保存荣誉。"), archive_url=archive
    )


@login_required
@require_http_methods(["GET", "POST"])
def facility_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_change(request, pk)
    form = ServiceFacilityForm(request.POST or None, village=village)
    return _row_page(request, village, form, _facility_save, title=_("登记服务阵地"), done=_("已登记服务阵地。"))


@login_required
@require_http_methods(["GET", "POST"])
def facility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    facility = _row(request, ServiceFacility, pk)
    form = ServiceFacilityForm(request.POST or None, instance=facility, village=facility.village)
    archive = reverse("grids:facility-archive", args=[facility.pk])
    return _row_page(
        request,
        facility.village,
        form,
        _facility_save,
        title=_("修改服务阵地"),
        done=_("已保存服务阵地。"),
        archive_url=archive,
    )


def _archive(request: HttpRequest, model, pk: int) -> HttpResponse:
    row = _row(request, model, pk)
    if request.method == "POST":
        services.profile_row_archive(by=request.user, row=row)
        return _saved(request, row.village, _("已归档“%(name)s”，记录保留。") % {"name": str(row)})
    return render(
        request,
        "grids/profile_archive.html",
        {"object": row, "village": row.village, "cancel_url": reverse("grids:village-profile", args=[row.village_id])},
    )


@login_required
@require_http_methods(["GET", "POST"])
def honour_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _archive(request, VillageHonour, pk)


@login_required
@require_http_methods(["GET", "POST"])
def facility_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _archive(request, ServiceFacility, pk)


urlpatterns = [
    path("villages/<int:pk>/profile/", profile, name="village-profile"),
    path("villages/<int:pk>/profile/edit/", profile_edit, name="village-profile-edit"),
    path("villages/<int:pk>/profile/incomes/new/", income_new, name="income-new"),
    path("village-incomes/<int:pk>/edit/", income_edit, name="income-edit"),
    path("villages/<int:pk>/profile/honours/new/", honour_new, name="honour-new"),
    path("village-honours/<int:pk>/edit/", honour_edit, name="honour-edit"),
    path("village-honours/<int:pk>/archive/", honour_archive, name="honour-archive"),
    path("villages/<int:pk>/profile/facilities/new/", facility_new, name="facility-new"),
    path("service-facilities/<int:pk>/edit/", facility_edit, name="facility-edit"),
    path("service-facilities/<int:pk>/archive/", facility_archive, name="facility-archive"),
]
