"""A village's monthly figures, computed from the registry, the cases, the visits, the Party app,
co-governance and 德治/法治.

``compute(village, month)`` returns plain data (JSON-safe): a draft shows it live, a submitted version
freezes it. Every figure has the month (当月数) and, where it adds up, the year to date (累计数: from
1 January to the end of the month). A fixed number of queries whatever the size of the village.

Case figures count what happened in the period from the timeline (reported, accepted, resolved,
escalated); "overdue" is the open cases past their deadline: now for the current month, on its last day
for a closed one (``open_cases``), so a case resolved later still counts where it was overdue.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.utils import timezone

from civility import selectors as civility_selectors
from cogovernance import selectors as cogov_selectors
from disputes import deadlines
from disputes.models import OPEN_STATES, Case, CaseEvent, Category, Kind, Outcome, Policy, Tier
from grids.models import Assignment, Role, Village
from party import selectors as party_selectors
from residents.models import Household, KeyCategory, KeyPerson, KeyPlace, Registration, Resident
from visits import due, summary
from visits.models import CoverageSnapshot, Visit
from visits.models import Outcome as VisitOutcome

CASE_ACTIONS = ("accept", "resolve", "escalate")


def _bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime, datetime.datetime]:
    def aware(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    return aware(month.replace(month=1, day=1)), aware(month), aware(due.next_month(month))


def pct(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def open_cases(cases, month: datetime.date, policy: Policy, key: str) -> list[tuple]:
    """(``key``, state, open, overdue) of the open cases among ``cases``, grouped by ``key`` and state. The
    current month: as the cases stand now. A closed month: as they stood when it ended, rebuilt from their
    timeline (docs/architecture.md, "The data path"), since today's state says nothing of then. One query."""
    month = due.month_start(month)
    if month >= due.month_start(timezone.localdate()):
        rows = deadlines.with_due(cases.filter(state__in=OPEN_STATES), policy).values(key, "state")
        return list(
            rows.annotate(n=Count("pk"), late=Count("pk", filter=Q(due_at__lt=timezone.now())))
            .order_by()
            .values_list(key, "state", "n", "late")
        )
    end = _bounds(month)[2]
    rows = deadlines.open_as_of(cases, policy, end).values(key, "state_then")
    return list(
        rows.annotate(n=Count("pk"), late=Count("pk", filter=Q(overdue_then=True)))
        .order_by()
        .values_list(key, "state_then", "n", "late")
    )


def compute(village: Village, month: datetime.date) -> dict:
    month = due.month_start(month)
    year_start, start, end = _bounds(month)
    return {
        "month": f"{month:%Y-%m}",
        "computed_at": timezone.now().isoformat(timespec="seconds"),
        "registry": _registry(village),
        "visits": _visits(village, month),
        "cases": _cases(village, month, year_start, start, end),
        "workers": _workers(village, month, year_start, start, end),
        # The Party's month (docs/party.md): meetings held by kind, periods overdue at the month's end,
        # members, contact households; as they stood when the month ended.
        "party": party_selectors.month_figures(village.pk, month),
        # Co-governance's month (docs/cogovernance.md): deliberations by step, projects, money spent, the
        # village's rules adopted; counted by each event's own date, so a closed month stays as it was.
        "cogovernance": cogov_selectors.month_figures(village.pk, month),
        # 德治/法治's month (docs/civility.md): activities held by kind, selections, points awarded and redeemed;
        # counted by each record's own date, so a closed month stays as it was.
        "civility": civility_selectors.month_figures(village.pk, month),
    }


