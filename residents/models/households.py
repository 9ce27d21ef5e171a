"""Households, their tags and their moves between micro-grids."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids import access
from grids.models import Archivable, ArchivableQuerySet, Grid, MicroGrid, NaturalVillage, Village, VillagerGroup

from .validators import mobile_validator


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
        # Village staff keep the registry; grid workers correct the households of their grids, which they visit.
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
    # The grid's WeChat group reaches at least one person of every household (README, "The registry").
    in_wechat_group = models.BooleanField(
        _("已加入网格微信群"), default=False, help_text=_("户里至少有一人在本网格的微信群里。")
    )
    wechat_member = models.ForeignKey(
        "residents.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("入群成员"),
        help_text=_("在群里的是户里哪一位（可不填）。"),
    )

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
            # The list's order: its pages, deep ones too, are read in index order (no sort per page).
            models.Index(
                fields=["village", "number"], condition=Q(archived_at__isnull=True), name="household_list_order"
            ),
            # A village's archived households (a handful), left out of its Party contact links without reading
            # every household of the village (docs/performance.md, "Rows by a list of ids").
            models.Index(fields=["village"], condition=Q(archived_at__isnull=False), name="household_archived"),
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
        if self.wechat_member_id:
            if self.wechat_member.household_id != self.pk or self.wechat_member.archived_at is not None:
                errors["wechat_member"] = _("入群成员必须是这一户的在册成员。")
            self.in_wechat_group = True  # whoever is named is in the group
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
