"""seed_demo's cases: a year of them in both villages, in every state, some overdue, some at the town,
with mediation sessions; a second run adds nothing."""

import datetime
import itertools

import pytest
from django.db.models import Min
from django.utils import timezone

from disputes import deadlines
from disputes.models import Case, CaseEvent, Kind, MediationSession, Mediator, Policy, State, Tier
from tests.demo_state import seed_demo
from tooling import demo


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True  # the demo as `make run` serves it: the run's one copy (tests/demo_state.py)
    seed_demo()


def test_demo_cases(seeded):
    """One test, one seeding (it takes seconds): the year, the states, the timelines, idempotence."""
    _cover_the_year_every_kind_and_both_villages()
    _every_state_and_tier_some_overdue_some_at_the_town()
    _a_second_run_adds_nothing()


def _cover_the_year_every_kind_and_both_villages():
    first = Case.objects.aggregate(first=Min("reported_at"))["first"]
    assert timezone.now() - first > datetime.timedelta(days=300)
    assert set(Case.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert set(Case.objects.values_list("village__name", flat=True)) == {demo.VILLAGE_A, demo.VILLAGE_B}


def _every_state_and_tier_some_overdue_some_at_the_town():
    states = set(Case.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert set(Case.objects.values_list("tier", flat=True)) == {1, 2, 3}
    assert Case.objects.filter(state=State.ESCALATED, tier=Tier.TOWN).exists()  # on the town's desk
    assert deadlines.overdue(Case.objects.all(), Policy.current()).count() >= 5
    assert MediationSession.objects.count() >= 10
    assert Mediator.objects.filter(village__name=demo.VILLAGE_A).count() == 8
    # Every case's timeline starts with its report, and the states on it chain up.
    for case in Case.objects.prefetch_related("events")[:40]:
        events = list(case.events.all())
        assert events[0].action == "report"
        moves = [e for e in events if e.from_state != e.to_state]
        assert all(a.to_state == b.from_state for a, b in itertools.pairwise(moves))
        assert moves[-1].to_state == case.state


def _a_second_run_adds_nothing():
    before = (Case.objects.count(), CaseEvent.objects.count())
    demo.seed()
    assert (Case.objects.count(), CaseEvent.objects.count()) == before
