"""Town tasks in a generated county (docs/towntasks.md), in the demo's shape (``tooling.demo.towntasks``): each
town hands down a few tasks over the last months — text and figures tasks to a part of its villages, and a
秸秆禁烧 household check to all of them — and each village's part stands somewhere on the state table, with
its event rows (one per move) and its version. A checklist village that has signed has one item per household,
to its grid's worker, ticked as far as its state says (all once reported, a part while in progress). Rows go
through the writer (COPY), like the rest of the run.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from tooling.demo.towntasks import CLEANUP_TITLE, STRAW_TEXT, STRAW_TITLE
from towntasks.models import ItemState, ReportKind, Stage, Task, TaskItem, TaskState, TaskVillage, TaskVillageEvent

from .activity import Calendar
from .territory import County, TownPlan
from .writer import Writer

# Where a village's part stands, and the moves that brought it there.
PATHS = {
    Stage.ISSUED: [],
    Stage.SIGNED: [Stage.SIGNED],
    Stage.IN_PROGRESS: [Stage.SIGNED, Stage.IN_PROGRESS],
    Stage.REPORTED: [Stage.SIGNED, Stage.IN_PROGRESS, Stage.REPORTED],
    Stage.ACCEPTED: [Stage.SIGNED, Stage.IN_PROGRESS, Stage.REPORTED, Stage.ACCEPTED],
}
OLD_TASKS = [  # title, kind, days ago issued, days given
    (CLEANUP_TITLE, ReportKind.FIGURES, 70, 20),
    ("防汛隐患排查情况报送", ReportKind.TEXT, 40, 15),
    ("冬季森林防火宣传", ReportKind.PHOTOS, 25, 20),
]
NOT_APPLICABLE_EVERY = 15


class TownTasks:
    def __init__(self, writer: Writer, rng: random.Random, calendar: Calendar):
        self.rng, self.cal = rng, calendar
        self.tasks_t = writer.table(
            Task,
            [
                "id",
                "town_id",
                "title",
                "instructions",
                "deadline",
                "report_kind",
                "state",
                "created_by_id",
                "created_at",
            ],
        )
        self.targets_t = writer.table(
            TaskVillage,
            [
                "id",
                "task_id",
                "village_id",
                "state",
                "version",
                "signed_at",
                "reported_at",
                "accepted_at",
                "feedback",
                "updated_at",
            ],
        )
        self.events_t = writer.table(TaskVillageEvent, ["target_id", "from_state", "to_state", "note", "by_id", "at"])
        self.items_t = writer.table(
            TaskItem, ["target_id", "household_id", "grid_id", "worker_id", "state", "note", "done_by_id", "done_at"]
        )

    def build(self, county: County, tick: Callable[[int], None]) -> None:
        n = 0
        for town in county.towns:
            self._town(town)
            n += len(town.villages)
            tick(n)

    def _at(self, days_ago: float) -> datetime.datetime:
        return min(self.cal.now - datetime.timedelta(days=days_ago), self.cal.now)

    def _town(self, town: TownPlan) -> None:
        rng = self.rng
        villages = [v for v in town.villages if v.staff_id]
        if not villages or not town.office_id:
            return
        for title, kind, ago, given in OLD_TASKS:
            chosen = rng.sample(villages, max(1, len(villages) // 2))
            states = [rng.choice([Stage.ACCEPTED, Stage.ACCEPTED, Stage.ACCEPTED, Stage.REPORTED]) for _ in chosen]
            self._task(
                town, title, "按镇里部署办理并按时反馈。", kind, ago, given, list(zip(chosen, states, strict=True))
            )
        # The 秸秆禁烧 check to all villages, under way.
        spread = [
            Stage.ISSUED,
            Stage.SIGNED,
            Stage.IN_PROGRESS,
            Stage.IN_PROGRESS,
            Stage.IN_PROGRESS,
            Stage.REPORTED,
            Stage.ACCEPTED,
        ]
        states = [rng.choice(spread) for _ in villages]
        self._task(town, STRAW_TITLE, STRAW_TEXT, ReportKind.CHECKLIST, 6, 14, list(zip(villages, states, strict=True)))

    def _task(self, town, title, text, kind, ago, given, targets) -> None:
        task_id = self.tasks_t.new_id()
        issued = self._at(ago)
        deadline = (issued + datetime.timedelta(days=given)).date()
        closed = all(state == Stage.ACCEPTED for _v, state in targets)
        self.tasks_t.add(
            (
                task_id,
                town.id,
                title,
                text,
                deadline,
                kind,
                TaskState.CLOSED if closed else TaskState.OPEN,
                town.office_id,
                issued,
            )
        )
        for village, state in targets:
            self._target(town, task_id, village, state, kind, issued, ago)

    def _target(self, town, task_id, village, state, kind, issued, ago) -> None:
        rng = self.rng
        target_id = self.targets_t.new_id()
        path = PATHS[state]
        times = {Stage.ISSUED: issued}
        step = max(ago / (len(path) + 1), 0.05)
        for i, s in enumerate(path, start=1):
            times[s] = self._at(ago - step * i)
        self.targets_t.add(
            (
                target_id,
                task_id,
                village.id,
                state,
                len(path) + 1,
                times.get(Stage.SIGNED),
                times.get(Stage.REPORTED),
                times.get(Stage.ACCEPTED),
                "已按要求办理完毕。" if Stage.REPORTED in times else "",
                times[path[-1]] if path else issued,
            )
        )
        self.events_t.add((target_id, "", Stage.ISSUED, "", town.office_id, issued))
        before = Stage.ISSUED
        for s in path:
            by = town.office_id if s == Stage.ACCEPTED else village.staff_id
            self.events_t.add((target_id, before, s, "", by, times[s]))
            before = s
        if kind != ReportKind.CHECKLIST or state == Stage.ISSUED:
            return
        share = {Stage.SIGNED: 0.0, Stage.IN_PROGRESS: rng.uniform(0.2, 0.8)}.get(state, 1.0)
        for grid in village.grids:
            worker = grid.worker_id or None
            cut = int(len(grid.households) * share)
            for n, h in enumerate(grid.households):
                if n < cut and worker:
                    na = n % NOT_APPLICABLE_EVERY == NOT_APPLICABLE_EVERY - 1
                    self.items_t.add(
                        (
                            target_id,
                            h.id,
                            grid.id,
                            worker,
                            ItemState.NOT_APPLICABLE if na else ItemState.DONE,
                            "常年无人居住" if na else "",
                            worker,
                            self._at(rng.uniform(0, 5)),
                        )
                    )
                else:
                    self.items_t.add((target_id, h.id, grid.id, worker, ItemState.OPEN, "", None, None))
