"""tests/demo_state.py: the demo put back from its copy is the demo as seeded, every table row for row,
whatever a test did to the database in between; and ids handed out afterwards collide with none."""

import pytest
from django.db import connection

from grids.models import Town, User
from tests.conftest import restore_reference_data
from tests.demo_state import Snapshot, seed_demo
from tooling import demo
from visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the copy is taken with PostgreSQL's COPY; elsewhere the demo is seeded for each test")


def _row_counts(tables) -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (our table names)
            counts[table] = cursor.fetchone()[0]
        return counts


@pytest.mark.parametrize("registry", [False, True], ids=["territory", "registry"])
def test_the_restored_demo_is_the_seeded_one(registry, settings):
    settings.DEBUG = True
    if registry:
        # The run's copy (seeded here, or by another process and read from its file): seeding the whole
        # demo again would take half a minute, and what is checked is the copy put back.
        seed_demo()
    else:
        restore_reference_data()
        demo.seed(registry=False)
    seeded = Snapshot.take()
    counts = _row_counts(seeded.tables)
    assert counts["grids_user"] > 30
    assert (counts["residents_resident"] > 1000) is registry
    assert (counts["visits_visit"] > 1000) is registry

    # What a test might leave: a changed row, a new one, a removed one.
    User.objects.filter(username="worker").update(full_name="改过的名字")
    Town.objects.create(name="另一个镇")
    if registry:
        Visit.objects.filter(pk=Visit.objects.order_by("pk").values("pk")[:1]).delete()

    seeded.restore()
    assert _row_counts(seeded.tables) == counts
    again = Snapshot.take()
    assert again.tables == seeded.tables
    assert again.rows == seeded.rows  # every row of every table, byte for byte
    assert all(again.sequences[name] >= value for name, value in seeded.sequences.items())
    # Into tables emptied beforehand, as by a transactional test's flush: the same rows in the same order.
    Snapshot(tables=seeded.tables, rows={}, sequences={}).restore()
    assert not any(_row_counts(seeded.tables).values())
    seeded.restore()
    assert Snapshot.take().rows == seeded.rows

    # New rows get ids the restored ones do not hold.
    town = Town.objects.create(name="新设镇")
    assert town.pk > max(Town.objects.exclude(pk=town.pk).values_list("pk", flat=True))
    assert User.objects.get(username="worker").full_name != "改过的名字"


def test_a_second_test_starts_from_the_same_demo(settings):
    settings.DEBUG = True
    seed_demo(registry=False)
    first = Snapshot.take()
    User.objects.filter(username="staff").update(must_change_password=True)
    Town.objects.create(name="另一个镇")

    seed_demo(registry=False)  # the copy this process keeps, put back
    assert Snapshot.take().rows == first.rows
    assert not User.objects.get(username="staff").must_change_password  # seeded with DEBUG on


def test_the_copy_follows_the_settings_the_seed_reads(settings):
    settings.DEBUG = True
    seed_demo(registry=False)
    assert not User.objects.get(username="staff").must_change_password
    Snapshot(tables=Snapshot.take().tables, rows={}, sequences={}).restore()  # an empty database
    settings.DEBUG = False
    seed_demo(registry=False)
    assert User.objects.get(username="staff").must_change_password


def test_another_process_reads_the_runs_copy_instead_of_seeding(settings, tmp_path, monkeypatch):
    """With several test processes the first one's copy is written to the run's folder; a process that
    has none in memory puts that one back and does not seed."""
    from tests import demo_state

    settings.DEBUG = True
    monkeypatch.setattr(demo_state, "SHARED", tmp_path)
    monkeypatch.setattr(demo_state, "_snapshots", {})
    seed_demo(registry=False)
    seeded = Snapshot.take()
    assert [p.suffix for p in tmp_path.glob("demo-*.pickle")] == [".pickle"]

    monkeypatch.setattr(demo_state, "_snapshots", {})  # as in a process that has not seeded
    Snapshot(tables=seeded.tables, rows={}, sequences={}).restore()

    def no_seeding(**kwargs):
        raise AssertionError("seeded again although the run's copy was there")

    monkeypatch.setattr(demo, "seed", no_seeding)
    seed_demo(registry=False)
    assert Snapshot.take().rows == seeded.rows


def test_a_copy_pointing_at_a_permission_stays_in_its_process(settings, tmp_path, monkeypatch):
    """Each database numbers its permissions anew after a flush: such a copy is not written for the others."""
    from django.contrib.auth.models import Permission

    from tests import demo_state

    settings.DEBUG = True
    monkeypatch.setattr(demo_state, "SHARED", tmp_path)
    monkeypatch.setattr(demo_state, "_snapshots", {})
    seed = demo.seed

    def seed_with_a_permission(**kwargs):
        seed(**kwargs)
        User.objects.get(username="staff").user_permissions.add(Permission.objects.order_by("pk").first())

    monkeypatch.setattr(demo, "seed", seed_with_a_permission)
    seed_demo(registry=False)
    assert User.objects.get(username="staff").user_permissions.exists()
    assert not list(tmp_path.glob("demo-*.pickle"))
