"""The verbs of town tasks (docs/towntasks.md): the town hands a task down, the village signs, starts,
reports; the town accepts or returns; the grid worker ticks a household. Keyword-only, typed, atomic (STYLE 5):
a village's part moves only through ``_move`` (the shared status pipeline), called by the verbs."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit import trail
from audit.models import AuditAction
from core import pipeline
from core.uploads import clean_photo
from grids import access
from grids.models import Assignment, Role, Town, User, Village

from .models import (
    FIELD_STAGES,
    FeedbackPhoto,
    ItemState,
    ReportKind,
    Stage,
    Task,
    TaskFile,
    TaskItem,
    TaskState,
    TaskVillage,
    TaskVillageEvent,
)
from .workflow import ACTIONS, TOWN, TRANSITIONS, VILLAGE, action_for, may_act_for_town, may_act_for_village

MAX_FILE_BYTES = 10 * 1024 * 1024
DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".txt")
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic")
ITEM_BATCH = 2000  # households per INSERT when a village signs a checklist task
MAX_FIGURES = 30


class InvalidMove(pipeline.InvalidTransition):
    message = _lazy("本村办理情况当前为「%(from)s」，不能变为「%(to)s」。")
    choices = Stage


class TargetChanged(pipeline.Changed):
    message = _lazy("这项任务刚刚被别人处理过，您的操作没有保存。请看一下最新情况，需要的话再操作一次。")
    code = "towntask_changed"


TARGETS = pipeline.Pipeline(TaskVillage, TRANSITIONS, invalid=InvalidMove, changed=TargetChanged)


# --- The town hands a task down ----------------------------------------------------------------------------


def _file_name(upload) -> str:
    return (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:120]


def clean_file(upload):
    """A photo re-encoded without its metadata; a document kept as it is, by suffix and size (as the
    co-governance research files)."""
    name = _file_name(upload).lower()
    if name.endswith(PHOTO_SUFFIXES):
        try:
            return clean_photo(upload)
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from None
    if not name.endswith(DOCUMENT_SUFFIXES):
        raise ValidationError(
            {"files": _("“%s”不是可以上传的文件（照片、PDF、Word、Excel、WPS 或文本）。") % _file_name(upload)}
        )
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({"files": _("“%s”超过 10 MB。") % _file_name(upload)})
    return upload


@transaction.atomic
def task_issue(
    *,
    by: User,
    town: Town,
    title: str,
    instructions: str,
    deadline: datetime.date,
    report_kind: str,
    villages: Iterable[Village],
    files: list | None = None,
) -> Task:
    """Hand a task down to ``villages`` of ``town`` (one, several or all): one ``TaskVillage`` each, issued;
    each village's staff are told after the commit (``reminders.issued``)."""
    if not may_act_for_town(by, town.pk):
        raise PermissionDenied(_("只有本镇综治办可以交办任务。"))
    villages = list(villages)
    errors = {}
    if not title.strip():
        errors["title"] = _("请填写任务名称。")
    if not instructions.strip():
        errors["instructions"] = _("请写明工作要求。")
    if deadline < timezone.localdate():
        errors["deadline"] = _("完成时限不能早于今天。")
    if report_kind not in ReportKind.values:
        errors["report_kind"] = _("请选择反馈方式。")
    if not villages:
        errors["villages"] = _("请至少选择一个村。")
    elif any(v.town_id != town.pk or v.is_archived for v in villages):
        errors["villages"] = _("只能交办给本镇的村。")
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(
        town=town,
        title=title.strip(),
        instructions=instructions.strip(),
        deadline=deadline,
        report_kind=report_kind,
        created_by=by,
    )
    now = timezone.now()
    targets = TaskVillage.objects.bulk_create(
        [TaskVillage(task=task, village=v, updated_at=now) for v in sorted(villages, key=lambda v: v.pk)]
    )
    TaskVillageEvent.objects.bulk_create(
        [TaskVillageEvent(target=t, from_state="", to_state=Stage.ISSUED, by=by, at=now) for t in targets]
    )
    for upload in files or []:
        cleaned = clean_file(upload)
        TaskFile.objects.create(task=task, file=cleaned, name=_file_name(upload), uploaded_by=by)
    trail.record(AuditAction.CREATE, task, note=f"{len(targets)} villages")
    from . import tasks  # the Celery task module imports this one

    transaction.on_commit(lambda: tasks.issued_notify.delay(task.pk))
    return task


# --- A village's part moves ---------------------------------------------------------------------------------


