"""Party pages: staff (docs/party.md). The village's desk pages: the overview, organisations, members,
contact households, meetings.

Who: the village's staff, the village's Party secretaries and committee members, the admin (``party.rules``).
Political affiliation is personal information: everyone else — the town office (it sees compliance on its own
page), a grid worker, another village's staff — gets a 404, as for anything out of their scope.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from audit import trail
from audit.models import AuditAction
from core.choices import label_of
from core.excel import FileError
from core.pages import paginate, stamped_xlsx_response, stored_file_response
from grids import access
from grids.forms import add_service_errors
from grids.models import Grid, Village
from residents import idnumber
from residents.models import Resident

from .. import cadence, excel, rules, selectors, services
from ..filters import MeetingFilter, MemberFilter
from ..forms import ImportForm, LinkForm, LoginForm, MeetingForm, MemberForm, OrganisationChoiceForm, OrganisationForm
from ..models import (
    Attendance,
    ContactLink,
    Meeting,
    MeetingKind,
    MeetingPhoto,
    OrgKind,
    PartyMember,
    PartyOrganisation,
)

STATE_LABELS = {
    cadence.HELD: gettext_lazy("按时召开"),
    cadence.LATE: gettext_lazy("逾期召开"),
    cadence.DUE: gettext_lazy("待召开"),
    cadence.OVERDUE: gettext_lazy("超期未召开"),
}


# --- doors -----------------------------------------------------------------------------------------------


def _village(request: HttpRequest, pk: int) -> Village:
    """The village ``pk`` if the user may see its Party records, else 404 (the town office too)."""
    return get_object_or_404(
        Village.objects.filter(rules.records_q(request.user, village="pk")).select_related("town"), pk=pk
    )


def _organisation(request: HttpRequest, pk: int) -> PartyOrganisation:
    return get_object_or_404(
        PartyOrganisation.objects.visible_to(request.user).select_related("village", "parent", "grid", "secretary"),
        pk=pk,
    )


def _member(request: HttpRequest, pk: int) -> PartyMember:
    return get_object_or_404(
        PartyMember.objects.visible_to(request.user).select_related(
            "village", "resident__household", "branch", "group", "user"
        ),
        pk=pk,
    )


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related(
            "village", "organisation", "chair__resident", "recorded_by"
        ),
        pk=pk,
    )


def _state_label(state: str) -> str:
    return str(STATE_LABELS[state])


# --- the overview ----------------------------------------------------------------------------------------


def _age_chart(counts: selectors.MemberCounts) -> list[dict]:
    """The age bands as bars of an inline SVG the template draws (no script), like the visits' trend chart."""
    top = max([*counts.by_band.values(), 1])
    bars = []
    for i, (_low, _high, label) in enumerate(selectors.AGE_BANDS):
        n = counts.by_band.get(label, 0)
        height = round(100 * n / top)
        bars.append(
            {
                "label": _(label),
                "n": n,
                "x": 40 + i * 70,
                "y": 120 - height,
                "h": height,
                "percent": round(100 * n / counts.total) if counts.total else 0,
            }
        )
    return bars


