"""What the people app keeps: the record of each handover (docs/architecture.md, "people")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HandoverQuerySet(models.QuerySet):
    def visible_to(self, user):
        from grids import access

        return self.filter(access.visible_q(user, town="grid__village__town", village="grid__village", grid="grid"))


class Handover(models.Model):
    """A grid worker left: who handed which grid to whom (nobody: the village staff until there is a
    successor), on which day, by whom, and what moved with it (README, "Handover when a grid worker
    leaves"). Written once, never changed."""

    grid = models.ForeignKey("grids.Grid", on_delete=models.PROTECT, related_name="handovers", verbose_name=_("网格"))
    assignment = models.OneToOneField(
        "grids.Assignment", on_delete=models.PROTECT, related_name="handover", verbose_name=_("离岗人的岗位")
    )
    leaver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("离岗人")
    )
    successor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接替人"),
        help_text=_("空：暂由村干部负责，直至有新的网格员。"),
    )
    # Who carries the cases and key-person teams: the successor, or the staff member who did the handover.
    carrier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("接手人")
    )
    on = models.DateField(_("交接日期"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("办理人")
    )
    at = models.DateTimeField(_("办理时间"), auto_now_add=True)
    households_left = models.PositiveIntegerField(_("本月待走访户数"), default=0)
    cases = models.JSONField(_("移交的案件"), default=list, blank=True)
    key_persons = models.JSONField(_("移交的重点人员"), default=list, blank=True)
    # The team lines that name the carrier since the handover: without a successor, what the staff hand on
    # to the grid's next worker (``people.handover.handover_hand_on``).
    team_rows = models.JSONField(_("移交的帮扶责任"), default=list, blank=True)
    handed_on_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("后续接手的网格员"),
    )
    handed_on_at = models.DateTimeField(_("转交时间"), null=True, blank=True)

    objects = HandoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("离岗交接")
        verbose_name_plural = _("离岗交接")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.grid} · {self.leaver} → {self.successor or self.carrier} · {self.on}"


# --- Grid-worker care and capacity (docs/scorecard.md) ----------------------------------------------------


class VillageRecordQuerySet(models.QuerySet):
    """A record kept by a village about its people: its staff keep it, the town office reads its villages'."""

    def visible_to(self, user):
        from grids import access

        return self.filter(access.visible_q(user, town="village__town", village="village"))


class WorkerInsurance(models.Model):
    """Accident insurance the village took out for a grid worker (seed 000: 人身意外险): insurer and period.
    Nothing about the person's health or claims is kept."""

    village = models.ForeignKey("grids.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("行政村"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="insurances", verbose_name=_("网格员")
    )
    kind = models.CharField(_("险种"), max_length=50, default="人身意外险")
    insurer = models.CharField(_("保险公司"), max_length=100)
    policy_number = models.CharField(_("保单号"), max_length=50, blank=True)
    starts_on = models.DateField(_("保险起期"))
    ends_on = models.DateField(_("保险止期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = VillageRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格员意外险")
        verbose_name_plural = _("网格员意外险")
        ordering = ["worker", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="workerinsurance_ends_after_start",
                violation_error_message=_("保险止期不能早于起期。"),
            ),
        ]
        indexes = [models.Index(fields=["village", "ends_on"], name="insurance_village_ends")]

    def __str__(self) -> str:
        return f"{self.worker} · {self.insurer} · {self.starts_on}–{self.ends_on}"


class HealthCheck(models.Model):
    """A grid worker's yearly health check (seed 000: 每年一次健康体检): the day and where. Its results are
    the worker's own and are never recorded here."""

    village = models.ForeignKey("grids.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("行政村"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="health_checks", verbose_name=_("网格员")
    )
    checked_on = models.DateField(_("体检日期"))
    institution = models.CharField(_("体检机构"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = VillageRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格员健康体检")
        verbose_name_plural = _("网格员健康体检")
        ordering = ["worker", "-checked_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "checked_on"],
                name="healthcheck_one_per_day",
                violation_error_message=_("这一天的体检已登记。"),
            ),
        ]
        indexes = [models.Index(fields=["village", "checked_on"], name="healthcheck_village_day")]

    def __str__(self) -> str:
        return f"{self.worker} · {self.checked_on}"


class TrainingQuerySet(models.QuerySet):
    """A training the town held is seen by the town office and every village of the town; one a village
    held, by its staff and the town office."""

    def visible_to(self, user):
        from grids import access
        from grids.models import Village

        towns = Village.objects.filter(access.visible_q(user, town="town", village="pk")).values("town")
        return self.filter(
            (models.Q(village__isnull=False) & access.visible_q(user, town="town", village="village"))
            | models.Q(village__isnull=True, town__in=towns)
        )


class Training(models.Model):
    """A skills training for grid workers (seed 000: 每年开展网格员技能培训), held by the town or a village,
    and who attended."""

    town = models.ForeignKey("grids.Town", on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    village = models.ForeignKey(
        "grids.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("行政村"),
        help_text=_("空：镇里组织的培训"),
    )
    title = models.CharField(_("培训名称"), max_length=100)
    held_on = models.DateField(_("培训日期"))
    organiser = models.CharField(_("组织单位"), max_length=100)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1, default=0)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="trainings", blank=True, verbose_name=_("参训人员")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格员培训")
        verbose_name_plural = _("网格员培训")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["town", "held_on"], name="training_town_day")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class PracticeKind(models.TextChoices):
    METHOD = "method", _("网格优秀工作法")
    CASE = "case", _("网格优秀案例")


class PracticeStatus(models.TextChoices):
    REPORTED = "reported", _("已上报")
    ADOPTED = "adopted", _("镇综治办已采用")


class GoodPractice(models.Model):
    """A good work method or case the village reports to the town office (seed 000: 今年向镇综治办上报网格
    优秀工作法、网格优秀案例两篇); the town marks it adopted."""

    village = models.ForeignKey("grids.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("行政村"))
    kind = models.CharField(_("类别"), max_length=10, choices=PracticeKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"), max_length=20000)
    attachment = models.FileField(_("附件"), upload_to="practices/%Y/%m/", blank=True)
    reported_on = models.DateField(_("上报日期"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上报人")
    )
    status = models.CharField(_("状态"), max_length=10, choices=PracticeStatus.choices, default=PracticeStatus.REPORTED)
    adopted_on = models.DateField(_("采用日期"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("采用人"),
    )
    town_note = models.CharField(_("镇综治办意见"), max_length=500, blank=True)

    objects = VillageRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("优秀工作法/案例")
        verbose_name_plural = _("优秀工作法/案例")
        ordering = ["-reported_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="reported", adopted_on__isnull=True)
                | models.Q(status="adopted", adopted_on__isnull=False),
                name="goodpractice_adopted_has_day",
                violation_error_message=_("采用须有采用日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title
