"""The risk list (风险清单): what in a village needs someone now, most urgent first.

Computed when shown from the lower apps' own rules, never stored (a stored "at risk" flag goes stale):
- key persons overdue for a visit, at their cadence (``visits.due``, ``residents.cadence``);
- key persons at risk of 脱管: their last two visits were both not possible (``visits.due``: two attempts in
  a row without reaching the person);
- key persons not visited since they were listed;
- cases in the orange or red band of their time limit (``disputes.deadlines``);
- households with no completed visit this month or last month (全覆盖, docs/sources.md [S2] §一(三));
- grids under the coverage threshold once this month's mid-month reminder day has come
  (``visits.models.ReminderPolicy``: the same threshold and day as the reminder).

A key person is one row however many of the three key-person risks they have: the row is filed under the
most urgent one and names the others, and a filter by kind finds every person who has that kind.

The queries are a fixed few whatever the number of rows: the grids, the key persons with their visit facts
(one query), the open cases near their limit, the households, the two policies and the kept coverage.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes import deadlines
from disputes.models import Policy as CasePolicy
from visits import due, live
from visits.models import Outcome, ReminderPolicy, Visit


class Kind(models.TextChoices):
    KEY_UNREACHED = "unreached", gettext_lazy("重点人员脱管风险")
    KEY_OVERDUE = "key_overdue", gettext_lazy("重点人员走访超期")
    KEY_NEVER = "never_visited", gettext_lazy("重点人员列管后未走访")
    CASE = "case", gettext_lazy("案件临近或超过期限")
    HOUSEHOLD = "household", gettext_lazy("两个月未走访的户")
    GRID = "grid", gettext_lazy("网格走访覆盖偏低")


KEY_KINDS = (Kind.KEY_UNREACHED, Kind.KEY_OVERDUE, Kind.KEY_NEVER)

# Most urgent first: a case past its limit, a person nobody can reach, a person overdue, a case about to run
# out, a person never seen yet, a household left out, a grid behind.
RANK = {"case_red": 0, Kind.KEY_UNREACHED: 1, Kind.KEY_OVERDUE: 2, "case_orange": 3, Kind.KEY_NEVER: 4}
RANK |= {Kind.HOUSEHOLD: 5, Kind.GRID: 6}


@dataclass
class Risk:
    kind: str
    rank: int
    weight: float  # within a rank, larger is more urgent
    village_id: int
    grid_id: int
    what: str  # a key person's name, a case number and title, a household's address, a grid's name
    urgency: str
    action: str
    url_name: str
    pk: int
    band: str = ""  # the deadline colour for cases, "red" for other risks that are past a limit
    kinds: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return Kind(self.kind).label

    @property
    def also(self) -> list[str]:
        """The row's other kinds (a key person both overdue and never visited)."""
        return [Kind(k).label for k in KEY_KINDS if k in self.kinds and k != self.kind]


def _key_person_risks(grid_ids, village_of_grid, today: datetime.date) -> list[Risk]:
    rows = []
    for item in due.key_persons_due(grid_ids, today, today=today):
        person = item.key_person
        if person.listed_from > today or (person.listed_until and person.listed_until < today):
            continue
        kinds = set()
        if item.unreached:
            kinds.add(Kind.KEY_UNREACHED)
        if item.overdue:
            kinds.add(Kind.KEY_OVERDUE)
        if item.last_done is None and not item.unreached:
            kinds.add(Kind.KEY_NEVER)
        if not kinds:
            continue
        listed_days = (today - person.listed_from).days
        if Kind.KEY_UNREACHED in kinds:
            kind, weight = Kind.KEY_UNREACHED, item.misses_since_done * 1000 + item.overdue_days
            urgency, action = _("连续 %(n)d 次未能走访") % {"n": item.misses_since_done}, _("核实去向")
        elif Kind.KEY_OVERDUE in kinds:
            kind, weight = Kind.KEY_OVERDUE, item.overdue_days
            urgency, action = _("超期 %(n)d 天") % {"n": item.overdue_days}, _("入户走访")
        else:
            kind, weight = Kind.KEY_NEVER, listed_days
            urgency, action = _("列管 %(n)d 天，尚未走访") % {"n": listed_days}, _("入户走访")
        grid_id = person.resident.household.grid_id
        rows.append(
            Risk(
                kind=kind,
                rank=RANK[kind],
                weight=weight,
                village_id=village_of_grid[grid_id],
                grid_id=grid_id,
                what=person.resident.name,
                urgency=urgency,
                action=action,
                url_name="residents:keyperson-detail",
                pk=person.pk,
                band="red" if kind != Kind.KEY_NEVER else "orange",
                kinds=kinds,
            )
        )
    return rows


