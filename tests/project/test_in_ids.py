"""core.db.InIds: the rows of ``column IN (subquery)``, written for PostgreSQL as ``= ANY(ARRAY(subquery))`` so
the planner looks the ids up in the column's index instead of joining the whole table (docs/performance.md,
"Rows by a list of ids")."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.db import InIds
from grids.models import Grid
from visits import summary
from visits.models import CoverageSnapshot

MONTH = datetime.date(2026, 3, 1)


def _snapshots(world, month=MONTH):
    archived = Grid.objects.create(village=world.village, number=9, name="旧网格", archived_at=timezone.now())
    for grid, due in ((world.grid1, 10), (world.grid2, 20), (archived, 40), (world.other_grid, 80)):
        CoverageSnapshot.objects.create(
            grid=grid, month=month, households_due=due, households_done=1, taken_at=timezone.now()
        )


def test_the_same_rows_as_the_join_archived_grids_included(world):
    _snapshots(world)
    grids = Grid.objects.filter(village=world.village).values("pk")
    by_ids = CoverageSnapshot.objects.filter(InIds("grid_id", grids)).aggregate(n=Sum("households_due"))
    joined = CoverageSnapshot.objects.filter(grid__village=world.village).aggregate(n=Sum("households_due"))
    assert by_ids == joined == {"n": 70}
    assert not CoverageSnapshot.objects.filter(InIds("grid_id", Grid.objects.none().values("pk"))).exists()


def test_postgresql_reads_the_ids_first_without_their_order(world):
    rows = CoverageSnapshot.objects.filter(InIds("grid_id", Grid.objects.filter(village=world.village).values("pk")))
    with CaptureQueriesContext(connection) as queries:
        list(rows)
    sql = queries[0]["sql"]
    assert '"grid_id" = ANY(ARRAY(SELECT' in sql, sql
    assert "ORDER BY" not in sql  # the grids' default order would join their villages and towns


def test_the_trend_counts_archived_grids_history(world):
    last_month = summary.recent_months(12)[-2]
    _snapshots(world, last_month)
    assert dict(summary.trend([world.village.pk], 12))[last_month] == round(100 * 3 / 70)
