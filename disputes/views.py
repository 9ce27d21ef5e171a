"""Pages of cases: the lists (staff, the town's desk, a worker's own), the case page with the actions its
state allows this user, the phone report, printable agreement and record, photos, the mediation team.

Lookups go through ``Case.objects.visible_to`` (out of scope is a 404, also for actions); what a person
may do is ``workflow.Actor``'s answer (visible but not allowed is a 403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.trail import record_export
from core.db import get_as_written_or_404
from core.excel import Column, write_workbook
from core.pages import paginate, stored_file_response, xlsx_response
from grids import access
from grids.forms import add_service_errors

from . import deadlines, origin, services
from .filters import CaseFilter, DepartmentCaseFilter
from .forms import (
    CaseForm,
    DeptNoteForm,
    FieldCaseForm,
    MediatorForm,
    MediatorsForm,
    PartyFormSet,
    PhotoForm,
    SessionForm,
    action_form,
)
from .models import Case, Category, Kind, Mediator, Outcome, Policy, Source, Tier, department_cases_q, state_label
from .workflow import ACTIONS, Actor

LIST_RELATED = ("village", "grid", "assignee", "department")


def _case_rows(cases):
    return cases.with_names()


def _listed(request: HttpRequest, base, policy: Policy):
    """Filtered and ordered: the most overdue first, then the nearest deadline, closed cases last."""
    filterset = CaseFilter(request.GET, queryset=deadlines.with_due(base, policy), user=request.user)
    qs = filterset.qs
    if not qs.query.order_by:
        qs = qs.order_by(F("due_at").asc(nulls_last=True), "-reported_at")
    return filterset, qs


def _list_page(request: HttpRequest, base, template: str, extra: dict | None = None) -> HttpResponse:
    policy = Policy.current()
    filterset, qs = _listed(request, base, policy)
    # Ordered by each case's deadline, computed: the ids statement reads every case of the list anyway, and
    # counts them in the same reading (docs/performance.md, "A searched list's count").
    page, query = paginate(request, qs, rows=_case_rows, reads_all=True)
    page.object_list = deadlines.attach(page.object_list, policy)
    context = {"filter": filterset, "page": page, "query": query, **(extra or {})}
    return render(request, template, context)


def _not_for_departments(request: HttpRequest) -> None:
    """The village's and the town's lists and exports are not a department's: its own list is
    (docs/departments.md)."""
    if access.is_department_only(request.user):
        raise PermissionDenied(_("职能部门请在“本部门案件”中查看交办的案件。"))


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    _not_for_departments(request)
    return _list_page(
        request,
        Case.objects.visible_to(request.user),
        "disputes/case_list.html",
        {"create_village": access.sole_changeable_village(request.user)},
    )


@login_required
def town_desk(request: HttpRequest) -> HttpResponse:
    """Every case escalated to the town or flagged major, in any village of the town."""
    scope = access.scope_for(request.user)
    if not (scope.town_ids or scope.is_admin):
        raise PermissionDenied(_("此页面供镇综治办使用。"))
    base = Case.objects.visible_to(request.user).filter(Q(tier=Tier.TOWN) | Q(major=True))
    return _list_page(request, base, "disputes/town_desk.html")


@login_required
def department_cases(request: HttpRequest) -> HttpResponse:
    """The cases the town assigned to the user's department (docs/departments.md): to sign for first, then
    the most overdue, then the nearest deadline; finished ones last."""
    if not access.scope_for(request.user).department_town_ids:
        raise PermissionDenied(_("此页面供职能部门使用。"))
    policy = Policy.current()
    base = deadlines.with_due(Case.objects.filter(department_cases_q(request.user)), policy)
    filterset = DepartmentCaseFilter(request.GET, queryset=base)
    qs = filterset.qs
    if not qs.query.order_by:
        qs = qs.order_by(F("due_at").asc(nulls_last=True), "-reported_at")
    page, query = paginate(request, qs, rows=_case_rows, reads_all=True)  # by deadline: as the case lists
    page.object_list = deadlines.attach(page.object_list, policy)
    return render(request, "disputes/department_cases.html", {"filter": filterset, "page": page, "query": query})


EXPORT_COLUMNS = [
    Column("编号", "number"),
    Column("类型", "kind"),
    Column("类别", "category", width=16),
    Column("事件名称", "title", width=24),
    Column("村", "village"),
    Column("网格", "grid"),
    Column("发生日期", "occurred_on"),
    Column("上报时间", "reported_at", width=18),
    Column("来源", "source"),
    Column("重大事项", "major"),
    Column("层级", "tier", width=18),
    Column("状态", "state"),
    Column("期限", "deadline", width=18),
    Column("责任人", "assignee"),
    Column("承办部门", "department"),
    Column("当事人", "parties", width=24),
    Column("处置结果", "outcome"),
    Column("回访满意", "satisfied"),
]


@login_required
def case_export(request: HttpRequest) -> HttpResponse:
    _not_for_departments(request)
    policy = Policy.current()
    _filterset, qs = _listed(request, Case.objects.visible_to(request.user), policy)
    qs = qs.select_related(*LIST_RELATED).prefetch_related("parties")
    now = timezone.now()
    rows = []
    for case in qs.iterator(chunk_size=500):
        deadline = deadlines.deadline_for(case, policy, now)
        rows.append(
            {
                "number": case.number,
                "kind": case.get_kind_display(),
                "category": case.get_category_display(),
                "title": case.title,
                "village": case.village.name,
                "grid": case.grid.name,
                "occurred_on": case.occurred_on.isoformat(),
                "reported_at": f"{timezone.localtime(case.reported_at):%Y-%m-%d %H:%M}",
                "source": case.get_source_display(),
                "major": _("是") if case.major else "",
                "tier": case.get_tier_display(),
                "state": str(case.state_label),
                "deadline": deadline.text if deadline else "",
                "assignee": str(case.assignee or ""),
                "department": str(case.department or ""),
                "parties": "、".join(f"{p.get_role_display()}:{p.name}" for p in case.parties.all()),
                "outcome": case.get_outcome_display() if case.outcome else "",
                "satisfied": {True: _("满意"), False: _("不满意")}.get(case.satisfied, ""),
            }
        )
    record_export(request, "cases", len(rows), False)
    return xlsx_response(write_workbook("案件", EXPORT_COLUMNS, rows), "cases.xlsx")


# --- The case page ------------------------------------------------------------------------------------


def _visible_case(request: HttpRequest, pk: int) -> Case:
    cases = Case.objects.visible_to(request.user).select_related(
        "village", "grid", "household", "reported_by", "assignee", "department"
    )
    return get_as_written_or_404(cases, pk=pk)


def _case_page(request: HttpRequest, case: Case, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    """The case with its timeline and one form per action this user may take now. ``bound`` replaces a
    form by the one the user just posted, so its input and errors show."""
    bound = bound or {}
    actor = Actor(request.user, case)
    policy = Policy.current()
    forms = []
    for action in actor.actions():
        forms.append((action, bound.get(action.name) or action_form(action, case)))
    context = {
        "case": case,
        # Where the case was found, for those who may be told (``origin``: not a key person's household).
        "household": origin.household_shown(request.user, case),
        "deadline": deadlines.deadline_for(case, policy),
        "parties": case.parties.select_related("resident"),
        "attachments": case.attachments.all(),
        "sessions": case.sessions.prefetch_related("mediators").select_related("recorded_by"),
        "events": _labelled(case, case.events.select_related("by")),
        "mediators": case.mediators.all(),
        "action_forms": forms,
        "may_sign": actor.may_sign(),
        "dept_note_form": (bound.get("dept_note") or DeptNoteForm(case=case)) if actor.may_note() else None,
        "for_department": access.is_department_only(request.user),
        "session_form": (bound.get("session") or SessionForm(case=case)) if actor.may_record_session() else None,
        "mediators_form": (bound.get("mediators") or MediatorsForm(case=case)) if actor.may_set_mediators() else None,
        "photo_form": (bound.get("photo") or PhotoForm()) if actor.may_attach() else None,
        # Workers open their cases on the phone; staff and the town at a desk.
        "layout": "layouts/field.html"
        if access.scope_for(request.user).works_in_field and not (actor.is_staff or actor.is_town)
        else "layouts/staff.html",
    }
    return render(request, "disputes/case_detail.html", context, status=status)


def _labelled(case: Case, events) -> list:
    """Timeline lines with the state names of the case's kind (disputes say 调解中 where others say 处置中)."""
    events = list(events)
    for event in events:
        event.from_label = state_label(case.kind, event.from_state) if event.from_state else ""
        event.to_label = state_label(case.kind, event.to_state)
    return events


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _visible_case(request, pk))


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _visible_case(request, pk)
    if action not in ACTIONS:
        raise Http404
    if not Actor(request.user, case).may(action):
        raise PermissionDenied(_("您不能对这件案件执行「%s」。") % ACTIONS[action].label)
    form = action_form(ACTIONS[action], case, request.POST)
    if form.is_valid():
        try:
            services.ACTION_SERVICES[action](case=case, by=request.user, **form.cleaned_data)
        except services.CaseChanged as error:
            messages.error(request, error.messages[0])
            return redirect("disputes:case-detail", pk=case.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已%s。") % ACTIONS[action].label)
            return redirect("disputes:case-detail", pk=case.pk)
    return _case_page(request, case, bound={action: form}, status=400)


@login_required
@require_POST
def case_sign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    try:
        services.case_sign(case=case, by=request.user)
    except services.CaseChanged as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("已签收。"))
    return redirect("disputes:case-detail", pk=case.pk)


