"""The phone work list and visit page, the coverage pages: content, idempotent posts, pinned queries."""

from __future__ import annotations

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from residents.models import Household
from visits import services
from visits.models import Visit


def _visit_url(subject, pk):
    return reverse("visits:visit-new", args=[subject, pk])


def test_work_list_puts_overdue_key_persons_first_and_shows_progress(client, world, worker):
    client.force_login(worker)
    page = client.get(reverse("visits:work-list")).content.decode()
    assert "已走访 0 / 应走访 3" in page  # household 1, key person 1, key place 1
    assert page.index(_visit_url("key_person", world.key_person1.pk)) < page.index(
        _visit_url("household", world.household1.pk)
    )
    assert "超期" in page  # listed since 2025, never visited


def test_three_taps_record_visited_nothing_found_and_progress_moves(client, world, worker):
    client.force_login(worker)
    form_page = client.get(_visit_url("household", world.household1.pk)).content.decode()
    assert "已走访，无异常" in form_page
    token = form_page.split('name="token" value="')[1].split('"')[0]
    response = client.post(
        _visit_url("household", world.household1.pk), {"token": token, "quick": "1", "outcome": "not_possible"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("visits:work-list")
    visit = Visit.objects.get()
    assert (visit.outcome, visit.finding, visit.visited_on) == ("done", "nothing", timezone.localdate())
    page = client.get(reverse("visits:work-list")).content.decode()
    assert "已走访 1 / 应走访 3" in page


def test_the_same_submission_twice_records_one_visit_and_says_so(client, world, worker):
    client.force_login(worker)
    data = {"token": str(uuid.uuid4()), "quick": "1"}
    client.post(_visit_url("household", world.household1.pk), data)
    response = client.post(_visit_url("household", world.household1.pk), data, follow=True)
    assert "已经记录过了，没有重复记录" in response.content.decode()
    assert Visit.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_make_one_row(world, worker):
    token = uuid.uuid4()
    barrier = threading.Barrier(3)
    results = []

    def record():
        try:
            barrier.wait()
            results.append(services.visit_record(worker=worker, target=world.household1, client_token=token)[1])
        finally:
            connection.close()  # this thread's own connection: the test database can be dropped at the end

    threads = [threading.Thread(target=record) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, True]
    assert Visit.objects.count() == 1


def test_a_form_with_a_problem_keeps_its_input(client, world, worker):
    client.force_login(worker)
    response = client.post(
        _visit_url("household", world.household1.pk),
        {
            "token": str(uuid.uuid4()),
            "outcome": "not_possible",
            "reason": "",
            "finding": "nothing",
            "visited_on": timezone.localdate().isoformat(),
            "note": "敲门无人应答",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "请选择未能走访的原因" in page and "敲门无人应答" in page
    assert not Visit.objects.exists()


def test_coverage_page_and_outstanding_names_for_staff_counts_for_the_town(client, world, worker, staff, town):
    services.visit_record(worker=worker, target=world.household1)
    client.force_login(staff)
    page = client.get(reverse("visits:coverage")).content.decode()
    assert f'data-grid="{world.grid1.pk}"' in page and "1/1" in page
    outstanding = client.get(reverse("visits:grid-outstanding", args=[world.grid1.pk])).content.decode()
    listed = f"<li>{world.key_person1.resident.name} · "
    assert listed in outstanding
    client.force_login(town)
    outstanding = client.get(reverse("visits:grid-outstanding", args=[world.grid1.pk])).content.decode()
    assert listed not in outstanding and "另有 1 名重点人员" in outstanding


# --- Query counts: a grid of 30 vs 300 households ----------------------------------------------------


def _grow(world, n):
    have = Household.objects.filter(grid=world.grid1).count()
    Household.objects.bulk_create(
        [
            Household(
                village=world.village,
                grid=world.grid1,
                micro_grid=world.micro1,
                villager_group=world.group1,
                number=f"G{i:04d}",
                address=f"张庄{i}号",
            )
            for i in range(have, n)
        ]
    )


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("worker", lambda w: reverse("visits:work-list")),
        ("worker", lambda w: reverse("visits:work-list") + "?q=张庄"),
        ("worker", lambda w: reverse("visits:work-list") + f"?by=natural&place=m{w.micro1.pk}&page=2"),
        ("staff", lambda w: reverse("visits:coverage")),
        ("town", lambda w: reverse("visits:coverage")),
        ("staff", lambda w: reverse("visits:grid-outstanding", args=[w.grid1.pk])),
    ],
)
def test_visit_pages_query_count_does_not_grow(client, world, personas, persona, url):
    """Counted, and counted again after visits to households (the work list: from its kept frame)."""
    from residents.signals import registry_bulk_saved

    client.force_login(personas[persona])
    _grow(world, 30)
    small = _queries(client, url(world))
    services.visit_record(worker=personas["worker"], target=Household.objects.filter(grid=world.grid1).last())
    small_visited = _queries(client, url(world))
    _grow(world, 300)
    registry_bulk_saved.send(sender=Household, grid_ids={world.grid1.pk})  # as an import says its bulk writes
    large = _queries(client, url(world))
    for household in Household.objects.filter(grid=world.grid1)[:40]:
        services.visit_record(worker=personas["worker"], target=household)
    assert (large, _queries(client, url(world))) == (small, small_visited)


def test_work_list_query_budget(client, world, worker, django_assert_num_queries):
    _grow(world, 300)
    client.force_login(worker)
    # session, user, scope; the grids' marks (visits/live.py); key persons due (one query, subqueries
    # inside); progress: households (ids and whether visited: the figures and the households the phone may
    # count, data-open); the month's key places due (their figures, and those still to visit); the walk
    # (ids, addresses and groups, visits/walk.py); the page of households by id (head name and the month's
    # attempt as subqueries); the town's tasks to tick in these grids (towntasks.selectors); unread inbox
    with django_assert_num_queries(11):  # the session is read, not written (core/sessions.py)
        client.get(reverse("visits:work-list"))
    # Read again, nothing changed: the content is kept under the grids' mark (visits/kept_list.py): session,
    # user, scope, the mark, the town's tasks, the unread inbox.
    with django_assert_num_queries(6):
        client.get(reverse("visits:work-list"))


def test_first_of_month_boundary_for_the_work_list(client, world, worker):
    """A visit on the last day of last month does not count for this month's list."""
    today = timezone.localdate()
    last_month_day = today.replace(day=1) - datetime.timedelta(days=1)
    Visit.objects.create(
        worker=worker,
        subject="household",
        household=world.household1,
        village=world.village,
        grid=world.grid1,
        micro_grid=world.micro1,
        visited_on=last_month_day,
        month=last_month_day.replace(day=1),
    )
    client.force_login(worker)
    page = client.get(reverse("visits:work-list")).content.decode()
    assert _visit_url("household", world.household1.pk) in page


def test_the_coverage_page_names_each_grids_workers_from_two_columns(client, world, worker, town):
    """Each grid's workers by name (their full name, else their login name), read as names: no whole user
    row (password hash and all) is read for the coverage page; a grid without one says so."""
    from django.test.utils import CaptureQueriesContext

    from grids.models import Role
    from tests.conftest import assign, make_user

    assign(make_user("nameless", world.village, full_name=""), Role.GRID_WORKER, world.grid1)
    client.force_login(town)
    client.get(reverse("visits:coverage"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("visits:coverage"))
    rows = {g.pk: g for v in response.context["village_rows"] for g in v.grid_rows}
    assert sorted(rows[world.grid1.pk].workers) == ["nameless", "网格员甲"]
    assert rows[world.grid2.pk].workers == []
    page = response.content.decode()
    assert "网格员甲" in page and "nameless" in page and "未指派" in page
    # The request's own user is read whole (the session's login); the workers are not.
    assert not any('"grids_user"."password"' in q["sql"] and "grids_assignment" in q["sql"] for q in queries)


def test_the_coverage_table_shows_its_grids_without_building_them(client, world, town, worker):
    """The town's coverage, its home and its dashboard read the grids of their tables as values
    (visits.summary.GridRow; docs/performance.md, "What a row shows")."""
    from tests.conftest import models_built

    client.force_login(town)
    for name in ("visits:coverage", "reports:town-home", "reports:town-dashboard"):
        client.get(reverse(name))
        with models_built() as built:
            page = client.get(reverse(name)).content.decode()
        assert built["Grid"] == 0, name
        if name == "visits:coverage":
            assert f'data-grid="{world.grid1.pk}"' in page and world.grid1.name in page and "网格员甲" in page
