"""Coverage figures for pages: a worker's progress, per grid / worker / village / town for a month, and
the twelve-month trend. The current month is live (``live``: counted by ``due``, kept until something changes); closed months come from the snapshots
taken when they ended, so history does not change when households move later."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Q, Sum
from django.utils import timezone

from grids.models import Assignment, Grid, Role, User

from . import due, live
from .models import CoverageSnapshot


def key_figures(key_items, key_places) -> due.Coverage:
    """A worker's month's key persons (``due.key_persons_due``) and key places due (``due.key_places_due``)
    as figures: the part of the progress a new visit to a household leaves as it is."""
    return due.Coverage(
        key_persons_due=len(key_items),
        key_persons_done=sum(k.done for k in key_items),
        key_persons_overdue=sum(k.overdue for k in key_items),
        key_places_due=len(key_places),
        key_places_done=sum(1 for p in key_places if p.done),
    )


def households_progress(grid_ids, month: datetime.date, key_figures: due.Coverage) -> due.Coverage:
    """A worker's month in three figures: the households counted (one query), with ``key_figures``; the
    households still to visit as ``extra["open_households"]`` (ids)."""
    rows = list(due.households_due(grid_ids, month).order_by().values_list("pk", "done"))
    return dataclasses.replace(
        key_figures,
        households_due=len(rows),
        households_done=sum(1 for _pk, done in rows if done),
        extra={"open_households": [pk for pk, done in rows if not done]},
    )


def recent_months(n: int, today: datetime.date | None = None) -> list[datetime.date]:
    month = due.month_start(today or timezone.localdate())
    months = [month]
    for _ in range(n - 1):
        months.append(due.previous_month(months[-1]))
    return list(reversed(months))


def _snapshot_coverage(grid_ids, month) -> dict[int, due.Coverage]:
    out = {}
    for s in CoverageSnapshot.objects.filter(grid__in=grid_ids, month=month):
        out[s.grid_id] = due.Coverage(
            households_due=s.households_due,
            households_done=s.households_done,
            key_persons_due=s.key_persons_due,
            key_persons_done=s.key_persons_done,
            key_places_due=s.key_places_due,
            key_places_done=s.key_places_done,
            key_persons_overdue=s.key_persons_overdue,
        )
    return out


def coverage_for(grid_ids, month: datetime.date) -> dict[int, due.Coverage]:
    """This month: the kept figures (``live``, counted again where something changed); a later month (none
    is due yet): counted; a closed month: its snapshots."""
    current = due.month_start(timezone.localdate())
    if due.month_start(month) == current:
        return live.coverage_now(grid_ids)
    if due.month_start(month) > current:
        return due.coverage_by_grid(grid_ids, month)
    found = _snapshot_coverage(grid_ids, month)
    return {g: found.get(g, due.Coverage()) for g in grid_ids}


def _grids_and_workers(month: datetime.date):
    """The grids and their workers a month's table shows: today's for the current month (or a later one);
    for a closed month those of its last day, so a grid archived since still shows the figures it kept."""
    month = due.month_start(month)
    if month >= due.month_start(timezone.localdate()):
        return Grid.objects.active(), Assignment.objects.current()
    end = timezone.make_aware(datetime.datetime.combine(due.next_month(month), datetime.time()))
    grids = Grid.objects.filter(Q(archived_at__isnull=True) | Q(archived_at__gte=end))
    return grids, Assignment.objects.active_on(due.month_end(month))


@dataclasses.dataclass(slots=True)
class GridRow:
    """A grid as a coverage table shows it, read as values (a town's 215 grids as model objects took a
    millisecond more: docs/performance.md, "What a row shows"); its figures, workers' names and link are
    put on by the table and the page."""

    pk: int
    village_id: int
    name: str
    archived_at: datetime.datetime | None
    cov: due.Coverage | None = None
    workers: list[str] = dataclasses.field(default_factory=list)
    outstanding_url: str = ""


def coverage_table(villages, month: datetime.date, *, workers: bool = True) -> dict:
    """Per village its grids (with their workers' names, unless ``workers`` is false: pages that show
    figures only) and totals, and the town's total."""
    grids, assignments = _grids_and_workers(month)
    rows = grids.filter(village__in=villages).order_by("village", "number")
    grids = [GridRow(*row) for row in rows.values_list("pk", "village_id", "name", "archived_at")]
    figures = coverage_for([g.pk for g in grids], month)
    workers_of = defaultdict(list)
    if workers:
        # Each worker is shown by name (as ``str(user)`` writes it), read as two columns: a town's 215 whole
        # user rows and their assignments, built as models, took 8.3 ms of the coverage page; 3.5 ms so.
        held = assignments.filter(role=Role.GRID_WORKER, grid__in=[g.pk for g in grids])
        for grid_id, full_name, username in held.values_list("grid_id", "user__full_name", "user__username"):
            workers_of[grid_id].append(User.shown_name(full_name, username))
    by_village = defaultdict(list)
    for grid in grids:
        grid.cov = figures[grid.pk]
        grid.workers = workers_of.get(grid.pk, [])
        by_village[grid.village_id].append(grid)
    rows = []
    for village in villages:
        village.grid_rows = by_village.get(village.pk, [])
        village.cov = due.total(g.cov for g in village.grid_rows)
        village.cov_month = month
        rows.append(village)
    return {"village_rows": rows, "town_total": due.total(v.cov for v in rows)}


