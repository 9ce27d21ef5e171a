"""Monthly visits (走访): every household, key person and key place of a grid, every month (全覆盖,
docs/sources.md [S2] §一(三)), and the reminders that keep it so.

A visit counts for the month of its real date (``month``). "Due", "done", "overdue" and "coverage" are
computed when shown (``visits/due.py``), never stored as statuses; only closed months are kept as
snapshots (``CoverageSnapshot``) so history stays what it was when the month ended.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import InIds
from core.models import SingletonPolicy
from disputes.models import Case
from grids import access
from grids.models import Grid, MicroGrid, Village
from residents.models import Household, KeyPerson, KeyPersonResponsible, KeyPlace


class Subject(models.TextChoices):
    HOUSEHOLD = "household", _("入户走访")
    KEY_PERSON = "key_person", _("重点人员随访")
    KEY_PLACE = "key_place", _("场所巡查")


class Outcome(models.TextChoices):
    DONE = "done", _("已走访")
    NOT_POSSIBLE = "not_possible", _("未能走访")


class NotPossibleReason(models.TextChoices):
    AWAY = "away", _("外出")
    REFUSED = "refused", _("拒访")
    UNREACHABLE = "unreachable", _("失联")
    HOSPITAL = "hospital", _("住院")
    CLOSED = "closed", _("场所停业/无人")
    OTHER = "other", _("其他")


class Finding(models.TextChoices):
    NOTHING = "nothing", _("无异常")
    DISPUTE = "dispute", _("发现矛盾纠纷")
    HAZARD = "hazard", _("发现安全隐患")
    REQUEST = "request", _("群众诉求")
    INFO_CHANGED = "info_changed", _("信息变更")


# Findings that open a case, and the case kind each opens.
CASE_FINDINGS = {Finding.DISPUTE: "dispute", Finding.HAZARD: "hazard", Finding.REQUEST: "request"}

# Visits as private as a key person (docs/sources.md [L1]; README, "Who sees key persons"): a key person's
# visit, and every visit that opened a case. The town reads the cases escalated to it, all "走访发现" alike;
# if it also read the household visits behind them, a case with no such visit would tell it that the
# household holds a key person. So whoever may not see key persons sees the visit behind no case, nor its
# audit entries, whatever was visited; the case itself carries what they need to act on it.
PRIVATE_VISIT = Q(subject=Subject.KEY_PERSON) | Q(finding__in=list(CASE_FINDINGS))


def is_private(visit) -> bool:
    """``PRIVATE_VISIT`` for one visit (its audit entries, and its photos', are masked from the town)."""
    return visit.subject == Subject.KEY_PERSON or visit.finding in CASE_FINDINGS


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The grid's worker, the village's staff, the town; liaisons and officers their own places.
        Key-person visits are as sensitive as the key person, and so is any visit that opened a case
        (``PRIVATE_VISIT``): not the town, not liaisons, unless they recorded it."""
        q = access.visible_q(
            user,
            town="village__town",
            village="village",
            grid="grid",
            micro_grid="micro_grid",
            group="household__villager_group",
        )
        sensitive = PRIVATE_VISIT
        private = access.key_person_places_q(user, village="village", grid="grid")
        if getattr(user, "is_authenticated", False):
            q |= Q(worker=user)
            private |= Q(worker=user)
        return self.filter((q & ~sensitive) | (private & sensitive))

    def done(self):
        return self.filter(outcome=Outcome.DONE)


class Visit(models.Model):
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("走访人")
    )
    subject = models.CharField(_("走访类型"), max_length=12, choices=Subject.choices)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("户")
    )
    key_person = models.ForeignKey(
        KeyPerson, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("重点人员")
    )
    key_place = models.ForeignKey(
        KeyPlace, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("重点场所")
    )
    # Where the visited thing was when visited (it may move later; history keeps the place of the time).
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="visits", verbose_name=_("村"))
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="visits", verbose_name=_("网格"))
    micro_grid = models.ForeignKey(
        MicroGrid, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("微网格")
    )
    visited_on = models.DateField(_("走访日期"))
    month = models.DateField(_("所属月份"), help_text=_("走访日期所在月的1日。"))
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    late = models.BooleanField(_("补录"), default=False, help_text=_("月份结束后补录的纸质记录。"))
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices, default=Outcome.DONE)
    reason = models.CharField(_("未能走访原因"), max_length=12, choices=NotPossibleReason.choices, blank=True)
    finding = models.CharField(_("发现情况"), max_length=12, choices=Finding.choices, default=Finding.NOTHING)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("由此上报的案件")
    )
    # 四帮一 (docs/sources.md [S1] §四): who of the patient's team came along on a level ≥ 3 patient's visit.
    team = models.ManyToManyField(KeyPersonResponsible, blank=True, related_name="visits", verbose_name=_("参与人员"))
    # The phone's token for this submission: a double tap or a retry after a timeout records one visit.
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-recorded_at"]
        indexes = [
            models.Index(fields=["household", "month"], name="visit_household_month"),
            models.Index(fields=["key_person", "visited_on"], name="visit_key_person_day"),
            # The API's list order, newest first: its page of a town's 300,000 visits read
            # in index order, 101 ms → 4 ms at a million residents.
            models.Index(fields=["-visited_on", "-id"], name="visit_recent"),
            models.Index(fields=["key_place", "month"], name="visit_key_place_month"),
            models.Index(fields=["grid", "month"], name="visit_grid_month"),
            models.Index(fields=["worker", "month"], name="visit_worker_month"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject="household", household__isnull=False, key_person__isnull=True, key_place__isnull=True)
                    | Q(subject="key_person", key_person__isnull=False, household__isnull=True, key_place__isnull=True)
                    | Q(subject="key_place", key_place__isnull=False, household__isnull=True, key_person__isnull=True)
                ),
                name="visit_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(outcome="done", reason="") | Q(outcome="not_possible") & ~Q(reason=""),
                name="visit_reason_iff_not_possible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.visited_on}"

    @property
    def target(self):
        return self.household or self.key_person or self.key_place


class VisitPhotoQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(visit__in=Visit.objects.visible_to(user))


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("走访"))
    image = models.FileField(_("照片"), upload_to="visits/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    objects = VisitPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")

    def __str__(self) -> str:
        return self.image.name


class ReminderPolicy(SingletonPolicy):
    """When reminders go out and at what thresholds; one row, edited by the system admin, read by the
    dispatcher every few minutes, so a change takes effect without a deploy. Times are Asia/Shanghai."""

    monthly_day = models.PositiveSmallIntegerField(
        _("月初任务提醒日"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    midmonth_day = models.PositiveSmallIntegerField(
        _("月中进度提醒日"), default=20, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    send_hour = models.PositiveSmallIntegerField(_("发送时间（时）"), default=8, validators=[MaxValueValidator(23)])
    coverage_threshold = models.PositiveSmallIntegerField(
        _("月中进度低于此比例提醒（%）"), default=60, validators=[MaxValueValidator(100)]
    )
    staff_after_days = models.PositiveSmallIntegerField(_("重点人员超期多少天同时提醒村干部"), default=7)
    town_after_days = models.PositiveSmallIntegerField(_("重点人员超期多少天同时提醒镇综治办"), default=14)
    late_entry_days = models.PositiveSmallIntegerField(
        _("月末后允许补录天数"), default=5, help_text=_("纸质记录可在月份结束后这些天内补录。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("走访提醒设置")
        verbose_name_plural = _("走访提醒设置")

    def __str__(self) -> str:
        return str(_("走访提醒设置"))


class ReminderKind(models.TextChoices):
    MONTHLY = "monthly", _("月初任务")
    MIDMONTH = "midmonth", _("月中进度")
    MIDMONTH_STAFF = "midmonth_staff", _("月中进度（村干部汇总）")
    OVERDUE = "overdue", _("重点人员超期")
    # Claimed here too so one table keeps "exactly once" for every reminder (reports uses it).
    REPORT_LATE = "report_late", _("月报逾期")


VISIT_KINDS = [ReminderKind.MONTHLY, ReminderKind.MIDMONTH, ReminderKind.MIDMONTH_STAFF, ReminderKind.OVERDUE]


class GridFiguresQuerySet(models.QuerySet):
    """A grid's coverage figures (snapshots of closed months, the kept ones of this month)."""

    def visible_to(self, user):
        return self.filter(access.visible_q(user, town="grid__village__town", village="grid__village", grid="grid"))

    def in_villages(self, village_ids):
        """The figures of every grid of these villages (archived grids' history included), found by the grids'
        ids in the figures' grid index, not by a join over every grid's figures (docs/performance.md, "Rows by
        a list of ids")."""
        return self.filter(InIds("grid_id", Grid.objects.filter(village_id__in=village_ids).values("pk")))


class CoverageSnapshot(models.Model):
    """A closed month's coverage of one grid, as it stood when the month ended (taken on the 1st)."""

    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="coverage", verbose_name=_("网格"))
    month = models.DateField(_("月份"))
    households_due = models.PositiveIntegerField(default=0)
    households_done = models.PositiveIntegerField(default=0)
    key_persons_due = models.PositiveIntegerField(default=0)
    key_persons_done = models.PositiveIntegerField(default=0)
    key_places_due = models.PositiveIntegerField(default=0)
    key_places_done = models.PositiveIntegerField(default=0)
    # Key persons overdue on the month's last day. NULL: kept before this figure was, so unknown (shown
    # "—"). Counting it again now would read today's registry (people moved or archived since), not the
    # month as it ended.
    key_persons_overdue = models.PositiveIntegerField(null=True, blank=True)
    taken_at = models.DateTimeField(default=timezone.now)

    objects = GridFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度走访覆盖")
        verbose_name_plural = _("月度走访覆盖")
        constraints = [models.UniqueConstraint(fields=["grid", "month"], name="coverage_once_per_grid_month")]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.month:%Y-%m}"

    @property
    def due(self) -> int:
        return self.households_due + self.key_persons_due + self.key_places_due

    @property
    def done(self) -> int:
        return self.households_done + self.key_persons_done + self.key_places_done


