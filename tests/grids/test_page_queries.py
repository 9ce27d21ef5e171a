"""Query counts of the territory pages do not grow with the number of rows (STYLE 9)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.models import Grid, MicroGrid, Role, VillagerGroup
from reports.scorecard import kept
from tests.conftest import assign, make_user


def _grow(world, grids: int) -> None:
    """Grow village 1 to `grids` grids, each with 3 micro-grids, a worker and liaisons, and as many groups."""
    for n in range(world.village.grids.count() + 1, grids + 1):
        grid = Grid.objects.create(village=world.village, number=n, name=f"网格{n}")
        assign(make_user(f"w{n}", world.village), Role.GRID_WORKER, grid)
        for m in range(3):
            micro = MicroGrid.objects.create(grid=grid, number=m, name=f"{n}-{m}")
            assign(make_user(f"l{n}-{m}", world.village), Role.LIAISON, micro)
        group = VillagerGroup.objects.create(village=world.village, number=n, name=f"第{n}组")
        assign(make_user(f"i{n}", world.village), Role.INFO_OFFICER, group)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    ("persona", "url_name", "args"),
    [
        ("staff", "reports:village-overview", lambda w: [w.village.pk]),
        ("town", "reports:village-overview", lambda w: [w.village.pk]),
        ("town", "reports:town-home", lambda w: []),
        ("staff", "reports:risk-list", lambda w: [w.village.pk]),
        ("town", "reports:town-risks", lambda w: []),
        ("staff", "grids:grid-detail", lambda w: [w.grid1.pk]),
        ("worker", "visits:work-list", lambda w: []),
    ],
)
def test_query_count_is_flat(client, world, personas, persona, url_name, args):
    client.force_login(personas[persona])
    url = reverse(url_name, args=args(world))
    _grow(world, 3)
    small = _queries(client, url)
    _grow(world, 30)
    assert _queries(client, url) == small


def test_village_overview_query_budget(client, world, staff, django_assert_num_queries):
    _grow(world, 30)
    client.force_login(staff)
    # session, user, scope (assignments), village, grids, their micro-grids, current holders,
    # households per micro-grid, residents per micro-grid, key persons per grid and category,
    # key places per grid, villager groups, last heartbeat, natural villages, village staff,
    # case time limits, case figures (one aggregate), the most overdue cases, unread inbox count;
    # visits this month: grids, the kept figures (visits.live) and, counted afresh the first time, their
    # rows, what they say, households due/done, key places due/done, key persons, the figures written;
    # and the twelve-month trend (closed months' snapshots); the grids' workers are not read for the
    # visits (the overview shows each grid's figures only)
    url = reverse("reports:village-overview", args=[world.village.pk])
    with django_assert_num_queries(28):  # the session is read, not written (core/sessions.py)
        client.get(url)
    # The second time the kept figures are fresh: one query, not seven; and the registry's four counts are
    # kept (reports.selectors.registry_overview; tests/reports/test_overview_kept.py).
    with django_assert_num_queries(18):
        client.get(url)


@pytest.mark.parametrize(("url_name", "queries"), [("reports:town-home", 14), ("reports:town-dashboard", 18)])
def test_town_pages_query_budget(client, world, town, url_name, queries):
    """The town's home and dashboard show each village's coverage figures: its grids' workers are not read."""
    _grow(world, 30)
    client.force_login(town)
    url = reverse(url_name)
    client.get(url)  # the kept coverage figures counted
    kept.forget()  # the dashboard's case and Party figures counted too (kept: tests/reports/test_dashboard_kept.py)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert not any('"grids_assignment"."role" = ' in q["sql"] and "grids_user" in q["sql"] for q in ctx)
    assert len(ctx) == queries
