"""Town tasks in the test world: a task handed down by the town office, moved to a state through the verbs."""

from __future__ import annotations

import datetime

from django.utils import timezone

from towntasks import services
from towntasks.models import ReportKind, Stage, Task, TaskVillage


def issue(world, town_user, *, kind: str = ReportKind.CHECKLIST, villages=None, title: str = "秸秆禁烧巡查", days=10):
    return services.task_issue(
        by=town_user,
        town=world.town,
        title=title,
        instructions="逐户宣传秸秆禁烧，查看房前屋后有无秸秆堆放。",
        deadline=timezone.localdate() + datetime.timedelta(days=days),
        report_kind=kind,
        villages=villages if villages is not None else [world.village, world.other_village],
    )


def target_of(task: Task, village) -> TaskVillage:
    return TaskVillage.objects.select_related("task", "village").get(task=task, village=village)


def to_state(target: TaskVillage, state: str, *, staff, town_user) -> TaskVillage:
    """Bring a village's part to ``state`` along the shortest way (returned: reported, then sent back)."""
    path = {
        Stage.ISSUED: [],
        Stage.SIGNED: [Stage.SIGNED],
        Stage.IN_PROGRESS: [Stage.SIGNED, Stage.IN_PROGRESS],
        Stage.REPORTED: [Stage.SIGNED, Stage.IN_PROGRESS, Stage.REPORTED],
        Stage.ACCEPTED: [Stage.SIGNED, Stage.IN_PROGRESS, Stage.REPORTED, Stage.ACCEPTED],
        Stage.RETURNED: [Stage.SIGNED, Stage.IN_PROGRESS, Stage.REPORTED, Stage.RETURNED],
    }[state]
    for step in path:
        by = town_user if step in (Stage.ACCEPTED, Stage.RETURNED) else staff
        target = services.target_move(target=target, to=step, by=by, note="退回：请补充照片。")
    return target