def _require_side(by: User, target: TaskVillage, to: str) -> None:
    action = action_for(target.state, to)
    side = action.side if action else (TOWN if to in (Stage.ACCEPTED, Stage.RETURNED) else VILLAGE)
    if side == VILLAGE and not may_act_for_village(by, target.village_id):
        raise PermissionDenied(_("只有本村村干部可以办理。"))
    if side == TOWN and not may_act_for_town(by, target.task.town_id):
        raise PermissionDenied(_("只有交办任务的镇综治办可以验收或退回。"))


@transaction.atomic
def _move(
    target: TaskVillage, to: str, *, by: User, note: str = "", version: int | None = None, changes=None
) -> TaskVillage:
    """Refused unless the table allows the move and nobody moved it since ``version`` (default: the version
    in hand); one event row and one audit entry with the move."""
    _require_side(by, target, to)
    action = action_for(target.state, to)
    if action is not None and action.note_required and not note.strip():
        raise ValidationError({"note": _("请填写退回的原因和要求。")})
    now = timezone.now()
    TARGETS.move(
        target,
        to,
        expected_version=version or target.version,
        changes={**(changes or {}), "updated_at": now},
        event=lambda: TaskVillageEvent.objects.create(
            target=target, from_state=target.state, to_state=to, note=note.strip(), by=by, at=now
        ),
    )
    trail.record(
        AuditAction.TRANSITION,
        target,
        changes={"state": [target.state, to]},
        note=to,
        village_id=target.village_id,
    )
    return TaskVillage.objects.select_related("task", "village").get(pk=target.pk)


def target_move(*, target: TaskVillage, to: str, by: User, note: str = "", version: int | None = None) -> TaskVillage:
    """A move along the table by its verb: sign, start, report (with its feedback), accept, return."""
    if to == Stage.SIGNED:
        return target_sign(target=target, by=by, version=version)
    if to == Stage.IN_PROGRESS:
        return target_start(target=target, by=by, version=version)
    if to == Stage.REPORTED:
        return target_report(target=target, by=by, feedback=note or "已完成。", version=version)
    if to == Stage.ACCEPTED:
        return target_accept(target=target, by=by, note=note, version=version)
    if to == Stage.RETURNED:
        return target_return(target=target, by=by, note=note, version=version)
    raise InvalidMove(target.state, to)


def _current_workers(village_id: int) -> dict[int, int]:
    """The grid worker of each grid of the village today (the earliest assignment when a grid has two)."""
    rows = (
        Assignment.objects.current()
        .filter(role=Role.GRID_WORKER, grid__village_id=village_id)
        .order_by("grid_id", "start", "pk")
        .values_list("grid_id", "user_id")
    )
    workers: dict[int, int] = {}
    for grid_id, user_id in rows:
        workers.setdefault(grid_id, user_id)
    return workers


