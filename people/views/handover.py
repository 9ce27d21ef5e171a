"""The handover page: what a leaving grid worker's grid, cases and key persons are, then who takes them
(README, "Handover when a grid worker leaves"). Only the village's staff: out of scope is a 404, a grid
worker or the town office who may see the assignment get a 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from disputes.models import Case
from grids import access
from grids.forms import add_service_errors
from grids.models import Assignment, Role
from grids.services import NotHandedOver
from residents.models import KeyPerson

from ..forms_handover import HandoverForm
from ..handover import grid_hand_over, grid_worker_now, handover_plan, may_hand_on
from ..handover import handover_hand_on as handover_hand_on_service
from ..models import Handover


def _is_current(assignment: Assignment) -> bool:
    today = timezone.localdate()
    return assignment.start <= today and (assignment.end is None or assignment.end >= today)


@login_required
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.visible_to(request.user)
        .filter(role=Role.GRID_WORKER)
        .select_related("user", "grid__village"),
        pk=pk,
    )
    village = assignment.grid.village
    access.require_manage(request.user, village)
    if assignment.user_id == request.user.pk:
        raise PermissionDenied(_("不能交接自己的岗位，请由本村其他村干部或系统管理员办理。"))
    if not _is_current(assignment) or Handover.objects.filter(assignment=assignment).exists():
        messages.warning(request, _("%(user)s 今天不在该网格的岗位上，无需交接。") % {"user": assignment.user})
        return redirect("grids:grid-detail", pk=assignment.grid_id)
    form = HandoverForm(request.POST or None, village=village, leaver=assignment.user)
    if request.method == "POST" and form.is_valid():
        try:
            done = grid_hand_over(assignment=assignment, by=request.user, successor=form.cleaned_data["successor"])
        except NotHandedOver as error:
            # A stale page: someone else ended or handed over the assignment meanwhile.
            messages.warning(request, " ".join(error.messages))
            return redirect("grids:grid-detail", pk=assignment.grid_id)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("交接已完成：“%(grid)s”由 %(to)s 接手，%(user)s 的账号登录与手机数据已失效。")
                % {"grid": done.grid.name, "to": done.carrier, "user": done.leaver},
            )
            return redirect("people:handover-detail", pk=done.pk)
    context = {
        "form": form,
        "assignment": assignment,
        "village": village,
        "plan": handover_plan(assignment),
        "history": Handover.objects.filter(grid=assignment.grid).select_related("leaver", "successor", "carrier", "by"),
    }
    return render(request, "people/handover_form.html", context)


@login_required
@require_GET
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A handover done: who, to whom, what moved. Whoever sees the grid (its worker: their successor)."""
    done = get_object_or_404(
        Handover.objects.visible_to(request.user).select_related(
            "grid__village", "leaver", "successor", "carrier", "by"
        ),
        pk=pk,
    )
    context = {
        "handover": done,
        "village": done.grid.village,
        "cases": Case.objects.visible_to(request.user).filter(pk__in=done.cases).order_by("pk"),
        "key_persons": KeyPerson.objects.visible_to(request.user)
        .filter(pk__in=done.key_persons)
        .select_related("resident"),
        "history": Handover.objects.filter(grid=done.grid).select_related("leaver", "successor", "carrier", "by"),
        "can_hand_on": may_hand_on(done) and access.can_manage_village(request.user, done.grid.village),
    }
    if context["can_hand_on"]:
        context["next_worker"] = grid_worker_now(done.grid)
    return render(request, "people/handover_detail.html", context)


@login_required
@require_http_methods(["POST"])
def handover_hand_on(request: HttpRequest, pk: int) -> HttpResponse:
    """The grid has a worker again: what the staff carried goes to them."""
    done = get_object_or_404(Handover.objects.visible_to(request.user).select_related("grid__village"), pk=pk)
    access.require_manage(request.user, done.grid.village)
    try:
        handover_hand_on_service(handover=done, by=request.user)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, _("暂管的案件和帮扶责任已转交 %(to)s。") % {"to": grid_worker_now(done.grid)})
    return redirect("people:handover-detail", pk=done.pk)