def _overdue_rows(items, names: dict[int, str], kinds: dict[str, str]) -> list[dict]:
    """The periods that ended without their meeting, one row per organisation and kind (a lagging branch
    owes a dozen periods of one kind: one line with a link to record each, not a dozen lines)."""
    rows: dict[tuple[int, str], dict] = {}
    for i in sorted(items, key=lambda i: i.starts):
        if i.state != cadence.OVERDUE:
            continue
        row = rows.setdefault(
            (i.organisation_id, i.kind),
            {
                "organisation_id": i.organisation_id,
                "organisation": names.get(i.organisation_id, ""),
                "kind": i.kind,
                "kind_label": kinds.get(i.kind, i.kind),
                "periods": [],
            },
        )
        row["periods"].append(i.period)
    return sorted(rows.values(), key=lambda r: (r["organisation"], r["kind_label"]))


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    today = timezone.localdate()
    tree = selectors.organisation_tree(village.pk)  # 1 query
    counts = selectors.member_counts([village.pk], today)[village.pk]  # 1 query
    coverage = selectors.contact_coverage([village.pk], today)  # 3 queries
    grids = list(Grid.objects.active().filter(village=village).order_by("number"))  # 1 query
    coverage_rows = [(g, coverage.get(g.pk) or selectors.GridContacts(g.pk)) for g in grids]
    done = selectors.compliance([village.pk], today)[village.pk]  # 3 queries
    # Every organisation of the village by id, archived ones too (their overdue periods stay listed).
    names = dict(PartyOrganisation.objects.filter(village=village).values_list("pk", "name"))  # 1 query
    kinds = dict(MeetingKind.choices)
    branches = [
        {"org": node["org"], "members": counts.by_branch.get(node["org"].pk, 0)}
        for root in tree
        for node in ([root] if root["org"].kind == OrgKind.BRANCH else root["children"])
        if node["org"].kind == OrgKind.BRANCH
    ]
    return render(
        request,
        "party/overview.html",
        {
            "village": village,
            "tree": tree,
            "counts": counts,
            "branches": branches,
            "age_bars": _age_chart(counts),
            "coverage_rows": coverage_rows,
            "coverage_total": selectors.coverage_total(r for _g, r in coverage_rows),
            "compliance": done,
            "overdue": _overdue_rows(done.items, names, kinds),
            "today": today,
        },
    )


# --- organisations ---------------------------------------------------------------------------------------


