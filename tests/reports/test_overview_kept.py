"""The village overview's kept registry counts (docs/performance.md, "The village overview"): households,
people, key persons and key places per grid are read again while nothing they count has changed; a resident,
household, key person, key place or grid written since makes the next reading count them again, as does a
write made while the cache was unreachable, and a reading without the cache counts them."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.models import Grid
from reports.models import KeptReset
from reports.scorecard import kept
from residents import services as registry
from residents.codes import Relation
from residents.models import KeyCategory, KeyPerson, KeyPlace, PlaceType
from tests.conftest import make_resident
from tests.reports.test_scorecard_kept import Unreachable
from tests.residents.test_list_queries import _unique_id

# The overview's queries when its figures are kept (visits.live's coverage too); counted: the registry's four
# counts more (households, people, key persons and key places). A write that changes what a grid owes this
# month makes visits.live count its coverage again too, so after one only the figures are compared.
KEPT = 18
COUNTED = KEPT + 4


def _read(client, world) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:village-overview", args=[world.village.pk]))
    assert response.status_code == 200
    grids = {
        g.pk: (g.n_households, g.n_registered, g.n_living, g.n_wechat, g.key_person_total, g.n_key_places)
        for g in response.context["grids"]
    }
    micro = {m.pk: (m.n_households, m.n_registered) for g in response.context["grids"] for m in g.active_micro_grids}
    totals = response.context["totals"]
    return len(queries), {"grids": grids, "micro": micro, "totals": totals}


def _key_place(micro_grid, name: str) -> KeyPlace:
    grid = micro_grid.grid
    return KeyPlace.objects.create(
        village=grid.village, grid=grid, micro_grid=micro_grid, type=PlaceType.RENTAL, name=name, address=name
    )


@pytest.fixture
def reading(client, world, staff):
    client.force_login(staff)
    _read(client, world)  # this month's coverage counted and kept (visits.live)
    kept.forget()
    return lambda: _read(client, world)


def test_a_second_reading_reads_the_kept_counts_and_shows_the_same(world, reading):
    first, counted = reading()
    second, kept_figures = reading()
    assert (first, second) == (COUNTED, KEPT)
    assert kept_figures == counted
    assert counted["totals"]["households"] == 2 and counted["totals"]["key_places"] == 1


def test_a_resident_registered_counts_at_once(world, staff, reading):
    _n, before = reading()
    make_resident(world.household1, "张小", _unique_id(), relation=Relation.SON)
    _n, after = reading()
    assert after["micro"][world.micro1.pk][1] == before["micro"][world.micro1.pk][1] + 1


def test_a_household_archived_with_its_members_counts_at_once(world, staff, reading):
    _n, before = reading()
    registry.household_archive(by=staff, household=world.household2)  # its members by one UPDATE
    _n, after = reading()
    assert after["grids"][world.grid2.pk][:2] == (0, 0)
    assert after["totals"]["registered"] == before["totals"]["registered"] - 1


def test_a_key_person_listed_and_a_key_place_added_count_at_once(world, staff, reading):
    _n, before = reading()
    KeyPerson.objects.create(
        resident=world.resident2, category=KeyCategory.LEFT_BEHIND_ELDERLY, listed_from=datetime.date(2026, 1, 1)
    )
    _n, middle = reading()
    assert middle["grids"][world.grid2.pk][4] == before["grids"][world.grid2.pk][4] + 1
    _key_place(world.micro2, "出租房")
    _n, after = reading()
    assert after["grids"][world.grid2.pk][5] == middle["grids"][world.grid2.pk][5] + 1


def test_a_new_grid_is_counted_at_once(world, staff, reading):
    reading()
    grid = Grid.objects.create(village=world.village, number=3, name="第三网格")
    _n, after = reading()
    assert after["grids"][grid.pk] == (0, 0, 0, 0, 0, 0)


def test_another_villages_write_leaves_the_counts_kept(world, staff, reading):
    reading()
    _key_place(world.other_micro, "别村出租房")
    n, _figures = reading()
    assert n == KEPT


def test_a_write_without_the_cache_resets_the_kept_counts(world, staff, reading, monkeypatch):
    _n, before = reading()
    monkeypatch.setattr(kept, "cache", Unreachable())
    _key_place(world.micro1, "小卖部")
    assert KeptReset.objects.count() == 1
    monkeypatch.setattr(kept, "cache", cache)  # back, with the tokens the counts were kept under
    _n, after = reading()
    assert after["totals"]["key_places"] == before["totals"]["key_places"] + 1


def test_a_reading_without_the_cache_counts(world, reading, monkeypatch):
    _n, expected = reading()
    monkeypatch.setattr(kept, "cache", Unreachable())
    n, figures = reading()
    assert (n, figures) == (COUNTED, expected)


def test_the_overview_names_each_places_holders(client, world, worker, liaison, staff):
    """Each grid's workers, micro-grid's liaison and villager group's information officer by name (their full
    name, else their login name), read as names (grids.selectors.holders_by_place); a grid without a worker
    says so; another village's holders are not named."""
    from grids.models import Role
    from tests.conftest import assign, make_user

    assign(make_user("officer", world.village, full_name=""), Role.INFO_OFFICER, world.group1)
    assign(make_user("elsewhere", world.other_village, full_name="外村网格员"), Role.GRID_WORKER, world.other_grid)
    client.force_login(staff)
    response = client.get(reverse("reports:village-overview", args=[world.village.pk]))
    grids = {g.pk: g for g in response.context["grids"]}
    assert grids[world.grid1.pk].workers == ["网格员甲"] and grids[world.grid2.pk].workers == []
    assert grids[world.grid1.pk].active_micro_grids[0].liaisons == ["联络员"]
    assert [g.officers for g in response.context["groups"]] == [["officer"]]
    page = response.content.decode()
    assert "网格员甲" in page and "联络员" in page and "officer" in page and "外村网格员" not in page
