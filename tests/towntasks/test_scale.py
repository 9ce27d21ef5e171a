"""Town tasks in a generated county (tooling/scale/towntasks.py): each town's tasks, a part of its villages
each, and the 秸秆禁烧 check to all of them; every village's part with one event per move and a version that
counts them; a checklist village that signed has one item per household, to its grid's worker, ticked as far
as its state says."""

from __future__ import annotations

import pytest
from django.db.models import Count, OuterRef, Subquery

from grids.models import Village
from residents.models import Household
from tests.tooling.test_generate_scale import SIZE, _generate
from tooling import scale
from tooling.demo.towntasks import STRAW_TITLE
from towntasks import selectors, workflow
from towntasks.models import ItemState, Stage, Task, TaskItem, TaskVillage, TaskVillageEvent


@pytest.fixture
def town(db):
    _generate()
    return scale.generated_towns(SIZE).get()


def test_town_tasks_in_a_generated_county(town):
    tasks = Task.objects.filter(town=town)
    assert tasks.count() == 4
    straw = tasks.get(title=STRAW_TITLE)
    villages = Village.objects.filter(town=town)
    assert straw.targets.count() == villages.count()
    for target in TaskVillage.objects.filter(task__town=town).annotate(n=Count("events")):
        assert target.n == target.version  # issued, then one per move
        moves = list(target.events.order_by("at", "pk").values_list("from_state", "to_state"))
        assert moves[0] == ("", Stage.ISSUED)
        assert all(workflow.is_allowed(a, b) for a, b in moves[1:])
        assert moves[-1][1] == target.state
    for target in straw.targets.all():
        items = TaskItem.objects.filter(target=target)
        progress = selectors.item_progress([target.pk]).get(target.pk, selectors.Progress())
        if target.state == Stage.ISSUED:
            assert progress.total == 0
            continue
        assert progress.total == Household.objects.filter(village=target.village).count()
        if target.state == Stage.SIGNED:
            assert progress.ticked == 0
        if target.state in (Stage.REPORTED, Stage.ACCEPTED):
            assert progress.ticked == progress.total
        assert not items.exclude(
            grid=Subquery(Household.objects.filter(pk=OuterRef("household_id")).values("grid")[:1])
        ).exists()
        ticked = items.exclude(state=ItemState.OPEN)
        assert not ticked.filter(done_by__isnull=True).exists()
    assert TaskVillageEvent.objects.filter(target__task__town=town).exists()
