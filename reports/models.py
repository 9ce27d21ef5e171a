"""Monthly reports (月报) and the town's review.

A report belongs to a village and a month. While a draft (or returned) its figures are live
(``reports/figures.py``); submitting freezes them, with the written sections, into a new
``ReportVersion`` that never changes again — data edited later does not alter what was submitted, and
every resubmission is a new version beside the old ones. The state moves only through
``reports.services`` along ``TRANSITIONS``; each move writes a ``ReportEvent``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import SingletonPolicy
from grids import access
from grids.models import Village


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送待审核")
    RETURNED = "returned", _("已退回待修改")
    APPROVED = "approved", _("已审核通过")


# The one table of allowed moves (as for cases): a returned report is corrected and submitted again.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.SUBMITTED}),
    State.SUBMITTED: frozenset({State.APPROVED, State.RETURNED}),
    State.RETURNED: frozenset({State.SUBMITTED}),
    State.APPROVED: frozenset(),
}

# The sections the village writes (docs/sources.md [S1]: work done, problems, plans, good methods and cases reported
# to the town).
SECTIONS = {
    "work_done": _("本月工作开展情况"),
    "problems": _("存在的问题和困难"),
    "next_plan": _("下月工作计划"),
    "good_practices": _("优秀工作法、典型案例"),
}
# What a comment of the town can be about: the whole report, a written section, or a block of figures.
FIGURE_BLOCKS = {
    "registry": _("基本情况"),
    "visits": _("走访覆盖"),
    "cases": _("矛盾纠纷与隐患诉求"),
    "workers": _("网格员工作量"),
}


class ReportPolicy(SingletonPolicy):
    """One row, edited by the system admin: the day of the next month a report is due."""

    due_day = models.PositiveSmallIntegerField(
        _("月报报送截止日（次月几日）"), default=5, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("月报设置")
        verbose_name_plural = _("月报设置")

    def __str__(self) -> str:
        return str(_("月报设置"))

    def due_on(self, month: datetime.date) -> datetime.date:
        following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return following.replace(day=self.due_day)

    def is_late(self, report: MonthlyReport | None, month: datetime.date, today: datetime.date | None = None) -> bool:
        """Late: not submitted by the due day, or first submitted after it; a month with no report at all
        is late once its due day has passed. Computed, never stored."""
        due_on = self.due_on(month)
        if report is not None and report.submitted_at is not None:
            return timezone.localtime(report.submitted_at).date() > due_on
        return (today or timezone.localdate()) > due_on


class MonthlyReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The village's staff and the town office of its town; nobody else (not grid workers)."""
        return self.filter(access.visible_q(user, town="village__town", village="village"))


