"""Composed reads of town tasks for pages (docs/towntasks.md): a task's progress per village, the deadline's
colour, and what a grid worker has to tick — ``open_items_for`` is what the phone's work list shows beside
the month's visits (visits/views.py), ``open_items_for_household`` what the visit page offers. Each is one
query whatever the number of rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access

from .models import FIELD_STAGES, OPEN_STAGES, ItemState, Stage, Task, TaskItem, TaskVillage

# The colours of the cases' deadlines (static/css/app.css: deadline-green … deadline-red), on the share of
# the time from issue to deadline that is left.
YELLOW_PERCENT = 50
ORANGE_PERCENT = 20


@dataclass(frozen=True)
class Deadline:
    issued: datetime.date
    due: datetime.date
    today: datetime.date

    @property
    def overdue(self) -> bool:
        return self.today > self.due

    @property
    def days_left(self) -> int:
        return (self.due - self.today).days

    @property
    def colour(self) -> str:
        if self.overdue:
            return "red"
        total = max((self.due - self.issued).days, 1)
        share = 100 * self.days_left / total
        if share <= ORANGE_PERCENT:
            return "orange"
        if share <= YELLOW_PERCENT:
            return "yellow"
        return "green"

    @property
    def text(self) -> str:
        if self.overdue:
            return _("超期 %(n)d 天") % {"n": -self.days_left}
        if self.days_left == 0:
            return _("今天到期")
        return _("剩余 %(n)d 天") % {"n": self.days_left}


def deadline_of(task: Task, state: str | None = None, today: datetime.date | None = None) -> Deadline | None:
    """The clock of a village's part (or of the task): none once reported or accepted."""
    if state is not None and state not in OPEN_STAGES:
        return None
    return Deadline(timezone.localtime(task.created_at).date(), task.deadline, today or timezone.localdate())


@dataclass
class Progress:
    total: int = 0
    done: int = 0
    not_applicable: int = 0

    @property
    def ticked(self) -> int:
        return self.done + self.not_applicable

    @property
    def percent(self) -> int:
        return round(100 * self.ticked / self.total) if self.total else 0


def item_progress(target_ids: list[int]) -> dict[int, Progress]:
    """Items per village's part: total, done, not applicable (one grouped query)."""
    if not target_ids:
        return {}
    rows = (
        TaskItem.objects.filter(target_id__in=target_ids)
        .values("target_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(state=ItemState.DONE)),
            na=Count("pk", filter=Q(state=ItemState.NOT_APPLICABLE)),
        )
        .order_by()
    )
    return {r["target_id"]: Progress(r["total"], r["done"], r["na"]) for r in rows}


def task_targets(task: Task, today: datetime.date | None = None) -> list[TaskVillage]:
    """The task's villages with their state, deadline colour and items ticked/total (two queries)."""
    targets = list(task.targets.select_related("village").order_by("village__name", "pk"))
    progress = item_progress([t.pk for t in targets])
    for t in targets:
        t.progress = progress.get(t.pk, Progress())
        t.deadline = deadline_of(task, t.state, today)
    return targets


def task_summary(targets: list[TaskVillage]) -> dict:
    by_state = dict.fromkeys(Stage.values, 0)
    for t in targets:
        by_state[t.state] += 1
    total = sum(t.progress.total for t in targets)
    ticked = sum(t.progress.ticked for t in targets)
    return {
        "villages": len(targets),
        "by_state": [(Stage(s).label, n) for s, n in by_state.items() if n],
        "reported": by_state[Stage.REPORTED] + by_state[Stage.ACCEPTED],
        "accepted": by_state[Stage.ACCEPTED],
        "items_total": total,
        "items_ticked": ticked,
        "percent": round(100 * ticked / total) if total else 0,
    }


def task_counts(queryset):
    """The town's list: each task with its villages, reported and accepted counts (subqueries, one query)."""
    return queryset.annotate(
        villages=Count("targets", distinct=True),
        reported=Count("targets", filter=Q(targets__state__in=[Stage.REPORTED, Stage.ACCEPTED]), distinct=True),
        accepted=Count("targets", filter=Q(targets__state=Stage.ACCEPTED), distinct=True),
    )


@dataclass(frozen=True)
class OpenTask:
    """One task on a grid worker's phone: how many of their households are still to tick."""

    target_id: int
    title: str
    deadline: datetime.date
    open: int
    total: int

    @property
    def overdue(self) -> bool:
        return self.deadline < timezone.localdate()


def open_items_for(user) -> list[OpenTask]:
    """The tasks with households to tick in the user's current grids (in progress at the village), most
    urgent first; empty for anyone who works no grid. One grouped query."""
    grid_ids = sorted(access.scope_for(user).grid_ids)
    if not grid_ids:
        return []
    rows = (
        TaskItem.objects.filter(grid_id__in=grid_ids, target__state__in=FIELD_STAGES)
        .values("target_id", "target__task__title", "target__task__deadline")
        .annotate(open=Count("pk", filter=Q(state=ItemState.OPEN)), total=Count("pk"))
        .filter(open__gt=0)
        .order_by("target__task__deadline", "target_id")
    )
    return [
        OpenTask(r["target_id"], r["target__task__title"], r["target__task__deadline"], r["open"], r["total"])
        for r in rows
    ]


def open_items_for_household(user, household_id: int) -> list[TaskItem]:
    """The household's items the user may tick now: the visit page offers them, so one stop does both."""
    return list(
        TaskItem.objects.visible_to(user)
        .filter(household_id=household_id, state=ItemState.OPEN, target__state__in=FIELD_STAGES)
        .select_related("target__task")
        .order_by("target__task__deadline", "pk")
    )


def worker_items(user, target_id: int):
    """A village's part's items in the user's reach (a worker: their current grids), for the checklist."""
    return TaskItem.objects.visible_to(user).filter(target_id=target_id)


def item_counts(items) -> Progress:
    """Totals of a set of items (one aggregate query)."""
    row = items.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(state=ItemState.DONE)),
        na=Count("pk", filter=Q(state=ItemState.NOT_APPLICABLE)),
    )
    return Progress(row["total"], row["done"], row["na"])


def grid_progress(target: TaskVillage) -> list[dict]:
    """Per grid of the village: items ticked/total and the worker named (one grouped query)."""
    rows = (
        TaskItem.objects.filter(target=target)
        .values("grid_id", "grid__name", "worker__full_name")
        .annotate(
            total=Count("pk"),
            ticked=Count("pk", filter=~Q(state=ItemState.OPEN)),
        )
        .order_by("grid__name", "grid_id")
    )
    merged: dict[int, dict] = {}
    for r in rows:
        row = merged.setdefault(r["grid_id"], {"grid": r["grid__name"], "workers": [], "total": 0, "ticked": 0})
        row["total"] += r["total"]
        row["ticked"] += r["ticked"]
        if r["worker__full_name"] and r["worker__full_name"] not in row["workers"]:
            row["workers"].append(r["worker__full_name"])
    return list(merged.values())
