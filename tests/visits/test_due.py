"""The due-list and coverage rules: month boundaries, late entries, moves, archives, key persons listed
mid-month, a risk level change, attempts that were not possible, findings that open cases."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disputes.models import Case
from messaging.models import Notice
from residents import services as registry
from residents.models import KeyPerson, KeyPersonResponsible
from visits import due, services
from visits.models import Finding, Outcome, Visit

OCT = datetime.date(2026, 10, 1)
NOV = datetime.date(2026, 11, 1)


def _visit(who, target, day, **kw):
    visit, _created = services.visit_record(worker=who, target=target, visited_on=day, today=kw.pop("today", day), **kw)
    return visit


def _grid_cov(grid, month, today=None):
    return due.coverage_by_grid([grid.pk], month, today=today or due.month_end(month))[grid.pk]


def test_a_visit_counts_for_the_month_of_its_date(world, worker):
    _visit(worker, world.household1, datetime.date(2026, 10, 31))
    assert (_grid_cov(world.grid1, OCT).households_done, _grid_cov(world.grid1, NOV).households_done) == (1, 0)
    assert Visit.objects.get().month == OCT


def test_a_paper_visit_can_be_entered_late_until_the_limit(world, worker):
    late = _visit(worker, world.household1, datetime.date(2026, 10, 30), today=datetime.date(2026, 11, 5))
    assert late.late and late.month == OCT
    with pytest.raises(ValidationError) as caught:
        _visit(worker, world.key_place1, datetime.date(2026, 10, 30), today=datetime.date(2026, 11, 6))
    assert "补录期限" in str(caught.value)
    with pytest.raises(ValidationError):
        _visit(worker, world.household1, datetime.date(2026, 11, 7), today=datetime.date(2026, 11, 6))  # future


def test_a_household_moved_mid_month_is_due_once_for_its_new_grid(world, worker, colleague, staff):
    _visit(worker, world.household1, datetime.date(2026, 11, 3))
    registry.household_move(by=staff, household=world.household1, to=world.micro2)
    grid1, grid2 = _grid_cov(world.grid1, NOV), _grid_cov(world.grid2, NOV)
    assert (grid1.households_due, grid1.households_done) == (0, 0)
    assert (grid2.households_due, grid2.households_done) == (2, 1)  # its own household2, and the moved one, done
    assert not due.households_due([world.grid2.pk], NOV).filter(done=False, pk=world.household1.pk).exists()


def test_an_archived_household_is_due_only_if_it_was_visited_that_month(world, worker, staff):
    registry.household_archive(by=staff, household=world.household2)
    assert _grid_cov(world.grid2, due.month_start(timezone.localdate())).households_due == 0
    _visit(worker, world.household1, timezone.localdate())
    registry.household_archive(by=staff, household=world.household1)
    cov = _grid_cov(world.grid1, due.month_start(timezone.localdate()), today=timezone.localdate())
    assert (cov.households_due, cov.households_done) == (1, 1)


def _key_person(world, **kw) -> KeyPerson:
    defaults = {"resident": world.resident2, "category": "released", "listed_from": datetime.date(2026, 11, 15)}
    return KeyPerson.objects.create(**(defaults | kw))


def test_a_key_person_listed_mid_month_is_due_that_month_and_overdue_a_cadence_later(world, colleague):
    kp = _key_person(world)
    items = {k.key_person.pk: k for k in due.key_persons_due([world.grid2.pk], NOV, today=datetime.date(2026, 11, 20))}
    assert kp.pk in items and not items[kp.pk].done and not items[kp.pk].overdue
    assert kp.pk not in {k.key_person.pk for k in due.key_persons_due([world.grid2.pk], OCT)}
    later = {
        k.key_person.pk: k
        for k in due.key_persons_due([world.grid2.pk], datetime.date(2026, 12, 1), today=datetime.date(2026, 12, 20))
    }
    assert later[kp.pk].overdue_days == 5  # 30 days from 15 November is 15 December


def test_a_risk_level_change_from_2_to_3_tightens_the_cadence_at_once(world, colleague):
    kp = _key_person(world, category="mental", risk_level=2, listed_from=datetime.date(2026, 1, 1))
    _visit(colleague, kp, datetime.date(2026, 11, 1))
    today = datetime.date(2026, 11, 21)
    [item] = due.key_persons_due([world.grid2.pk], NOV, today=today)
    assert (item.overdue, item.needed, item.done) == (False, 1, True)
    KeyPerson.objects.filter(pk=kp.pk).update(risk_level=3)
    [item] = due.key_persons_due([world.grid2.pk], NOV, today=today)
    assert (item.overdue_days, item.needed, item.done) == (6, 2, False)  # 14-day cadence, two a month


def test_an_attempt_is_not_a_visit_and_two_in_a_row_flag_the_person_to_the_village(world, worker, staff):
    kp = world.key_person1
    _visit(worker, kp, datetime.date(2026, 11, 2))
    for day in (5, 9):
        _visit(worker, kp, datetime.date(2026, 11, day), outcome=Outcome.NOT_POSSIBLE, reason="unreachable")
    [item] = due.key_persons_due([world.grid1.pk], NOV, today=datetime.date(2026, 11, 20))
    assert item.last_done == datetime.date(2026, 11, 2) and item.unreached and item.overdue_days == 4
    assert Notice.objects.filter(recipient=staff, title__contains="脱管").count() == 1
    with pytest.raises(ValidationError):
        _visit(worker, kp, datetime.date(2026, 11, 10), outcome=Outcome.NOT_POSSIBLE)  # a reason is required


def test_a_finding_opens_a_case_linked_both_ways(world, worker):
    visit = _visit(
        worker,
        world.household1,
        timezone.localdate(),
        finding=Finding.DISPUTE,
        note="两户因排水沟争吵\n要求村里出面",
        case_category="dispute.neighbour",
    )
    case = Case.objects.get()
    assert visit.case == case and list(case.visits.all()) == [visit]
    assert (case.kind, case.category, case.source, case.household) == (
        "dispute",
        "dispute.neighbour",
        "visit",
        world.household1,
    )
    assert case.title == "走访发现：两户因排水沟争吵"


def test_a_level_3_patients_visit_records_the_team_of_that_patient_only(world, worker, staff):
    kp = world.key_person1
    doctor = KeyPersonResponsible.objects.create(key_person=kp, role="doctor", name="精防王医生")
    other = KeyPersonResponsible.objects.create(key_person=_key_person(world), role="police", name="民警")
    visit = _visit(worker, kp, timezone.localdate(), team=[doctor])
    assert list(visit.team.all()) == [doctor]
    with pytest.raises(ValidationError):
        _visit(worker, kp, timezone.localdate(), team=[other])


def test_only_the_grids_worker_or_the_village_records(world, colleague, town, staff):
    with pytest.raises(PermissionDenied):
        _visit(colleague, world.household1, timezone.localdate())
    with pytest.raises(PermissionDenied):
        _visit(town, world.household1, timezone.localdate())
    assert _visit(staff, world.household1, timezone.localdate()).worker == staff


def test_the_same_token_records_one_visit(world, worker):
    token = uuid.uuid4()
    first, created = services.visit_record(worker=worker, target=world.household1, client_token=token)
    again, created_again = services.visit_record(worker=worker, target=world.household1, client_token=token)
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert Visit.objects.count() == 1


def test_the_coverage_counts_key_persons_as_the_per_person_rules_do(world, worker, colleague):
    """The coverage's key-person figures (read lean, for many grids by their villages) match the per-person
    facts of ``key_persons_due`` for each grid: done, overdue, due, across grids of two villages."""
    twice = _key_person(world, category="mental", risk_level=3, listed_from=datetime.date(2026, 1, 1))
    _visit(colleague, twice, datetime.date(2026, 11, 3))  # one of two a month: not done, overdue by the 21st
    _key_person(world, resident=world.other_resident, listed_from=datetime.date(2026, 9, 1))  # never visited: overdue
    for day in (4, 18):  # twice a month (level 3): done, not overdue
        _visit(worker, world.key_person1, datetime.date(2026, 11, day))
    today = datetime.date(2026, 11, 21)
    grids = [world.grid1.pk, world.grid2.pk, world.other_grid.pk]
    with CaptureQueriesContext(connection) as queries:
        counted = due.coverage_by_grid(grids, NOV, today=today)
    # For many grids the listings are read by their own village's index (docs/performance.md, "A key person's
    # village"): on PostgreSQL the villages' ids first, then the listings of those villages.
    listings = next(q["sql"] for q in queries if '"residents_keyperson"."risk_level"' in q["sql"])
    assert '"residents_keyperson"."village_id" = ANY(ARRAY(SELECT' in listings, listings
    for grid_id in grids:
        items = due.key_persons_due([grid_id], NOV, today=today)
        expected = (len(items), sum(i.done for i in items), sum(i.overdue for i in items))
        cov = counted[grid_id]
        assert (cov.key_persons_due, cov.key_persons_done, cov.key_persons_overdue) == expected
    assert [counted[g].key_persons_due for g in grids] == [1, 1, 1]
    assert (counted[world.grid2.pk].key_persons_done, counted[world.grid2.pk].key_persons_overdue) == (0, 1)
    assert (counted[world.other_grid.pk].key_persons_done, counted[world.other_grid.pk].key_persons_overdue) == (0, 1)
    assert (counted[world.grid1.pk].key_persons_done, counted[world.grid1.pk].key_persons_overdue) == (1, 0)
