"""Trainings of grid workers (docs/scorecard.md, "Grid-worker care pages"): a village's page lists its own
trainings and its town's; the town office's page lists the town's. Whoever creates a training chooses its
attendees in their own scope: the village's staff among the village's current grid workers, the town office
among the town's. Search, year filter, paging and the Excel export on both lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit import trail
from core.excel import add_sheet, append_row, new_workbook, workbook_bytes
from core.pages import paginate, stamped_xlsx_response
from grids import access
from grids.forms import add_service_errors
from grids.models import Town

from .. import services
from ..forms_care import TrainingFilter, TrainingForm
from ..models import Training
from .care import village_for_change, village_for_read


def _require_town(request: HttpRequest) -> None:
    if not access.may_use_town_pages(request.user):
        raise PermissionDenied(_("此页面供镇综治办使用。"))


def _town_of(request: HttpRequest) -> Town:
    """The town whose trainings the town office keeps (its first town; the admin: the first town)."""
    _require_town(request)
    town = Town.objects.filter(access.visible_q(request.user, town="pk")).order_by("pk").first()
    if town is None:
        raise PermissionDenied(_("此页面供镇综治办使用。"))
    return town


def _counted(queryset):
    return queryset.select_related("village").annotate(attendee_count=Count("attendees", distinct=True))


def _village_trainings(request: HttpRequest, village) -> TrainingFilter:
    base = Training.objects.visible_to(request.user).filter(
        Q(village=village) | Q(village__isnull=True, town_id=village.town_id)
    )
    return TrainingFilter(request.GET or None, queryset=_counted(base).order_by("-held_on", "-pk"))


def _town_trainings(request: HttpRequest, town: Town) -> TrainingFilter:
    base = Training.objects.visible_to(request.user).filter(town=town)
    return TrainingFilter(request.GET or None, queryset=_counted(base).order_by("-held_on", "-pk"))


def _list(request, template_context: dict, filterset: TrainingFilter) -> HttpResponse:
    page, query = paginate(request, filterset.qs)
    return render(
        request, "people/training_list.html", {**template_context, "filter": filterset, "page": page, "query": query}
    )


@login_required
def village_trainings(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    may_change = access.can_manage_village(request.user, village) and not village.is_archived
    return _list(request, {"village": village, "may_change": may_change}, _village_trainings(request, village))


@login_required
def town_trainings(request: HttpRequest) -> HttpResponse:
    town = _town_of(request)
    return _list(request, {"town": town, "may_change": True}, _town_trainings(request, town))


def _export(request: HttpRequest, filterset: TrainingFilter, name: str) -> HttpResponse:
    trainings = filterset.qs.prefetch_related("attendees")
    book = new_workbook()
    headers = ["培训日期", "培训名称", "组织单位", "组织", "学时", "参训人数", "参训人员"]
    sheet = add_sheet(book, "网格员培训", headers, widths={"B": 30, "C": 20, "G": 60})
    rows = 0
    for t in trainings:
        names = "、".join(sorted(str(a) for a in t.attendees.all()))
        held_by = t.village.name if t.village_id else "镇"
        append_row(sheet, [t.held_on.isoformat(), t.title, t.organiser, held_by, t.hours, t.attendee_count, names])
        rows += 1
    trail.record_export(request, "worker_trainings", rows, False)
    return stamped_xlsx_response(workbook_bytes(book), name)


@login_required
def village_trainings_export(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    return _export(request, _village_trainings(request, village), "trainings")


@login_required
def town_trainings_export(request: HttpRequest) -> HttpResponse:
    town = _town_of(request)
    return _export(request, _town_trainings(request, town), "town-trainings")


def _new(request: HttpRequest, *, town: Town, village, workers, done_url: str) -> HttpResponse:
    form = TrainingForm(request.POST or None, town=town, village=village, workers=workers)
    if request.method == "POST" and form.is_valid():
        training = form.save(commit=False)
        try:
            services.training_save(by=request.user, training=training, attendees=form.cleaned_data["attendees"])
        except ValidationError as error:
            training.pk = None
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记培训“%(title)s”。") % {"title": training.title})
            return redirect(done_url)
    status = 400 if request.method == "POST" else 200
    title = _("登记村里组织的培训") if village else _("登记镇里组织的培训")
    return render(
        request,
        "people/training_form.html",
        {"form": form, "village": village, "town": town, "title": title},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def village_training_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_change(request, pk)
    return _new(
        request,
        town=village.town,
        village=village,
        workers=services.current_workers(village=village),
        done_url=reverse("people:village-trainings", args=[village.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def town_training_new(request: HttpRequest) -> HttpResponse:
    town = _town_of(request)
    return _new(
        request,
        town=town,
        village=None,
        workers=services.current_workers(town=town),
        done_url=reverse("people:town-trainings"),
    )


urlpatterns = [
    path("villages/<int:pk>/trainings/", village_trainings, name="village-trainings"),
    path("villages/<int:pk>/trainings/export/", village_trainings_export, name="village-trainings-export"),
    path("villages/<int:pk>/trainings/new/", village_training_new, name="village-training-new"),
    path("town/trainings/", town_trainings, name="town-trainings"),
    path("town/trainings/export/", town_trainings_export, name="town-trainings-export"),
    path("town/trainings/new/", town_training_new, name="town-training-new"),
]
