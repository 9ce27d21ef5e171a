"""Grid-worker care (docs/scorecard.md, "Grid-worker care pages"): the village's table of its current grid
workers — insurance in force, the year's health check and trainings, days in the grid per week this month —
with its filters, paging and Excel export, and the pages that add a policy or a health check.

Who: the village's staff change (and the admin); the town office reads and exports and gets a 403 on the
change pages; grid workers, Party-member logins and other villages get a 404 (the civility records' doors).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit import trail
from core.excel import add_sheet, append_row, new_workbook, workbook_bytes
from core.pages import paginate, stamped_xlsx_response
from grids import access
from grids.forms import add_service_errors
from grids.models import Village

from .. import care, services
from ..forms_care import CareFilter, HealthCheckForm, InsuranceForm
from ..models import HealthCheck, WorkerInsurance


def village_for_read(request: HttpRequest, pk: int) -> Village:
    """The village ``pk`` if the user may read its people's records (its staff, the town office, the admin),
    else 404: the grid path is left out of the door, so grid workers and Party-member logins reach none."""
    return access.readable_village(request.user, pk)


def village_for_change(request: HttpRequest, pk: int) -> Village:
    village = village_for_read(request, pk)
    access.require_manage(request.user, village)
    return village


def _year(filterset: CareFilter, today: datetime.date) -> int:
    if filterset.is_bound and filterset.is_valid() and filterset.form.cleaned_data.get("year"):
        return int(filterset.form.cleaned_data["year"])
    return today.year


def _care_rows(request: HttpRequest, village: Village):
    """The filtered workers with their care columns, the year shown, and today."""
    today = timezone.localdate()
    base = services.current_workers(village=village)
    filterset = CareFilter(request.GET or None, queryset=base)
    year = _year(filterset, today)
    rows = care.annotate_care(filterset.qs, village=village, today=today, year=year)
    status = filterset.form.cleaned_data.get("insurance") if filterset.is_bound and filterset.is_valid() else ""
    rows = rows.filter(care.insurance_q(status or "", today)).order_by("full_name", "pk")
    return filterset, rows, year, today


def _decorate(rows, today: datetime.date) -> dict:
    """Field days for the page's workers (one grouped query) and the insurance flag on each row."""
    days = care.field_days([w.pk for w in rows], month=today, today=today)
    soon = today + datetime.timedelta(days=care.EXPIRING_DAYS)
    for w in rows:
        w.field = days[w.pk]
        w.insurance_expiring = w.insured_until is not None and w.insured_until <= soon
    return days


@login_required
def care_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    filterset, rows, year, today = _care_rows(request, village)
    page, query = paginate(request, rows)
    _decorate(page.object_list, today)
    return render(
        request,
        "people/care_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "year": year,
            "today": today,
            "weeks": care.month_weeks(today, today),
            "days_a_week": care.DAYS_A_WEEK,
            "expiring_days": care.EXPIRING_DAYS,
            "may_change": access.can_manage_village(request.user, village) and not village.is_archived,
        },
    )


