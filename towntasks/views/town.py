"""Town tasks: the town office's pages (docs/towntasks.md) — the list of its tasks (search, filters, paging),
handing a task down to one, several or all of its villages, and the task's page with the progress of each
village. Village staff get a 403 on these pages for a task handed to them (they read their own part on the
village's page), anyone else a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.pages import paginate, stored_file_response
from grids import access
from grids.forms import add_service_errors
from grids.models import Town

from .. import selectors, services
from ..forms import TaskFilter, TaskForm
from ..models import Task

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}


def _require_town_pages(request: HttpRequest) -> None:
    if not access.may_use_town_pages(request.user):
        raise PermissionDenied(_("此页面供镇综治办使用。"))


def _town_tasks(request: HttpRequest):
    scope = access.scope_for(request.user)
    tasks = Task.objects.all() if scope.is_admin else Task.objects.filter(town_id__in=sorted(scope.town_ids))
    return tasks


def _task_for_town(request: HttpRequest, pk: int) -> Task:
    """The task if the user keeps its town; a 403 for a village it went to (they read their part on the
    village's page), a 404 for everyone else."""
    task = get_object_or_404(Task.objects.visible_to(request.user).select_related("town", "created_by"), pk=pk)
    if not access.may_review_for_town(request.user, task.town_id):
        raise PermissionDenied(_("此页面供镇综治办使用，本村的办理情况请在“交办任务”中查看。"))
    return task


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    _require_town_pages(request)
    filterset = TaskFilter(request.GET or None, queryset=_town_tasks(request))
    tasks = selectors.task_counts(filterset.qs.select_related("town")).order_by("-created_at", "-pk")
    page, query = paginate(request, tasks)
    for task in page.object_list:
        task.clock = selectors.deadline_of(task, None if task.reported < task.villages else "reported")
    return render(request, "towntasks/task_list.html", {"filter": filterset, "page": page, "query": query})


def _town_for_new(request: HttpRequest) -> Town:
    scope = access.scope_for(request.user)
    towns = Town.objects.filter(archived_at__isnull=True).order_by("pk")
    if not scope.is_admin:
        towns = towns.filter(pk__in=sorted(scope.town_ids))
    chosen = request.GET.get("town", "")
    if chosen.isdecimal():
        towns = towns.filter(pk=int(chosen))
    town = towns.first()
    if town is None:
        raise PermissionDenied(_("只有镇综治办可以交办任务。"))
    return town


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest) -> HttpResponse:
    _require_town_pages(request)
    town = _town_for_new(request)
    form = TaskForm(request.POST or None, request.FILES or None, town=town)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_issue(
                by=request.user,
                town=town,
                title=data["title"],
                instructions=data["instructions"],
                deadline=data["deadline"],
                report_kind=data["report_kind"],
                villages=data["villages"],
                files=data["files"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("任务已交办给 %d 个村。") % task.targets.count())
            return redirect("towntasks:task-detail", task.pk)
    status = 400 if form.errors else 200
    return render(request, "towntasks/task_form.html", {"form": form, "town": town}, status=status)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for_town(request, pk)
    targets = selectors.task_targets(task)
    return render(
        request,
        "towntasks/task_detail.html",
        {
            "task": task,
            "targets": targets,
            "summary": selectors.task_summary(targets),
            "files": list(task.files.all()),
            "may_review": access.may_review_for_town(request.user, task.town_id),
        },
    )


@login_required
def task_file(request: HttpRequest, pk: int, file: int) -> HttpResponse:
    """An attachment, only through the task's door: the town office and the villages it went to."""
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=pk)
    stored = get_object_or_404(task.files, pk=file)
    suffix = "." + stored.name.rsplit(".", 1)[-1].lower() if "." in stored.name else ""
    return stored_file_response(
        stored.file, content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"), filename=stored.name
    )


urlpatterns = [
    path("town/tasks/", task_list, name="task-list"),
    path("town/tasks/new/", task_new, name="task-new"),
    path("town/tasks/<int:pk>/", task_detail, name="task-detail"),
    path("tasks/<int:pk>/files/<int:file>/", task_file, name="task-file"),
]
