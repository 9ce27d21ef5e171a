"""This month's coverage kept per grid (visits.live): always the figures a fresh count gives,
whatever was written since, by whichever path; one query when fresh; a change made while counting is not
lost; figures age at midnight."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from residents import excel, imports
from residents import services as registry
from residents.idnumber import check_character
from residents.models import ImportJob, ImportStatus, KeyPerson
from visits import due, live, services
from visits.models import LiveCoverage, Outcome, Visit


def _month():
    return due.month_start(timezone.localdate())


def _same_as_a_fresh_count(grid_ids, after=""):
    kept = live.coverage_now(grid_ids)
    assert kept == due.coverage_by_grid(grid_ids, _month()), after
    return kept


def _import_one_household(world, staff):
    first17 = "32072319850101123"
    row = {
        "household_number": "N0001",
        "micro_grid": "第二网格/2a",
        "villager_group": "第1组",
        "address": "张庄新1号",
        "living_status": "resident",
        "name": "新户主",
        "id_number": first17 + check_character(first17),
        "relation": "02",
        "ethnicity": "01",
        "political": "13",
        "registration": "registered",
        "lives_here": True,
    }
    title, columns = excel.SHEETS["households"]
    job = ImportJob(village=world.village, created_by=staff, kind="households", filename="one.xlsx")
    job.file.save("one.xlsx", ContentFile(excel.write_workbook(title, columns, [row])), save=True)
    assert imports.import_apply(job=job).status == ImportStatus.DONE


def test_the_kept_figures_follow_every_kind_of_write(world, worker, colleague, staff):
    grids = [world.grid1.pk, world.grid2.pk]
    writes = [
        ("a household visited", lambda: services.visit_record(worker=worker, target=world.household1)),
        ("a key place visited", lambda: services.visit_record(worker=worker, target=world.key_place1)),
        ("a key person visited", lambda: services.visit_record(worker=worker, target=world.key_person1)),
        (
            "an attempt",
            lambda: services.visit_record(
                worker=worker, target=world.key_person1, outcome=Outcome.NOT_POSSIBLE, reason="unreachable"
            ),
        ),
        ("a household moved", lambda: registry.household_move(by=staff, household=world.household2, to=world.micro1)),
        ("a risk level changed", lambda: _risk_level(world.key_person1, 3)),
        (
            "a key person listed",
            lambda: KeyPerson.objects.create(
                resident=world.resident2, category="released", listed_from=timezone.localdate()
            ),
        ),
        (
            "a key person's resident moved out",
            lambda: registry.resident_move(by=staff, resident=world.resident1, to=None),
        ),
        ("a visit deleted", lambda: Visit.objects.filter(household=world.household1).delete()),
        ("a household archived", lambda: registry.household_archive(by=staff, household=world.household1)),
        ("households imported in bulk", lambda: _import_one_household(world, staff)),
    ]
    before = _same_as_a_fresh_count(grids)
    changed = 0
    for name, write in writes:
        live.coverage_now(grids)  # fresh figures kept before each write
        write()
        after = _same_as_a_fresh_count(grids, name)
        changed += after != before
        before = after
    assert changed >= len(writes) - 2, "the walk should change the figures at almost every step"


def _risk_level(key_person, level):
    key_person = KeyPerson.objects.get(pk=key_person.pk)
    key_person.risk_level = level
    key_person.save()


def test_fresh_figures_are_one_query(world, worker, django_assert_num_queries):
    grids = [world.grid1.pk, world.grid2.pk]
    services.visit_record(worker=worker, target=world.household1)
    live.coverage_now(grids)
    with django_assert_num_queries(1):
        figures = live.coverage_now(grids)
    assert figures[world.grid1.pk].households_done == 1


def test_a_change_committed_while_counting_is_not_lost(world, worker, monkeypatch):
    grid = world.grid1.pk
    count = due.coverage_by_grid

    def count_then_a_visit(*args, **kwargs):
        figures = count(*args, **kwargs)
        services.visit_record(worker=worker, target=world.household1)  # lands after the count read the rows
        return figures

    monkeypatch.setattr(due, "coverage_by_grid", count_then_a_visit)
    assert live.coverage_now([grid])[grid].households_done == 0  # what was counted
    monkeypatch.undo()
    row = LiveCoverage.objects.get(grid_id=grid, month=_month())
    assert row.counted_changes != row.changes  # left stale, not marked fresh with the old count
    assert live.coverage_now([grid])[grid].households_done == 1


def test_figures_age_at_midnight(world, worker):
    grid = world.grid1.pk
    first = _month()
    live.coverage_now([grid], today=first)
    next_day = first + datetime.timedelta(days=1)
    figures = live.coverage_now([grid], today=next_day)
    assert LiveCoverage.objects.get(grid_id=grid, month=first).as_of == next_day
    assert figures[grid] == due.coverage_by_grid([grid], first, next_day)[grid]


def test_the_nightly_task_counts_every_grid_in_use(world, worker, django_assert_max_num_queries):
    from visits import tasks

    services.visit_record(worker=worker, target=world.household1)
    assert tasks.coverage_warm() == 3  # both grids of the village and the other village's
    grids = [world.grid1.pk, world.grid2.pk]
    with django_assert_max_num_queries(1):
        kept = live.coverage_now(grids)
    assert kept == due.coverage_by_grid(grids, _month())


def test_postgresql_runs_without_jit(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
