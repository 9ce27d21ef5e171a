"""Deliberation pages (协商议事, docs/cogovernance.md): the village's list and its Excel, a topic's page with
its timeline, research, meeting, resolution and follow-up, the forms of each step, the printable notice.

Who: the village's staff keep them; the town office reads its villages' (every change is a 403 with the
reason); anyone else — a grid worker, another village's staff — gets a 404, as for anything out of scope.
Every step goes through ``services`` (the stage moves only along ``workflow.TRANSITIONS``).
"""

from __future__ import annotations

import mimetypes
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit import trail
from core.excel import add_sheet, append_row, new_workbook, workbook_bytes
from core.pages import paginate, stamped_xlsx_response, stored_file_response
from grids import access
from grids.forms import add_service_errors
from grids.models import Village

from .. import public, services, workflow
from ..filters import DeliberationFilter
from ..forms import (
    PLAIN_MOVES,
    ApproveForm,
    CloseForm,
    DeliberationForm,
    MeetingForm,
    MoveForm,
    ProgressForm,
    ResearchForm,
    ResolveForm,
)
from ..models import Deliberation, DeliberationMeeting, ResearchFile, Stage

# --- doors -----------------------------------------------------------------------------------------------


def _village(request: HttpRequest, pk: int) -> Village:
    """The village ``pk`` if the user may see its co-governance records (its staff, the town office, the
    admin), else 404."""
    return access.readable_village(request.user, pk)


def _keeper(request: HttpRequest, village_id: int) -> None:
    """Seen but not the user's to change (the town office): a 403 that says why."""
    if not workflow.may_change(request.user, village_id):
        raise PermissionDenied(_("协商议事由本村村干部登记和办理；镇综治办可以查看，不能修改。"))


def _deliberation(request: HttpRequest, pk: int) -> Deliberation:
    return get_object_or_404(
        Deliberation.objects.visible_to(request.user).select_related(
            "village", "grid", "natural_village", "party_organisation", "created_by"
        ),
        pk=pk,
    )


def _changeable(request: HttpRequest, pk: int) -> Deliberation:
    d = _deliberation(request, pk)
    _keeper(request, d.village_id)
    return d


def _refused(request: HttpRequest, d: Deliberation, error: ValidationError) -> HttpResponse:
    messages.error(request, " ".join(error.messages))
    return redirect("cogovernance:deliberation-detail", pk=d.pk)


def _not_now(request: HttpRequest, d: Deliberation, action: str) -> HttpResponse | None:
    """A step asked for at a stage it does not start from (an old link, someone moved it): back to the
    topic with the reason, nothing shown to fill in."""
    if workflow.Actor(request.user, d).may(action):
        return None
    messages.error(
        request,
        _("议题当前为「%(stage)s」，不能%(action)s。")
        % {"stage": d.get_stage_display(), "action": workflow.ACTIONS[action].label},
    )
    return redirect("cogovernance:deliberation-detail", pk=d.pk)


# --- the list --------------------------------------------------------------------------------------------


def _filter(request: HttpRequest, village: Village) -> DeliberationFilter:
    base = Deliberation.objects.visible_to(request.user).active().filter(village=village)
    return DeliberationFilter(request.GET or None, queryset=base, village=village)


@login_required
def deliberation_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    filterset = _filter(request, village)
    rows = filterset.qs.select_related("grid", "natural_village").order_by("-created_at", "-pk")
    page, query = paginate(request, rows)
    return render(
        request,
        "cogovernance/deliberation_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "today": timezone.localdate(),
            "may_change": workflow.may_change(request.user, village.pk),
        },
    )


EXPORT_HEADERS = [
    "议题",
    "环节",
    "提出人",
    "网格",
    "自然村",
    "登记日期",
    "审定日期",
    "公示开始",
    "公示结束",
    "决议日期",
    "办结日期",
    "议题说明",
]


