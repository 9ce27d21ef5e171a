"""The town's figures: its villages side by side for a month, and twelve-month trends. Grouped queries
only, so twenty villages cost what two do; the figures read from cases, meetings and the closed months'
coverage are kept while nothing they read changes (the scorecard's tokens, docs/performance.md "The town
dashboard")."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.models import OPEN_STATES, Case, CaseEvent, Kind, Outcome, Policy, State
from party import selectors as party_selectors
from visits import due, summary
from visits.models import CoverageSnapshot

from .figures import open_cases as open_case_rows
from .figures import pct
from .models import MonthlyReport, ReportPolicy
from .scorecard import kept


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def report_policy() -> ReportPolicy:
    """The report policy, with the moment of the kept values' last reset (``kept_reset``) read in its query."""
    with_reset = ReportPolicy.objects.annotate(kept_reset=kept.last_reset()).filter(pk=1)
    policy = with_reset.first()
    if policy is None:  # the first reading ever: made with the defaults
        ReportPolicy.current()
        policy = with_reset.get()
    return policy


def side_by_side(villages: list, month: datetime.date, reports_policy: ReportPolicy | None = None) -> list:
    """Each village gets ``cov`` (visit coverage), ``cases`` (open by state, overdue), ``mediation``
    (this month and year to date), ``report`` (this month's report state and lateness) and ``party_on_time``
    (the share of the year's Party meetings held on time, up to the month's end or today). A closed month's
    figures are those it had when it ended: kept coverage, cases as they stood on its last day."""
    month = due.month_start(month)
    ids = [v.pk for v in villages]
    table = summary.coverage_table(villages, month, workers=False)
    cov = {v.pk: v.cov for v in table["village_rows"]}
    policy = Policy.current()
    open_cases = defaultdict(dict)
    overdue: dict[int, int] = defaultdict(int)
    for village_id, state, n, late in open_case_rows(Case.objects.filter(village__in=ids), month, policy, "village"):
        open_cases[village_id][state] = n
        overdue[village_id] += late
    reports_policy = reports_policy or report_policy()
    today, reset = timezone.localdate(), reports_policy.kept_reset
    mediation = kept.reading(
        f"dashboard:mediation:{month:%Y-%m}", ("cases",), ids, today, reset, lambda: _mediation(ids, month)
    )
    reports = {r.village_id: r for r in MonthlyReport.objects.filter(village__in=ids, month=month)}
    late_ytd = _late_counts(ids, month, reports_policy)
    day = min(due.next_month(month) - datetime.timedelta(days=1), today)
    party_on_time = kept.reading(
        f"dashboard:party:{day}", ("meetings",), ids, today, reset, lambda: party_selectors.on_time_this_year(ids, day)
    )
    for village in villages:
        village.cov = cov.get(village.pk)
        village.cov_month = month
        by_state = open_cases.get(village.pk, {})
        village.case_figures = {
            "by_state": [(State(s).label, by_state.get(s, 0)) for s in State.values if s in OPEN_STATES],
            "open": sum(by_state.values()),
            "overdue": overdue.get(village.pk, 0),
        }
        m = mediation.get(village.pk, {})
        village.mediation = {
            "month": pct(m.get("agreed_month", 0), m.get("resolved_month", 0)),
            "ytd": pct(m.get("agreed_ytd", 0), m.get("resolved_ytd", 0)),
        }
        report = reports.get(village.pk)
        village.report = report
        village.report_state = report.get_state_display() if report else _not_started()
        village.report_late = reports_policy.is_late(report, month)
        village.late_ytd = late_ytd.get(village.pk, 0)
        village.party_on_time = party_on_time.get(village.pk)
    return villages


def _mediation(ids: list[int], month: datetime.date) -> dict[int, dict]:
    """Disputes resolved and agreed per village, in the month and the year up to its end."""
    start, end = _aware(month), _aware(due.next_month(month))
    return {
        row.pop("case__village"): row
        for row in CaseEvent.objects.filter(
            case__village__in=ids,
            case__kind=Kind.DISPUTE,
            action="resolve",
            at__gte=_aware(month.replace(month=1)),
            at__lt=end,
        )
        .values("case__village")
        .annotate(
            resolved_month=Count("case", filter=Q(at__gte=start), distinct=True),
            agreed_month=Count("case", filter=Q(at__gte=start, case__outcome=Outcome.AGREEMENT), distinct=True),
            resolved_ytd=Count("case", distinct=True),
            agreed_ytd=Count("case", filter=Q(case__outcome=Outcome.AGREEMENT), distinct=True),
        )
    }


