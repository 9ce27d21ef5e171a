"""A village's part of a town task on its one state table (towntasks/workflow.py), through the services:
every allowed move made, with its event row; every other pair refused with nothing saved; the village's
verbs refused to the town office and the town's to the village; two people at once, one wins."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.towntasks.conftest import issue, target_of, to_state
from towntasks import services, workflow
from towntasks.models import ReportKind, Stage, Task, TaskItem, TaskState, TaskVillage, TaskVillageEvent

pytestmark = pytest.mark.django_db


def snapshot(target: TaskVillage) -> tuple:
    fresh = TaskVillage.objects.get(pk=target.pk)
    return (
        fresh.state,
        fresh.version,
        fresh.signed_at,
        fresh.reported_at,
        fresh.accepted_at,
        fresh.feedback,
        TaskVillageEvent.objects.filter(target=target).count(),
        TaskItem.objects.filter(target=target).count(),
        Task.objects.get(pk=target.task_id).state,
    )


def by_for(target_state: str, staff, town):
    return town if target_state in (Stage.ACCEPTED, Stage.RETURNED) else staff


@pytest.mark.parametrize("source", Stage.values)
def test_every_move_from_each_state(world, staff, town, source):
    for to in Stage.values:
        task = issue(world, town, villages=[world.village])
        target = to_state(target_of(task, world.village), source, staff=staff, town_user=town)
        assert target.state == source
        before = snapshot(target)
        by = by_for(to, staff, town)
        if workflow.is_allowed(source, to):
            moved = services.target_move(target=target, to=to, by=by, note="说明")
            assert moved.state == to and moved.version == target.version + 1
            event = TaskVillageEvent.objects.filter(target=target).last()
            assert (event.from_state, event.to_state, event.by) == (source, to, by)
        else:
            with pytest.raises((ValidationError, PermissionDenied)):
                services.target_move(target=target, to=to, by=by, note="说明")
            assert snapshot(target) == before, (source, to)


def test_the_table_is_the_brief(world):
    assert {
        Stage.ISSUED: {Stage.SIGNED},
        Stage.SIGNED: {Stage.IN_PROGRESS},
        Stage.IN_PROGRESS: {Stage.REPORTED},
        Stage.REPORTED: {Stage.ACCEPTED, Stage.RETURNED},
        Stage.RETURNED: {Stage.IN_PROGRESS},
        Stage.ACCEPTED: set(),
    } == workflow.TRANSITIONS


def test_village_verbs_are_refused_to_the_town_and_town_verbs_to_the_village(world, staff, town, outsider):
    task = issue(world, town, villages=[world.village])
    target = target_of(task, world.village)
    with pytest.raises(PermissionDenied):
        services.target_sign(target=target, by=town)
    with pytest.raises(PermissionDenied):
        services.target_sign(target=target, by=outsider)
    reported = to_state(target, Stage.REPORTED, staff=staff, town_user=town)
    with pytest.raises(PermissionDenied):
        services.target_accept(target=reported, by=staff)
    with pytest.raises(PermissionDenied):
        services.target_return(target=reported, by=staff, note="x")
    assert snapshot(reported)[0] == Stage.REPORTED


def test_a_return_needs_its_reason(world, staff, town):
    target = to_state(target_of(issue(world, town), world.village), Stage.REPORTED, staff=staff, town_user=town)
    before = snapshot(target)
    with pytest.raises(ValidationError) as error:
        services.target_return(target=target, by=town, note="  ")
    assert "note" in error.value.error_dict
    assert snapshot(target) == before


def test_two_at_once_one_wins(world, staff, town):
    target = target_of(issue(world, town), world.village)
    stale = TaskVillage.objects.select_related("task").get(pk=target.pk)
    services.target_sign(target=target, by=staff)
    with pytest.raises(services.TargetChanged):
        services.target_sign(target=stale, by=staff)
    assert TaskVillageEvent.objects.filter(target=target, to_state=Stage.SIGNED).count() == 1


def test_signing_a_checklist_makes_one_item_per_household_to_the_grid_worker(world, staff, town, worker, colleague):
    task = issue(world, town)
    target = services.target_sign(target=target_of(task, world.village), by=staff)
    items = {i.household_id: i for i in TaskItem.objects.filter(target=target)}
    assert set(items) == {world.household1.pk, world.household2.pk}
    assert items[world.household1.pk].worker == worker and items[world.household1.pk].grid == world.grid1
    assert items[world.household2.pk].worker == colleague
    # Another village's part has none until it signs.
    assert not TaskItem.objects.filter(target=target_of(task, world.other_village)).exists()


def test_a_text_task_has_no_items(world, staff, town):
    task = issue(world, town, kind=ReportKind.TEXT)
    target = services.target_sign(target=target_of(task, world.village), by=staff)
    assert not TaskItem.objects.filter(target=target).exists()


def test_accepting_every_village_closes_the_task(world, staff, town, outsider):
    task = issue(world, town)
    to_state(target_of(task, world.village), Stage.ACCEPTED, staff=staff, town_user=town)
    assert Task.objects.get(pk=task.pk).state == TaskState.OPEN
    to_state(target_of(task, world.other_village), Stage.ACCEPTED, staff=outsider, town_user=town)
    assert Task.objects.get(pk=task.pk).state == TaskState.CLOSED


def test_a_figures_report_needs_figures_and_a_photos_report_a_photo(world, staff, town):
    for kind, field in ((ReportKind.FIGURES, "figures"), (ReportKind.PHOTOS, "photos")):
        task = issue(world, town, kind=kind, villages=[world.village])
        target = to_state(target_of(task, world.village), Stage.IN_PROGRESS, staff=staff, town_user=town)
        before = snapshot(target)
        with pytest.raises(ValidationError) as error:
            services.target_report(target=target, by=staff, feedback="已完成")
        assert field in error.value.error_dict
        assert snapshot(target) == before
    moved = services.target_report(
        target=target_of(Task.objects.filter(report_kind=ReportKind.FIGURES).get(), world.village),
        by=staff,
        feedback="已完成",
        figures=services.parse_figures("排查户数：312\n发现问题=2"),
    )
    assert moved.figures == [["排查户数", "312"], ["发现问题", "2"]]


def test_figures_lines_must_name_a_value(world):
    with pytest.raises(ValidationError):
        services.parse_figures("排查户数 312")


def test_a_task_goes_only_to_the_towns_villages(world, town, staff):
    from grids.models import Town, Village

    elsewhere = Village.objects.create(town=Town.objects.create(name="别镇"), name="外村")
    with pytest.raises(ValidationError) as error:
        issue(world, town, villages=[world.village, elsewhere])
    assert "villages" in error.value.error_dict
    with pytest.raises(PermissionDenied):
        issue(world, staff)
    assert not Task.objects.exists()
