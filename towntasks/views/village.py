"""Town tasks: a village's pages (docs/towntasks.md) — the tasks handed to the village (search, filters,
paging), and one task's page for the village: sign (签收), start (分派办理: the households to the grids'
workers), report back (反馈), the households' progress per grid, the timeline. The town office reads these
pages and accepts or returns a report from them; it gets a 403 on the village's verbs, the village's staff a
403 on the town's. Grid workers and other villages get a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import paginate, stored_file_response
from grids import access
from grids.forms import add_service_errors
from grids.models import Village

from .. import selectors, services, workflow
from ..forms import NoteForm, ReportForm, TargetFilter
from ..models import Stage, TaskVillage


def village_for_read(request: HttpRequest, pk: int) -> Village:
    """The village if the user may see its tasks (its staff, the town office, the admin), else 404."""
    return access.readable_village(request.user, pk)


def _target(request: HttpRequest, pk: int) -> TaskVillage:
    return get_object_or_404(
        TaskVillage.objects.visible_to(request.user).select_related("task__town", "task__created_by", "village"),
        pk=pk,
    )


def _require(request: HttpRequest, target: TaskVillage, name: str) -> None:
    action = workflow.ACTIONS[name]
    actor = workflow.Actor(request.user, target)
    if not actor.on_side(action.side):
        if action.side == workflow.VILLAGE:
            raise PermissionDenied(_("只有本村村干部可以办理。"))
        raise PermissionDenied(_("只有交办任务的镇综治办可以验收或退回。"))


@login_required
def village_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    base = TaskVillage.objects.visible_to(request.user).filter(village=village)
    filterset = TargetFilter(request.GET or None, queryset=base)
    rows = filterset.qs.select_related("task").order_by("-task__created_at", "-pk")
    page, query = paginate(request, rows)
    progress = selectors.item_progress([t.pk for t in page.object_list])
    for t in page.object_list:
        t.progress = progress.get(t.pk, selectors.Progress())
        t.deadline = selectors.deadline_of(t.task, t.state)
    return render(
        request,
        "towntasks/village_list.html",
        {"village": village, "filter": filterset, "page": page, "query": query},
    )


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    actor = workflow.Actor(request.user, target)
    target.progress = selectors.item_progress([target.pk]).get(target.pk, selectors.Progress())
    return render(
        request,
        "towntasks/target_detail.html",
        {
            "target": target,
            "task": target.task,
            "deadline": selectors.deadline_of(target.task, target.state),
            "actions": actor.actions(),
            "grids": selectors.grid_progress(target) if target.task.is_checklist else [],
            "events": list(target.events.select_related("by")),
            "photos": list(target.photos.all()),
            "files": list(target.task.files.all()),
            "report_form": ReportForm(initial={"version": target.version}) if actor.may("report") else None,
            "village_side": actor.village,
        },
    )


def _plain_move(request: HttpRequest, pk: int, name: str, verb, done: str) -> HttpResponse:
    target = _target(request, pk)
    _require(request, target, name)
    form = NoteForm(request.POST)
    if form.is_valid():
        kwargs = {"target": target, "by": request.user, "version": form.cleaned_data["version"]}
        if name in ("accept", "return"):
            kwargs["note"] = form.cleaned_data["note"]
        try:
            verb(**kwargs)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _detail_again(request, target, status=400 if not isinstance(error, services.TargetChanged) else 409)
        messages.success(request, done)
    else:
        messages.error(request, _("提交的内容有误，请重试。"))
        return _detail_again(request, target, status=400)
    return redirect("towntasks:target-detail", target.pk)


def _detail_again(request: HttpRequest, target: TaskVillage, *, status: int) -> HttpResponse:
    response = target_detail(request, target.pk)
    response.status_code = status
    return response


@login_required
@require_POST
def target_sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _plain_move(request, pk, "sign", services.target_sign, _("已签收。"))


@login_required
@require_POST
def target_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _plain_move(request, pk, "start", services.target_start, _("已分派办理。"))


@login_required
@require_POST
def target_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _plain_move(request, pk, "accept", services.target_accept, _("已验收。"))


@login_required
@require_POST
def target_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _plain_move(request, pk, "return", services.target_return, _("已退回，村里会重新办理。"))


@login_required
@require_http_methods(["GET", "POST"])
def target_report(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    _require(request, target, "report")
    form = ReportForm(request.POST or None, request.FILES or None, initial={"version": target.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            figures = services.parse_figures(data["figures"])
            services.target_report(
                target=target,
                by=request.user,
                feedback=data["feedback"],
                figures=figures,
                photos=data["photos"],
                version=data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已反馈，等待镇里验收。"))
            return redirect("towntasks:target-detail", target.pk)
    if request.method == "GET" and target.state != Stage.IN_PROGRESS:
        return redirect("towntasks:target-detail", target.pk)
    return render(
        request,
        "towntasks/target_report.html",
        {"target": target, "task": target.task, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def feedback_photo(request: HttpRequest, pk: int, photo: int) -> HttpResponse:
    target = _target(request, pk)
    image = get_object_or_404(target.photos, pk=photo)
    return stored_file_response(image.image)


urlpatterns = [
    path("villages/<int:pk>/tasks/", village_list, name="village-list"),
    path("tasks/targets/<int:pk>/", target_detail, name="target-detail"),
    path("tasks/targets/<int:pk>/sign/", target_sign, name="target-sign"),
    path("tasks/targets/<int:pk>/start/", target_start, name="target-start"),
    path("tasks/targets/<int:pk>/report/", target_report, name="target-report"),
    path("tasks/targets/<int:pk>/accept/", target_accept, name="target-accept"),
    path("tasks/targets/<int:pk>/return/", target_return, name="target-return"),
    path("tasks/targets/<int:pk>/photos/<int:photo>/", feedback_photo, name="feedback-photo"),
]