@login_required
def care_export(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    _filterset, rows, year, today = _care_rows(request, village)
    rows = list(rows)
    _decorate(rows, today)
    weeks = care.month_weeks(today, today)
    book = new_workbook()
    headers = [
        "网格员",
        "意外险保险公司",
        "保险止期",
        f"{care.EXPIRING_DAYS}天内到期",
        f"{year}年最近体检",
        "体检机构",
        f"{year}年参训次数",
        *[f"第{w}周在网格天数" for _y, w, _m in weeks],
        f"本月满{care.DAYS_A_WEEK}天的周数",
    ]
    sheet = add_sheet(book, "网格员保障", headers, widths={"A": 14, "B": 24, "E": 14, "F": 24})
    for w in rows:
        append_row(
            sheet,
            [
                str(w),
                w.insurer or "",
                w.insured_until.isoformat() if w.insured_until else "未参保",
                "是" if w.insurance_expiring else "",
                w.last_check.isoformat() if w.last_check else "",
                w.check_institution or "",
                w.trainings_year or 0,
                *[d.days for d in w.field.weeks],
                f"{w.field.weeks_enough}/{w.field.weeks_complete}",
            ],
        )
    trail.record_export(request, "worker_care", len(rows), False)
    return stamped_xlsx_response(workbook_bytes(book), "worker-care")


def _form_page(request, village, form, *, title: str, note: str = "", status: int = 200) -> HttpResponse:
    return render(
        request,
        "people/care_form.html",
        {"village": village, "form": form, "title": title, "note": note},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def insurance_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_change(request, pk)
    workers = services.current_workers(village=village)
    initial = {"kind": "人身意外险"}
    if (worker := request.GET.get("worker", "")).isdecimal():
        initial["worker"] = worker
    form = InsuranceForm(request.POST or None, village=village, workers=workers, initial=initial)
    if request.method == "POST" and form.is_valid():
        insurance = form.save(commit=False)
        try:
            services.insurance_save(by=request.user, insurance=insurance)
        except ValidationError as error:
            insurance.pk = None
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记 %(who)s 的意外险。") % {"who": insurance.worker})
            return redirect("people:worker-care", pk=village.pk)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, village, form, title=_("登记网格员意外险"), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def insurance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    insurance = get_object_or_404(
        WorkerInsurance.objects.visible_to(request.user).select_related("village", "worker"), pk=pk
    )
    access.require_manage(request.user, insurance.village)
    village = insurance.village
    workers = services.current_workers(village=village) | type(insurance.worker).objects.filter(pk=insurance.worker_id)
    form = InsuranceForm(request.POST or None, instance=insurance, village=village, workers=workers)
    if request.method == "POST" and form.is_valid():
        try:
            services.insurance_save(by=request.user, insurance=form.save(commit=False))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存 %(who)s 的意外险。") % {"who": insurance.worker})
            return redirect("people:worker-care", pk=village.pk)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, village, form, title=_("修改网格员意外险"), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def health_check_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_change(request, pk)
    workers = services.current_workers(village=village)
    initial = {}
    if (worker := request.GET.get("worker", "")).isdecimal():
        initial["worker"] = worker
    form = HealthCheckForm(request.POST or None, village=village, workers=workers, initial=initial)
    if request.method == "POST" and form.is_valid():
        check = form.save(commit=False)
        try:
            services.health_check_add(by=request.user, check=check)
        except ValidationError as error:
            check.pk = None
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记 %(who)s 的健康体检。") % {"who": check.worker})
            return redirect("people:worker-care", pk=village.pk)
    status = 400 if request.method == "POST" else 200
    note = _("只登记体检日期和体检机构。体检结果属于本人隐私，本系统不记录任何体检结果。")
    return _form_page(request, village, form, title=_("登记网格员健康体检"), note=note, status=status)


@login_required
def worker_records(request: HttpRequest, pk: int) -> HttpResponse:
    """A village's insurance policies and health checks as entered (to correct a policy), newest first."""
    village = village_for_read(request, pk)
    policies = WorkerInsurance.objects.visible_to(request.user).filter(village=village).select_related("worker")
    q = request.GET.get("q", "").strip()
    if q:
        policies = policies.filter(worker__full_name__icontains=q)
    page, query = paginate(request, policies.order_by("-starts_on", "-pk"))
    checks = (
        HealthCheck.objects.visible_to(request.user)
        .filter(village=village, checked_on__year=timezone.localdate().year)
        .select_related("worker")
        .order_by("-checked_on", "-pk")[:100]
    )
    return render(
        request,
        "people/care_records.html",
        {
            "village": village,
            "page": page,
            "query": query,
            "q": q,
            "checks": checks,
            "may_change": access.can_manage_village(request.user, village) and not village.is_archived,
        },
    )


urlpatterns = [
    path("villages/<int:pk>/workers/care/", care_list, name="worker-care"),
    path("villages/<int:pk>/workers/care/export/", care_export, name="worker-care-export"),
    path("villages/<int:pk>/workers/care/records/", worker_records, name="worker-care-records"),
    path("villages/<int:pk>/workers/insurance/new/", insurance_new, name="insurance-new"),
    path("worker-insurance/<int:pk>/edit/", insurance_edit, name="insurance-edit"),
    path("villages/<int:pk>/workers/health-checks/new/", health_check_new, name="health-check-new"),
]
