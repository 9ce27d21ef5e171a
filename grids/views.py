"""Pages of the territory: each user's home, grids, micro-grids, assignments.

Lookups go through ``visible_to`` (out of scope is a 404); changes also need ``can_manage_village``
(a town office that may read a village but not change it gets a 403).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import access, credentials, services
from .forms import AssignmentForm, EndAssignmentForm, GridForm, MicroGridForm, add_service_errors
from .models import Assignment, Grid, MicroGrid, Role, User, Village


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to their own home page."""
    scope = access.scope_for(request.user)
    if scope.town_ids:
        return redirect("reports:town-home")
    if scope.village_ids:
        village = Village.objects.filter(pk__in=scope.village_ids).order_by("name").first()
        return redirect("reports:village-overview", pk=village.pk)
    if scope.works_in_field:
        return redirect("visits:work-list")
    if scope.member_village_ids:
        return redirect("party:field-contacts")  # the Party app's phone page (a URL name, not an import)
    if scope.department_town_ids:
        return redirect("disputes:department-cases")  # docs/departments.md (a URL name, not an import)
    if scope.is_admin:
        return redirect("admin:index")
    return render(request, "grids/no_assignment.html", status=200)


def _error_page(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    """403 and 404 in the layout of the person who met them (the phone for field workers), with a way back
    to the page they came from when it is one of ours."""
    user = getattr(request, "user", None)  # a refusal raised before the session was read has no user
    referer = request.META.get("HTTP_REFERER", "")
    back = ""
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        parts = urlsplit(referer)
        back = parts.path + (f"?{parts.query}" if parts.query else "")
    context |= {"layout": access.layout_for(user), "back": back}
    return render(request, template, context, status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "404.html", 404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The reason, when the door gave one in words for people (``PermissionDenied(_("…"))``)."""
    reason = exception.args[0] if exception.args and isinstance(exception.args[0], str) else ""
    return _error_page(request, "403.html", 403, reason=reason)


def _village_for_change(request: HttpRequest, pk: int) -> Village:
    return access.village_for_change(request.user, pk)


@login_required
@require_http_methods(["GET", "POST"])
def grid_create(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village_for_change(request, pk)
    next_number = (village.grids.active().order_by("-number").values_list("number", flat=True).first() or 0) + 1
    form = GridForm(request.POST or None, village=village, initial={"number": next_number})
    if request.method == "POST" and form.is_valid():
        grid = form.save()
        messages.success(request, _("已新建网格“%(name)s”。") % {"name": grid.name})
        return redirect("reports:village-overview", pk=village.pk)
    return render(request, "grids/grid_form.html", {"form": form, "village": village})


def _visible_grid(request: HttpRequest, pk: int) -> Grid:
    return get_object_or_404(Grid.objects.visible_to(request.user).select_related("village__town"), pk=pk)


@login_required
def grid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grid = _visible_grid(request, pk)
    history = Assignment.objects.filter(Q(grid=grid) | Q(micro_grid__grid=grid)).select_related("user", "micro_grid")
    context = {
        "grid": grid,
        "micro_grids": grid.micro_grids.active(),
        "archived_micro_grids": grid.micro_grids.archived(),
        "history": history,
        # The grid's handovers (people.Handover, a floor up) by their related name, not imported
        # (docs/architecture.md, "Where a new feature goes"); tests/people/test_handover.py holds both ends.
        "handovers": grid.handovers.select_related("leaver", "successor", "carrier")[:20],
        "can_manage": access.can_manage_village(request.user, grid.village) and not grid.is_archived,
    }
    return render(request, "grids/grid_detail.html", context)


def _grid_for_change(request: HttpRequest, pk: int) -> Grid:
    grid = _visible_grid(request, pk)
    access.require_manage(request.user, grid.village)
    if grid.is_archived:
        raise PermissionDenied(_("该网格已归档，不能修改。"))
    return grid


@login_required
@require_http_methods(["GET", "POST"])
def grid_update(request: HttpRequest, pk: int) -> HttpResponse:
    grid = _grid_for_change(request, pk)
    form = GridForm(request.POST or None, instance=grid, village=grid.village)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存网格“%(name)s”。") % {"name": grid.name})
        return redirect("grids:grid-detail", pk=grid.pk)
    return render(request, "grids/grid_form.html", {"form": form, "village": grid.village, "grid": grid})


@login_required
@require_http_methods(["GET", "POST"])
def grid_archive(request: HttpRequest, pk: int) -> HttpResponse:
    grid = _grid_for_change(request, pk)
    if request.method == "POST":
        try:
            services.grid_archive(grid=grid, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("grids:grid-detail", pk=grid.pk)
        messages.success(request, _("已归档网格“%(name)s”，历史记录保留。") % {"name": grid.name})
        return redirect("reports:village-overview", pk=grid.village_id)
    return render(
        request,
        "grids/confirm_archive.html",
        {"object": grid, "village": grid.village, "cancel_url": reverse("grids:grid-detail", args=[grid.pk])},
    )


@login_required
@require_http_methods(["GET", "POST"])
def micro_grid_create(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village_for_change(request, pk)
    initial = {}
    if grid_id := request.GET.get("grid", ""):
        grid = Grid.objects.active().filter(village=village, pk=grid_id if grid_id.isdecimal() else None).first()
        if grid is not None:
            next_number = grid.micro_grids.active().order_by("-number").values_list("number", flat=True).first()
            initial = {"grid": grid, "number": (next_number or 0) + 1}
    form = MicroGridForm(request.POST or None, village=village, initial=initial)
    if request.method == "POST" and form.is_valid():
        micro = form.save()
        messages.success(request, _("已新建微网格“%(name)s”。") % {"name": micro.name})
        return redirect("reports:village-overview", pk=village.pk)
    return render(request, "grids/micro_grid_form.html", {"form": form, "village": village})


def _micro_grid_for_change(request: HttpRequest, pk: int) -> MicroGrid:
    micro = get_object_or_404(MicroGrid.objects.visible_to(request.user).select_related("grid__village"), pk=pk)
    access.require_manage(request.user, micro.grid.village)
    if micro.is_archived:
        raise PermissionDenied(_("该微网格已归档，不能修改。"))
    return micro


@login_required
@require_http_methods(["GET", "POST"])
def micro_grid_update(request: HttpRequest, pk: int) -> HttpResponse:
    micro = _micro_grid_for_change(request, pk)
    village = micro.grid.village
    form = MicroGridForm(request.POST or None, instance=micro, village=village)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存微网格“%(name)s”。") % {"name": micro.name})
        return redirect("grids:grid-detail", pk=micro.grid_id)
    return render(request, "grids/micro_grid_form.html", {"form": form, "village": village, "micro_grid": micro})


@login_required
@require_http_methods(["GET", "POST"])
def micro_grid_archive(request: HttpRequest, pk: int) -> HttpResponse:
    micro = _micro_grid_for_change(request, pk)
    if request.method == "POST":
        try:
            services.micro_grid_archive(micro_grid=micro, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("grids:grid-detail", pk=micro.grid_id)
        messages.success(request, _("已归档微网格“%(name)s”，历史记录保留。") % {"name": micro.name})
        return redirect("grids:grid-detail", pk=micro.grid_id)
    return render(
        request,
        "grids/confirm_archive.html",
        {
            "object": micro,
            "village": micro.grid.village,
            "cancel_url": reverse("grids:grid-detail", args=[micro.grid_id]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village_for_change(request, pk)
    initial = {k: request.GET[k] for k in ("user", "role", "grid", "micro_grid", "villager_group") if k in request.GET}
    form = AssignmentForm(request.POST or None, village=village, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_create(
                by=request.user,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                place=form.place,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已指派 %(user)s 担任“%(place)s”%(role)s。")
                % {"user": assignment.user, "place": assignment.place, "role": assignment.get_role_display()},
            )
            return redirect("reports:village-overview", pk=village.pk)
    return render(request, "grids/assignment_form.html", {"form": form, "village": village})


@login_required
@require_http_methods(["GET", "POST"])
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.visible_to(request.user).select_related(
            "user", "village", "grid__village", "micro_grid__grid__village", "villager_group__village"
        ),
        pk=pk,
    )
    if assignment.role == Role.TOWN_OFFICE:
        raise PermissionDenied(_("镇综治办的岗位由系统管理员管理。"))
    if assignment.role == Role.DEPARTMENT:
        raise PermissionDenied(_("职能部门人员由镇综治办在部门账号页管理。"))
    village = assignment.village_of_place
    access.require_manage(request.user, village)
    form = EndAssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_end(assignment=assignment, on=form.cleaned_data["end"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(user)s 的岗位已结束，历史记录保留。") % {"user": assignment.user})
            return redirect("reports:village-overview", pk=village.pk)
    return render(request, "grids/assignment_end.html", {"form": form, "assignment": assignment, "village": village})


# --- Own password -----------------------------------------------------------------------------------


class PasswordChange(auth_views.PasswordChangeView):
    """Choose a new password (required at the first login after the admin set one). The user's other
    sessions and API tokens end with the old password (grids/credentials.py); this session stays."""

    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        # The person's own choice: the other sessions end, the phone's data stays (grids/credentials.py).
        setattr(form.user, credentials.OWN_PASSWORD_CHANGE, True)
        response = super().form_valid(form)  # saving the password ends the others; this one gets a new key
        User.objects.filter(pk=form.user.pk).update(must_change_password=False)
        messages.success(self.request, _("密码已修改。其他设备上的登录已退出。"))
        return response


class Logout(auth_views.LogoutView):
    """Logging out also empties the browser's storage for this site: the field view's saved pages and its
    queue of visits not yet sent (``Clear-Site-Data``, honoured by Chromium for caches, IndexedDB and the
    service worker alike), so the phone keeps nothing of the registry for the next person."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