def _make_items(target: TaskVillage) -> int:
    """One item per current household of the village, in batches (one INSERT per ``ITEM_BATCH``), each to
    its grid's worker today. A village that signs again after a failure gets no duplicates."""
    from residents.models import Household

    workers = _current_workers(target.village_id)
    rows = (
        Household.objects.filter(village_id=target.village_id, archived_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "grid_id")
    )
    made = 0
    batch: list[TaskItem] = []
    for household_id, grid_id in rows.iterator(chunk_size=ITEM_BATCH):
        batch.append(
            TaskItem(target=target, household_id=household_id, grid_id=grid_id, worker_id=workers.get(grid_id))
        )
        if len(batch) >= ITEM_BATCH:
            made += len(TaskItem.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        made += len(TaskItem.objects.bulk_create(batch, ignore_conflicts=True))
    return made


@transaction.atomic
def target_sign(*, target: TaskVillage, by: User, version: int | None = None) -> TaskVillage:
    """签收. A checklist task gets its households now (so the town sees the totals from here on)."""
    moved = _move(target, Stage.SIGNED, by=by, version=version, changes={"signed_at": timezone.now()})
    if moved.task.is_checklist:
        _make_items(moved)
    return moved


@transaction.atomic
def target_start(*, target: TaskVillage, by: User, version: int | None = None) -> TaskVillage:
    """分派办理: the households still open go to their grid's worker today (a handover since the signing
    moves them), and the workers see them on their phones."""
    moved = _move(target, Stage.IN_PROGRESS, by=by, version=version)
    if moved.task.is_checklist:
        worker = (
            Assignment.objects.current()
            .filter(role=Role.GRID_WORKER, grid_id=OuterRef("grid_id"))
            .order_by("start", "pk")
            .values("user_id")[:1]
        )
        TaskItem.objects.filter(target=moved, state=ItemState.OPEN).update(worker_id=Subquery(worker))
    return moved


def parse_figures(text: str) -> list[list[str]]:
    """ "名称：数值" one a line (a full-width or ASCII colon, or "="), kept in the order written."""
    figures = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        for sep in ("：", ":", "="):
            if sep in line:
                key, value = (part.strip() for part in line.split(sep, 1))
                break
        else:
            raise ValidationError({"figures": _("第 %d 行请写成“名称：数值”。") % n})
        if not key or not value:
            raise ValidationError({"figures": _("第 %d 行请写成“名称：数值”。") % n})
        figures.append([key[:40], value[:40]])
    if len(figures) > MAX_FIGURES:
        raise ValidationError({"figures": _("数据最多 %d 项。") % MAX_FIGURES})
    return figures


@transaction.atomic
def target_report(
    *,
    target: TaskVillage,
    by: User,
    feedback: str,
    figures: list[list[str]] | None = None,
    photos: list | None = None,
    version: int | None = None,
) -> TaskVillage:
    """反馈: what the task asks for — the text always; figures for a figures task; at least one photo for a
    photos task (earlier photos of a returned report count). Nothing is saved if any of it is wrong."""
    figures = figures or []
    photos = photos or []
    kind = target.task.report_kind
    errors = {}
    if not feedback.strip():
        errors["feedback"] = _("请填写办理情况。")
    if kind == ReportKind.FIGURES and not figures:
        errors["figures"] = _("这项任务要求反馈数据，请填写“名称：数值”。")
    if kind == ReportKind.PHOTOS and not photos and not target.photos.exists():
        errors["photos"] = _("这项任务要求反馈照片，请至少上传一张。")
    if errors:
        raise ValidationError(errors)
    cleaned = []
    for upload in photos:
        try:
            cleaned.append(clean_photo(upload))
        except ValidationError as error:
            raise ValidationError({"photos": error.messages}) from None
    moved = _move(
        target,
        Stage.REPORTED,
        by=by,
        version=version,
        changes={"reported_at": timezone.now(), "feedback": feedback.strip(), "figures": figures},
    )
    for image in cleaned:
        FeedbackPhoto.objects.create(target=moved, image=image, uploaded_by=by)
    return moved


@transaction.atomic
def target_accept(*, target: TaskVillage, by: User, note: str = "", version: int | None = None) -> TaskVillage:
    """验收. When every village's part is accepted the task is done (办结)."""
    moved = _move(target, Stage.ACCEPTED, by=by, note=note, version=version, changes={"accepted_at": timezone.now()})
    if not TaskVillage.objects.filter(task_id=moved.task_id).exclude(state=Stage.ACCEPTED).exists():
        Task.objects.filter(pk=moved.task_id).update(state=TaskState.CLOSED, updated_at=timezone.now())
    return moved


def target_return(*, target: TaskVillage, by: User, note: str, version: int | None = None) -> TaskVillage:
    """退回: the village takes it up again (``start``), told why in the note."""
    return _move(target, Stage.RETURNED, by=by, note=note, version=version)


# --- The grid worker ticks a household ----------------------------------------------------------------------


def may_tick(user, item: TaskItem) -> bool:
    """The worker of the household's grid today, the village's staff, the admin."""
    scope = access.scope_for(user)
    return scope.is_admin or item.grid_id in scope.grid_ids or item.target.village_id in scope.village_ids


@transaction.atomic
def item_tick(*, item: TaskItem, by: User, state: str, note: str = "", photo=None) -> TaskItem:
    """Done or not applicable, with a note and a photo (optional). Only while the village works on it
    (in progress, or returned); a household ticked again keeps the last answer. Not a visit: visit coverage
    does not change (docs/towntasks.md)."""
    if not may_tick(by, item):
        raise PermissionDenied(_("只有本网格的网格员或本村村干部可以排查这一户。"))
    if state not in (ItemState.DONE, ItemState.NOT_APPLICABLE):
        raise ValidationError({"state": _("请选择“已排查”或“不适用”。")})
    note = (note or "").strip()
    if state == ItemState.NOT_APPLICABLE and not note:
        raise ValidationError({"note": _("不适用时请说明原因。")})
    if len(note) > 200:
        raise ValidationError({"note": _("情况说明最多 200 字。")})
    cleaned = None
    if photo is not None:
        try:
            cleaned = clean_photo(photo)
        except ValidationError as error:
            raise ValidationError({"photo": error.messages}) from None
    updated = TaskItem.objects.filter(pk=item.pk, target__state__in=FIELD_STAGES).update(
        state=state, note=note, done_by=by, done_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("这项任务现在不在办理中，不能排查。"))
    item.refresh_from_db()
    if cleaned is not None:
        item.photo.save(cleaned.name, cleaned, save=True)
    return item


def actions_for(user, target: TaskVillage) -> list:
    from .workflow import Actor

    return Actor(user, target).actions()


__all__ = ["ACTIONS"]
