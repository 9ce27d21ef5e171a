"""The registry: households, residents, key persons and key places. Uses grids; never the other way.

Places are denormalised on purpose: a household keeps its village and grid beside its micro-grid (set
by the services from the micro-grid, checked in ``clean``), so scoping and per-grid counts are one
indexed column away at county scale instead of two joins.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from grids import access
from grids.models import Archivable, ArchivableQuerySet, Grid, MicroGrid, NaturalVillage, Village, VillagerGroup

from . import idnumber
from .cadence import Cadence, cadence_for
from .codes import ETHNIC_CHOICES, HAN, Education, Gender, Marriage, Political, Relation

# ASCII digits and \Z: \d would take full-width and Arabic-Indic digits, $ a trailing newline.
mobile_validator = RegexValidator(r"^1[0-9]{10}\Z", _("手机号应为以1开头的11位数字。"))


# --- Households --------------------------------------------------------------------------------


class LivingStatus(models.TextChoices):
    RESIDENT = "resident", _("常住")
    AWAY = "away", _("外出")
    NOMINAL = "nominal", _("空挂")


class TagQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self  # the tag list holds no personal data: everyone may read it


class Tag(models.Model):
    """A household tag (低保, 五保, 留守, 独居老人, 党员户…). The list is kept by the system admin; the
    standard ones are created by a migration."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = TagQuerySet.as_manager()

    class Meta:
        verbose_name = _("户标签")
        verbose_name_plural = _("户标签")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class HouseholdQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(
            access.visible_q(
                user,
                town="village__town",
                village="village",
                grid="grid",
                micro_grid="micro_grid",
                group="villager_group",
            )
        )

    def changeable_by(self, user):
        # Village staff keep the registry; grid workers correct the households of their grids (issue 4).
        return self.filter(access.change_q(user, village="village", grid="grid"))


