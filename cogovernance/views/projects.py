"""Projects (民生实事) pages (docs/cogovernance.md): the village's list with its yearly total and spending by
year, the Excel export, a project's page with its photos, new and edit.

Who: the village's staff change (and the admin); the town office reads and exports its villages' and gets a
403 on the change pages; a grid worker and another village's staff get a 404, as for anything out of scope.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import ExtractYear
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
from grids.models import NaturalVillage, Village

from .. import services
from ..filters_records import ProjectFilter
from ..forms_records import ProjectForm
from ..models import Project, ProjectPhoto

CHART_YEARS = 6  # the spending chart: this year and the five before


# --- doors -----------------------------------------------------------------------------------------------


def village_for_read(request: HttpRequest, pk: int) -> Village:
    """The village ``pk`` if the user may see its co-governance records (its staff, the town office, the
    admin), else 404: a grid worker reaches none, like the records' own ``visible_to``."""
    return access.readable_village(request.user, pk)


def village_for_change(request: HttpRequest, pk: int) -> Village:
    """As ``village_for_read``, and a 403 that says so for those who only read (the town office)."""
    village = village_for_read(request, pk)
    access.require_manage(request.user, village)
    return village


def _project(request: HttpRequest, pk: int) -> Project:
    return get_object_or_404(
        Project.objects.visible_to(request.user).select_related("village", "grid", "deliberation", "created_by"),
        pk=pk,
    )


# --- the list --------------------------------------------------------------------------------------------


def _filter(request: HttpRequest, village: Village) -> ProjectFilter:
    base = Project.objects.visible_to(request.user).active().filter(village=village)
    return ProjectFilter(request.GET or None, queryset=base, village=village)


def _where(queryset):
    """The columns' joins: the grid, and the natural villages in one query for the page."""
    return queryset.select_related("grid").prefetch_related(
        Prefetch("natural_villages", queryset=NaturalVillage.objects.order_by("name"))
    )


def _by_year(village: Village) -> list[dict]:
    """Per year the village's projects started: how many, budget, spent, done (one grouped query)."""
    rows = (
        Project.objects.active()
        .filter(village=village)
        .annotate(year=ExtractYear("started_on"))
        .values("year")
        .annotate(
            n=Count("pk"), budget=Sum("budget"), spent=Sum("spent"), done=Count("pk", filter=Q(done_on__isnull=False))
        )
        .order_by("year")
    )
    return list(rows)


def _wan(amount: Decimal | None) -> str:
    """An amount in 万元, as the village's accounts speak of projects (20万元 for 187 street lights)."""
    return f"{(amount or Decimal(0)) / 10000:,.2f}"


def _chart(years: list[dict], this_year: int) -> dict:
    """The last six years' spending (a year without projects a bar of nothing, not left out) as the bars of an
    inline SVG the template draws (no script), like the Party overview's age chart; labels in 万元."""
    spent_in = {row["year"]: row["spent"] or Decimal(0) for row in years}
    if not spent_in:
        return {"bars": [], "width": 0}
    last = max(this_year, *spent_in)
    shown = range(last - CHART_YEARS + 1, last + 1)
    top = max([spent_in.get(y, Decimal(0)) for y in shown] + [Decimal(1)])
    bars = []
    for i, year in enumerate(shown):
        spent = spent_in.get(year, Decimal(0))
        height = round(100 * spent / top)
        bars.append(
            {
                "year": year,
                "spent": spent,
                "wan": f"{spent / 10000:.1f}",  # the label above the bar: one decimal is enough
                "x": 30 + i * 55,
                "y": 120 - height,
                "h": height,
            }
        )
    return {"bars": bars, "width": 40 + CHART_YEARS * 55}