def _registry(village: Village) -> dict:
    residents = (
        Resident.objects.active()
        .filter(village=village)
        .aggregate(
            registered=Count("pk", filter=Q(registration=Registration.REGISTERED)),
            living=Count("pk", filter=Q(registration=Registration.REGISTERED, lives_here=True)),
            migrants=Count("pk", filter=Q(registration=Registration.MIGRANT)),
        )
    )
    by_category = dict(
        KeyPerson.objects.current()
        .filter(village=village, resident__archived_at__isnull=True, erased_at__isnull=True)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    # Households per grid, and how many of them someone of the grid's WeChat group reaches (seed 000: "at
    # least one person per household"); the village's household count is their sum (one query for both).
    per_grid = (
        Household.objects.active()
        .filter(village=village)
        .order_by("grid__number", "grid__name")
        .values("grid_id", "grid__name")
        .annotate(n=Count("pk"), reached=Count("pk", filter=Q(in_wechat_group=True)))
        .values_list("grid__name", "n", "reached")
    )
    wechat_grids = [
        {"grid": name, "households": n, "reached": reached, "percent": pct(reached, n)} for name, n, reached in per_grid
    ]
    households = sum(g["households"] for g in wechat_grids)
    reached = sum(g["reached"] for g in wechat_grids)
    return {
        "households": households,
        "wechat": {
            "households": households,
            "reached": reached,
            "percent": pct(reached, households),
            "grids": wechat_grids,
        },
        **residents,
        "key_persons": [
            {"category": str(label), "n": by_category.get(value, 0)} for value, label in KeyCategory.choices
        ],
        "key_persons_total": sum(by_category.values()),
        "key_places": KeyPlace.objects.active().filter(village=village).count(),
    }


def _visits(village: Village, month: datetime.date) -> dict:
    table = summary.coverage_table([village], month)
    row = table["village_rows"][0]
    grids = [
        {
            "grid": g.name,
            "workers": "、".join(str(w) for w in g.workers),
            "due": g.cov.due,
            "done": g.cov.done,
            "percent": pct(g.cov.done, g.cov.due),
            "key_persons_overdue": g.cov.key_persons_overdue,
        }
        for g in row.grid_rows
    ]
    total = row.cov
    # Year to date: the closed months' snapshots of this year, plus this month.
    ytd = CoverageSnapshot.objects.filter(
        grid__village=village, month__gte=month.replace(month=1), month__lt=month
    ).aggregate(
        h_due=Sum("households_due"),
        h_done=Sum("households_done"),
        k_due=Sum("key_persons_due"),
        k_done=Sum("key_persons_done"),
        p_due=Sum("key_places_due"),
        p_done=Sum("key_places_done"),
    )
    ytd_due = sum(ytd[k] or 0 for k in ("h_due", "k_due", "p_due")) + total.due
    ytd_done = sum(ytd[k] or 0 for k in ("h_done", "k_done", "p_done")) + total.done
    return {
        "grids": grids,
        "month": {"due": total.due, "done": total.done, "percent": pct(total.done, total.due)},
        "ytd": {"due": ytd_due, "done": ytd_done, "percent": pct(ytd_done, ytd_due)},
        "households": {"due": total.households_due, "done": total.households_done},
        "key_persons": {
            "due": total.key_persons_due,
            "done": total.key_persons_done,
            "overdue": total.key_persons_overdue,
        },
        "key_places": {"due": total.key_places_due, "done": total.key_places_done},
    }


def _cases(village: Village, month: datetime.date, year_start, start, end) -> dict:
    cases = Case.objects.filter(village=village)
    in_month, in_year = (
        Q(reported_at__gte=start, reported_at__lt=end),
        Q(reported_at__gte=year_start, reported_at__lt=end),
    )
    reported = {
        row["kind"]: row
        for row in cases.values("kind").annotate(month=Count("pk", filter=in_month), ytd=Count("pk", filter=in_year))
    }
    events: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"month": 0, "ytd": 0})
    tiers: dict[int, dict[str, int]] = defaultdict(lambda: {"month": 0, "ytd": 0})
    agreements = {"month": 0, "ytd": 0}
    timeline = CaseEvent.objects.filter(
        case__village=village, action__in=CASE_ACTIONS, at__gte=year_start, at__lt=end
    ).order_by()
    # Cases (not events) per kind and step: a case accepted at the village and again at the town is one.
    for row in timeline.values("case__kind", "action").annotate(
        month=Count("case", filter=Q(at__gte=start), distinct=True), ytd=Count("case", distinct=True)
    ):
        events[(row["case__kind"], row["action"])] = {"month": row["month"], "ytd": row["ytd"]}
    for row in (
        timeline.filter(action="resolve")
        .values("case__kind", "to_tier", "case__outcome")
        .annotate(month=Count("case", filter=Q(at__gte=start), distinct=True), ytd=Count("case", distinct=True))
    ):
        for period in ("month", "ytd"):
            tiers[row["to_tier"]][period] += row[period]
            if row["case__kind"] == Kind.DISPUTE and row["case__outcome"] == Outcome.AGREEMENT:
                agreements[period] += row[period]
    open_overdue: dict[str, int] = defaultdict(int)
    for kind, _state, _n, late in open_cases(cases, month, Policy.current(), "kind"):
        open_overdue[kind] += late
    by_kind = []
    totals = {name: {"month": 0, "ytd": 0} for name in ("reported", *CASE_ACTIONS)}
    for kind, label in Kind.choices:
        row = {
            "kind": str(label),
            "reported": {"month": reported.get(kind, {}).get("month", 0), "ytd": reported.get(kind, {}).get("ytd", 0)},
            **{action: dict(events[(kind, action)]) for action in CASE_ACTIONS},
            "overdue": open_overdue.get(kind, 0),
        }
        by_kind.append(row)
        for name in totals:
            for period in ("month", "ytd"):
                totals[name][period] += row[name][period]
    by_category = [
        {"category": str(Category(row["category"]).label), "month": row["month"], "ytd": row["ytd"]}
        for row in cases.values("category")
        .annotate(month=Count("pk", filter=in_month), ytd=Count("pk", filter=in_year))
        .filter(ytd__gt=0)
        .order_by("category")
    ]
    disputes_resolved = {p: events[(Kind.DISPUTE, "resolve")][p] for p in ("month", "ytd")}
    return {
        "totals": totals,
        "overdue": sum(open_overdue.values()),
        "by_kind": by_kind,
        "by_category": by_category,
        "by_tier": [{"tier": str(label), **tiers[value]} for value, label in Tier.choices],
        "mediation": {
            p: {
                "agreements": agreements[p],
                "resolved": disputes_resolved[p],
                "rate": pct(agreements[p], disputes_resolved[p]),
            }
            for p in ("month", "ytd")
        },
        "hazards_handled": dict(events[(Kind.HAZARD, "resolve")]),
        "requests_handled": dict(events[(Kind.REQUEST, "resolve")]),
    }