CASE_ACTIONS = {
    "accept": gettext_lazy("受理"),
    "handle": gettext_lazy("调处/上报"),
    "return_visit": gettext_lazy("回访"),
}


def _case_risks(cases, now: datetime.datetime) -> list[Risk]:
    """``cases``: open cases, scoped by the caller. Only those in the orange or red band are risks."""
    policy = CasePolicy.current()
    # The orange band starts when ``orange_left_percent`` of the limit is left: no case further from its
    # deadline than that share of the longest limit can be in it, so the rest are not read at all.
    longest = max(policy.accept_days, policy.return_visit_days, *(policy.tier_days(t) for t in (1, 2, 3)))
    horizon = now + datetime.timedelta(days=longest * policy.orange_left_percent / 100)
    rows = []
    for case in deadlines.with_due(cases.filter(grid__isnull=False), policy).filter(due_at__lt=horizon):
        deadline = deadlines.deadline_for(case, policy, now)
        if deadline is None or deadline.colour not in ("orange", "red"):
            continue
        band = deadline.colour
        rows.append(
            Risk(
                kind=Kind.CASE,
                rank=RANK[f"case_{band}"],
                weight=-deadline.left.total_seconds(),
                village_id=case.village_id,
                grid_id=case.grid_id,
                what=f"{case.number} · {case.title}",
                urgency=deadline.text,
                action=str(CASE_ACTIONS[deadline.clock]),
                url_name="disputes:case-detail",
                pk=case.pk,
                band=band,
                kinds={Kind.CASE},
            )
        )
    return rows


