"""The demo's town tasks (tooling/demo/towntasks.py): a 秸秆禁烧 check from the demo town to all its villages,
household by household — 河西村 started with a part of each grid ticked by that grid's worker, 新庄村 signed —
and an 人居环境整治 figures task reported and accepted. A second run adds nothing."""

from __future__ import annotations

import pytest

from grids.models import Town, Village
from tests.demo_state import seed_demo
from tooling.demo import towntasks as demo
from towntasks import selectors
from towntasks.models import ItemState, Stage, Task, TaskItem, TaskState, TaskVillage


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True  # the demo as `make run` serves it: the run's one copy (tests/demo_state.py)
    seed_demo()


def test_the_straw_check_went_to_every_village_and_is_under_way(seeded):
    town = Town.objects.get()
    task = Task.objects.get(town=town, title=demo.STRAW_TITLE)
    assert TaskVillage.objects.filter(task=task).count() == Village.objects.filter(town=town, archived_at=None).count()
    started = TaskVillage.objects.get(task=task, village__name=demo.STARTED_VILLAGE)
    signed = TaskVillage.objects.get(task=task, village__name=demo.SIGNED_VILLAGE)
    assert (started.state, signed.state) == (Stage.IN_PROGRESS, Stage.SIGNED)
    progress = selectors.item_progress([started.pk])[started.pk]
    assert 0 < progress.ticked < progress.total
    assert progress.total == started.village.households.filter(archived_at=None).count()
    assert progress.not_applicable > 0
    ticked = TaskItem.objects.filter(target=started).exclude(state=ItemState.OPEN)
    assert (
        not ticked.exclude(done_by_id=TaskItem.objects.filter(pk=ticked.first().pk).values("worker_id")[:1])
        .filter(grid=ticked.first().grid)
        .exists()
    )


def test_the_cleanup_report_was_accepted(seeded):
    task = Task.objects.get(title=demo.CLEANUP_TITLE)
    target = task.targets.get()
    assert (task.state, target.state) == (TaskState.CLOSED, Stage.ACCEPTED)
    assert ["整治坑塘（处）", "2"] in target.figures


def test_a_second_run_adds_nothing(seeded):
    before = (Task.objects.count(), TaskItem.objects.count())
    demo.seed_towntasks()
    assert (Task.objects.count(), TaskItem.objects.count()) == before