def _workers(village: Village, month: datetime.date, year_start, start, end) -> list[dict]:
    # A closed month's workers are those of its last day (one who handed over since is still listed).
    on = min(timezone.localdate(), due.month_end(month))
    people = {
        a.user_id: a.user
        for a in Assignment.objects.active_on(on)
        .filter(role=Role.GRID_WORKER, grid__village=village)
        .select_related("user")
    }
    visits = {
        row["worker"]: row
        for row in Visit.objects.filter(village=village, month__gte=month.replace(month=1), month__lte=month)
        .values("worker")
        .annotate(
            month=Count("pk", filter=Q(month=month, outcome=VisitOutcome.DONE)),
            ytd=Count("pk", filter=Q(outcome=VisitOutcome.DONE)),
        )
    }
    cases = {
        row["reported_by"]: row
        for row in Case.objects.filter(village=village, reported_at__gte=year_start, reported_at__lt=end)
        .values("reported_by")
        .annotate(month=Count("pk", filter=Q(reported_at__gte=start)), ytd=Count("pk"))
    }
    return [
        {
            "name": str(user),
            "visits_month": visits.get(pk, {}).get("month", 0),
            "visits_ytd": visits.get(pk, {}).get("ytd", 0),
            "cases_month": cases.get(pk, {}).get("month", 0),
            "cases_ytd": cases.get(pk, {}).get("ytd", 0),
        }
        for pk, user in sorted(people.items(), key=lambda item: str(item[1]))
    ]
