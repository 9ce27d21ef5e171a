"""Volunteer teams (志愿服务队: members current and past, the activities credited) and the 法律明白人 roster
(docs/civility.md), each list with its search, filters, paging and Excel export. The doors are the activities pages': the village's staff change, the town office reads
(403 on change), anyone else gets a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit import trail
from core.excel import add_sheet, append_row, new_workbook, workbook_bytes
from core.pages import paginate, stamped_xlsx_response
from grids import access
from grids.forms import add_service_errors

from .. import services
from ..forms_activities import AdvisorFilter, AdvisorForm, MemberForm, TeamFilter, TeamForm
from ..models import LegalAdvisor, Volunteer, VolunteerTeam
from .activities import village_for_change, village_for_read


def _team(request: HttpRequest, pk: int) -> VolunteerTeam:
    return get_object_or_404(VolunteerTeam.objects.visible_to(request.user).select_related("village"), pk=pk)


# --- volunteer teams -------------------------------------------------------------------------------------


def _teams(request: HttpRequest, village) -> tuple[TeamFilter, int]:
    """The village's teams as filtered, each with its current members and this year's activities counted."""
    year = timezone.localdate().year
    base = (
        VolunteerTeam.objects.visible_to(request.user)
        .active()
        .filter(village=village)
        .annotate(
            members_now=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            activities_year=Count(
                "activities",
                filter=Q(activities__held_on__year=year, activities__archived_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("name")
    )
    return TeamFilter(request.GET or None, queryset=base), year


@login_required
def team_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    filterset, year = _teams(request, village)
    page, query = paginate(request, filterset.qs)
    return render(
        request,
        "civility/team_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "year": year,
            "may_change": access.can_manage_village(request.user, village),
        },
    )


@login_required
def team_export(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    filterset, year = _teams(request, village)
    current = Volunteer.objects.filter(left_on__isnull=True).select_related("resident").order_by("joined_on", "pk")
    teams = filterset.qs.prefetch_related(Prefetch("members", queryset=current, to_attr="current"))
    book = new_workbook()
    headers = ["队伍名称", "服务方向", "负责人", "成立日期", "现有队员数", f"{year}年活动次数", "现有队员"]
    sheet = add_sheet(book, "志愿服务队", headers, widths={"A": 22, "B": 20, "G": 60})
    rows = 0
    for t in teams:
        names = "、".join(m.resident.name for m in t.current)
        append_row(
            sheet, [t.name, t.focus, t.leader, t.founded_on.isoformat(), t.members_now, t.activities_year, names]
        )
        rows += 1
    trail.record_export(request, "civility_teams", rows, False)
    return stamped_xlsx_response(workbook_bytes(book), "volunteer-teams")


@login_required
@require_http_methods(["GET", "POST"])
def team_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_change(request, pk)
    form = TeamForm(request.POST or None, village=village)
    if request.method == "POST" and form.is_valid():
        team = form.save(commit=False)
        try:
            services.team_save(by=request.user, team=team)
        except ValidationError as error:
            team.pk = None
            add_service_errors(form, error)
        else:
            messages.success(request, _("已成立志愿服务队“%(name)s”。") % {"name": team.name})
            return redirect("civility:team-detail", pk=team.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "civility/team_form.html", {"form": form, "village": village}, status=status)


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    year = timezone.localdate().year
    members = list(team.members.select_related("resident").order_by("left_on", "joined_on", "pk"))
    activities = list(team.activities.active().filter(held_on__year=year).order_by("-held_on", "-pk"))
    may_change = access.can_manage_village(request.user, team.village) and not team.is_archived
    return render(
        request,
        "civility/team_detail.html",
        {
            "team": team,
            "village": team.village,
            "current": [m for m in members if m.left_on is None],
            "past": [m for m in members if m.left_on is not None],
            "activities": activities,
            "year": year,
            "may_change": may_change,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    access.require_manage(request.user, team.village)
    form = MemberForm(request.POST or None, village=team.village)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.team_member_add(
                by=request.user,
                team=team,
                resident=form.cleaned_data["resident"],
                joined_on=form.cleaned_data["joined_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s 已加入%(team)s。") % {"name": member.resident.name, "team": team.name}
            )
            return redirect("civility:team-detail", pk=team.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "civility/member_form.html", {"form": form, "team": team, "village": team.village}, status=status
    )


@login_required
@require_POST
def team_member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Volunteer.objects.visible_to(request.user).select_related("team__village"), pk=pk)
    access.require_manage(request.user, member.team.village)
    services.team_member_leave(by=request.user, volunteer=member)
    messages.success(request, _("已登记退出；服务记录保留。"))
    return redirect("civility:team-detail", pk=member.team_id)


# --- 法律明白人 --------------------------------------------------------------------------------------------


def _advisors(request: HttpRequest, village) -> AdvisorFilter:
    base = (
        LegalAdvisor.objects.visible_to(request.user)
        .active()
        .filter(village=village)
        .select_related("resident", "mediator")
        .order_by("trained_on", "pk")
    )
    return AdvisorFilter(request.GET or None, queryset=base)


@login_required
def advisor_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    filterset = _advisors(request, village)
    page, query = paginate(request, filterset.qs)
    return render(
        request,
        "civility/advisor_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "may_change": access.can_manage_village(request.user, village),
        },
    )


@login_required
def advisor_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster as filtered. Names only, as on the page: no ID number, phone or address leaves with it."""
    village = village_for_read(request, pk)
    book = new_workbook()
    sheet = add_sheet(book, "法律明白人", ["姓名", "培训日期", "培训单位", "同时是调解团成员"], widths={"C": 24})
    rows = 0
    for a in _advisors(request, village).qs:
        append_row(
            sheet, [a.resident.name, a.trained_on.isoformat(), a.trained_by, a.mediator.name if a.mediator else ""]
        )
        rows += 1
    trail.record_export(request, "civility_advisors", rows, False)
    return stamped_xlsx_response(workbook_bytes(book), "legal-advisors")


