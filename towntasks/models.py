"""Town tasks handed down to villages (镇交办任务, docs/towntasks.md).

- ``Task``: what the town office hands down — title, instructions, deadline, how the villages answer
  (text, figures, photos, or a per-household checklist) and its attachments.
- ``TaskVillage``: one per village the task was handed to, with its own state on the shared status
  pipeline (``workflow.TRANSITIONS``): issued → signed (签收) → in progress → reported (反馈) → accepted, or
  returned (退回) → in progress again; every move an event row (``TaskVillageEvent``).
- ``TaskItem``: for a checklist task, one per household of the village, created when the village signs,
  ticked by the worker of the household's grid. A task check is not a visit: it never counts for visit
  coverage (visits/live.py reads only ``visits.Visit``).

A household is a foreign key to the registry (``residents``, the floor below); this app imports none of the
apps beside it on the domain floor (docs/architecture.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids import access
from grids.models import Grid, Town, Village

REMIND_DAYS_BEFORE = 3  # a village not yet reported is reminded this many days before the deadline


class ReportKind(models.TextChoices):
    TEXT = "text", _("文字情况")
    FIGURES = "figures", _("数据报表")
    PHOTOS = "photos", _("照片")
    CHECKLIST = "checklist", _("逐户排查")


class TaskState(models.TextChoices):
    OPEN = "open", _("办理中")
    CLOSED = "closed", _("已办结")


class Stage(models.TextChoices):
    ISSUED = "issued", _("已下发")
    SIGNED = "signed", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    REPORTED = "reported", _("已反馈")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已验收")


OPEN_STAGES = (Stage.ISSUED, Stage.SIGNED, Stage.IN_PROGRESS, Stage.RETURNED)
# Where the grid workers tick the households (the village has assigned the work, or took it back to redo).
FIELD_STAGES = (Stage.IN_PROGRESS, Stage.RETURNED)


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The town office its town's tasks; a village's staff the tasks handed to their village; the admin
        all. Grid workers reach items only (``TaskItem.objects.visible_to``)."""
        scope = access.scope_for(user)
        if scope.is_admin:
            return self
        return self.filter(
            models.Q(town_id__in=sorted(scope.town_ids))
            | models.Q(pk__in=TaskVillage.objects.filter(village_id__in=sorted(scope.village_ids)).values("task_id"))
        )


class Task(models.Model):
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("乡镇"))
    title = models.CharField(_("任务名称"), max_length=100)
    instructions = models.TextField(_("工作要求"))
    deadline = models.DateField(_("完成时限"))
    report_kind = models.CharField(_("反馈方式"), max_length=10, choices=ReportKind.choices, default=ReportKind.TEXT)
    state = models.CharField(_("状态"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("交办人")
    )
    created_at = models.DateTimeField(_("交办时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("交办任务")
        verbose_name_plural = _("交办任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["town", "state"], name="towntask_town_state")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_checklist(self) -> bool:
        return self.report_kind == ReportKind.CHECKLIST


class TaskFile(models.Model):
    """An attachment of the task (the town's notice, a form to fill in): kept as uploaded, or re-encoded
    without metadata when a photo (core/uploads.py); served only through the task's door."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("附件"), upload_to="towntasks/files/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=120)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class TaskVillageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The town office its villages' (through the task's town), the village's staff their own."""
        return self.filter(access.visible_q(user, town="task__town", village="village"))


class TaskVillage(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="targets")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("行政村"))
    state = models.CharField(_("状态"), max_length=12, choices=Stage.choices, default=Stage.ISSUED)
    version = models.PositiveIntegerField(default=1, editable=False)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    feedback = models.TextField(_("反馈情况"), blank=True)
    # The figures the village reports ("排查户数": "312"), in the order written; values kept as written.
    figures = models.JSONField(_("反馈数据"), default=list, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = TaskVillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("村办理情况")
        verbose_name_plural = _("村办理情况")
        ordering = ["task", "village__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["task", "village"], name="towntask_one_per_village")]
        indexes = [models.Index(fields=["village", "state"], name="towntask_village_state")]

    def __str__(self) -> str:
        return f"{self.task} · {self.village}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STAGES


class TaskVillageEvent(models.Model):
    """One move of a village's part of a task (the timeline), written in the same transaction as the move."""

    target = models.ForeignKey(TaskVillage, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("原状态"), max_length=12, choices=Stage.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=Stage.choices)
    note = models.TextField(_("说明"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state}→{self.to_state}"


class FeedbackPhoto(models.Model):
    target = models.ForeignKey(TaskVillage, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="towntasks/feedback/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name


class ItemState(models.TextChoices):
    OPEN = "open", _("待排查")
    DONE = "done", _("已排查")
    NOT_APPLICABLE = "na", _("不适用")


class TaskItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The town office and the village's staff every item of the village; a grid worker the items of
        their current grids (the grid's worker today, whoever was named when the item was made)."""
        return self.filter(access.visible_q(user, town="target__task__town", village="target__village", grid="grid"))


class TaskItem(models.Model):
    """One household of a checklist task. ``grid`` is the household's grid when the item was made (the
    worker's list reads it without a join); ``worker`` the grid's worker then."""

    target = models.ForeignKey(TaskVillage, on_delete=models.CASCADE, related_name="items")
    household = models.ForeignKey(
        "residents.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("户")
    )
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("网格员"),
    )
    state = models.CharField(_("排查结果"), max_length=4, choices=ItemState.choices, default=ItemState.OPEN)
    note = models.CharField(_("情况说明"), max_length=200, blank=True)
    photo = models.ImageField(_("照片"), upload_to="towntasks/items/%Y/%m/", blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(_("排查时间"), null=True, blank=True)

    objects = TaskItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("排查户")
        verbose_name_plural = _("排查户")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["target", "household"], name="towntask_item_once")]
        indexes = [
            models.Index(fields=["grid", "state"], name="towntask_item_grid_state"),
            models.Index(fields=["target", "state"], name="towntask_item_target_state"),
            models.Index(fields=["household", "state"], name="towntask_item_household"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id}:{self.household_id}"