@login_required
@require_POST
def case_dept_note(request: HttpRequest, pk: int) -> HttpResponse:
    """A department's handling note (docs/departments.md)."""
    case = _visible_case(request, pk)
    if not Actor(request.user, case).may_note():
        raise PermissionDenied(_("只有签收后的承办部门人员可以记录处置情况。"))
    form = DeptNoteForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.case_dept_note(case=case, by=request.user, **form.cleaned_data)
        except services.CaseChanged as error:
            messages.error(request, error.messages[0])
            return redirect("disputes:case-detail", pk=case.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已记录处置情况。"))
            return redirect("disputes:case-detail", pk=case.pk)
    return _case_page(request, case, bound={"dept_note": form}, status=400)


@login_required
@require_POST
def case_session_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    if not Actor(request.user, case).may_record_session():
        raise PermissionDenied(_("只有调处中的纠纷可以由责任人或调处层级记录调解。"))
    form = SessionForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.case_session_add(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已记录调解。"))
            return redirect("disputes:case-detail", pk=case.pk)
    return _case_page(request, case, bound={"session": form}, status=400)


@login_required
@require_POST
def case_mediators(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    if not Actor(request.user, case).may_set_mediators():
        raise PermissionDenied(_("只有本村村干部可以指派调解团成员。"))
    form = MediatorsForm(request.POST, case=case)
    if form.is_valid():
        services.case_mediators_set(case=case, by=request.user, mediators=form.cleaned_data["mediators"])
        messages.success(request, _("已更新调解团成员。"))
        return redirect("disputes:case-detail", pk=case.pk)
    return _case_page(request, case, bound={"mediators": form}, status=400)


@login_required
@require_POST
def case_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    if not Actor(request.user, case).may_attach():
        raise PermissionDenied(_("您不能为这件案件添加照片。"))
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_photo_add(
                case=case, by=request.user, upload=form.cleaned_data["image"], caption=form.cleaned_data["caption"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("照片已上传。"))
            return redirect("disputes:case-detail", pk=case.pk)
    return _case_page(request, case, bound={"photo": form}, status=400)


@login_required
def case_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    """A photo, only through its case's door (never a public media URL)."""
    case = _visible_case(request, pk)
    attachment = get_object_or_404(case.attachments, pk=photo)
    return stored_file_response(attachment.image)


@login_required
def case_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """人民调解协议书, for printing and signing by the parties."""
    case = _visible_case(request, pk)
    if case.kind != Kind.DISPUTE or case.outcome != Outcome.AGREEMENT:
        raise Http404(_("只有达成调解协议的纠纷才有调解协议书。"))
    context = {
        "case": case,
        "parties": case.parties.select_related("resident"),
        "sessions": case.sessions.prefetch_related("mediators"),
        "mediators": case.mediators.all(),
    }
    return render(request, "disputes/print_agreement.html", context)


@login_required
def case_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable case record (案卷): everything on the case page, laid out for paper."""
    case = _visible_case(request, pk)
    context = {
        "case": case,
        "deadline": deadlines.deadline_for(case, Policy.current()),
        "parties": case.parties.select_related("resident"),
        "sessions": case.sessions.prefetch_related("mediators"),
        "events": _labelled(case, case.events.select_related("by")),
        "mediators": case.mediators.all(),
        "printed_at": timezone.now(),
    }
    return render(request, "disputes/print_record.html", context)


# --- Reporting a case ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff open a case: someone walked in or phoned, or a worker told them."""
    village = access.village_for_change(request.user, pk)
    form = CaseForm(request.POST or None, request.FILES or None, village=village)
    parties = PartyFormSet(request.POST or None, village=village, prefix="party")
    if request.method == "POST" and form.is_valid() and parties.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_report(
                by=request.user,
                village=village,
                grid=data["grid"],
                kind=data["kind"],
                category=data["category"],
                title=data["title"],
                description=data["description"],
                occurred_on=data["occurred_on"],
                location=data["location"],
                people_involved=data["people_involved"],
                household=data["household"],
                source=data["source"],
                major=data["major"],
                parties=parties.parties(),
                photos=data["photos"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记案件 %s。") % case.number)
            return redirect("disputes:case-detail", pk=case.pk)
    return render(request, "disputes/case_form.html", {"form": form, "parties": parties, "village": village})


def _require_field(request: HttpRequest) -> None:
    if not access.may_report_from_field(request.user):
        raise PermissionDenied(_("此页面供网格员、微网格联络员和综治信息员使用。"))


@login_required
@require_http_methods(["GET", "POST"])
def field_case_new(request: HttpRequest) -> HttpResponse:
    """The phone report: kind, category, a few words, a photo; the place follows from the worker."""
    _require_field(request)
    # A household chosen on the previous page; anything but an id is ignored.
    initial = {"household": request.GET["household"]} if request.GET.get("household", "").isdecimal() else None
    form = FieldCaseForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        grid = data["grid"]
        scope = access.scope_for(request.user)
        parties = []
        if data["party_name"].strip():
            parties.append(
                services.PartyInput(role="applicant", name=data["party_name"].strip(), phone=data["party_phone"])
            )
        try:
            case = services.case_report(
                by=request.user,
                village=grid.village,
                grid=grid,
                kind=data["kind"],
                category=data["category"],
                title=_title_from(data),
                description=data["description"],
                people_involved=data["people_involved"],
                household=data["household"],
                source=Source.GRID_WORKER if scope.grid_ids or scope.micro_grid_ids else Source.INFO_OFFICER,
                major=data["major"],
                parties=parties,
                photos=data["photos"],
                latitude=data["latitude"],
                longitude=data["longitude"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已上报，编号 %s。村里会尽快受理。") % case.number)
            return redirect("disputes:field-cases")
    household = None
    if form.is_bound:
        household = form.cleaned_data.get("household") if hasattr(form, "cleaned_data") else None
    elif initial:
        household = form.fields["household"].queryset.filter(pk=initial["household"]).first()
    return render(request, "disputes/field_case_new.html", {"form": form, "household": household})


def _title_from(data) -> str:
    """The phone form has no title field: the category and the first words of the description name it."""
    first = data["description"].strip().splitlines()[0]
    words = first if len(first) <= 30 else first[:29] + "…"
    return f"{Category(data['category']).label}：{words}"[:100]


@login_required
def field_cases(request: HttpRequest) -> HttpResponse:
    """A worker's own cases: reported by them or handed to them; open ones first, by deadline."""
    _require_field(request)
    policy = Policy.current()
    mine = Case.objects.filter(Q(reported_by=request.user) | Q(assignee=request.user))
    qs = (
        deadlines.with_due(mine, policy)
        .select_related("grid")
        .order_by(F("due_at").asc(nulls_last=True), "-reported_at")
    )
    page, query = paginate(request, qs, per_page=30)
    page.object_list = deadlines.attach(page.object_list, policy)
    return render(request, "disputes/field_cases.html", {"page": page, "query": query})


# --- The mediation team --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mediator_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_object_or_404(access.visible_villages(request.user), pk=pk)
    can_manage = access.can_manage_village(request.user, village)
    form = MediatorForm(request.POST or None)
    if request.method == "POST":
        access.require_manage(request.user, village)
        if form.is_valid():
            mediator = form.save(commit=False)
            mediator.village = village
            mediator.save()
            messages.success(request, _("已添加调解团成员 %s。") % mediator.name)
            return redirect("disputes:mediator-list", pk=village.pk)
    mediators = Mediator.objects.visible_to(request.user).filter(village=village)
    if request.GET.get("archived") != "true":
        mediators = mediators.active()
    mediators = mediators.prefetch_related(
        Prefetch("cases", queryset=Case.objects.open().only("pk", "number", "title"), to_attr="open_cases")
    )
    context = {"village": village, "mediators": mediators, "form": form if can_manage else None}
    return render(request, "disputes/mediator_list.html", context, status=400 if form.errors else 200)


def _mediator_for_change(request: HttpRequest, pk: int) -> Mediator:
    mediator = get_object_or_404(Mediator.objects.visible_to(request.user).select_related("village"), pk=pk)
    access.require_manage(request.user, mediator.village)
    return mediator


@login_required
@require_http_methods(["GET", "POST"])
def mediator_update(request: HttpRequest, pk: int) -> HttpResponse:
    mediator = _mediator_for_change(request, pk)
    form = MediatorForm(request.POST or None, instance=mediator)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存。"))
        return redirect("disputes:mediator-list", pk=mediator.village_id)
    return render(request, "disputes/mediator_form.html", {"form": form, "mediator": mediator})


@login_required
@require_POST
def mediator_archive(request: HttpRequest, pk: int) -> HttpResponse:
    mediator = _mediator_for_change(request, pk)
    services.mediator_archive(mediator=mediator, by=request.user)
    messages.success(request, _("已将 %s 移出调解团。") % mediator.name)
    return redirect("disputes:mediator-list", pk=mediator.village_id)