def _organisation_form_page(request: HttpRequest, village: Village, org: PartyOrganisation | None) -> HttpResponse:
    initial = {} if org else {key: request.GET[key] for key in ("kind", "parent") if request.GET.get(key)}
    form = OrganisationForm(request.POST or None, instance=org, village=village, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.organisation_save(
                by=request.user, org=form.save(commit=False), committee=list(form.cleaned_data["committee"])
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存党组织“%(name)s”。") % {"name": saved.name})
            return redirect("party:organisation-detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "party/organisation_form.html", {"form": form, "village": village, "org": org}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    return _organisation_form_page(request, village, None)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = _organisation(request, pk)
    if org.is_archived:
        messages.error(request, _("该组织已归档，不能再修改。"))
        return redirect("party:organisation-detail", pk=org.pk)
    return _organisation_form_page(request, org.village, org)


@login_required
@require_POST
def organisation_archive(request: HttpRequest, pk: int) -> HttpResponse:
    org = _organisation(request, pk)
    try:
        services.organisation_archive(by=request.user, org=org)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已归档；其会议记录保留。"))
    return redirect("party:organisation-detail", pk=org.pk)


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = _organisation(request, pk)
    today = timezone.localdate()
    groups = list(org.children.active().select_related("secretary").order_by("name"))
    members = list(
        PartyMember.objects.active()
        .filter(Q(branch=org) | Q(group=org))
        .select_related("resident", "group")
        .annotate(n_links=Count("links", filter=Q(links__ended_on__isnull=True)))
        .order_by("group__name", "resident__name", "pk")
    )
    coverage = None
    if org.grid_id:
        coverage = selectors.contact_coverage([org.village_id], today).get(org.grid_id)
    first, last = cadence.year_span(today)
    items = cadence.items(
        village_ids=None, first=first, last=last, today=today, organisation_ids=[org.pk, *[g.pk for g in groups]]
    )
    names = {org.pk: org.name, **{g.pk: g.name for g in groups}}
    kinds = dict(MeetingKind.choices)
    # One row per organisation and kind, its periods of the year in order, each with where it stands.
    rows: dict[tuple[int, str], dict] = {}
    for i in sorted(items, key=lambda i: (names.get(i.organisation_id, ""), i.kind, i.starts)):
        row = rows.setdefault(
            (i.organisation_id, i.kind),
            {"organisation": names.get(i.organisation_id, ""), "kind": kinds.get(i.kind, i.kind), "cells": []},
        )
        row["cells"].append({"item": i, "state": _state_label(i.state)})
    return render(
        request,
        "party/organisation_detail.html",
        {
            "org": org,
            "village": org.village,
            "groups": groups,
            "members": members,
            "coverage": coverage,
            "periods": list(rows.values()),
            "tally": cadence.tally(items)[None],
            "committee": list(org.committee.all()),
            "meetings": list(
                Meeting.objects.filter(organisation_id__in=names, held_on__gte=first).order_by("-held_on", "-pk")[:50]
            ),
        },
    )


# --- members ---------------------------------------------------------------------------------------------


def _member_filter(request: HttpRequest, village: Village):
    base = PartyMember.objects.visible_to(request.user).active().filter(village=village)
    return MemberFilter(request.GET or None, queryset=base, village=village, user=request.user)


def _current_links():
    """A member's current contact households, counted by a subquery: a join grouped by member would group
    the whole list for its ids and its count too (docs/performance.md, "Rows of a page")."""
    links = (
        ContactLink.objects.current()
        .filter(member=OuterRef("pk"))
        .order_by()
        .values("member")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(links), 0)


def _member_rows(members):
    """What a row shows of the member's resident, branch and group, as values and not as three objects a row
    (docs/performance.md, "What a row shows"); the member's current contact households counted."""
    return members.annotate(
        name=F("resident__name"),
        gender=F("resident__gender"),
        birth_date=F("resident__birth_date"),
        branch_name=F("branch__name"),
        group_name=F("group__name"),
        n_links=_current_links(),
    )


@login_required
def member_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    filterset = _member_filter(request, village)
    members = filterset.qs.order_by("branch__name", "resident__name", "pk")
    # By branch and name, joined: the ids statement reads every member anyway, and counts them (core.pages).
    page, query = paginate(request, members, rows=_member_rows, reads_all=True)
    today = timezone.localdate()
    for m in page.object_list:
        m.age = selectors.age_on(m.birth_date, today)
        m.gender_label = label_of(Resident, "gender", m.gender)
    return render(
        request,
        "party/member_list.html",
        {"village": village, "filter": filterset, "page": page, "query": query},
    )


@login_required
def member_export(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    filterset = _member_filter(request, village)
    members = filterset.qs.select_related("resident", "branch", "group").order_by("branch__name", "resident__name")
    full = access.may_see_full_id(request.user, village.pk)

    def id_cell(resident) -> str:
        return resident.id_number if full else idnumber.mask_hard(resident.id_number)

    rows = excel.export_rows(members, id_cell)
    trail.record_export(request, "party_members", len(rows), full and bool(rows))
    return stamped_xlsx_response(excel.workbook(rows), "party-members")


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                outcome = excel.members_import(
                    by=request.user,
                    village=village,
                    data=form.cleaned_data["file"].read(),
                    all_or_nothing=form.cleaned_data["mode"] != ImportForm.VALID,
                )
            except FileError as error:
                form.add_error("file", str(error))
            else:
                if outcome.saved:
                    status = 200
                    trail.record(
                        AuditAction.IMPORT,
                        model="party_members",
                        village_id=village.pk,
                        note=_("导入党员名册 %(file)s") % {"file": form.cleaned_data["file"].name[:100]},
                        changes={"created": [None, outcome.created], "updated": [None, outcome.updated]},
                    )
                    messages.success(
                        request,
                        _("已导入：新增 %(c)d 名，更新 %(u)d 名。") % {"c": outcome.created, "u": outcome.updated},
                    )
    return render(
        request,
        "party/member_import.html",
        {"village": village, "form": form, "outcome": outcome, "columns": excel.COLUMNS},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    initial = {}
    if branch := request.GET.get("branch"):
        initial["branch"] = branch
    form = MemberForm(request.POST or None, village=village, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_save(by=request.user, member=form.save(commit=False))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记党员“%(name)s”。") % {"name": member.resident.name})
            return redirect("party:member-detail", pk=member.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "party/member_form.html", {"form": form, "village": village}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if member.is_archived:
        messages.error(request, _("该党员记录已归档，不能再修改。"))
        return redirect("party:member-detail", pk=member.pk)
    form = MemberForm(request.POST or None, instance=member, village=member.village)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_save(by=request.user, member=form.save(commit=False))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("party:member-detail", pk=member.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "party/member_form.html",
        {"form": form, "village": member.village, "member": member},
        status=status,
    )


def _member_page(request, member, *, link_form=None, login_form=None, status=200) -> HttpResponse:
    links = list(member.links.select_related("household__grid").order_by("ended_on", "-started_on", "-pk"))
    return render(
        request,
        "party/member_detail.html",
        {
            "member": member,
            "village": member.village,
            "current_links": [link for link in links if link.ended_on is None],
            "past_links": [link for link in links if link.ended_on is not None],
            "contacts": list(member.contacts.select_related("household").order_by("-contacted_on", "-pk")[:50]),
            "attendance": list(
                Attendance.objects.filter(member=member)
                .select_related("meeting__organisation")
                .order_by("-meeting__held_on", "-pk")[:50]
            ),
            "link_form": link_form or LinkForm(village=member.village),
            "login_form": login_form or LoginForm(member=member, initial={"user": member.user_id}),
            "age": selectors.age_on(member.resident.birth_date, timezone.localdate()),
        },
        status=status,
    )


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_page(request, _member(request, pk))


@login_required
@require_POST
def member_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a household; a wrong number shows the member's page again with the form's error (400)."""
    member = _member(request, pk)
    form = LinkForm(request.POST, village=member.village)
    if not form.is_valid():
        return _member_page(request, member, link_form=form, status=400)
    household = form.cleaned_data["household"]
    previous = ContactLink.objects.current().filter(household=household).exclude(member=member).first()
    try:
        services.contact_link(by=request.user, member=member, household=household)
    except ValidationError as error:
        add_service_errors(form, error)
        return _member_page(request, member, link_form=form, status=400)
    if previous is not None:
        messages.success(
            request,
            _("已将户 %(h)s 改由本党员联系（原联系党员：%(m)s，联系记录保留）。")
            % {"h": household.number, "m": previous.member},
        )
    else:
        messages.success(request, _("已添加联系户 %(h)s。") % {"h": household.number})
    return redirect("party:member-detail", pk=member.pk)


@login_required
@require_POST
def member_login(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a member's account the phone role on the village (their contact households), or take it away."""
    member = _member(request, pk)
    if request.POST.get("remove") and member.user_id is not None:
        services.member_login_remove(by=request.user, member=member)
        messages.success(request, _("已取消该党员的手机登录。"))
        return redirect("party:member-detail", pk=member.pk)
    form = LoginForm(request.POST, member=member)
    if member.is_archived:
        form.add_error(None, _("该党员已归档。"))
    if form.errors or not form.is_valid():
        return _member_page(request, member, login_form=form, status=400)
    try:
        services.member_login_grant(by=request.user, member=member, user=form.cleaned_data["user"])
    except ValidationError as error:
        add_service_errors(form, error)
        return _member_page(request, member, login_form=form, status=400)
    messages.success(
        request, _("已为 %(m)s 开通手机登录：%(u)s 登录后看到本人的联系户。") % {"m": member, "u": member.user}
    )
    return redirect("party:member-detail", pk=member.pk)


@login_required
@require_POST
def link_end(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ContactLink.objects.visible_to(request.user).select_related("household"), pk=pk)
    services.contact_unlink(by=request.user, link=link)
    messages.success(request, _("已结束与户 %(h)s 的联系关系，历史保留。") % {"h": link.household.number})
    return redirect("party:member-detail", pk=link.member_id)


# --- meetings --------------------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    base = Meeting.objects.visible_to(request.user).filter(village=village)
    filterset = MeetingFilter(request.GET or None, queryset=base, village=village)
    meetings = (
        filterset.qs.select_related("organisation")
        .annotate(
            n_present=Count("attendance", filter=Q(attendance__present=True)),
            n_absent=Count("attendance", filter=Q(attendance__present=False)),
        )
        .order_by("-held_on", "-pk")
    )
    page, query = paginate(request, meetings)
    return render(
        request,
        "party/meeting_list.html",
        {"village": village, "filter": filterset, "page": page, "query": query},
    )


def _attendees(org: PartyOrganisation) -> list[PartyMember]:
    """The checklist: the members of the organisation (every member of the village for its top one)."""
    members = services.organisation_members(org).select_related("resident", "group")
    return list(members.order_by("branch__name", "group__name", "resident__name", "pk"))


def _default_kind(org: PartyOrganisation) -> str:
    return {OrgKind.BRANCH: MeetingKind.BRANCH_COMMITTEE, OrgKind.GROUP: MeetingKind.GROUP_MEETING}.get(
        org.kind, MeetingKind.FIVE_LINKAGE
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    chooser = OrganisationChoiceForm(request.GET or None, village=village)
    if not chooser.is_valid():
        # First which organisation held it: its members make the attendance checklist.
        return render(request, "party/meeting_choose.html", {"village": village, "chooser": chooser})
    org = chooser.cleaned_data["organisation"]
    members = _attendees(org)
    initial = {
        "kind": request.GET.get("kind") or _default_kind(org),
        "period": request.GET.get("period", ""),
        "held_on": timezone.localdate(),
    }
    form = MeetingForm(request.POST or None, request.FILES or None, organisation=org, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        present, absent = form.attendance()
        meeting = form.save(commit=False)
        try:
            services.meeting_record(
                by=request.user, meeting=meeting, present=present, absent=absent, photos=form.cleaned_data["photos"]
            )
        except ValidationError as error:
            meeting.pk = None
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记会议。") + (" " + _("该会议为逾期召开。") if meeting.late else ""))
            return redirect("party:meeting-detail", pk=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "party/meeting_form.html",
        {"village": village, "org": org, "form": form, "checklist": form.checklist},
        status=status,
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    attendance = list(meeting.attendance.select_related("member__resident").order_by("-present", "member__pk"))
    return render(
        request,
        "party/meeting_detail.html",
        {
            "meeting": meeting,
            "village": meeting.village,
            "present": [a for a in attendance if a.present],
            "absent": [a for a in attendance if not a.present],
            "photos": list(meeting.photos.all()),
            "period_ends": _period_end(meeting.period),
        },
    )


def _period_end(key: str) -> datetime.date | None:
    try:
        return cadence.period_bounds(key)[1]
    except (ValueError, IndexError):
        return None


@login_required
def meeting_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A meeting's photo, only through the meeting's door (never a public media URL)."""
    return stored_file_response(get_object_or_404(MeetingPhoto.objects.visible_to(request.user), pk=pk).image)


urlpatterns = [
    path("villages/<int:pk>/party/", overview, name="overview"),
    path("villages/<int:pk>/party/organisations/new/", organisation_new, name="organisation-new"),
    path("party/organisations/<int:pk>/", organisation_detail, name="organisation-detail"),
    path("party/organisations/<int:pk>/edit/", organisation_edit, name="organisation-edit"),
    path("party/organisations/<int:pk>/archive/", organisation_archive, name="organisation-archive"),
    path("villages/<int:pk>/party/members/", member_list, name="member-list"),
    path("villages/<int:pk>/party/members/new/", member_new, name="member-new"),
    path("villages/<int:pk>/party/members/export/", member_export, name="member-export"),
    path("villages/<int:pk>/party/members/import/", member_import, name="member-import"),
    path("party/members/<int:pk>/", member_detail, name="member-detail"),
    path("party/members/<int:pk>/edit/", member_edit, name="member-edit"),
    path("party/members/<int:pk>/link/", member_link, name="member-link"),
    path("party/members/<int:pk>/login/", member_login, name="member-login"),
    path("party/links/<int:pk>/end/", link_end, name="link-end"),
    path("villages/<int:pk>/party/meetings/", meeting_list, name="meeting-list"),
    path("villages/<int:pk>/party/meetings/new/", meeting_new, name="meeting-new"),
    path("party/meetings/<int:pk>/", meeting_detail, name="meeting-detail"),
    path("party/meeting-photos/<int:pk>/", meeting_photo, name="meeting-photo"),
]