class Household(Archivable):
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="households", verbose_name=_("行政村"))
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="households", verbose_name=_("网格"))
    micro_grid = models.ForeignKey(
        MicroGrid, on_delete=models.PROTECT, related_name="households", verbose_name=_("微网格")
    )
    villager_group = models.ForeignKey(
        VillagerGroup, on_delete=models.PROTECT, related_name="households", verbose_name=_("村民小组")
    )
    natural_village = models.ForeignKey(
        NaturalVillage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("自然村"),
    )
    number = models.CharField(_("户编号"), max_length=30, help_text=_("本村内唯一，导入时用它识别同一户。"))
    address = models.CharField(_("门牌地址"), max_length=200)
    phone = models.CharField(_("联系电话"), max_length=11, blank=True, validators=[mobile_validator])
    living_status = models.CharField(
        _("居住状态"), max_length=10, choices=LivingStatus.choices, default=LivingStatus.RESIDENT
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="households", verbose_name=_("标签"))
    note = models.CharField(_("备注"), max_length=500, blank=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["village", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "number"],
                name="household_unique_number_in_village",
                violation_error_message=_("本村已有该户编号。"),
            ),
        ]
        indexes = [
            models.Index(fields=["grid", "archived_at"], name="household_grid_active"),
            models.Index(fields=["micro_grid", "address"], name="household_micro_address"),
            # The list's order (issue 10): its pages, deep ones too, are read in index order.
            models.Index(
                fields=["village", "number"], condition=Q(archived_at__isnull=True), name="household_list_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.address}"

    def clean(self):
        errors = {}
        if self.micro_grid_id and self.village_id and self.micro_grid.grid.village_id != self.village_id:
            errors["micro_grid"] = _("微网格必须属于本村。")
        if self.villager_group_id and self.village_id and self.villager_group.village_id != self.village_id:
            errors["villager_group"] = _("村民小组必须属于本村。")
        if self.natural_village_id and self.village_id and self.natural_village.village_id != self.village_id:
            errors["natural_village"] = _("自然村必须属于本村。")
        if errors:
            raise ValidationError(errors)


class HouseholdMoveQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(household__in=Household.objects.visible_to(user))


class HouseholdMove(models.Model):
    """A household moved to another micro-grid: kept so the detail page shows where it was when."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="moves", verbose_name=_("户"))
    from_micro_grid = models.ForeignKey(
        MicroGrid, on_delete=models.PROTECT, related_name="+", verbose_name=_("原微网格")
    )
    to_micro_grid = models.ForeignKey(MicroGrid, on_delete=models.PROTECT, related_name="+", verbose_name=_("新微网格"))
    moved_at = models.DateTimeField(_("迁移时间"), default=timezone.now)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = HouseholdMoveQuerySet.as_manager()

    class Meta:
        verbose_name = _("户迁移记录")
        verbose_name_plural = _("户迁移记录")
        ordering = ["-moved_at"]

    def __str__(self) -> str:
        return f"{self.household} {self.from_micro_grid} → {self.to_micro_grid}"


# --- Residents ---------------------------------------------------------------------------------


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
            # The list's order (issue 10): a town's 70,000 residents were joined to every household and
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
    """Every time a full ID number was shown: who saw whose, when, from where (PIPL; issue 4 §5)."""

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


# --- Key persons ----------------------------------------------------------------------------------


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


class KeyPersonQuerySet(models.QuerySet):
    def current(self):
        today = timezone.localdate()
        return self.filter(Q(listed_from__lte=today) & (Q(listed_until__isnull=True) | Q(listed_until__gte=today)))

    def visible_to(self, user):
        """Sensitive (PIPL, DOMAIN.md): only staff of the village, the grid worker who visits the person
        (their grid) and the people named responsible. The town office sees counts in reports, not
        these records; no liaison or information officer sees them."""
        q = access.visible_q(user, village="resident__village", grid="resident__household__grid")
        if extra := _named_outside(user, q):
            q |= Q(pk__in=extra)
        return self.filter(q)


def _named_outside(user, scope_q: Q) -> list[int]:
    """The key persons ``user`` is named responsible for that their places do not already show: usually
    none, so the scope stays one indexable condition. (An ``OR EXISTS(responsible …)`` beside the village
    made PostgreSQL scan every key person of the county: 3 s for a village's list at a million
    residents.) Read once per request and kept on the user object, like the scope."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_key_persons_named_outside", None)
    if cached is None:
        named = KeyPersonResponsible.objects.filter(user=user).values("key_person_id")
        cached = list(
            KeyPerson.objects.filter(pk__in=named).exclude(scope_q).values_list("pk", flat=True).order_by("pk")
        )
        user._key_persons_named_outside = cached
    return cached


class KeyPerson(models.Model):
    """A resident listed in a key-person category from ``listed_from`` until ``listed_until``."""

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="key_listings", verbose_name=_("居民")
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

    objects = KeyPersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点人员")
        verbose_name_plural = _("重点人员")
        ordering = ["resident__village", "category", "resident__name"]
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
        return f"{self.resident} · {self.get_category_display()}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.listed_from <= today and (self.listed_until is None or self.listed_until >= today)

    @property
    def cadence(self) -> Cadence:
        return cadence_for(self.category, self.risk_level)

    @property
    def needs_four_to_one_team(self) -> bool:
        # Seed 000 / 国家基本公共卫生服务规范: level 3+ patients are followed by the "四帮一" team.
        return self.category == KeyCategory.MENTAL and (self.risk_level or 0) >= 3

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
    """四帮一: village cadre, psychiatric doctor, community police officer and the guardian (seed 000)."""

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


# --- Key places -----------------------------------------------------------------------------------


class PlaceType(models.TextChoices):
    RENTAL = "rental", _("出租房屋")
    ENTERPRISE = "enterprise", _("企业/非公有制经济组织")
    SCHOOL_AREA = "school_area", _("学校周边")
    HAZMAT = "hazmat", _("危化品场所")
    RESERVOIR = "reservoir", _("水库/地质灾害点")
    RELIGIOUS = "religious", _("宗教活动场所")
    CROWDED = "crowded", _("人员密集场所")
    OTHER = "other", _("其他重点部位")


class KeyPlaceQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(
            access.visible_q(user, town="village__town", village="village", grid="grid", micro_grid="micro_grid")
        )


class KeyPlace(Archivable):
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="key_places", verbose_name=_("行政村"))
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="key_places", verbose_name=_("网格"))
    micro_grid = models.ForeignKey(
        MicroGrid, on_delete=models.PROTECT, null=True, blank=True, related_name="key_places", verbose_name=_("微网格")
    )
    type = models.CharField(_("类型"), max_length=20, choices=PlaceType.choices)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    person_in_charge = models.CharField(_("负责人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=11, blank=True, validators=[mobile_validator])
    hazards = models.CharField(_("风险隐患"), max_length=500, blank=True)
    # 出租房屋: the owner (a resident or not) and the tenants who live there.
    owner = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="rented_places", verbose_name=_("房东")
    )
    tenants = models.ManyToManyField(Resident, blank=True, related_name="rented_homes", verbose_name=_("租住人员"))

    objects = KeyPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点场所")
        verbose_name_plural = _("重点场所")
        ordering = ["village", "grid", "type", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.grid_id and self.village_id and self.grid.village_id != self.village_id:
            errors["grid"] = _("网格必须属于本村。")
        if self.micro_grid_id and self.grid_id and self.micro_grid.grid_id != self.grid_id:
            errors["micro_grid"] = _("微网格必须属于所选网格。")
        if errors:
            raise ValidationError(errors)


# --- Imports ------------------------------------------------------------------------------------------


class ImportKind(models.TextChoices):
    HOUSEHOLDS = "households", _("户籍人口（户与成员）")
    KEY_PERSONS = "key_persons", _("重点人员")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("全部导入，有错则一条都不导入")
    VALID_ONLY = "valid", _("只导入正确的行，错误行另存下载")


class ImportStatus(models.TextChoices):
    PLANNING = "planning", _("正在检查")
    PLANNED = "planned", _("待确认")
    APPLYING = "applying", _("正在导入")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未导入")


class VillageStaffQuerySet(models.QuerySet):
    """Imports and exports of a village's registry: for its staff (and the system admin) only."""

    def visible_to(self, user):
        return self.filter(access.change_q(user, village="village"))


class ImportJob(models.Model):
    """An uploaded workbook: checked first (plan), applied only when the user confirms."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("行政村"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )
    kind = models.CharField(_("内容"), max_length=20, choices=ImportKind.choices)
    mode = models.CharField(_("方式"), max_length=10, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    filename = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PLANNING)
    summary = models.JSONField(_("检查结果"), default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = VillageStaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入")
        verbose_name_plural = _("导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_busy(self) -> bool:
        return self.status in {ImportStatus.PLANNING, ImportStatus.APPLYING}

    @property
    def progress_key(self) -> str:
        return f"import-progress:{self.pk}"