@login_required
def project_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    filterset = _filter(request, village)
    projects = _where(filterset.qs).order_by("-started_on", "-pk")
    page, query = paginate(request, projects)
    # The yearly line is the filtered year's (this year by default), over all of the village's projects.
    this_year = year = timezone.localdate().year
    if filterset.is_bound and filterset.form.is_valid() and filterset.form.cleaned_data.get("year"):
        year = int(filterset.form.cleaned_data["year"])
    years = _by_year(village)
    total = next((row for row in years if row["year"] == year), None) or {
        "year": year,
        "n": 0,
        "budget": Decimal(0),
        "spent": Decimal(0),
        "done": 0,
    }
    total["budget_wan"], total["spent_wan"] = _wan(total["budget"]), _wan(total["spent"])
    return render(
        request,
        "cogovernance/project_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "total": total,
            "chart": _chart(years, this_year),
            "may_change": access.can_manage_village(request.user, village),
        },
    )


EXPORT_HEADERS = [
    "项目名称",
    "类别",
    "建设内容",
    "数量",
    "单位",
    "所在网格",
    "受益自然村",
    "预算（元）",
    "已支出（元）",
    "开工日期",
    "完工日期",
    "来源议事",
]


@login_required
def project_export(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    filterset = _filter(request, village)
    projects = _where(filterset.qs.select_related("deliberation")).order_by("-started_on", "-pk")
    book = new_workbook()
    sheet = add_sheet(book, "民生实事", EXPORT_HEADERS, widths={"A": 24, "C": 30, "G": 18, "L": 24})
    rows = 0
    for p in projects:
        append_row(
            sheet,
            [
                p.title,
                p.get_kind_display(),
                p.description,
                p.quantity,
                p.unit,
                p.grid.name if p.grid else "",
                "、".join(n.name for n in p.natural_villages.all()),
                p.budget,
                p.spent,
                p.started_on.isoformat(),
                p.done_on.isoformat() if p.done_on else "",
                p.deliberation.title if p.deliberation else "",
            ],
        )
        rows += 1
    trail.record_export(request, "cogov_projects", rows, False)
    return stamped_xlsx_response(workbook_bytes(book), "projects")


# --- one project -----------------------------------------------------------------------------------------


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    return render(
        request,
        "cogovernance/project_detail.html",
        {
            "project": project,
            "village": project.village,
            "natural_villages": list(project.natural_villages.order_by("name")),
            "photos": list(project.photos.all()),
            "may_change": access.can_manage_village(request.user, project.village) and not project.is_archived,
        },
    )


def _form_page(request: HttpRequest, village: Village, project: Project | None) -> HttpResponse:
    initial = {} if project else {"started_on": timezone.localdate()}
    if project is None and (d := request.GET.get("deliberation", "")).isdigit():
        initial["deliberation"] = int(d)
    form = ProjectForm(request.POST or None, request.FILES or None, instance=project, village=village, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        try:
            services.project_save(
                by=request.user,
                project=saved,
                natural_villages=list(form.cleaned_data["natural_villages"]),
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as error:
            if project is None:
                saved.pk = None  # rolled back: the form stays a new project's
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:  # the only plain error the service raises is a photo it cannot read
                form.add_error("photos", error)
        else:
            messages.success(request, _("已保存民生实事“%(title)s”。") % {"title": saved.title})
            return redirect("cogovernance:project-detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cogovernance/project_form.html",
        {"form": form, "village": village, "project": project},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, village_for_change(request, pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    access.require_manage(request.user, project.village)
    if project.is_archived:
        messages.error(request, _("该项目已归档，不能再修改。"))
        return redirect("cogovernance:project-detail", pk=project.pk)
    return _form_page(request, project.village, project)


@login_required
def project_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A project's photo, only through the project's door (never a public media URL)."""
    return stored_file_response(get_object_or_404(ProjectPhoto.objects.visible_to(request.user), pk=pk).image)


urlpatterns = [
    path("villages/<int:pk>/cogov/projects/", project_list, name="project-list"),
    path("villages/<int:pk>/cogov/projects/export/", project_export, name="project-export"),
    path("villages/<int:pk>/cogov/projects/new/", project_new, name="project-new"),
    path("cogov/projects/<int:pk>/", project_detail, name="project-detail"),
    path("cogov/projects/<int:pk>/edit/", project_edit, name="project-edit"),
    path("cogov/project-photos/<int:pk>/", project_photo, name="project-photo"),
]
