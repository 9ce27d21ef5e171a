"""What town tasks tell the villages (docs/towntasks.md), through ``messaging.services.deliver``: each
message claimed once per (person, kind, village's part), so a retried or doubled run sends nothing twice.

- ``issued``: when a task is handed down, each targeted village's staff (inbox, e-mail, SMS);
- ``send_due``: ``REMIND_DAYS_BEFORE`` days before the deadline (and up to the deadline itself), the staff of
  each village that has not reported yet; once reported, or after the deadline, nothing is sent.
"""

from __future__ import annotations

import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Assignment, Role
from messaging.services import Message, deliver

from .models import OPEN_STAGES, REMIND_DAYS_BEFORE, Stage, TaskVillage

KIND_ISSUED = "towntask_new"
KIND_DUE = "towntask_due"


def _link(target: TaskVillage) -> str:
    try:
        return reverse("towntasks:target-detail", args=[target.pk])
    except NoReverseMatch:  # the pages are not served here: the inbox message stands alone
        return ""


def _staff(village_ids: set[int]) -> dict[int, list]:
    rows = (
        Assignment.objects.current()
        .filter(role=Role.VILLAGE_STAFF, village_id__in=sorted(village_ids), user__is_active=True)
        .select_related("user")
        .order_by("village_id", "user_id")
    )
    staff: dict[int, list] = {}
    for a in rows:
        if a.user not in staff.setdefault(a.village_id, []):
            staff[a.village_id].append(a.user)
    return staff


def _send(kind: str, targets: list[TaskVillage], text_of) -> int:
    staff = _staff({t.village_id for t in targets})
    sent = 0
    for target in targets:
        for user in staff.get(target.village_id, []):
            sent += deliver(kind, str(target.pk), Message(user, text_of(target), _link(target), _("镇交办任务")))
    return sent


def issued(task_id: int) -> int:
    """Each targeted village's staff: a task was handed down (those still issued, not yet signed)."""
    targets = list(TaskVillage.objects.filter(task_id=task_id, state=Stage.ISSUED).select_related("task"))
    return _send(
        KIND_ISSUED,
        targets,
        lambda t: (
            _("镇里交办了任务“%(title)s”，请在 %(due)s 前办结并反馈，先在平台签收。")
            % {"title": t.task.title, "due": f"{t.task.deadline:%m月%d日}"}
        ),
    )


def due_targets(today: datetime.date) -> list[TaskVillage]:
    """The villages' parts not yet reported whose deadline is within ``REMIND_DAYS_BEFORE`` days."""
    return list(
        TaskVillage.objects.filter(
            state__in=OPEN_STAGES,
            task__deadline__gte=today,
            task__deadline__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("task")
        .order_by("task__deadline", "pk")
    )


def send_due(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return _send(
        KIND_DUE,
        due_targets(today),
        lambda t: (
            _("镇交办任务“%(title)s”将于 %(due)s 到期，本村还没有反馈，请抓紧办理。")
            % {"title": t.task.title, "due": f"{t.task.deadline:%m月%d日}"}
        ),
    )