@login_required
def deliberation_export(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    rows = _filter(request, village).qs.select_related("grid", "natural_village").order_by("-created_at", "-pk")
    book = new_workbook()
    sheet = add_sheet(book, _("协商议事"), [_(h) for h in EXPORT_HEADERS], widths={"A": 30, "B": 14, "L": 60})
    n = 0
    for d in rows.iterator(chunk_size=1000):
        append_row(
            sheet,
            [
                d.title,
                d.get_stage_display(),
                d.proposer,
                d.grid.name if d.grid_id else "",
                d.natural_village.name if d.natural_village_id else "",
                timezone.localtime(d.created_at).date(),
                d.approved_on,
                d.publish_on,
                d.publicity_ends,
                d.resolved_on,
                d.closed_on,
                d.summary,
            ],
        )
        n += 1
    trail.record_export(request, "cogov_deliberations", n, False)
    return stamped_xlsx_response(workbook_bytes(book), "deliberations")


# --- a topic: new, edit, its page ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    _keeper(request, village.pk)
    form = DeliberationForm(request.POST or None, village=village)
    if request.method == "POST" and form.is_valid():
        try:
            d = services.deliberation_save(by=request.user, deliberation=form.save(commit=False))
        except ValidationError as error:
            form.instance.pk = None
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记议题“%(title)s”。") % {"title": d.title})
            return redirect("cogovernance:deliberation-detail", pk=d.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "cogovernance/deliberation_form.html", {"form": form, "village": village}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    d = _changeable(request, pk)
    if not workflow.Actor(request.user, d).may_edit():
        messages.error(request, _("议题已报党组织审定，不能再修改。"))
        return redirect("cogovernance:deliberation-detail", pk=d.pk)
    form = DeliberationForm(request.POST or None, instance=d, village=d.village)
    if request.method == "POST" and form.is_valid():
        try:
            services.deliberation_save(by=request.user, deliberation=form.save(commit=False))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("cogovernance:deliberation-detail", pk=d.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cogovernance/deliberation_form.html",
        {"form": form, "village": d.village, "deliberation": d},
        status=status,
    )


@login_required
def deliberation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = _deliberation(request, pk)
    actor = workflow.Actor(request.user, d)
    today = timezone.localdate()
    try:
        meeting = d.meeting
    except DeliberationMeeting.DoesNotExist:
        meeting = None
    progress = list(d.progress.select_related("recorded_by"))
    actions = actor.actions()
    return render(
        request,
        "cogovernance/deliberation_detail.html",
        {
            "d": d,
            "village": d.village,
            "events": list(d.events.select_related("by")),
            "research": list(
                d.research.select_related("recorded_by").prefetch_related(
                    Prefetch("files", queryset=ResearchFile.objects.order_by("pk"))
                )
            ),
            "meeting": meeting,
            "progress": progress,
            "spent": sum((p.spent for p in progress), start=Decimal(0)),
            "projects": list(d.projects.active().order_by("-started_on", "-pk")),
            "actions": actions,
            "plain_names": PLAIN_MOVES,
            # The notice's public address (no login), for the staff to post in the village's WeChat group.
            "public_url": request.build_absolute_uri(public.notice_path(d)) if d.publish_on else "",
            "may_edit": actor.may_edit(),
            "may_add_research": actor.may_add_research(),
            "may_add_progress": actor.may_add_progress(),
            "in_publicity": d.stage in (Stage.PUBLISHED, Stage.DELIBERATED)
            and d.publish_on is not None
            and today <= d.publicity_ends,
            "has_notice": d.approved_on is not None,
        },
    )


@login_required
def research_file(request: HttpRequest, pk: int) -> FileResponse:
    """A research file, only through its deliberation's door (never a public media URL)."""
    f = get_object_or_404(
        ResearchFile.objects.filter(research__deliberation__in=Deliberation.objects.visible_to(request.user)), pk=pk
    )
    content_type = mimetypes.guess_type(f.file.name)[0] or "application/octet-stream"
    return stored_file_response(f.file, content_type=content_type, filename=f.name)


@login_required
def deliberation_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable publicity notice (A4): only the fields a notice shows the villagers, once approved."""
    d = _deliberation(request, pk)
    if d.approved_on is None or d.publish_on is None:
        raise Http404(_("议题经党组织审定后才有公示。"))
    return render(
        request,
        "cogovernance/deliberation_notice.html",
        {
            "back": d.pk,
            "title": d.title,
            "summary": d.summary,
            "publish_on": d.publish_on,
            "publicity_ends": d.publicity_ends,
            "opinions_to": d.opinions_to,
            "village_name": d.village.name,
            "organisation_name": d.party_organisation.name if d.party_organisation_id else "",
            "approved_on": d.approved_on,
        },
    )


# --- the steps -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_research(request: HttpRequest, pk: int) -> HttpResponse:
    d = _changeable(request, pk)
    if not workflow.Actor(request.user, d).may_add_research():
        messages.error(request, _("议题已报党组织审定，不能再添加调研记录。"))
        return redirect("cogovernance:deliberation-detail", pk=d.pk)
    form = ResearchForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.research_add(
                deliberation=d, by=request.user, research=form.save(commit=False), files=form.cleaned_data["files"]
            )
        except ValidationError as error:
            form.instance.pk = None
            add_service_errors(form, error)
        else:
            messages.success(request, _("已添加调研记录。"))
            return redirect("cogovernance:deliberation-detail", pk=d.pk)
    status = 400 if request.method == "POST" else 200
    return _step_page(request, d, form, _("添加调研记录"), status=status, multipart=True)


@login_required
@require_POST
def deliberation_move(request: HttpRequest, pk: int) -> HttpResponse:
    """A plain move (research, submit, send back, implement) with a note; refused moves leave a message."""
    d = _changeable(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("没有可执行的操作，请在议题页面上选择。"))
        return redirect("cogovernance:deliberation-detail", pk=d.pk)
    action = workflow.ACTIONS[form.cleaned_data["action"]]
    if d.stage not in action.sources:
        return _not_now(request, d, action.name)
    try:
        services.deliberation_move(
            deliberation=d,
            to=action.target,
            by=request.user,
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        return _refused(request, d, error)
    messages.success(request, _("已%(action)s。") % {"action": action.label})
    return redirect("cogovernance:deliberation-detail", pk=d.pk)


def _step_page(request, d, form, heading, *, status=200, multipart=False) -> HttpResponse:
    return render(
        request,
        "cogovernance/deliberation_step.html",
        {"d": d, "village": d.village, "form": form, "heading": heading, "multipart": multipart},
        status=status,
    )


def _step(request: HttpRequest, pk: int, action: str, make_form, save) -> HttpResponse:
    """The GET shows the step's form, the POST saves through the service; a refusal keeps the input and
    says why (400), a stage moved by someone else sends the person back to the topic with the reason."""
    d = _changeable(request, pk)
    if (back := _not_now(request, d, action)) is not None:
        return back
    form = make_form(d, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(d, form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已%(action)s。") % {"action": workflow.ACTIONS[action].label})
            return redirect("cogovernance:deliberation-detail", pk=d.pk)
    status = 400 if request.method == "POST" else 200
    return _step_page(request, d, form, workflow.ACTIONS[action].label, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def make_form(d, data):
        today = timezone.localdate()
        return ApproveForm(data, village_id=d.village_id, initial={"version": d.version, "approved_on": today})

    def save(d, form):
        c = form.cleaned_data
        services.deliberation_approve(
            deliberation=d,
            by=request.user,
            approved_on=c["approved_on"],
            publish_on=c["publish_on"],
            opinions_to=c["opinions_to"],
            party_organisation=c["party_organisation"],
            note=c["note"],
            version=c["version"],
        )

    return _step(request, pk, "approve", make_form, save)


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    def make_form(d, data):
        return MeetingForm(data, initial={"version": d.version, "held_on": timezone.localdate()})

    def save(d, form):
        services.deliberation_meeting(
            deliberation=d, by=request.user, meeting=form.save(commit=False), version=form.cleaned_data["version"]
        )

    return _step(request, pk, "meeting", make_form, save)


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def make_form(d, data):
        return ResolveForm(data, initial={"version": d.version, "resolved_on": timezone.localdate()})

    def save(d, form):
        c = form.cleaned_data
        services.deliberation_resolve(
            deliberation=d,
            by=request.user,
            resolution=c["resolution"],
            resolved_on=c["resolved_on"],
            version=c["version"],
        )

    return _step(request, pk, "resolve", make_form, save)


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_close(request: HttpRequest, pk: int) -> HttpResponse:
    def make_form(d, data):
        return CloseForm(data, initial={"version": d.version, "closed_on": timezone.localdate()})

    def save(d, form):
        c = form.cleaned_data
        services.deliberation_close(
            deliberation=d, by=request.user, note=c["note"], closed_on=c["closed_on"], version=c["version"]
        )

    return _step(request, pk, "close", make_form, save)


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_progress(request: HttpRequest, pk: int) -> HttpResponse:
    d = _changeable(request, pk)
    if not workflow.Actor(request.user, d).may_add_progress():
        messages.error(request, _("决议组织实施后才能记录落实进展。"))
        return redirect("cogovernance:deliberation-detail", pk=d.pk)
    form = ProgressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_add(deliberation=d, by=request.user, progress=form.save(commit=False))
        except ValidationError as error:
            form.instance.pk = None
            add_service_errors(form, error)
        else:
            messages.success(request, _("已记录落实进展。"))
            return redirect("cogovernance:deliberation-detail", pk=d.pk)
    status = 400 if request.method == "POST" else 200
    return _step_page(request, d, form, _("记录落实进展"), status=status)


urlpatterns = [
    path("villages/<int:pk>/cogov/deliberations/", deliberation_list, name="deliberation-list"),
    path("villages/<int:pk>/cogov/deliberations/export/", deliberation_export, name="deliberation-export"),
    path("villages/<int:pk>/cogov/deliberations/new/", deliberation_new, name="deliberation-new"),
    path("cogov/deliberations/<int:pk>/", deliberation_detail, name="deliberation-detail"),
    path("cogov/deliberations/<int:pk>/edit/", deliberation_edit, name="deliberation-edit"),
    path("cogov/deliberations/<int:pk>/research/", deliberation_research, name="deliberation-research"),
    path("cogov/deliberations/<int:pk>/move/", deliberation_move, name="deliberation-move"),
    path("cogov/deliberations/<int:pk>/approve/", deliberation_approve, name="deliberation-approve"),
    path("cogov/deliberations/<int:pk>/meeting/", deliberation_meeting, name="deliberation-meeting"),
    path("cogov/deliberations/<int:pk>/resolve/", deliberation_resolve, name="deliberation-resolve"),
    path("cogov/deliberations/<int:pk>/close/", deliberation_close, name="deliberation-close"),
    path("cogov/deliberations/<int:pk>/progress/", deliberation_progress, name="deliberation-progress"),
    path("cogov/deliberations/<int:pk>/notice/", deliberation_notice, name="deliberation-notice"),
    path("cogov/research-files/<int:pk>/", research_file, name="research-file"),
]