class LiveCoverage(models.Model):
    """This month's coverage of one grid, counted once and kept until something in the grid changes.

    Counting a town's month (200 grids, 18,000 households, 3,300 key persons with their visit histories)
    took 420–700 ms at a million residents; the coverage page, the town's home and dashboard and the
    village overview each did it on every request. Now they read these rows (one index scan) and count only
    grids whose figures are stale: a write that can change them (a visit, a household or key place added,
    moved or archived, a key person listed, changed or moved) bumps ``changes`` in its own transaction
    (``live.grids_changed``), and the figures also age at midnight (overdue depends on the day). Figures are
    written only if ``changes`` is still what it was before counting, so a change made while counting is
    never lost."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="+", verbose_name=_("网格"))
    month = models.DateField(_("月份"))
    households_due = models.PositiveIntegerField(default=0)
    households_done = models.PositiveIntegerField(default=0)
    key_persons_due = models.PositiveIntegerField(default=0)
    key_persons_done = models.PositiveIntegerField(default=0)
    key_persons_overdue = models.PositiveIntegerField(default=0)
    key_places_due = models.PositiveIntegerField(default=0)
    key_places_done = models.PositiveIntegerField(default=0)
    as_of = models.DateField(_("统计日期"), null=True)
    changes = models.PositiveIntegerField(default=0)
    counted_changes = models.IntegerField(default=-1)
    # Of ``changes``, those made by a new visit to a household: such a visit changes its row's mark and the
    # month's figures, nothing else the work list shows, so what the list keeps apart from them
    # (``visits.kept_list``, the frame) is kept under ``changes - household_visits``.
    household_visits = models.PositiveIntegerField(default=0, db_default=0)
    # New for every row: a row dropped (``live.forget``) and made again starts its ``changes`` anew, so what is
    # kept under a row's marks (the work list, ``visits.kept_list``) names the row by this, not by its number.
    stamp = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = GridFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("本月走访覆盖（实时）")
        verbose_name_plural = _("本月走访覆盖（实时）")
        constraints = [models.UniqueConstraint(fields=["grid", "month"], name="live_coverage_grid_month")]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.month:%Y-%m}"


def _days_in(mask: str):
    """The number of bits set in the 7-bit weekday mask, as a database expression."""
    total = models.F(mask).bitand(1)
    for bit in range(1, 7):
        total = total + models.F(mask).bitrightshift(bit).bitand(1)
    return total


class FieldWeekQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A worker's weeks are seen where the worker's village is: its staff, the town office, the admin."""
        return self.filter(access.visible_q(user, town="worker__home_village__town", village="worker__home_village"))


class FieldWeek(models.Model):
    """The days of one ISO week on which a worker recorded field work (a visit of any outcome): bit 0 is
    Monday. Kept as visits are recorded (``visits.fielddays.mark``), so the scorecard's "four days a week in
    the grid" reads a town's year as some ten thousand small rows instead of counting its 300,000 visits
    (docs/scorecard.md). A day once worked stays worked: visits are never deleted or moved to another day."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    monday = models.DateField()
    days_mask = models.PositiveSmallIntegerField(default=0)
    days = models.GeneratedField(
        expression=_days_in("days_mask"), output_field=models.PositiveSmallIntegerField(), db_persist=True
    )

    objects = FieldWeekQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格员每周在岗天数")
        verbose_name_plural = _("网格员每周在岗天数")
        constraints = [models.UniqueConstraint(fields=["worker", "monday"], name="fieldweek_one_per_week")]

    def __str__(self) -> str:
        return f"{self.worker_id} · {self.monday} · {self.days}"