def _not_started() -> str:
    return _("未开始")


def _late_counts(ids, month: datetime.date, policy: ReportPolicy) -> dict[int, int]:
    """Late reports of the year up to ``month`` per village (late: first submitted after the due day, or
    not submitted and past it)."""
    out: dict[int, int] = defaultdict(int)
    reports = {
        (r.village_id, r.month): r
        for r in MonthlyReport.objects.filter(village__in=ids, month__gte=month.replace(month=1), month__lte=month)
    }
    today = timezone.localdate()
    m = month.replace(month=1)
    while m <= month:
        for village_id in ids:
            report = reports.get((village_id, m))
            late = policy.is_late(report, m, today)
            out[village_id] += late
        m = due.next_month(m)
    return out


def trends(villages: list, months: int = 12, reports_policy: ReportPolicy | None = None) -> dict:
    """Twelve-month series per village for the charts: coverage %, cases reported, mediation rate (town)."""
    ids = [v.pk for v in villages]
    series_months = summary.recent_months(months)
    reset = (reports_policy or report_policy()).kept_reset
    topics = ("cases", "snapshots", "territory")
    kept_series = kept.reading(
        f"dashboard:trends:{months}", topics, ids, timezone.localdate(), reset, lambda: _series(ids, series_months)
    )
    coverage, reported, mediation = kept_series["coverage"], kept_series["reported"], kept_series["mediation"]
    # This month: live. The villages already carry it when the table showed the current month; for another
    # month they carry that month's figures, which the series must not overwrite (the table shows them).
    if all(getattr(v, "cov_month", None) == series_months[-1] for v in villages):
        now = {v.pk: v.cov for v in villages}
    else:
        now = summary.village_totals(ids, series_months[-1])
    current = {v.pk: now[v.pk].percent if now[v.pk].due else None for v in villages}
    return {
        # The last month is the month so far: its coverage is low early in the month, not fallen.
        "labels": [f"{m:%Y-%m}" for m in series_months[:-1]]
        + [_("%(m)s（至今）") % {"m": f"{series_months[-1]:%Y-%m}"}],
        "coverage": [
            {"label": v.name, "data": [coverage.get(v.pk, {}).get(m) for m in series_months[:-1]] + [current[v.pk]]}
            for v in villages
        ],
        "cases": [
            {"label": v.name, "data": [reported.get(v.pk, {}).get(m, 0) for m in series_months]} for v in villages
        ],
        "mediation": [mediation.get(m) for m in series_months],
    }


def _series(ids: list[int], series_months: list[datetime.date]) -> dict:
    """The closed months' coverage per village, the cases reported per village and month, and the town's
    mediation rate per month: plain data, kept (three queries)."""
    first = series_months[0]
    coverage: dict[int, dict] = defaultdict(dict)
    for row in (
        CoverageSnapshot.objects.in_villages(ids)
        .filter(month__gte=first)
        .values("grid__village", "month")
        .annotate(
            due=Sum("households_due") + Sum("key_persons_due") + Sum("key_places_due"),
            done=Sum("households_done") + Sum("key_persons_done") + Sum("key_places_done"),
        )
    ):
        coverage[row["grid__village"]][row["month"]] = pct(row["done"] or 0, row["due"] or 0)
    reported: dict[int, dict] = defaultdict(dict)
    for row in (
        Case.objects.filter(village__in=ids, reported_at__gte=_aware(first))
        .annotate(m=TruncMonth("reported_at"))
        .values("village", "m")
        .annotate(n=Count("pk"))
    ):
        reported[row["village"]][row["m"].date() if hasattr(row["m"], "date") else row["m"]] = row["n"]
    mediation = {}
    for row in (
        CaseEvent.objects.filter(
            case__village__in=ids, case__kind=Kind.DISPUTE, action="resolve", at__gte=_aware(first)
        )
        .annotate(m=TruncMonth("at"))
        .values("m")
        .annotate(
            resolved=Count("case", distinct=True),
            agreed=Count("case", filter=Q(case__outcome=Outcome.AGREEMENT), distinct=True),
        )
    ):
        key = row["m"].date() if hasattr(row["m"], "date") else row["m"]
        mediation[key] = pct(row["agreed"], row["resolved"])
    return {"coverage": dict(coverage), "reported": dict(reported), "mediation": mediation}
