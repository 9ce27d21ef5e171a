"""Town tasks on the grid worker's phone (docs/towntasks.md): the tasks with households to tick in their
current grids, a task's household checklist, and the tick (已排查 / 不适用, a note, a photo). The work list of
the month's visits shows the same tasks (visits/views.py, through ``selectors.open_items_for``), and the
visit page of a household offers its open item, so one stop does both. A tick is not a visit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.natural import NaturalOrder
from core.pages import stored_file_response
from grids import access
from residents.models import head_name

from .. import selectors, services
from ..forms import TickForm
from ..models import ItemState, TaskItem, TaskVillage

FIELD_PAGE = 30


def _require_field(request: HttpRequest) -> None:
    if not access.scope_for(request.user).grid_ids:
        raise PermissionDenied(_("此页面供网格员使用。"))


@login_required
def field_list(request: HttpRequest) -> HttpResponse:
    _require_field(request)
    return render(request, "towntasks/field_list.html", {"tasks": selectors.open_items_for(request.user)})


@login_required
def field_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    """The households of one task in the worker's grids: still to check first, then the ones ticked."""
    _require_field(request)
    items = selectors.worker_items(request.user, pk)
    # Out of reach (no household of this task in the worker's grids) is a 404, as for anything out of scope.
    target = get_object_or_404(TaskVillage.objects.select_related("task").filter(Exists(items)), pk=pk)
    show = request.GET.get("show", "open")
    q = request.GET.get("q", "").strip()
    rows = items.select_related("household", "done_by")
    if show == "open":
        rows = rows.filter(state=ItemState.OPEN)
    if q:
        rows = rows.filter(Q(household__address__contains=q) | Q(household__number=q))
    rows = rows.annotate(head_name=head_name("household_id"))
    # In walking order: 张庄2号 before 张庄11号 (core/natural.py), as on the visits' work list.
    page = Paginator(NaturalOrder(rows, "household__micro_grid__number", "household__address"), FIELD_PAGE).get_page(
        request.GET.get("page")
    )
    counts = selectors.item_counts(items)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "towntasks/field_checklist.html",
        {
            "target": target,
            "task": target.task,
            "page": page,
            "query": params.urlencode(),
            "counts": counts,
            "show": show,
            "q": q,
            "here": request.get_full_path(),
            "tick_form": TickForm(),
            "may_tick": target.state in ("in_progress", "returned"),
        },
    )


def _local_path(url: str | None) -> str:
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return url
    return ""


@login_required
@require_POST
def item_tick(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        TaskItem.objects.visible_to(request.user).select_related("target__task", "household"), pk=pk
    )
    back = _local_path(request.POST.get("next")) or f"/field/tasks/{item.target_id}/"
    form = TickForm(request.POST, request.FILES)
    if not services.may_tick(request.user, item):
        raise PermissionDenied(_("只有本网格的网格员或本村村干部可以排查这一户。"))
    if form.is_valid():
        try:
            services.item_tick(
                item=item,
                by=request.user,
                state=form.cleaned_data["state"],
                note=form.cleaned_data["note"],
                photo=form.cleaned_data["photo"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        messages.success(
            request,
            _("已记录：%(address)s %(state)s。")
            % {
                "address": item.household.address,
                "state": ItemState(form.cleaned_data["state"]).label,
            },
        )
    else:
        errors = [m for field_errors in form.errors.values() for m in field_errors]
        messages.error(request, " ".join(errors))
    return redirect(back)


@login_required
def item_photo(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(TaskItem.objects.visible_to(request.user), pk=pk)
    if not item.photo:
        raise Http404
    return stored_file_response(item.photo)


urlpatterns = [
    path("field/tasks/", field_list, name="field-list"),
    path("field/tasks/<int:pk>/", field_checklist, name="field-checklist"),
    path("field/tasks/items/<int:pk>/tick/", item_tick, name="item-tick"),
    path("tasks/items/<int:pk>/photo/", item_photo, name="item-photo"),
]
