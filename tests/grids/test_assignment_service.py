"""assignment_create / assignment_end: history kept, overlaps and bad dates refused atomically."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from grids import services
from grids.models import Assignment, Grid, Role
from tests.conftest import make_user

D = datetime.date


def test_same_person_same_place_overlapping_is_refused(world, worker, staff):
    with pytest.raises(ValidationError, match="在这段时间已担任"):
        services.assignment_create(by=staff, user=worker, role=Role.GRID_WORKER, place=world.grid1, start=D(2026, 3, 1))
    assert worker.assignments.count() == 1


def test_handover_on_the_day_the_holder_started_is_refused(world, staff, colleague):
    newcomer = make_user("newcomer", world.village)
    services.assignment_create(by=staff, user=newcomer, role=Role.GRID_WORKER, place=world.grid2, start=D(2026, 7, 1))
    third = make_user("third", world.village)
    with pytest.raises(ValidationError, match="请选择更晚的开始日期"):
        services.assignment_create(by=staff, user=third, role=Role.GRID_WORKER, place=world.grid2, start=D(2026, 7, 1))
    # nothing of the refused call is left behind: the newcomer's assignment is still open
    assert Assignment.objects.get(user=newcomer).end is None
    assert not Assignment.objects.filter(user=third).exists()


def test_one_worker_may_cover_several_grids(world, staff, worker):
    services.assignment_create(by=staff, user=worker, role=Role.GRID_WORKER, place=world.grid2, start=D(2026, 1, 1))
    fresh = type(worker).objects.get(pk=worker.pk)  # a new object: the scope is cached per request
    assert set(Grid.objects.visible_to(fresh)) == {world.grid1, world.grid2}


def test_archived_place_is_refused(world, staff, worker):
    world.micro2.archived_at = timezone.now()
    world.micro2.save()
    with pytest.raises(ValidationError, match="已归档"):
        services.assignment_create(by=staff, user=worker, role=Role.LIAISON, place=world.micro2, start=D(2026, 1, 1))


def test_village_staff_roles_may_overlap(world, staff):
    second = make_user("second", world.village)
    services.assignment_create(by=staff, user=second, role=Role.VILLAGE_STAFF, place=world.village, start=D(2026, 1, 1))
    assert Assignment.objects.current().filter(role=Role.VILLAGE_STAFF, village=world.village).count() == 2


def test_database_refuses_a_place_that_does_not_match_the_role(world, worker):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(user=worker, role=Role.GRID_WORKER, village=world.village, start=D(2026, 1, 1))


def test_held_in_a_village_with_and_without_its_village_roles(world, worker, colleague, liaison, staff, outsider):
    """``Assignment.objects.in_village``: the village's grids, micro-grids and villager groups (an archived
    grid's holder included), and the village's own roles unless ``village_roles=False`` (the governance draft
    counts the holders of places); another village's never."""
    archived = Grid.objects.create(village=world.village, number=9, name="旧网格")
    old_hand = make_user("old_hand", world.village)
    services.assignment_create(by=staff, user=old_hand, role=Role.GRID_WORKER, place=archived, start=D(2026, 1, 1))
    Grid.objects.filter(pk=archived.pk).update(archived_at=timezone.now())  # archived after it was held
    stranger = make_user("stranger", world.other_village)
    services.assignment_create(
        by=outsider, user=stranger, role=Role.GRID_WORKER, place=world.other_grid, start=D(2026, 1, 1)
    )
    current = Assignment.objects.current()
    places = {a.user.username for a in current.in_village(world.village, village_roles=False)}
    assert places == {"worker", "colleague", "liaison", "old_hand"}
    assert {a.user.username for a in current.in_village(world.village)} == places | {"staff"}
