"""Demo town tasks (docs/towntasks.md), as the seeds tell them (docs/sources.md): seed 000 names the town's
campaigns — 秸秆禁烧, 人居环境整治 — in which the village's members go door to door, and seed 003 the 任务分办
and the grid duty “主管部门交办的其他事项”.

The demo town hands a 秸秆禁烧 check down to all its villages, household by household: 河西村 has signed and
started it, and its grid workers have ticked a part of their households (a few “不适用”, with the reason);
新庄村 has signed it; any other village has it still to sign. An 人居环境整治 figures task from earlier is
reported and accepted by 河西村. Every date is relative to today. Idempotent: a town that has tasks is left
as it is."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from grids.models import Assignment, Role, Town, User
from towntasks import services
from towntasks.models import ItemState, ReportKind, Task, TaskItem, TaskVillage

STRAW_TITLE = "秸秆禁烧逐户排查"
STRAW_TEXT = (
    "按照镇秸秆禁烧工作部署，各村组织网格员逐户上门：宣传秸秆禁烧和综合利用政策，查看房前屋后、田间地头"
    "有无秸秆堆放，发现焚烧隐患当场劝导并报告。每户排查后在手机上勾选。"
)
CLEANUP_TITLE = "人居环境整治月度情况报送"
STARTED_VILLAGE = "河西村"
SIGNED_VILLAGE = "新庄村"
TICKED_SHARE = 0.4  # of each grid's households in 河西村
NOT_APPLICABLE_EVERY = 12  # one in twelve ticked households: nobody lives there


def _staff(village_id: int) -> User | None:
    a = (
        Assignment.objects.current()
        .filter(role=Role.VILLAGE_STAFF, village_id=village_id)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return a.user if a else None


def _town_user(town: Town) -> User | None:
    a = Assignment.objects.current().filter(role=Role.TOWN_OFFICE, town=town).select_related("user").first()
    return a.user if a else None


def seed_towntasks(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    for town in Town.objects.filter(archived_at=None).order_by("pk"):
        by = _town_user(town)
        if by is None or Task.objects.filter(town=town).exists():
            continue
        villages = list(town.villages.filter(archived_at=None).order_by("pk"))
        if villages:
            with transaction.atomic():
                _seed_town(town, by, villages, today)


def _seed_town(town: Town, by: User, villages, today: datetime.date) -> None:
    cleanup = services.task_issue(
        by=by,
        town=town,
        title=CLEANUP_TITLE,
        instructions="报送本月人居环境整治情况：清理垃圾、整治坑塘、拆除违建的数量，附整治前后照片。",
        deadline=today,
        report_kind=ReportKind.FIGURES,
        villages=[v for v in villages if v.name == STARTED_VILLAGE] or villages[:1],
    )
    Task.objects.filter(pk=cleanup.pk).update(created_at=timezone.now() - datetime.timedelta(days=20))
    for target in TaskVillage.objects.filter(task=cleanup).select_related("task"):
        staff = _staff(target.village_id)
        if staff is None:
            continue
        target = services.target_start(target=services.target_sign(target=target, by=staff), by=staff)
        target = services.target_report(
            target=target,
            by=staff,
            feedback="本月组织环境卫生整治 3 次，清理生活垃圾和杂物，整治坑塘 2 处。",
            figures=[["清理垃圾（吨）", "12"], ["整治坑塘（处）", "2"], ["拆除违建（处）", "1"]],
        )
        services.target_accept(target=target, by=by, note="情况属实。")

    straw = services.task_issue(
        by=by,
        town=town,
        title=STRAW_TITLE,
        instructions=STRAW_TEXT,
        deadline=today + datetime.timedelta(days=10),
        report_kind=ReportKind.CHECKLIST,
        villages=villages,
    )
    Task.objects.filter(pk=straw.pk).update(created_at=timezone.now() - datetime.timedelta(days=4))
    for target in TaskVillage.objects.filter(task=straw).select_related("task", "village"):
        staff = _staff(target.village_id)
        if staff is None or target.village.name not in (STARTED_VILLAGE, SIGNED_VILLAGE):
            continue
        target = services.target_sign(target=target, by=staff)
        if target.village.name == STARTED_VILLAGE:
            target = services.target_start(target=target, by=staff)
            _tick(target)


def _tick(target: TaskVillage) -> None:
    """A share of each grid's households ticked by the grid's worker over the last days (bulk updates)."""
    rows = TaskItem.objects.filter(target=target, worker__isnull=False).order_by("grid_id", "pk")
    by_grid: dict[int, list[tuple[int, int]]] = {}
    for pk, grid_id, worker_id in rows.values_list("pk", "grid_id", "worker_id"):
        by_grid.setdefault(grid_id, []).append((pk, worker_id))
    now = timezone.now()
    buckets: dict[tuple, list[int]] = {}  # (state, worker, days ago) -> items: one UPDATE each
    for items in by_grid.values():
        for n, (pk, worker_id) in enumerate(items[: int(len(items) * TICKED_SHARE)]):
            na = n % NOT_APPLICABLE_EVERY == NOT_APPLICABLE_EVERY - 1
            state = ItemState.NOT_APPLICABLE if na else ItemState.DONE
            buckets.setdefault((state, worker_id, n % 3), []).append(pk)
    for (state, worker_id, days), ids in buckets.items():
        TaskItem.objects.filter(pk__in=ids).update(
            state=state,
            note="常年无人居住" if state == ItemState.NOT_APPLICABLE else "",
            done_by_id=worker_id,
            done_at=now - datetime.timedelta(days=days),
        )
