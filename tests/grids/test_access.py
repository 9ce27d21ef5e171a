"""The access door: what each persona sees, and that only assignments active today count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grids import access
from grids.models import Assignment, Grid, MicroGrid, Role, Village, VillagerGroup
from tests.conftest import assign, make_user


def test_each_persona_sees_its_places(world, worker, colleague, liaison, staff, town, outsider):
    assert set(Village.objects.visible_to(staff)) == {world.village}
    assert set(Village.objects.visible_to(town)) == {world.village, world.other_village}
    assert set(Village.objects.visible_to(worker)) == set()
    assert set(Grid.objects.visible_to(worker)) == {world.grid1}
    assert set(Grid.objects.visible_to(colleague)) == {world.grid2}
    assert set(Grid.objects.visible_to(staff)) == {world.grid1, world.grid2}
    assert set(Grid.objects.visible_to(outsider)) == {world.other_grid}
    assert set(MicroGrid.objects.visible_to(worker)) == {world.micro1}
    assert set(MicroGrid.objects.visible_to(liaison)) == {world.micro1}
    assert set(Grid.objects.visible_to(liaison)) == set()
    assert set(MicroGrid.objects.visible_to(town)) == {world.micro1, world.micro2, world.other_micro}


def test_information_officer_sees_their_group(world):
    officer = make_user("officer", world.village)
    assign(officer, Role.INFO_OFFICER, world.group1)
    assert set(VillagerGroup.objects.visible_to(officer)) == {world.group1}
    assert set(Grid.objects.visible_to(officer)) == set()


def test_change_scope(world, worker, staff, town):
    assert set(access.changeable_villages(staff)) == {world.village}
    assert set(access.changeable_villages(town)) == set()
    assert set(access.changeable_villages(worker)) == set()
    assert set(Grid.objects.changeable_by(staff)) == {world.grid1, world.grid2}
    assert set(Grid.objects.changeable_by(town)) == set()


def test_ended_and_future_assignments_do_not_count(world):
    today = timezone.localdate()
    former = make_user("former", world.village)
    assign(
        former, Role.GRID_WORKER, world.grid1, start=datetime.date(2024, 1, 1), end=today - datetime.timedelta(days=1)
    )
    future = make_user("future", world.village)
    assign(future, Role.GRID_WORKER, world.grid2, start=today + datetime.timedelta(days=1))
    assert set(Grid.objects.visible_to(former)) == set()
    assert set(Grid.objects.visible_to(future)) == set()


def test_superuser_sees_all(world, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    assert Village.objects.visible_to(admin).count() == 2


def test_anonymous_and_inactive_see_nothing(world, worker):
    from django.contrib.auth.models import AnonymousUser

    assert not Grid.objects.visible_to(AnonymousUser()).exists()
    worker.is_active = False
    assert not Grid.objects.visible_to(worker).exists()


def test_scope_is_one_query_per_request(world, worker, django_assert_num_queries):
    with django_assert_num_queries(1):
        access.scope_for(worker)
        access.scope_for(worker)


def test_assignments_are_seen_where_their_place_is(world, worker, colleague, staff, outsider):
    assert set(Assignment.objects.visible_to(staff)) >= {worker.assignments.get(), colleague.assignments.get()}
    assert set(Assignment.objects.visible_to(outsider)) == set(outsider.assignments.all())
    assert set(Assignment.objects.visible_to(worker)) == {worker.assignments.get()}


def test_the_written_out_assignment_statement_reads_what_the_orm_reads(world, worker, liaison, staff, town):
    """The scope's statement is written by hand (grids.access._assignment_rows); held equal to the ORM's reading
    for every role, the first and last day of an assignment, and the days around them."""
    today = timezone.localdate()
    officer = make_user("officer", world.village)
    assign(officer, Role.INFO_OFFICER, world.group1)
    edges = make_user("edges", world.village)
    assign(edges, Role.GRID_WORKER, world.grid1, start=today, end=today + datetime.timedelta(days=2))
    assign(edges, Role.TOWN_OFFICE, world.town, start=today - datetime.timedelta(days=3), end=today)
    columns = ("role", "town_id", "village_id", "grid_id", "micro_grid_id", "villager_group_id", "town__villages")
    days = [today + datetime.timedelta(days=n) for n in (-4, -3, -1, 0, 1, 2, 3)]
    seen_roles = set()
    for user in (worker, liaison, staff, town, officer, edges):
        for day in days:
            orm = Assignment.objects.active_on(day).filter(user=user).values_list(*columns)
            written = access._assignment_rows(user.pk, day)
            assert sorted(written, key=repr) == sorted(orm, key=repr), (user.username, day)
            seen_roles |= {row[0] for row in written}
    assert {Role.GRID_WORKER, Role.LIAISON, Role.VILLAGE_STAFF, Role.TOWN_OFFICE, Role.INFO_OFFICER} <= seen_roles
    # A town office's row comes once per village of its town.
    assert len(access._assignment_rows(town.pk, today)) == Village.objects.filter(town=world.town).count()


def test_the_sole_village_a_user_keeps_is_read_without_the_town(world, staff, town, worker, monkeypatch):
    with CaptureQueriesContext(connection) as statements:
        assert access.sole_changeable_village(staff) == world.village
    assert len(statements) <= 2 and not any("grids_town" in q["sql"] for q in statements.captured_queries)
    # Someone who keeps no village is answered from the scope, without building the query that finds nothing.
    with monkeypatch.context() as patched:
        patched.setattr(access, "changeable_villages", lambda user: pytest.fail("the ORM was asked"))
        assert access.sole_changeable_village(town) is None  # keeps no village's territory
        assert access.sole_changeable_village(worker) is None
    world.village.archived_at = world.village.created_at
    world.village.save()
    assert access.sole_changeable_village(staff) is None  # an archived village gets no "new" buttons


def test_may_see_key_persons_is_visible_q_for_one_row(world, personas, admin_user):
    """``access.may_see_key_persons`` answers ``visible_q(user, village=…, grid=…)`` for a row whose village and grid are
    known, for every persona (a key person's listing, residents/models/key_persons.py)."""
    from residents.models import KeyCategory, KeyPerson
    from tests.conftest import SINCE

    KeyPerson.objects.create(resident=world.other_resident, category=KeyCategory.DRUG, listed_from=SINCE)
    listings = list(KeyPerson.objects.select_related("resident__household"))
    assert len({listing.village_id for listing in listings}) >= 2
    for user in [*personas.values(), admin_user]:
        seen = set(
            KeyPerson.objects.filter(
                access.visible_q(user, village="village", grid="resident__household__grid")
            ).values_list("pk", flat=True)
        )
        for listing in listings:
            grid_id = listing.resident.household.grid_id if listing.resident else None
            answer = access.may_see_key_persons(user, village_id=listing.village_id, grid_id=grid_id)
            assert answer == (listing.pk in seen), (user.username, listing.pk)


def test_readable_village_is_the_orms_door_for_every_persona(world, personas, admin_user):
    """``access.readable_village``: the village with its town for exactly those the ORM's door lets in
    (``visible_q(user, town="town", village="pk")``), field for field, archived villages and another town's
    included; a 404 for the rest and for an id no village has; one statement, and the town without another."""
    from django.http import Http404

    from grids.models import Town

    elsewhere = Village.objects.create(town=Town.objects.create(name="别镇"), name="外村")
    gone = Village.objects.create(town=world.town, name="旧村", archived_at=timezone.now())
    villages = [world.village, world.other_village, elsewhere, gone]
    for user in [*personas.values(), admin_user]:
        access.scope_for(user)
        door = Village.objects.filter(access.visible_q(user, town="town", village="pk")).select_related("town")
        for village in villages:
            expected = door.filter(pk=village.pk).first()
            with CaptureQueriesContext(connection) as queries:
                try:
                    found = access.readable_village(user, village.pk)
                except Http404:
                    found = None
                town_name = found.town.name if found else None
            assert (found is None) == (expected is None), (user.username, village.name)
            if expected is not None:
                fields = [f.attname for f in Village._meta.concrete_fields]
                assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
                assert town_name == expected.town.name and found.town == expected.town
                assert len(queries) == 1
            else:
                assert len(queries) == 0  # refused from the scope
        for missing in (987654321, 2**70, "x"):
            try:
                access.readable_village(user, missing)
            except Http404:
                continue
            raise AssertionError(missing)
