"""The pages that gather everything: the village overview, the town's home, monthly reports and the
town's review and dashboard.

They sit here, the top of the arrows, because they show the registry, cases and visits together; the
read side is composed in ``selectors`` from each lower app's own selectors and summaries.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit import trail
from audit.models import AuditAction
from core.pages import PER_PAGE, xlsx_response
from grids import access
from grids.forms import add_service_errors
from grids.models import Village
from visits import due
from visits import summary as visit_summary

from . import dashboard, exports, prefill, selectors, services
from .forms import RegenerateForm, ReviewForm, RiskFilterForm, SectionsForm
from .models import SECTIONS, MonthlyReport, ReportPolicy, State
from .scorecard import kept


@login_required
def village_overview(request: HttpRequest, pk: int) -> HttpResponse:
    # With the kept values' last reset, read in the village's query (the registry's counts are kept).
    villages = Village.objects.visible_to(request.user).select_related("town").annotate(kept_reset=kept.last_reset())
    village = get_object_or_404(villages, pk=pk)
    context = selectors.village_overview(request.user, village, village.kept_reset)
    return render(request, "reports/village_overview.html", context)


def _require_town(request: HttpRequest):
    if not access.may_use_town_pages(request.user):
        raise PermissionDenied(_("此页面供镇综治办使用。"))


@login_required
def town_home(request: HttpRequest) -> HttpResponse:
    _require_town(request)
    return render(request, "reports/town_home.html", selectors.town_home(request.user))


@login_required
def risk_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A village's risk list (风险清单), for its staff: it names key persons, so the town office, which sees
    the village, is refused (it has the counts per village on its own page) and anyone else gets a 404."""
    village = get_object_or_404(Village.objects.visible_to(request.user).select_related("town"), pk=pk)
    if not access.can_manage_village(request.user, village):
        raise PermissionDenied(_("风险清单列出重点人员姓名，只供本村村干部查看；镇综治办请看各村风险统计。"))
    grids = selectors.risk_grids(request.user, village)
    form = RiskFilterForm(request.GET or None, grids=grids)
    kind, grid = form.chosen() if form.is_bound else ("", None)
    context = selectors.village_risk_list(request.user, village, grids, kind=kind, grid=grid)
    # The list is built whole (it merges several registries by urgency), so it is paged here.
    page = Paginator(context["rows"], PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context.update({"page": page, "query": params.urlencode(), "filter": {"form": form}, "kind": kind})
    return render(request, "reports/risk_list.html", context)


@login_required
def town_risks(request: HttpRequest) -> HttpResponse:
    _require_town(request)
    return render(request, "reports/town_risks.html", selectors.town_risk_counts(request.user))


# --- Monthly reports ----------------------------------------------------------------------------------


def _month(raw: str | None, default: datetime.date) -> datetime.date:
    try:
        return due.month_start(datetime.date.fromisoformat(f"{raw}-01")) if raw else default
    except ValueError:
        return default


@login_required
def report_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A village's reports month by month (the last twelve), with their state and whether they were late."""
    village = access.readable_village(request.user, pk)
    months = visit_summary.recent_months(12)
    reports = {r.month: r for r in MonthlyReport.objects.filter(village=village, month__in=months)}
    policy = ReportPolicy.current()
    rows = []
    for month in reversed(months):
        report = reports.get(month)
        late = policy.is_late(report, month)
        rows.append({"month": month, "report": report, "late": late, "due_on": policy.due_on(month)})
    context = {"village": village, "rows": rows, "can_write": access.can_manage_village(request.user, village)}
    return render(request, "reports/report_list.html", context)


@login_required
@require_POST
def report_start(request: HttpRequest, pk: int) -> HttpResponse:
    village = access.village_for_change(request.user, pk)
    month = _month(request.POST.get("month"), due.month_start(timezone.localdate()))
    try:
        report = services.report_open(village=village, month=month, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("reports:report-list", pk=village.pk)
    return redirect("reports:report-detail", pk=report.pk)


def _visible_report(request: HttpRequest, pk: int) -> MonthlyReport:
    return get_object_or_404(MonthlyReport.objects.visible_to(request.user).select_related("village__town"), pk=pk)


def _report_page(
    request: HttpRequest,
    report: MonthlyReport,
    *,
    sections_form=None,
    review_form=None,
    status=200,
    regenerate: tuple[dict[str, str], set[str], int] | None = None,
):
    versions = list(report.versions.select_related("submitted_by").order_by("number"))
    chosen = request.GET.get("version")
    shown = None
    if chosen and chosen.isdecimal():  # not isdigit(): int() refuses "²"
        shown = next((v for v in versions if v.number == int(chosen)), None)
        if shown is None:
            raise Http404
    elif not report.editable and versions:
        shown = versions[-1]
    data = shown.figures if shown else exports.live_figures(report)
    sections = shown.sections if shown else {name: getattr(report, name) for name in SECTIONS}
    is_staff = access.can_manage_village(request.user, report.village)
    is_town = access.may_review_for_town(request.user, report.village.town_id)
    policy = ReportPolicy.current()
    writable = is_staff and report.editable
    submittable_from = services.submittable_from(report.month)
    month_over = timezone.localdate() >= submittable_from
    prefilled: list[str] = []
    if writable and sections_form is None:
        # The sections arrive as a draft written from the month's records (reports/prefill.py): every empty
        # one, or those asked for again; what the staff wrote stays. Shown in the form, not saved: a prefill
        # is no save and no submission (no revision, event or version); the staff save it once checked.
        if regenerate is not None:
            texts, only, revision = regenerate  # the revision the page was loaded at: a stale page stays stale
        else:
            texts, only, revision = {k: getattr(report, k) for k in SECTIONS}, set(), report.revision
        wanted = only or {k for k in SECTIONS if not texts[k].strip()}
        if wanted:
            live = data if shown is None else exports.live_figures(report)
            drafted = prefill.draft(report.village, report.month, data=live)
            texts = prefill.fill(texts, drafted, only=wanted)
            prefilled = [str(SECTIONS[k]) for k in SECTIONS if k in wanted and drafted[k]]
        sections_form = SectionsForm(initial={"revision": revision, **texts})
    context = {
        "report": report,
        "figures": data,
        "shown": shown,
        "live": shown is None,
        "versions": versions,
        "sections": [(key, SECTIONS[key], sections.get(key, "")) for key in SECTIONS],
        "comments": report.comments.select_related("by"),
        "events": report.events.select_related("by"),
        "late": report.is_late(policy),
        "due_on": policy.due_on(report.month),
        "history": exports.history(report),
        "sections_form": sections_form,
        "section_choices": list(SECTIONS.items()),
        "prefilled": prefilled,
        "regenerated": regenerate is not None,
        "can_submit": writable and month_over,
        "month_running": writable and not month_over,
        "submittable_from": submittable_from,
        "review_form": review_form
        or (ReviewForm(initial={"revision": report.revision}) if is_town and report.state == State.SUBMITTED else None),
    }
    return render(request, "reports/report_detail.html", context, status=status)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_page(request, _visible_report(request, pk))


@login_required
@require_POST
def report_save(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    if not access.can_manage_village(request.user, report.village):
        raise PermissionDenied(_("只有本村村干部可以编写月报。"))
    form = SectionsForm(request.POST)
    # The sections' form also carries the ticks of "按本月记录重新生成": saving ignores them, but a tick that is
    # no section is bad input, refused like any other.
    choice = RegenerateForm(request.POST)
    if not choice.is_valid():
        for errors in choice.errors.values():
            form.add_error(None, errors)
    if form.is_valid():
        data = dict(form.cleaned_data)
        revision = data.pop("revision")
        try:
            report = services.report_save(report=report, by=request.user, revision=revision, **data)
            if "submit" in request.POST:
                # Saved; submitting freezes the month, so it is confirmed on a page of its own.
                services.report_check_submit(report=report, by=request.user)
                return redirect("reports:report-submit", pk=report.pk)
        except services.ReportChanged as error:
            messages.error(request, error.messages[0])
            return redirect("reports:report-detail", pk=report.pk)
        except ValidationError as error:
            add_service_errors(form, error)
            report.refresh_from_db()
            form.data = form.data.copy()
            form.data["revision"] = report.revision
        else:
            messages.success(request, _("已保存。"))
            return redirect("reports:report-detail", pk=report.pk)
    return _report_page(request, report, sections_form=form, status=400)


@login_required
@require_POST
def report_prefill(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the ticked sections again from the month's records (all the empty ones when none is ticked),
    keeping what was typed in the others. Nothing is saved: the page comes back with the texts in the form,
    and the staff save them (reports/prefill.py)."""
    report = _visible_report(request, pk)
    if not access.can_manage_village(request.user, report.village):
        raise PermissionDenied(_("只有本村村干部可以编写月报。"))
    if not report.editable:
        messages.error(request, _("月报已报送，不能再修改；如需修改请等待镇综治办退回。"))
        return redirect("reports:report-detail", pk=report.pk)
    form = SectionsForm(request.POST)
    choice = RegenerateForm(request.POST)
    if form.is_valid() and choice.is_valid():
        texts = {name: form.cleaned_data[name] for name in SECTIONS}
        only = set(choice.cleaned_data["regenerate"])
        return _report_page(request, report, regenerate=(texts, only, form.cleaned_data["revision"]))
    for errors in choice.errors.values():
        form.add_error(None, errors)
    return _report_page(request, report, sections_form=form, status=400)


@login_required
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submitting asks first: it freezes the month's figures and the text as they are now and sends them
    to the town office. GET shows what will be sent; POST (with the revision seen) sends it."""
    report = _visible_report(request, pk)
    if not access.can_manage_village(request.user, report.village):
        raise PermissionDenied(_("只有本村村干部可以报送月报。"))
    if not report.editable:
        messages.info(request, _("这份月报已报送，不需要再报送。"))
        return redirect("reports:report-detail", pk=report.pk)
    try:
        if request.method == "POST":
            revision = request.POST.get("revision", "")
            if not revision.isdecimal():
                raise services.ReportChanged()
            services.report_submit(report=report, by=request.user, revision=int(revision))
            messages.success(request, _("已报送镇综治办。"))
            return redirect("reports:report-detail", pk=report.pk)
        services.report_check_submit(report=report, by=request.user)
    except ValidationError as error:  # the month still running, a section missing, a stale page
        messages.error(request, error.messages[0])
        return redirect("reports:report-detail", pk=report.pk)
    figures = exports.key_figures(exports.live_figures(report))
    return render(request, "reports/report_submit.html", {"report": report, "figures": figures})


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The town approves, or returns with comments on the whole or on sections."""
    report = _visible_report(request, pk)
    if not access.may_review_for_town(request.user, report.village.town_id):
        raise PermissionDenied(_("只有镇综治办可以审核月报。"))
    form = ReviewForm(request.POST)
    if form.is_valid():
        revision = form.cleaned_data["revision"]
        try:
            if "approve" in request.POST:
                services.report_approve(
                    report=report, by=request.user, revision=revision, note=form.cleaned_data["comment"]
                )
                messages.success(request, _("已审核通过。"))
            else:
                services.report_return(report=report, by=request.user, revision=revision, comments=form.comments())
                messages.success(request, _("已退回，村里会收到意见。"))
        except services.ReportChanged as error:
            messages.error(request, error.messages[0])
        except ValidationError as error:
            add_service_errors(form, error)
            return _report_page(request, report, review_form=form, status=400)
        return redirect("reports:report-detail", pk=report.pk)
    return _report_page(request, report, review_form=form, status=400)


@login_required
def report_export(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    version = report.versions.order_by("-number").first() if not report.editable else None
    data = version.figures if version else exports.live_figures(report)
    sections = version.sections if version else {name: getattr(report, name) for name in SECTIONS}
    content = exports.report_workbook(report, data, sections)
    trail.record(AuditAction.EXPORT, report, note=f"report {report.month:%Y-%m}")
    return xlsx_response(content, f"report-{report.village_id}-{report.month:%Y-%m}.xlsx")


@login_required
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    version = report.versions.order_by("-number").first() if not report.editable else None
    context = {
        "report": report,
        "figures": version.figures if version else exports.live_figures(report),
        "sections": [
            (SECTIONS[k], (version.sections if version else {n: getattr(report, n) for n in SECTIONS}).get(k, ""))
            for k in SECTIONS
        ],
        "version": version,
        "printed_at": timezone.now(),
    }
    return render(request, "reports/report_print.html", context)


# --- The town's review and dashboard --------------------------------------------------------------------


def _town_villages(request: HttpRequest) -> list[Village]:
    _require_town(request)
    return list(
        Village.objects.visible_to(request.user).active().filter(town__archived_at__isnull=True).order_by("name")
    )


@login_required
def town_reports(request: HttpRequest) -> HttpResponse:
    """This month's (by default: last month's) reports of every village: not started, draft, submitted,
    returned, approved; late ones flagged."""
    villages = _town_villages(request)
    month = _month(request.GET.get("month"), due.previous_month(timezone.localdate()))
    policy = ReportPolicy.current()
    reports = {r.village_id: r for r in MonthlyReport.objects.filter(village__in=villages, month=month)}
    rows = []
    for village in villages:
        report = reports.get(village.pk)
        late = policy.is_late(report, month)
        rows.append({"village": village, "report": report, "late": late})
    counts = {state: sum(1 for r in rows if r["report"] and r["report"].state == state) for state in State.values}
    counts["not_started"] = sum(1 for r in rows if r["report"] is None)
    counts["late"] = sum(1 for r in rows if r["late"])
    context = {
        "rows": rows,
        "month": month,
        "months": visit_summary.recent_months(12),
        "counts": counts,
        "due_on": policy.due_on(month),
    }
    return render(request, "reports/town_reports.html", context)


@login_required
def town_dashboard(request: HttpRequest) -> HttpResponse:
    villages = _town_villages(request)
    month = _month(request.GET.get("month"), due.month_start(timezone.localdate()))
    policy = dashboard.report_policy()
    dashboard.side_by_side(villages, month, policy)
    context = {
        "villages": villages,
        "month": month,
        "months": visit_summary.recent_months(12),
        "trends": dashboard.trends(villages, reports_policy=policy),
    }
    return render(request, "reports/town_dashboard.html", context)


@login_required
def town_dashboard_export(request: HttpRequest) -> HttpResponse:
    villages = _town_villages(request)
    month = _month(request.GET.get("month"), due.month_start(timezone.localdate()))
    dashboard.side_by_side(villages, month)
    trail.record(AuditAction.EXPORT, model="reports.comparison", note=f"villages {month:%Y-%m}")
    return xlsx_response(exports.comparison_workbook(villages, month), f"villages-{month:%Y-%m}.xlsx")