@login_required
@require_http_methods(["GET", "POST"])
def advisor_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_change(request, pk)
    form = AdvisorForm(request.POST or None, village=village)
    if request.method == "POST" and form.is_valid():
        advisor = form.save(commit=False)
        try:
            services.advisor_save(by=request.user, advisor=advisor)
        except ValidationError as error:
            advisor.pk = None
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记法律明白人 %(name)s。") % {"name": advisor.resident.name})
            return redirect("civility:advisor-list", pk=village.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "civility/advisor_form.html", {"form": form, "village": village}, status=status)


@login_required
@require_POST
def advisor_archive(request: HttpRequest, pk: int) -> HttpResponse:
    advisor = get_object_or_404(
        LegalAdvisor.objects.visible_to(request.user).select_related("village", "resident"), pk=pk
    )
    access.require_manage(request.user, advisor.village)
    services.advisor_archive(by=request.user, advisor=advisor)
    messages.success(request, _("%(name)s 已移出法律明白人名册。") % {"name": advisor.resident.name})
    return redirect("civility:advisor-list", pk=advisor.village_id)


urlpatterns = [
    path("villages/<int:pk>/civility/teams/", team_list, name="team-list"),
    path("villages/<int:pk>/civility/teams/export/", team_export, name="team-export"),
    path("villages/<int:pk>/civility/teams/new/", team_new, name="team-new"),
    path("civility/teams/<int:pk>/", team_detail, name="team-detail"),
    path("civility/teams/<int:pk>/members/add/", team_member_add, name="team-member-add"),
    path("civility/volunteers/<int:pk>/leave/", team_member_leave, name="team-member-leave"),
    path("villages/<int:pk>/civility/advisors/", advisor_list, name="advisor-list"),
    path("villages/<int:pk>/civility/advisors/export/", advisor_export, name="advisor-export"),
    path("villages/<int:pk>/civility/advisors/new/", advisor_new, name="advisor-new"),
    path("civility/advisors/<int:pk>/archive/", advisor_archive, name="advisor-archive"),
]
