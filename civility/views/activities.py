"""Activities pages (docs/civility.md): the village's list with the year's counts by kind and month, the
Excel export, an activity's page with its photos, new and edit.

Who: the village's staff change (and the admin); the town office reads and exports its villages' and gets a
403 on the change pages; a grid worker and another village's staff get a 404, as for anything out of scope —
the same doors as the co-governance records (cogovernance/views/projects.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.db.models.functions import ExtractMonth
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit import trail
from core.excel import add_sheet, append_row, new_workbook, workbook_bytes
from core.pages import paginate, stamped_xlsx_response, stored_file_response
from grids import access
from grids.forms import add_service_errors
from grids.models import Village

from .. import services
from ..forms_activities import ActivityFilter, ActivityForm
from ..models import Activity, ActivityKind, ActivityPhoto, VolunteerTeam

# --- doors -----------------------------------------------------------------------------------------------


def village_for_read(request: HttpRequest, pk: int) -> Village:
    """The village ``pk`` if the user may see its records (its staff, the town office, the admin), else 404:
    a grid worker reaches none, like the records' own ``visible_to``."""
    return access.readable_village(request.user, pk)


def village_for_change(request: HttpRequest, pk: int) -> Village:
    """As ``village_for_read``, and a 403 that says so for those who only read (the town office)."""
    village = village_for_read(request, pk)
    access.require_manage(request.user, village)
    return village


def _activity(request: HttpRequest, pk: int) -> Activity:
    return get_object_or_404(
        Activity.objects.visible_to(request.user).select_related("village", "set_date", "party_meeting", "created_by"),
        pk=pk,
    )


# --- the list --------------------------------------------------------------------------------------------


def _filter(request: HttpRequest, village: Village) -> ActivityFilter:
    base = Activity.objects.visible_to(request.user).active().filter(village=village)
    return ActivityFilter(request.GET or None, queryset=base, village=village)


def _columns(queryset):
    """The teams column, in one query for the page."""
    return queryset.prefetch_related(Prefetch("teams", queryset=VolunteerTeam.objects.order_by("name")))


def _counts(village: Village, year: int) -> dict:
    """The year's activities of the village by kind and month (one grouped query), every kind a row (a kind
    without activities a row of nothing, not left out), and the bars of the year's counts by kind."""
    rows = (
        Activity.objects.active()
        .filter(village=village, held_on__year=year)
        .annotate(month=ExtractMonth("held_on"))
        .values("kind", "month")
        .annotate(n=Count("pk"))
    )
    by = {(r["kind"], r["month"]): r["n"] for r in rows}
    table = []
    for kind, label in ActivityKind.choices:
        months = [by.get((kind, m), 0) for m in range(1, 13)]
        table.append({"kind": kind, "label": label, "months": months, "total": sum(months)})
    month_totals = [sum(row["months"][m] for row in table) for m in range(12)]
    top = max([row["total"] for row in table] + [1])
    bars = [
        {"label": row["label"], "n": row["total"], "pct": round(100 * row["total"] / top)}
        for row in table
        if row["total"]
    ]
    return {
        "year": year,
        "table": table,
        "month_totals": month_totals,
        "total": sum(month_totals),
        "bars": bars,
    }


@login_required
def activity_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    filterset = _filter(request, village)
    activities = _columns(filterset.qs).order_by("-held_on", "-pk")
    page, query = paginate(request, activities)
    # The counts are the filtered year's (this year by default), over all of the village's activities.
    year = timezone.localdate().year
    if filterset.is_bound and filterset.form.is_valid() and filterset.form.cleaned_data.get("year"):
        year = int(filterset.form.cleaned_data["year"])
    return render(
        request,
        "civility/activity_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "counts": _counts(village, year),
            "months": range(1, 13),
            "may_change": access.can_manage_village(request.user, village),
        },
    )


EXPORT_HEADERS = [
    "日期",
    "类别",
    "活动名称",
    "组织者",
    "地点",
    "参与人数",
    "受益人数",
    "志愿服务队",
    "宣传节点",
    "活动情况",
]


@login_required
def activity_export(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    filterset = _filter(request, village)
    activities = _columns(filterset.qs.select_related("set_date")).order_by("-held_on", "-pk")
    book = new_workbook()
    sheet = add_sheet(book, "活动", EXPORT_HEADERS, widths={"C": 24, "E": 18, "H": 20, "J": 40})
    rows = 0
    for a in activities:
        append_row(
            sheet,
            [
                a.held_on.isoformat(),
                a.get_kind_display(),
                a.title,
                a.organiser,
                a.place,
                a.participants,
                a.beneficiaries,
                "、".join(t.name for t in a.teams.all()),
                a.set_date.name if a.set_date else "",
                a.summary,
            ],
        )
        rows += 1
    trail.record_export(request, "civility_activities", rows, False)
    return stamped_xlsx_response(workbook_bytes(book), "activities")


# --- one activity ----------------------------------------------------------------------------------------


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    return render(
        request,
        "civility/activity_detail.html",
        {
            "activity": activity,
            "village": activity.village,
            "residents": list(activity.residents.order_by("name")),
            "teams": list(activity.teams.order_by("name")),
            "photos": list(activity.photos.all()),
            "may_change": access.can_manage_village(request.user, activity.village) and not activity.is_archived,
        },
    )


def _form_page(request: HttpRequest, village: Village, activity: Activity | None) -> HttpResponse:
    initial = {} if activity else {"held_on": timezone.localdate()}
    form = ActivityForm(
        request.POST or None, request.FILES or None, instance=activity, village=village, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        try:
            services.activity_save(
                by=request.user,
                activity=saved,
                residents=list(form.cleaned_data["residents"]),
                teams=list(form.cleaned_data["teams"]),
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as error:
            if activity is None:
                saved.pk = None  # rolled back: the form stays a new activity's
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:  # the only plain error the service raises is a photo it cannot read
                form.add_error("photos", error)
        else:
            messages.success(request, _("已保存活动“%(title)s”。") % {"title": saved.title})
            return redirect("civility:activity-detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "civility/activity_form.html",
        {"form": form, "village": village, "activity": activity},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, village_for_change(request, pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    access.require_manage(request.user, activity.village)
    if activity.is_archived:
        messages.error(request, _("该活动已归档，不能再修改。"))
        return redirect("civility:activity-detail", pk=activity.pk)
    return _form_page(request, activity.village, activity)


@login_required
def activity_photo(request: HttpRequest, pk: int) -> FileResponse:
    """An activity's photo, only through the activity's door (never a public media URL)."""
    return stored_file_response(get_object_or_404(ActivityPhoto.objects.visible_to(request.user), pk=pk).image)


urlpatterns = [
    path("villages/<int:pk>/civility/activities/", activity_list, name="activity-list"),
    path("villages/<int:pk>/civility/activities/export/", activity_export, name="activity-export"),
    path("villages/<int:pk>/civility/activities/new/", activity_new, name="activity-new"),
    path("civility/activities/<int:pk>/", activity_detail, name="activity-detail"),
    path("civility/activities/<int:pk>/edit/", activity_edit, name="activity-edit"),
    path("civility/activity-photos/<int:pk>/", activity_photo, name="activity-photo"),
]