class MonthlyReport(models.Model):
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="reports", verbose_name=_("村"))
    month = models.DateField(_("月份"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    revision = models.PositiveIntegerField(default=1, editable=False)
    work_done = models.TextField(SECTIONS["work_done"], blank=True)
    problems = models.TextField(SECTIONS["problems"], blank=True)
    next_plan = models.TextField(SECTIONS["next_plan"], blank=True)
    good_practices = models.TextField(SECTIONS["good_practices"], blank=True)
    submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核通过时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        ordering = ["-month", "village"]
        constraints = [models.UniqueConstraint(fields=["village", "month"], name="report_once_per_village_month")]

    def __str__(self) -> str:
        return f"{self.village} {self.month:%Y-%m}"

    @property
    def editable(self) -> bool:
        return self.state in (State.DRAFT, State.RETURNED)

    def is_late(self, policy: ReportPolicy, today: datetime.date | None = None) -> bool:
        return policy.is_late(self, self.month, today)


class ReportVersionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(report__in=MonthlyReport.objects.visible_to(user))


class ReportVersion(models.Model):
    """What was submitted, frozen: the figures as computed at that moment and the written sections."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.PROTECT, related_name="versions", verbose_name=_("月报"))
    number = models.PositiveSmallIntegerField(_("版本"))
    figures = models.JSONField(_("数据"))
    sections = models.JSONField(_("文字部分"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报送人")
    )
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)

    objects = ReportVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("月报版本")
        verbose_name_plural = _("月报版本")
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class ReportEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(report__in=MonthlyReport.objects.visible_to(user))


class ReportEvent(models.Model):
    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="events", verbose_name=_("月报"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    from_state = models.CharField(_("原状态"), max_length=10, choices=State.choices)
    to_state = models.CharField(_("新状态"), max_length=10, choices=State.choices)
    version = models.PositiveSmallIntegerField(_("版本"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    objects = ReportEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("月报记录")
        verbose_name_plural = _("月报记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} {self.from_state}→{self.to_state}"


class ReportCommentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(report__in=MonthlyReport.objects.visible_to(user))


class ReportComment(models.Model):
    """The town's comment on a submitted version: on the whole report (``section`` empty), on a written
    section, or on a block of figures."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="comments", verbose_name=_("月报"))
    version = models.PositiveSmallIntegerField(_("版本"))
    section = models.CharField(_("针对"), max_length=20, blank=True)
    text = models.TextField(_("意见"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = ReportCommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:30]

    @property
    def section_label(self) -> str:
        if not self.section:
            return str(_("整体"))
        return str(SECTIONS.get(self.section) or FIGURE_BLOCKS.get(self.section) or self.section)


# --- The 六好 scorecard's rules (docs/scorecard.md) ------------------------------------------------------


class Criterion(models.TextChoices):
    """The six criteria of the demonstration-village acceptance (seed 000), in their order."""

    PARTY = "party", _("基层党建好")
    STRUCTURE = "structure", _("治理架构好")
    CAPACITY = "capacity", _("能力建设好")
    SAFETY = "safety", _("社会治安好")
    COGOVERNANCE = "cogovernance", _("共治成效好")
    CIVILITY = "civility", _("乡风民风好")


class Comparison(models.TextChoices):
    AT_LEAST = "ge", "≥"
    AT_MOST = "le", "≤"


class ScoreRuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self  # the targets every village is judged by: anyone may read them, like the policies


class ScoreRule(models.Model):
    """One indicator of the scorecard: which criterion it counts for, its target and weight. ``code`` names
    the function that measures it (``reports.scorecard.indicators``); the admin edits targets and weights,
    and a rule switched off is left out of the scorecard. Defaults and their sources: docs/scorecard.md."""

    code = models.CharField(_("指标代码"), max_length=40, unique=True)
    criterion = models.CharField(_("所属“六好”"), max_length=15, choices=Criterion.choices)
    label = models.CharField(_("指标名称"), max_length=60)
    unit = models.CharField(_("单位"), max_length=5, blank=True)
    comparison = models.CharField(_("比较"), max_length=2, choices=Comparison.choices, default=Comparison.AT_LEAST)
    target = models.DecimalField(_("目标值"), max_digits=8, decimal_places=1, validators=[MinValueValidator(0)])
    per_year = models.BooleanField(
        _("按年计的次数"), default=False, help_text=_("目标是一年的次数：按季度、按月查看时按月数折算（向上取整）。")
    )
    weight = models.PositiveSmallIntegerField(
        _("权重"), default=1, validators=[MaxValueValidator(10)], help_text=_("0：只展示，不计入得分。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    enabled = models.BooleanField(_("启用"), default=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    objects = ScoreRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("“六好”评分指标")
        verbose_name_plural = _("“六好”评分指标")
        ordering = ["criterion", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_criterion_display()} · {self.label}"


class KeptReset(models.Model):
    """A moment a write could not draw its topic's token again in the cache (unreachable): every scorecard
    value kept before the last of them is stale (docs/scorecard.md, "Kept figures"). Written only then."""

    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("评分缓存重置")
        verbose_name_plural = _("评分缓存重置")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S}"
