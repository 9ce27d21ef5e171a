"""Guiding by example and by law (德治/法治, docs/civility.md): what villagers do together and whom they hold
up as examples — activities, volunteer teams, the 法律明白人 roster, model households and people, and the
points supermarket (积分超市) whose ledger rewards them.

The points ledger is append-only: a household's balance is kept on its ``PointsAccount`` row (locked for
each entry, never below zero by a check constraint) and always equals the sum of its ``PointsEntry`` rows;
stock is kept on ``StockItem`` the same way. Two redemptions at once cannot overspend (services.redeem).

A 主题党日 is the Party app's meeting; an activity may point to one (``party_meeting``, a foreign key by string
label: this app imports neither the Party app nor the cases app), and is then counted once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids import access
from grids.models import Archivable, ArchivableQuerySet, Village


class VillageQuerySet(ArchivableQuerySet):
    """The village's records: its staff keep them, the town office reads its villages', the admin all."""

    def visible_to(self, user):
        return self.filter(access.visible_q(user, town="village__town", village="village"))


class ActivityKind(models.TextChoices):
    LEGAL = "legal", _("普法宣传")
    TALK = "talk", _("理论宣讲")
    CIVILISATION = "civilisation", _("新时代文明实践")
    CLEANUP = "cleanup", _("环境整治")
    TRAINING = "training", _("技能培训")
    YOUTH = "youth", _("青少年活动")
    CARE = "care", _("关爱服务")
    ANTI_FRAUD = "anti_fraud", _("反诈宣传")
    OTHER = "other", _("其他")


class VolunteerTeam(Archivable):
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="volunteer_teams", verbose_name=_("行政村")
    )
    name = models.CharField(_("队伍名称"), max_length=60)
    focus = models.CharField(
        _("服务方向"), max_length=100, blank=True, help_text=_("如：政策宣讲、学法用法、环境整治、学雷锋")
    )
    leader = models.CharField(_("负责人"), max_length=50, blank=True)
    founded_on = models.DateField(_("成立日期"), default=timezone.localdate)

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["village", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "name"],
                condition=Q(archived_at__isnull=True),
                name="civility_one_team_per_name",
                violation_error_message=_("本村已有同名的志愿服务队。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class VolunteerQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(team__in=VolunteerTeam.objects.visible_to(user))

    def current(self):
        return self.filter(left_on__isnull=True)


class Volunteer(models.Model):
    """A resident in a team, from the day they joined to the day they left (history kept)."""

    team = models.ForeignKey(VolunteerTeam, on_delete=models.PROTECT, related_name="members", verbose_name=_("队伍"))
    resident = models.ForeignKey(
        "residents.Resident", on_delete=models.PROTECT, related_name="volunteering", verbose_name=_("居民")
    )
    joined_on = models.DateField(_("加入日期"), default=timezone.localdate)
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["team", "joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "resident"],
                condition=Q(left_on__isnull=True),
                name="civility_one_membership_per_team",
                violation_error_message=_("此人已在这支队伍中。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id}/{self.resident_id}"


class Activity(Archivable):
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="activities", verbose_name=_("行政村"))
    kind = models.CharField(_("类别"), max_length=15, choices=ActivityKind.choices)
    title = models.CharField(_("活动名称"), max_length=100)
    held_on = models.DateField(_("日期"))
    organiser = models.CharField(_("组织者"), max_length=60)
    place = models.CharField(_("地点"), max_length=100)
    participants = models.PositiveIntegerField(_("参与人数"), validators=[MinValueValidator(1)])
    beneficiaries = models.PositiveIntegerField(_("受益人数"), default=0)
    summary = models.TextField(_("活动情况"), blank=True)
    residents = models.ManyToManyField(
        "residents.Resident", blank=True, related_name="+", verbose_name=_("参与的村民（需要时登记）")
    )
    teams = models.ManyToManyField(VolunteerTeam, blank=True, related_name="activities", verbose_name=_("志愿服务队"))
    party_meeting = models.ForeignKey(
        "party.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("对应的主题党日"),
        help_text=_("这次活动同时是党支部的主题党日时选择，统计时只算一次。"),
    )
    set_date = models.ForeignKey(
        "SetDate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("宣传节点"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["village", "held_on"], name="civility_activity_village_day")]

    def __str__(self) -> str:
        return self.title


class ActivityPhotoQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(activity__in=Activity.objects.visible_to(user))


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to="civility/activities/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ActivityPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.image.name


class SetDate(models.Model):
    """A legal-publicity date the villages are reminded of (宪法宣传日 4 December, 民法典宣传月 May, 安全生产月
    June): month and day it starts, how many days before the village is told. The admin edits the table."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    month = models.PositiveSmallIntegerField(_("月份"), validators=[MinValueValidator(1)])
    day = models.PositiveSmallIntegerField(_("日"), default=1, validators=[MinValueValidator(1)])
    remind_days_before = models.PositiveSmallIntegerField(_("提前提醒天数"), default=7)
    kind = models.CharField(_("活动类别"), max_length=15, choices=ActivityKind.choices, default=ActivityKind.LEGAL)
    active = models.BooleanField(_("启用"), default=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("宣传节点")
        verbose_name_plural = _("宣传节点")
        ordering = ["month", "day"]

    def __str__(self) -> str:
        return self.name


class LegalAdvisor(Archivable):
    """A 法律明白人 of the village: trained when and by whom; where the same person sits on the mediation team,
    their entry there (a foreign key by string label)."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="legal_advisors", verbose_name=_("行政村")
    )
    resident = models.ForeignKey(
        "residents.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("居民")
    )
    trained_on = models.DateField(_("培训日期"))
    trained_by = models.CharField(_("培训单位"), max_length=60, help_text=_("如：县司法局、镇司法所"))
    mediator = models.ForeignKey(
        "disputes.Mediator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("同时是调解团成员"),
    )

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("法律明白人")
        verbose_name_plural = _("法律明白人")
        ordering = ["village", "trained_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(archived_at__isnull=True),
                name="civility_one_advisor_per_resident",
                violation_error_message=_("此人已在法律明白人名册中。"),
            )
        ]

    def __str__(self) -> str:
        return str(self.resident_id)


class Honour(models.TextChoices):
    CIVILISED_HOUSEHOLD = "civilised", _("文明户")
    FIVE_GOOD_FAMILY = "five_good", _("五好文明家庭")
    MOST_BEAUTIFUL_FAMILY = "beautiful", _("最美家庭")
    CIVILISED_COURTYARD = "courtyard", _("文明院落")
    CLEAN_HOUSEHOLD = "clean", _("环境卫生整治示范户")
    GOOD_DAUGHTER_IN_LAW = "daughter_in_law", _("好媳妇")
    GOOD_MOTHER_IN_LAW = "mother_in_law", _("好婆婆")
    GOOD_NEIGHBOUR = "neighbour", _("好邻居")
    MORAL_MODEL = "moral_model", _("道德模范")
    OTHER = "other", _("其他")


class ModelSelection(Archivable):
    """One household or person chosen as an example in a year, and why."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="model_selections", verbose_name=_("行政村")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    honour = models.CharField(_("称号"), max_length=20, choices=Honour.choices)
    household = models.ForeignKey(
        "residents.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("户")
    )
    resident = models.ForeignKey(
        "residents.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("个人")
    )
    reason = models.TextField(_("评选事迹"))
    selected_on = models.DateField(_("评选日期"))
    points = models.PositiveIntegerField(_("奖励积分"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("先进典型")
        verbose_name_plural = _("先进典型")
        ordering = ["-year", "honour", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False) | Q(resident__isnull=False),
                name="civility_selection_names_someone",
                violation_error_message=_("请选择评选的户或个人。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_honour_display()}"


# --- The points supermarket (积分超市) ---------------------------------------------------------------------


class StockItem(Archivable):
    """Goods on the supermarket's shelf: what a redemption costs in points, how many are left."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="stock_items", verbose_name=_("行政村"))
    name = models.CharField(_("物品"), max_length=60)
    points = models.PositiveIntegerField(_("兑换积分"), validators=[MinValueValidator(1)])
    stock = models.PositiveIntegerField(_("库存"), default=0)

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分超市物品")
        verbose_name_plural = _("积分超市物品")
        ordering = ["village", "points", "name"]
        constraints = [models.CheckConstraint(condition=Q(stock__gte=0), name="civility_stock_never_negative")]

    def __str__(self) -> str:
        return self.name


class PointsAccountQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access.visible_q(user, town="village__town", village="village"))


class PointsAccount(models.Model):
    """A household's balance: the sum of its entries, kept here so that each entry locks one row."""

    household = models.OneToOneField(
        "residents.Household", on_delete=models.PROTECT, related_name="points_account", verbose_name=_("户")
    )
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("行政村"))
    balance = models.IntegerField(_("积分余额"), default=0)

    objects = PointsAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="civility_balance_never_negative")]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.balance}"


class EntryKind(models.TextChoices):
    SELECTION = "selection", _("评选奖励")
    ACTIVITY = "activity", _("参加活动")
    RULE = "rule", _("村规奖励")
    REDEMPTION = "redemption", _("兑换物品")
    CORRECTION = "correction", _("更正")


class PointsEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(account__in=PointsAccount.objects.visible_to(user))


class PointsEntry(models.Model):
    """One line of the ledger, never changed or deleted: points in (positive) or out (negative), why, by whom,
    when, and the balance it left."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类别"), max_length=12, choices=EntryKind.choices)
    points = models.IntegerField(_("积分"))
    balance_after = models.IntegerField(_("余额"))
    reason = models.CharField(_("事由"), max_length=200)
    selection = models.ForeignKey(ModelSelection, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quantity = models.PositiveIntegerField(default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = PointsEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        ordering = ["account", "at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="civility_entry_moves_points"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="civility_entry_balance_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.points:+d}"
