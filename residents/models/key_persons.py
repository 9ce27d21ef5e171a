"""Key persons (重点人员): the listing of a resident in a category, with its people responsible."""

from __future__ import annotations

import datetime
import operator
from functools import cache, reduce

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import connection, models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import joins_as_written
from grids import access

from .. import cadence as cadences
from ..cadence import Cadence, cadence_for
from .people import Resident
from .validators import mobile_validator


class KeyCategory(models.TextChoices):
    CORRECTIONS = "corrections", _("社区矫正人员")
    RELEASED = "released", _("刑满释放人员")
    MENTAL = "mental", _("严重精神障碍患者")
    DRUG = "drug", _("吸毒人员")
    YOUTH = "youth", _("重点青少年")
    LEFT_BEHIND_ELDERLY = "lb_elderly", _("留守老人")
    LEFT_BEHIND_WOMAN = "lb_woman", _("留守妇女")
    LEFT_BEHIND_CHILD = "lb_child", _("留守儿童")


class Attention(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class CorrectionType(models.TextChoices):
    """GB/T 31000 社区矫正人员 · 矫正类别."""

    CONTROL = "control", _("管制")
    PROBATION = "probation", _("缓刑")
    PAROLE = "parole", _("假释")
    MEDICAL_PAROLE = "medical", _("暂予监外执行")


class SupervisionGap(models.TextChoices):
    """脱管 (lost contact while under supervision) / 漏管 (never taken into supervision)."""

    NONE = "", _("无")
    LOST = "lost", _("脱管")
    MISSED = "missed", _("漏管")


class Treatment(models.TextChoices):
    NONE = "none", _("未治疗")
    OUTPATIENT = "outpatient", _("门诊治疗")
    HOSPITAL = "hospital", _("住院治疗")
    HOME = "home", _("居家服药")


# ``visits.Visit`` has a ForeignKey to KeyPerson (related name ``visits``): the list reads the last completed
# visit through that reverse relation, in its own query, without importing visits, which stands above the
# registry (docs/architecture.md, "Where a new feature goes"). The value is ``visits.models.Outcome.DONE``;
# tests/residents/test_key_person_care.py holds the two together and checks the overdue against visits/due.py.
VISIT_DONE = "done"


class KeyPersonQuerySet(models.QuerySet):
    def with_last_visit(self, today: datetime.date | None = None):
        """Each key person's ``last_visit``: the date of their last completed visit up to today, or None."""
        if "last_visit" in self.query.annotations:
            return self
        today = today or timezone.localdate()
        # A subquery per key person, not a join of their visits grouped by key person: the list's ids, its count
        # and its rows then read the listings without grouping them (docs/performance.md, "Rows of a page"). The
        # visits' model by the relation: the registry does not import the visits app.
        visits = self.model._meta.get_field("visits").related_model
        last = (
            visits.objects.filter(key_person=OuterRef("pk"), outcome=VISIT_DONE, visited_on__lte=today)
            .order_by("-visited_on")
            .values("visited_on")[:1]
        )
        return self.annotate(last_visit=Subquery(last))

    def overdue(self, today: datetime.date | None = None):
        """Listed now and overdue by their cadence (residents/cadence.py), as ``visits.due.KeyDue`` tells
        it: more than the interval has passed since the last completed visit, or since the listing if never
        visited. A visit that was not possible does not stop the clock."""
        today = today or timezone.localdate()
        rows = (
            self.current()
            .with_last_visit(today)
            .annotate(
                visit_interval=cadences.interval_days_expression(),
                visit_clock_from=Coalesce("last_visit", "listed_from"),
            )
        )
        late = (
            Q(visit_interval=days, visit_clock_from__lt=today - datetime.timedelta(days=days))
            for days in sorted(cadences.intervals())
        )
        return rows.filter(reduce(operator.or_, late))

    def current(self):
        today = timezone.localdate()
        return self.filter(Q(listed_from__lte=today) & (Q(listed_until__isnull=True) | Q(listed_until__gte=today)))

    def visible_to(self, user):
        """Sensitive (PIPL, DOMAIN.md): only staff of the village, the grid worker who visits the person
        (their grid) and the people named responsible. The town office sees counts in reports, not
        these records; no liaison or information officer sees them."""
        q = access.visible_q(user, village="village", grid="resident__household__grid")
        if extra := _named_outside(user):
            q |= Q(pk__in=extra)
        # An erased listing (residents/retention.py) is on no page, export or API list, not even the admin's.
        return self.filter(q, erased_at__isnull=True)


def _named_outside(user) -> list[int]:
    """The key persons ``user`` is named responsible for that their places do not already show: usually
    none, so the scope stays one indexable condition. (An ``OR EXISTS(responsible …)`` beside the village
    made PostgreSQL scan every key person of the county: 3 s for a village's list at a million
    residents.) Read once per request and kept on the user object, like the scope.

    Written-out statements: the person's named listings outside their own villages (the responsible table's
    user index, an anti-join to the villages' listings by the village index): usually none, and that is all;
    otherwise, for someone who holds grids, those listings' grids, judged by ``access.may_see_key_persons``. The ORM's
    version, a subquery per listing probing the scope, took 2.7 ms of every key-person page of a village's
    staff member named on 382 listings, a join of the four tables 1.2 ms, this 0.4 (docs/performance.md, "A
    key person's village")."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_key_persons_named_outside", None)
    if cached is None:
        scope = access.scope_for(user)
        cached = []
        if not scope.is_admin:
            villages = sorted(scope.village_ids)
            with connection.cursor() as cursor:
                cursor.execute(_named_sql(connection.vendor, len(villages)), [user.pk, *villages])
                cached = sorted({pk for (pk,) in cursor.fetchall()})
            if cached and scope.grid_ids:
                with joins_as_written(), connection.cursor() as cursor:  # the listings by key, then by key
                    cursor.execute(_grids_sql(connection.vendor, len(cached)), cached)
                    found = cursor.fetchall()
                cached = sorted(
                    pk
                    for pk, village_id, grid_id in found
                    if not access.may_see_key_persons(user, village_id=village_id, grid_id=grid_id)
                )
        user._key_persons_named_outside = cached
    return cached


def _tables():
    from .households import Household

    qn = connection.ops.quote_name
    return (qn(model._meta.db_table) for model in (KeyPersonResponsible, KeyPerson, Resident, Household))


@cache
def _named_sql(vendor: str, villages: int) -> str:
    named, listings, _residents, _households = _tables()
    outside = (
        f"AND NOT EXISTS (SELECT 1 FROM {listings} k WHERE k.id = r.key_person_id "  # noqa: S608 (the models' tables)
        f"AND k.village_id IN ({', '.join(['%s'] * villages)}))"
        if villages
        else ""
    )
    return f"SELECT r.key_person_id FROM {named} r WHERE r.user_id = %s {outside}"  # noqa: S608


@cache
def _grids_sql(vendor: str, listings_asked: int) -> str:
    _named, listings, residents, households = _tables()
    return (
        f"SELECT k.id, k.village_id, h.grid_id FROM {listings} k "  # noqa: S608 (the models' tables)
        f"LEFT OUTER JOIN {residents} p ON p.id = k.resident_id "
        f"LEFT OUTER JOIN {households} h ON h.id = p.household_id "
        f"WHERE k.id IN ({', '.join(['%s'] * listings_asked)})"
    )


class KeyPerson(models.Model):
    """A resident listed in a key-person category from ``listed_from`` until ``listed_until``."""

    # None once the listing is erased at the end of its retention period (residents/retention.py; README,
    # "Security and personal data"): the row then names nobody and keeps only what the counts need.
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_listings",
        verbose_name=_("居民"),
    )
    # The resident's village, kept on the listing (a resident never changes village: moves stay within it,
    # residents/services.py): a village's key persons are found by this index instead of reading every key
    # person of the county to join them to the village's residents (docs/performance.md, "A key person's
    # village"). Taken from the resident when the listing is first saved or validated; kept after erasure.
    village = models.ForeignKey(
        "grids.Village",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("行政村"),
    )
    category = models.CharField(_("类别"), max_length=20, choices=KeyCategory.choices)
    attention = models.CharField(_("关注程度"), max_length=10, choices=Attention.choices, default=Attention.MEDIUM)
    listed_from = models.DateField(_("列管开始"))
    listed_until = models.DateField(_("列管结束"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    # 社区矫正
    correction_type = models.CharField(_("矫正类别"), max_length=10, choices=CorrectionType.choices, blank=True)
    correction_start = models.DateField(_("矫正开始日期"), null=True, blank=True)
    correction_end = models.DateField(_("矫正结束日期"), null=True, blank=True)
    supervision_gap = models.CharField(
        _("脱管/漏管"), max_length=10, choices=SupervisionGap.choices, blank=True, default=SupervisionGap.NONE
    )
    # 刑满释放
    release_date = models.DateField(_("释放日期"), null=True, blank=True)
    resettlement = models.CharField(_("衔接/安置情况"), max_length=200, blank=True)
    # 严重精神障碍
    risk_level = models.PositiveSmallIntegerField(
        _("危险性评估等级"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    guardian_name = models.CharField(_("监护人"), max_length=50, blank=True)
    guardian_phone = models.CharField(_("监护人电话"), max_length=11, blank=True, validators=[mobile_validator])
    incident_history = models.BooleanField(_("有肇祸史"), default=False)
    treatment = models.CharField(_("治疗情况"), max_length=12, choices=Treatment.choices, blank=True)
    # 留守 (老人/妇女/儿童)
    health = models.CharField(_("健康状况"), max_length=100, blank=True)
    difficulties = models.CharField(_("困难及诉求"), max_length=300, blank=True)
    # Set by the retention job with the resident taken off: where the listing was, for counts.
    erased_at = models.DateTimeField(_("到期删除时间"), null=True, blank=True, editable=False)
    erased_village = models.ForeignKey(
        "grids.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("删除时所在村"),
    )
    erased_grid = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("删除时所在网格"),
    )

    objects = KeyPersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点人员")
        verbose_name_plural = _("重点人员")
        ordering = ["village", "category", "resident__name"]
        indexes = [
            # The scorecard's 脱管 count (docs/scorecard.md): the few people lost from supervision, found
            # without reading every key person of the county (5 → 0.1 ms at a million residents).
            models.Index(fields=["resident"], condition=Q(supervision_gap=SupervisionGap.LOST), name="keyperson_lost"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_level__isnull=True) | Q(risk_level__lte=5),
                name="keyperson_risk_level_0_5",
                violation_error_message=_("危险性评估等级应为0–5级。"),
            ),
            models.CheckConstraint(
                condition=Q(listed_until__isnull=True) | Q(listed_until__gte=models.F("listed_from")),
                name="keyperson_until_after_from",
                violation_error_message=_("列管结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        if self.resident_id is None:
            return f"{_('已删除')} · {self.get_category_display()}"
        return f"{self.resident} · {self.get_category_display()}"

    def save(self, *args, **kwargs):
        self.take_village()
        super().save(*args, **kwargs)

    def listed_on(self, day: datetime.date) -> bool:
        return self.listed_from <= day and (self.listed_until is None or self.listed_until >= day)

    @property
    def is_current(self) -> bool:
        return self.listed_on(timezone.localdate())

    @property
    def cadence(self) -> Cadence:
        return cadence_for(self.category, self.risk_level)

    @property
    def next_visit_due(self) -> datetime.date:
        """From ``with_last_visit()``: the last completed visit (or the listing) plus the cadence's interval."""
        start = self.last_visit or self.listed_from
        return start + datetime.timedelta(days=self.cadence.interval_days)

    @property
    def visit_overdue(self) -> bool:
        today = timezone.localdate()  # once: a list asks this of each of its rows
        return self.listed_on(today) and self.next_visit_due < today

    @property
    def needs_four_to_one_team(self) -> bool:
        # 国家基本公共卫生服务规范 (docs/sources.md): level 3+ patients are followed by the "四帮一" team.
        return self.category == KeyCategory.MENTAL and (self.risk_level or 0) >= 3

    def take_village(self) -> None:
        """The listing's village from its resident, for a new listing (a listing's resident never changes)."""
        if self.village_id is None and self.resident_id is not None:
            self.village_id = self.resident.village_id

    def clean_fields(self, exclude=None):
        self.take_village()
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}
        if self.category == KeyCategory.MENTAL:
            if self.risk_level is None:
                errors["risk_level"] = _("严重精神障碍患者须填写危险性评估等级（0–5级）。")
            if not self.guardian_name:
                errors["guardian_name"] = _("严重精神障碍患者须填写监护人。")
        elif self.risk_level is not None:
            errors["risk_level"] = _("只有严重精神障碍患者有危险性评估等级。")
        if self.category == KeyCategory.CORRECTIONS and not self.correction_type:
            errors["correction_type"] = _("社区矫正人员须填写矫正类别。")
        if self.correction_start and self.correction_end and self.correction_end < self.correction_start:
            errors["correction_end"] = _("矫正结束日期不能早于开始日期。")
        if self.category == KeyCategory.RELEASED and not self.release_date:
            errors["release_date"] = _("刑满释放人员须填写释放日期。")
        if self.listed_until and self.listed_from and self.listed_until < self.listed_from:
            errors["listed_until"] = _("列管结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)


class ResponsibleRole(models.TextChoices):
    """四帮一: village cadre, psychiatric doctor, community police officer and the guardian (国家基本公共卫生服务规范; docs/sources.md)."""

    CADRE = "cadre", _("村干部")
    DOCTOR = "doctor", _("精防医生")
    POLICE = "police", _("社区民警")
    GUARDIAN = "guardian", _("监护人")
    GRID_WORKER = "grid_worker", _("网格员")
    OTHER = "other", _("其他帮扶人")


class KeyPersonResponsibleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(key_person__in=KeyPerson.objects.visible_to(user))


class KeyPersonResponsible(models.Model):
    key_person = models.ForeignKey(
        KeyPerson, on_delete=models.CASCADE, related_name="responsibles", verbose_name=_("重点人员")
    )
    role = models.CharField(_("职责"), max_length=12, choices=ResponsibleRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_person_duties",
        verbose_name=_("平台账号"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=11, blank=True, validators=[mobile_validator])

    objects = KeyPersonResponsibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶责任人")
        verbose_name_plural = _("帮扶责任人")
        constraints = [
            models.UniqueConstraint(fields=["key_person", "role", "name"], name="responsible_unique_role_name"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"