def village_totals(village_ids, month: datetime.date) -> dict[int, due.Coverage]:
    """Each village's coverage of ``month`` (the sum of its active grids), without touching any village
    object a page is already showing."""
    grids = dict(Grid.objects.active().filter(village__in=village_ids).values_list("pk", "village"))
    figures = coverage_for(list(grids), month)
    out = {pk: due.Coverage() for pk in village_ids}
    for grid_id, village_id in grids.items():
        out[village_id].add(figures[grid_id])
    return out


def trend(village_ids, n: int = 12, live: due.Coverage | None = None) -> list[tuple[datetime.date, int | None]]:
    """(month, percent) for the last ``n`` months: snapshots for closed months, live for this one."""
    months = recent_months(n)
    sums = {
        row["month"]: row
        for row in CoverageSnapshot.objects.in_villages(village_ids)
        .filter(month__in=months[:-1])
        .values("month")
        .annotate(
            due=Sum("households_due") + Sum("key_persons_due") + Sum("key_places_due"),
            done=Sum("households_done") + Sum("key_persons_done") + Sum("key_places_done"),
        )
    }
    out: list[tuple[datetime.date, int | None]] = []
    for month in months[:-1]:
        row = sums.get(month)
        out.append((month, round(100 * row["done"] / row["due"]) if row and row["due"] else None))
    if live is None:  # this month, live (pages that already computed it pass it in)
        grid_ids = list(Grid.objects.active().filter(village__in=village_ids).values_list("pk", flat=True))
        live = due.total(coverage_for(grid_ids, months[-1]).values())
    out.append((months[-1], live.percent if live.due else None))
    return out


def trend_bars(points, *, height: int = 120, base: int = 130, step: int = 47, left: int = 36) -> list[dict]:
    """SVG geometry for the twelve-month chart (drawn server-side: no script, light on a slow link)."""
    bars = []
    for i, (month, pct) in enumerate(points):
        h = round(height * (pct or 0) / 100)
        bars.append(
            {
                "x": left + i * step,
                "y": base - h,
                "h": h,
                "pct": pct,
                "month": month,
                "low": pct is not None and pct < 60,
            }
        )
    return bars


def overview(villages) -> dict:
    """This month's coverage of some villages (per grid) and their twelve-month chart, for the village
    overview and the town's home."""
    month = due.month_start(timezone.localdate())
    table = coverage_table(villages, month, workers=False)  # the pages show each grid's figures only
    bars = trend_bars(trend([v.pk for v in villages], 12, live=table["town_total"]))
    return {"visit_month": month, "visit_rows": table["village_rows"], "visit_total": table["town_total"], "bars": bars}
