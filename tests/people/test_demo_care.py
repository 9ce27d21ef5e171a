"""The demo's grid-worker care tells seed 000's story (tooling/demo/care.py): every current grid worker of the
demo villages insured this year and checked this year, a town training attended by all and one training per
village; 新庄村 reported a method and a case this year, one adopted. A second run adds nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from grids.models import Village
from messaging.models import Notice
from people import services
from people.models import GoodPractice, HealthCheck, PracticeKind, PracticeStatus, Training, WorkerInsurance
from tests.demo_state import seed_demo
from tooling import demo
from tooling.demo import care as care_demo


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True  # the demo as `make run` serves it: the run's one copy (tests/demo_state.py)
    seed_demo()


def _villages():
    return list(Village.objects.filter(name__in=[demo.VILLAGE_A, demo.VILLAGE_B]))


def test_every_worker_insured_and_checked_this_year(seeded):
    today = timezone.localdate()
    for village in _villages():
        workers = list(services.current_workers(village=village))
        assert workers, village
        for w in workers:
            assert WorkerInsurance.objects.filter(worker=w, starts_on__lte=today, ends_on__gte=today).exists()
            check = HealthCheck.objects.get(worker=w, checked_on__year=today.year)
            assert check.checked_on <= today


def test_town_training_attended_by_all_and_one_per_village(seeded):
    year = timezone.localdate().year
    villages = _villages()
    town = villages[0].town
    held = Training.objects.get(town=town, village=None, held_on__year=year)
    all_workers = set(services.current_workers(town=town))
    assert set(held.attendees.all()) == all_workers
    for village in villages:
        own = Training.objects.get(village=village, held_on__year=year)
        assert set(own.attendees.all()) == set(services.current_workers(village=village))


def test_village_a_reported_two_one_adopted(seeded):
    a = Village.objects.get(name=demo.VILLAGE_A)
    practices = GoodPractice.objects.filter(village=a, reported_on__year=timezone.localdate().year)
    assert sorted(practices.values_list("kind", flat=True)) == sorted([PracticeKind.CASE, PracticeKind.METHOD])
    assert practices.filter(status=PracticeStatus.ADOPTED).count() == 1
    adopted = practices.get(status=PracticeStatus.ADOPTED)
    assert Notice.objects.filter(key=f"practice-{adopted.pk}-adopted").exists()


def test_second_run_adds_nothing(seeded):
    counts = [m.objects.count() for m in (WorkerInsurance, HealthCheck, Training, GoodPractice)]
    care_demo.seed_care()
    assert [m.objects.count() for m in (WorkerInsurance, HealthCheck, Training, GoodPractice)] == counts
