"""seed_demo reproduces both demo villages (docs/sources.md [S1], [S2]) exactly, and a second run changes nothing."""

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.test import RequestFactory

from audit import trail
from grids.models import (
    Assignment,
    Grid,
    MicroGrid,
    NaturalVillage,
    Role,
    ServiceFacility,
    Town,
    User,
    Village,
    VillageHonour,
    VillageIncome,
    VillagerGroup,
)
from people.models import GoodPractice, HealthCheck, Training, WorkerInsurance
from tooling import demo


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label == "grids"}


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True  # as `make run` serves it: the demo accounts keep the shared demo password
    demo.seed(registry=False)  # the territory; the registry's figures are checked in tests/residents


def test_village_a_matches_seed_000(seeded):
    village = Village.objects.get(name=demo.VILLAGE_A)
    assert str(village.area_km2) == "10.20"
    assert village.natural_villages.count() == 32
    assert village.villager_groups.count() == 69
    assert village.grids.count() == 6
    micro_grids = MicroGrid.objects.filter(grid__village=village)
    assert micro_grids.count() == 22
    liaisons = Assignment.objects.current().filter(role=Role.LIAISON, micro_grid__grid__village=village)
    assert liaisons.count() == 22
    assert liaisons.values("user").distinct().count() == 22
    assert liaisons.values("micro_grid").distinct().count() == 22  # one per micro-grid
    assert Assignment.objects.current().filter(role=Role.GRID_WORKER, grid__village=village).count() == 6


def test_village_b_matches_seed_003(seeded):
    village = Village.objects.get(name=demo.VILLAGE_B)
    assert village.grids.count() == 2
    assert village.villager_groups.count() == 9
    workers = Assignment.objects.current().filter(role=Role.GRID_WORKER, grid__village=village)
    assert workers.count() == 2
    officers = Assignment.objects.current().filter(role=Role.INFO_OFFICER, villager_group__village=village)
    assert officers.count() == 9
    assert officers.values("villager_group").distinct().count() == 9  # each group head, one per group


def test_one_town_and_the_demo_accounts(seeded, settings):
    assert Town.objects.count() == 1
    town = Town.objects.get()
    assert set(town.villages.values_list("name", flat=True)) == {demo.VILLAGE_A, demo.VILLAGE_B}
    a, b = Village.objects.get(name=demo.VILLAGE_A), Village.objects.get(name=demo.VILLAGE_B)
    current = Assignment.objects.current()
    assert current.get(user__username="town").town == town
    assert current.get(user__username="staff").village == a
    assert current.get(user__username="staff_b").village == b
    worker_grid = current.get(user__username="worker").grid
    assert (worker_grid.village, worker_grid.number) == (a, 1)
    assert User.objects.get(username="admin").is_superuser
    for username in ["admin", "town", "staff", "staff_b", "worker"]:
        request = RequestFactory().post("/accounts/login/")  # the lockout backend wants the request
        assert authenticate(request, username=username, password=settings.DEMO_PASSWORD) is not None, username


def test_second_run_changes_nothing(seeded):
    before = _row_counts()
    snapshot = sorted(Grid.objects.values_list("pk", "village_id", "name", "number"))
    demo.seed(registry=False)
    assert _row_counts() == before
    assert sorted(Grid.objects.values_list("pk", "village_id", "name", "number")) == snapshot


def test_same_data_every_run(db):
    """Deterministic: a fresh run on an empty database gives the same people, names and places."""

    def fingerprint():
        return sorted(
            Assignment.objects.values_list(
                "user__username", "user__full_name", "role", "grid__name", "micro_grid__name", "villager_group__name"
            )
        )

    demo.seed(registry=False)
    first = fingerprint()
    with trail.suspended():  # clearing the table between runs is not anyone's action
        profile = [VillageIncome, VillageHonour, ServiceFacility]
        care = [WorkerInsurance, HealthCheck, Training, GoodPractice]
        from disputes.models import Department, DepartmentMember

        for model in [
            *care,
            DepartmentMember,
            Assignment,
            User,
            MicroGrid,
            Grid,
            *[VillagerGroup, NaturalVillage],
            *profile,
            Village,
            Department,
            Town,
        ]:
            model.objects.all().delete()
    assert not Assignment.objects.exists()
    demo.seed(registry=False)
    assert fingerprint() == first


@pytest.mark.parametrize(
    ("username", "home"),
    [
        ("admin", lambda: "/admin/"),
        ("town", lambda: "/town/"),
        ("dept", lambda: "/department/cases/"),
        ("staff", lambda: f"/villages/{Village.objects.get(name=demo.VILLAGE_A).pk}/"),
        ("staff_b", lambda: f"/villages/{Village.objects.get(name=demo.VILLAGE_B).pk}/"),
        ("worker", lambda: "/field/"),
        ("b_info3", lambda: "/field/"),
        ("a_liaison07", lambda: "/field/"),
    ],
)
def test_every_demo_account_logs_in_to_its_home(seeded, client, settings, username, home):
    response = client.post("/accounts/login/", {"username": username, "password": settings.DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == home()
    assert response.status_code == 200
