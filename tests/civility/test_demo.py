"""The demo's 德治/法治 tells seed 003's story (tooling/demo/civility.py; docs/sources.md): eight 法律明白人, four
volunteer teams, this year's activities at the seed's counts, 20-odd model people and households with points,
a shelf and a ledger whose balances equal its entries; 新庄村 a smaller set. A second run adds nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import Count, Sum
from django.utils import timezone

from civility.models import (
    Activity,
    ActivityKind,
    EntryKind,
    LegalAdvisor,
    ModelSelection,
    PointsAccount,
    PointsEntry,
    StockItem,
    Volunteer,
    VolunteerTeam,
)
from grids.models import Village
from tests.demo_state import seed_demo
from tooling import demo
from tooling.demo import civility as civ_demo


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True  # the demo as `make run` serves it: the run's one copy (tests/demo_state.py)
    seed_demo()


def test_eight_legal_advisors_one_on_the_mediation_team(seeded):
    b = Village.objects.get(name=demo.VILLAGE_B)
    advisors = LegalAdvisor.objects.filter(village=b, archived_at=None)
    assert advisors.count() == 8
    assert all(a.resident.village_id == b.pk for a in advisors)
    assert {a.trained_by for a in advisors} == {"县司法局", "镇司法所"}
    if apps.get_model("disputes", "Mediator").objects.filter(village=b, type="legal_aware").exists():
        assert advisors.filter(mediator__isnull=False).count() == 1


def test_four_teams_with_members(seeded):
    b = Village.objects.get(name=demo.VILLAGE_B)
    teams = VolunteerTeam.objects.filter(village=b)
    assert {t.focus for t in teams} == {"政策宣讲", "学法用法", "环境整治", "学雷锋"}
    assert all(Volunteer.objects.current().filter(team=t).exists() for t in teams)


def test_this_years_activities_at_the_seeds_counts(seeded):
    b = Village.objects.get(name=demo.VILLAGE_B)
    today = timezone.localdate()
    activities = Activity.objects.filter(village=b)
    assert not activities.filter(held_on__gt=today).exists()
    counts = dict(activities.values_list("kind").annotate(n=Count("pk")))
    assert counts[ActivityKind.LEGAL] == 20
    assert counts[ActivityKind.TALK] == 17
    assert counts[ActivityKind.CIVILISATION] == 45
    assert counts[ActivityKind.YOUTH] == 20
    assert counts[ActivityKind.CLEANUP] > 20
    youth = activities.filter(kind=ActivityKind.YOUTH).aggregate(n=Sum("participants"))["n"]
    assert youth == 86
    assert activities.get(kind=ActivityKind.CARE).beneficiaries == 26
    training = activities.get(kind=ActivityKind.TRAINING)
    assert training.participants == 48 == training.beneficiaries


def test_model_people_and_households_with_points(seeded):
    b = Village.objects.get(name=demo.VILLAGE_B)
    selections = ModelSelection.objects.filter(village=b)
    assert selections.count() > 20
    assert {"neighbour", "daughter_in_law", "mother_in_law", "beautiful"} <= {s.honour for s in selections}
    assert PointsEntry.objects.filter(account__village=b, kind=EntryKind.SELECTION).count() == selections.count()


def test_the_ledger_adds_up(seeded):
    b = Village.objects.get(name=demo.VILLAGE_B)
    assert StockItem.objects.filter(village=b, stock__gt=0).exists()
    assert PointsEntry.objects.filter(account__village=b, kind=EntryKind.REDEMPTION).exists()
    for account in PointsAccount.objects.annotate(total=Sum("entries__points")):
        assert account.balance == account.total >= 0


def test_the_other_village_has_a_smaller_set(seeded):
    a = Village.objects.get(name=demo.VILLAGE_A)
    b = Village.objects.get(name=demo.VILLAGE_B)
    assert 0 < Activity.objects.filter(village=a).count() < Activity.objects.filter(village=b).count()
    assert 0 < ModelSelection.objects.filter(village=a).count() < ModelSelection.objects.filter(village=b).count()
    assert LegalAdvisor.objects.filter(village=a).exists()


def test_a_second_run_adds_nothing(seeded):
    before = (Activity.objects.count(), ModelSelection.objects.count(), PointsEntry.objects.count())
    civ_demo.seed_civility()
    assert (Activity.objects.count(), ModelSelection.objects.count(), PointsEntry.objects.count()) == before