def households_left_out(households, today: datetime.date):
    """``households``: scoped by the caller. Active ones that were there before this month and have no
    completed visit this month or last month, each with ``last_done`` (its last completed visit, or None)."""
    this_month = due.month_start(today)
    recent = Visit.objects.filter(household=OuterRef("pk"), outcome=Outcome.DONE, month__gte=due.previous_month(today))
    last_done = (
        Visit.objects.filter(household=OuterRef("pk"), outcome=Outcome.DONE)
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    start = timezone.make_aware(datetime.datetime.combine(this_month, datetime.time()))
    return (
        households.filter(archived_at__isnull=True, created_at__lt=start)
        .exclude(Exists(recent))
        .annotate(last_done=Subquery(last_done))
    )


def _household_risks(households, today: datetime.date) -> list[Risk]:
    rows = []
    for household in households_left_out(households, today).only("pk", "village_id", "grid_id", "address", "number"):
        if household.last_done:
            days = (today - household.last_done).days
            urgency = _("%(n)d 天未走访") % {"n": days}
        else:
            days, urgency = 10**6, _("从未走访")
        rows.append(
            Risk(
                kind=Kind.HOUSEHOLD,
                rank=RANK[Kind.HOUSEHOLD],
                weight=days,
                village_id=household.village_id,
                grid_id=household.grid_id,
                what=f"{household.address}（{household.number}）",
                urgency=urgency,
                action=_("入户走访"),
                url_name="residents:household-detail",
                pk=household.pk,
                kinds={Kind.HOUSEHOLD},
            )
        )
    return rows


def grids_behind(grid_ids, today: datetime.date) -> tuple[int, dict[int, due.Coverage]]:
    """The threshold, and the grids under it once this month's mid-month reminder day has come (before it,
    nobody is behind yet). The kept coverage (``visits.live``): one query when it is fresh."""
    policy = ReminderPolicy.current()
    if today.day < policy.midmonth_day:
        return policy.coverage_threshold, {}
    coverage = live.coverage_now(grid_ids, today)
    behind = {g: cov for g, cov in coverage.items() if cov.due and cov.percent < policy.coverage_threshold}
    return policy.coverage_threshold, behind


def _grid_risks(grids, today: datetime.date) -> list[Risk]:
    by_pk = {g.pk: g for g in grids}
    threshold, behind = grids_behind(list(by_pk), today)
    rows = []
    for grid_id, cov in behind.items():
        grid = by_pk[grid_id]
        rows.append(
            Risk(
                kind=Kind.GRID,
                rank=RANK[Kind.GRID],
                weight=threshold - cov.percent,
                village_id=grid.village_id,
                grid_id=grid_id,
                what=grid.name,
                urgency=_("本月覆盖 %(p)d%%，低于 %(t)d%%") % {"p": cov.percent, "t": threshold},
                action=_("督促走访"),
                url_name="visits:grid-outstanding",
                pk=grid_id,
                kinds={Kind.GRID},
            )
        )
    return rows


def village_risks(*, grids, cases, households, kinds=None, today=None, now=None) -> list[Risk]:
    """The risks of these grids, most urgent first. ``grids``, ``cases`` and ``households`` are querysets
    already scoped to the reader (the caller's door); ``kinds`` limits what is read (None: every kind)."""
    now = now or timezone.now()
    today = today or timezone.localdate()
    grids = list(grids)
    grid_ids = [g.pk for g in grids]
    village_of_grid = {g.pk: g.village_id for g in grids}
    wanted = set(kinds or Kind.values)
    rows: list[Risk] = []
    if wanted & set(KEY_KINDS):
        rows += [r for r in _key_person_risks(grid_ids, village_of_grid, today) if r.kinds & wanted]
    if Kind.CASE in wanted:
        rows += _case_risks(cases.filter(grid__in=grid_ids), now)
    if Kind.HOUSEHOLD in wanted:
        rows += _household_risks(households.filter(grid__in=grid_ids), today)
    if Kind.GRID in wanted:
        rows += _grid_risks(grids, today)
    rows.sort(key=lambda r: (r.rank, -r.weight, r.what))
    return rows


def counts_by_village(*, grids, cases, households, today=None, now=None) -> dict[int, Counter]:
    """Per village, how many risks of each kind (a key person counts under each kind they have). Counts
    only, no names: for the town office, which does not read key persons' records (PIPL)."""
    now = now or timezone.now()
    today = today or timezone.localdate()
    grids = list(grids)
    grid_ids = [g.pk for g in grids]
    village_of_grid = {g.pk: g.village_id for g in grids}
    out: dict[int, Counter] = defaultdict(Counter)
    for risk in _key_person_risks(grid_ids, village_of_grid, today):
        out[risk.village_id].update(risk.kinds)
    for risk in _case_risks(cases.filter(grid__in=grid_ids), now):
        out[risk.village_id][Kind.CASE] += 1
        out[risk.village_id]["case_red"] += risk.band == "red"
    for village_id, n in (
        households_left_out(households.filter(grid__in=grid_ids), today)
        .order_by()
        .values_list("village")
        .annotate(n=Count("pk"))
    ):
        out[village_id][Kind.HOUSEHOLD] = n
    for grid_id in grids_behind(grid_ids, today)[1]:
        out[village_of_grid[grid_id]][Kind.GRID] += 1
    return out
