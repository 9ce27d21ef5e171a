"""Residents (registered and migrant), their moves between households, and the record of every full
ID number shown."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from grids import access
from grids.models import Archivable, ArchivableQuerySet, Village

from .. import idnumber
from ..codes import ETHNIC_CHOICES, HAN, Education, Gender, Marriage, Political, Relation
from .households import Household
from .validators import mobile_validator


class Registration(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    MIGRANT = "migrant", _("流动人口（流入）")


class ResidentQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(
            access.visible_q(
                user,
                town="village__town",
                village="village",
                grid="household__grid",
                micro_grid="household__micro_grid",
                group="household__villager_group",
            )
        )

    def changeable_by(self, user):
        return self.filter(access.change_q(user, village="village", grid="household__grid"))

    def with_id_number(self, number: str):
        return self.filter(id_hash=idnumber.lookup_hash(number))


class Resident(Archivable):
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="residents", verbose_name=_("行政村"))
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("所在户"),
    )
    relation = models.CharField(_("与户主关系"), max_length=2, choices=Relation.choices, blank=True)
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    # ID number: encrypted, plus keyed hashes (residents/idnumber.py). Never in clear.
    id_cipher = models.TextField(_("身份证号（加密）"), editable=False)
    id_hash = models.CharField(max_length=64, editable=False, unique=True)
    id_tail_hash = models.CharField(max_length=64, editable=False, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    phone = models.CharField(_("手机号"), max_length=11, blank=True, validators=[mobile_validator])
    ethnicity = models.CharField(_("民族"), max_length=2, choices=ETHNIC_CHOICES, default=HAN)
    political = models.CharField(_("政治面貌"), max_length=2, choices=Political.choices, default=Political.MASSES)
    marriage = models.CharField(_("婚姻状况"), max_length=2, choices=Marriage.choices, blank=True)
    education = models.CharField(_("学历"), max_length=2, choices=Education.choices, blank=True)
    occupation = models.CharField(_("职业"), max_length=50, blank=True)
    workplace = models.CharField(_("服务处所"), max_length=100, blank=True)
    hukou_place = models.CharField(_("户籍地"), max_length=200, blank=True)
    current_address = models.CharField(_("现住地"), max_length=200, blank=True)
    registration = models.CharField(
        _("人口类型"), max_length=12, choices=Registration.choices, default=Registration.REGISTERED
    )
    # 流动人口 (GB/T 31000 实有人口 · 流动人口)
    inflow_reason = models.CharField(_("流入原因"), max_length=100, blank=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    document_expires = models.DateField(_("证件到期日期"), null=True, blank=True)
    # 外出: a resident living away keeps where and since when.
    lives_here = models.BooleanField(_("在本村居住"), default=True)
    away_place = models.CharField(_("外出去向"), max_length=200, blank=True)
    away_since = models.DateField(_("外出时间"), null=True, blank=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["village", "household", "relation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="02", archived_at__isnull=True),
                name="resident_one_head_per_household",
                violation_error_message=_("这一户已有户主。"),
            ),
        ]
        indexes = [
            # The list's order: a town's 70,000 residents were joined to every household and
            # sorted for each page (465 ms at a million); in index order a page reads its 50 rows.
            models.Index(
                fields=["village", "household", "relation", "id"],
                condition=Q(archived_at__isnull=True),
                name="resident_list_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, number: str) -> idnumber.IdFacts:
        """Validate and store an ID number; gender and birth date follow from it."""
        facts = idnumber.parse(number)
        self.id_cipher = idnumber.encrypt(facts.number)
        self.id_hash = idnumber.lookup_hash(facts.number)
        self.id_tail_hash = idnumber.tail_hash(facts.number)
        self.gender = facts.gender
        self.birth_date = facts.birth_date
        self.__dict__.pop("id_number", None)
        return facts

    @cached_property
    def id_number(self) -> str:
        """The full number. Only for people allowed to see it; showing it is recorded (services)."""
        return idnumber.decrypt(self.id_cipher) if self.id_cipher else ""

    @property
    def id_number_masked(self) -> str:
        return idnumber.mask(self.id_number)

    def age_on(self, day: datetime.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def is_head(self) -> bool:
        return self.relation == Relation.HEAD

    def clean(self):
        errors = {}
        if self.household_id and self.village_id and self.household.village_id != self.village_id:
            errors["household"] = _("所在户必须属于本村。")
        if self.household_id and not self.relation:
            errors["relation"] = _("请选择与户主的关系。")
        if not self.lives_here and not self.away_place:
            errors["away_place"] = _("外出人员请填写外出去向。")
        if self.registration == Registration.MIGRANT and not self.registered_on:
            errors["registered_on"] = _("流动人口请填写登记日期。")
        if errors:
            raise ValidationError(errors)


class ResidentMoveQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(resident__in=Resident.objects.visible_to(user))


def head_name(household: str = "pk") -> Subquery:
    """The name of the household's head, for annotating rows whose ``household`` column is named (a
    household's own ``pk``, else e.g. ``"household_id"``). Unordered: a household has at most one head in
    use (the constraint ``resident_one_head_per_household``), and the model's order (village, town, household)
    made the subquery join five tables for every row: 5 of the 6.5 ms the database spent on a page of 50
    households at a million residents (docs/performance.md, "A subquery's order")."""
    heads = Resident.objects.filter(household=OuterRef(household), relation=Relation.HEAD, archived_at__isnull=True)
    return Subquery(heads.order_by().values("name")[:1])


class ResidentMove(models.Model):
    """A resident moved to another household (or out of any): the history the detail page shows."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="moves", verbose_name=_("居民"))
    from_household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("原户")
    )
    to_household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("新户")
    )
    moved_at = models.DateTimeField(_("迁移时间"), default=timezone.now)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ResidentMoveQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员迁移记录")
        verbose_name_plural = _("人员迁移记录")
        ordering = ["-moved_at"]

    def __str__(self) -> str:
        return f"{self.resident} {self.from_household} → {self.to_household}"


class IdNumberDisclosureQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Who saw which ID numbers: for the village's staff and the system admin (audit)."""
        return self.filter(access.change_q(user, village="resident__village"))


class IdNumberDisclosure(models.Model):
    """Every time a full ID number was shown: who saw whose, when, from where (PIPL art. 28: an ID number is sensitive personal information)."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+", verbose_name=_("居民"))
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("查看人")
    )
    viewed_at = models.DateTimeField(_("查看时间"), default=timezone.now)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    purpose = models.CharField(_("场景"), max_length=50, blank=True)

    objects = IdNumberDisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("身份证号查看记录")
        verbose_name_plural = _("身份证号查看记录")
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.resident} @ {self.viewed_at:%Y-%m-%d %H:%M}"
