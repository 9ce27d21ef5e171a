"""The territory and who works it.

Town → Village → Grid → MicroGrid; a village also has natural villages (自然村) and villager groups
(村民小组). People hold assignments (role, place, start, end). Nothing that history points at is
deleted: territory is archived (``archived_at``), assignments are ended (``end``).

Scoping: every model here has ``objects.visible_to(user)`` built on ``grids.access``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access


class ArchivableQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)


class Archivable(models.Model):
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


# --- Territory --------------------------------------------------------------------------------


class TownQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(access.visible_q(user, town="pk"))


class Town(Archivable):
    name = models.CharField(_("名称"), max_length=50)
    # 统计用区划代码 (GB/T 2260 + 乡镇 3 digits): lets county data line up with other systems.
    code = models.CharField(_("区划代码"), max_length=12, blank=True)

    objects = TownQuerySet.as_manager()

    class Meta:
        verbose_name = _("乡镇")
        verbose_name_plural = _("乡镇")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(archived_at__isnull=True),
                name="town_unique_active_name",
                violation_error_message=_("已有同名的乡镇。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VillageQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(access.visible_q(user, town="town", village="pk"))


class Village(Archivable):
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="villages", verbose_name=_("乡镇"))
    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(_("区划代码"), max_length=12, blank=True)
    area_km2 = models.DecimalField(_("面积（平方公里）"), max_digits=8, decimal_places=2, null=True, blank=True)
    # The village profile (docs/scorecard.md): what the 汇报材料's first paragraph says beyond the counts.
    location = models.CharField(
        _("地理位置"), max_length=100, blank=True, help_text=_("如：位于某某集镇西部（写入汇报材料的村情介绍）")
    )
    industries = models.CharField(
        _("主要产业"), max_length=200, blank=True, help_text=_("用顿号分隔，如：床上用品、五金、水产养殖")
    )

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政村")
        verbose_name_plural = _("行政村")
        ordering = ["town__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "name"],
                condition=Q(archived_at__isnull=True),
                name="village_unique_active_name",
                violation_error_message=_("本乡镇已有同名的村。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NaturalVillageQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(access.visible_q(user, town="village__town", village="village"))


class NaturalVillage(Archivable):
    """自然村: a settlement inside an administrative village; households are addressed by it."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="natural_villages", verbose_name=_("行政村")
    )
    name = models.CharField(_("名称"), max_length=50)

    objects = NaturalVillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("自然村")
        verbose_name_plural = _("自然村")
        ordering = ["village", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "name"],
                condition=Q(archived_at__isnull=True),
                name="naturalvillage_unique_active_name",
                violation_error_message=_("本村已有同名的自然村。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VillagerGroupQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(access.visible_q(user, town="village__town", village="village", group="pk"))


class VillagerGroup(Archivable):
    """村民小组 (社): its head (社长) often serves as the information officer (docs/sources.md [S2])."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="villager_groups", verbose_name=_("行政村")
    )
    natural_village = models.ForeignKey(
        NaturalVillage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="villager_groups",
        verbose_name=_("自然村"),
    )
    number = models.PositiveSmallIntegerField(_("组号"))
    name = models.CharField(_("名称"), max_length=50)

    objects = VillagerGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("村民小组")
        verbose_name_plural = _("村民小组")
        ordering = ["village", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "number"],
                condition=Q(archived_at__isnull=True),
                name="villagergroup_unique_active_number",
                violation_error_message=_("本村已有该组号的村民小组。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.natural_village_id and self.village_id and self.natural_village.village_id != self.village_id:
            raise ValidationError({"natural_village": _("自然村必须属于本村。")})


class GridQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(access.visible_q(user, town="village__town", village="village", grid="pk"))

    def changeable_by(self, user):
        # Territory is kept by village staff; grid workers and the town read it.
        return self.filter(access.change_q(user, village="village"))


class Grid(Archivable):
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="grids", verbose_name=_("行政村"))
    number = models.PositiveSmallIntegerField(_("编号"), help_text=_("用于排序，如 1 表示第一网格。"))
    name = models.CharField(_("名称"), max_length=50)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["village", "number", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "name"],
                condition=Q(archived_at__isnull=True),
                name="grid_unique_active_name",
                violation_error_message=_("本村已有同名的网格。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MicroGridQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(
            access.visible_q(user, town="grid__village__town", village="grid__village", grid="grid", micro_grid="pk")
        )

    def changeable_by(self, user):
        return self.filter(access.change_q(user, village="grid__village"))


class MicroGrid(Archivable):
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="micro_grids", verbose_name=_("网格"))
    number = models.PositiveSmallIntegerField(_("编号"))
    name = models.CharField(_("名称"), max_length=50)

    objects = MicroGridQuerySet.as_manager()

    class Meta:
        verbose_name = _("微网格")
        verbose_name_plural = _("微网格")
        ordering = ["grid", "number", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "name"],
                condition=Q(archived_at__isnull=True),
                name="microgrid_unique_active_name",
                violation_error_message=_("该网格下已有同名的微网格。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- People and roles -------------------------------------------------------------------------


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """People a user may see: those belonging to villages in their scope, and themselves."""
        return self.filter(access.visible_q(user, town="home_village__town", village="home_village") | Q(pk=user.pk))


class AccountManager(UserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True


class User(AbstractUser):
    """An account. Chinese names are one field (姓名); ``home_village`` scopes who staff may assign."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    home_village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("所属村"),
        help_text=_("村干部和网格员所属的村；镇综治办和系统管理员留空。"),
    )
    # Set when someone else chose the password (the admin, on creating or resetting it): the user must
    # choose their own at the next login before anything else.
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    # When the person's right to their credentials last ended (a password set by someone else, the account
    # switched off, the last assignment over: grids/credentials.py). A phone that last synced before it
    # wipes what it keeps (README, "What a phone holds"); an idle time-out does not set it.
    credentials_ended_at = models.DateTimeField(_("凭据终止时间"), null=True, blank=True, editable=False)

    objects = AccountManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        swappable = "AUTH_USER_MODEL"

    @staticmethod
    def shown_name(full_name: str, username: str) -> str:
        """How a person is named on pages, from the two columns (for a list read without whole rows)."""
        return full_name or username

    @staticmethod
    def shown_name_column(path: str):
        """``shown_name`` as a column of a row that names a person through ``path`` (``"assignee"``): the full
        name, else the username; None where no person is named."""
        return Coalesce(NullIf(F(f"{path}__full_name"), Value("")), F(f"{path}__username"))

    def __str__(self) -> str:
        return self.shown_name(self.full_name, self.username)

    def get_full_name(self) -> str:
        return self.shown_name(self.full_name, self.username)


class Role(models.TextChoices):
    # The system administrator is Django's superuser flag: it has no place.
    TOWN_OFFICE = "town_office", _("镇综治办")
    VILLAGE_STAFF = "village_staff", _("村两委/综治专干")
    GRID_WORKER = "grid_worker", _("网格员")
    LIAISON = "liaison", _("微网格联络员")
    INFO_OFFICER = "info_officer", _("信息员")
    # A Party member who logs in to record contacts with their households: placed on the village; what
    # they see is their own contact households, kept by the Party app (docs/party.md). It grants nothing
    # in the registry's scope.
    PARTY_MEMBER = "party_member", _("党员（联系户）")
    # Someone of a town department (司法所, 派出所…) who answers the cases the town assigned to it: placed
    # on the town; which department is kept by the disputes app (``disputes.DepartmentMember``,
    # docs/departments.md). Like the Party member's role it grants nothing in the registry's scope.
    DEPARTMENT = "department", _("职能部门")


# The place field each role holds; exactly that one is set on an assignment.
ROLE_PLACE_FIELD = {
    Role.TOWN_OFFICE: "town",
    Role.VILLAGE_STAFF: "village",
    Role.GRID_WORKER: "grid",
    Role.LIAISON: "micro_grid",
    Role.INFO_OFFICER: "villager_group",
    Role.PARTY_MEMBER: "village",
    Role.DEPARTMENT: "town",
}
PLACE_FIELDS = tuple(dict.fromkeys(ROLE_PLACE_FIELD.values()))


def _place_matches_role() -> Q:
    """A check constraint: for each role exactly its own place column is filled."""
    q = Q()
    for role, field in ROLE_PLACE_FIELD.items():
        filled = Q(**{f"{field}__isnull": False})
        for other in PLACE_FIELDS:
            if other != field:
                filled &= Q(**{f"{other}__isnull": True})
        q |= Q(role=role) & filled
    return q


class AssignmentQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day)))

    def current(self):
        return self.active_on(timezone.localdate())

    def visible_to(self, user):
        # An assignment is seen where its place is seen: resolve each place column to its village.
        return self.filter(
            access.visible_q(user, town="town")  # the town office's own assignments: no village
            | access.visible_q(user, town="town", village="village")
            | access.visible_q(user, town="grid__village__town", village="grid__village", grid="grid")
            | access.visible_q(
                user,
                town="micro_grid__grid__village__town",
                village="micro_grid__grid__village",
                grid="micro_grid__grid",
                micro_grid="micro_grid",
            )
            | access.visible_q(
                user, town="villager_group__village__town", village="villager_group__village", group="villager_group"
            )
        )

    def in_village(self, village: Village, *, village_roles: bool = True):
        """Held in the village: at the village itself (unless ``village_roles`` is false) or at one of its
        grids, micro-grids or villager groups, archived ones included."""
        # The village's places as id sets, not joins: an OR across four joins made PostgreSQL join every
        # assignment of the county to grids, micro-grids and groups (3,215 rows, 9 ms at county scale).
        places = (
            Q(grid__in=Grid.objects.filter(village=village).values("pk"))
            | Q(micro_grid__in=MicroGrid.objects.filter(grid__village=village).values("pk"))
            | Q(villager_group__in=VillagerGroup.objects.filter(village=village).values("pk"))
        )
        return self.filter(Q(village=village) | places if village_roles else places)


class Assignment(models.Model):
    """A person holds a role at a place from ``start`` to ``end`` (both days included; open when empty).

    Reassigning a grid ends the previous worker's assignment the day before the new one starts, so the
    history of who covered which grid when is kept.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("人员")
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("乡镇"))
    village = models.ForeignKey(Village, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("行政村"))
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("网格"))
    micro_grid = models.ForeignKey(MicroGrid, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("微网格"))
    villager_group = models.ForeignKey(
        VillagerGroup, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("村民小组")
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("留空表示至今。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("指派人"),
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("岗位指派")
        verbose_name_plural = _("岗位指派")
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="assignment_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=_place_matches_role(),
                name="assignment_place_matches_role",
                violation_error_message=_("岗位与地点不匹配。"),
            ),
        ]
        indexes = [models.Index(fields=["user", "start"], name="assignment_user_start")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.place}"

    @property
    def place(self):
        return getattr(self, ROLE_PLACE_FIELD[Role(self.role)])

    @property
    def village_of_place(self) -> Village | None:
        """The village the place lies in (None for a town)."""
        place = self.place
        if isinstance(place, Village):
            return place
        if isinstance(place, MicroGrid):
            return place.grid.village
        return getattr(place, "village", None)

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)

    @property
    def is_current(self) -> bool:
        return self.is_active_on(timezone.localdate())


# --- The village profile (docs/scorecard.md) ------------------------------------------------------------


class VillageRecordQuerySet(ArchivableQuerySet):
    """A village's profile rows: its staff keep them, the town office reads its villages', the admin all."""

    def visible_to(self, user):
        return self.filter(access.visible_q(user, town="village__town", village="village"))


class VillageIncome(models.Model):
    """村集体收入 of one year, in 万元 as villages report it."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="incomes", verbose_name=_("行政村"))
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("集体收入（万元）"), max_digits=10, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = VillageRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("村集体收入")
        verbose_name_plural = _("村集体收入")
        ordering = ["village", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year"],
                name="villageincome_one_per_year",
                violation_error_message=_("这一年的集体收入已登记。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="villageincome_not_negative",
                violation_error_message=_("收入不能为负。"),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1949) & Q(year__lte=2999),
                name="villageincome_year_range",
                violation_error_message=_("年度应在 1949–2999 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} · {self.year} · {self.amount} 万元"


class VillageHonour(Archivable):
    """An honour the village received (title, year, who awarded it): the 汇报材料 names these."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="honours", verbose_name=_("行政村"))
    title = models.CharField(_("荣誉称号"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    awarded_by = models.CharField(_("授予单位"), max_length=100, help_text=_("如：某某市、某某县委县政府"))

    objects = VillageRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("村荣誉")
        verbose_name_plural = _("村荣誉")
        ordering = ["village", "year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1949) & Q(year__lte=2999),
                name="villagehonour_year_range",
                violation_error_message=_("年度应在 1949–2999 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class FacilityKind(models.TextChoices):
    PARTY_CENTRE = "party_centre", _("党群服务中心")
    LAW_SQUARE = "law_square", _("法治广场")
    GRID_STATION = "grid_station", _("网格服务站")
    LIAISON_POST = "liaison_post", _("微网格员服务驿站")
    POLICE_ROOM = "police_room", _("警务室")
    MEDIATION_ROOM = "mediation_room", _("调解室")
    COUNSELLING_ROOM = "counselling_room", _("心理咨询室")
    CIVILITY_STATION = "civility_station", _("新时代文明实践所")
    LIBRARY = "library", _("农家书屋")
    MORAL_HALL = "moral_hall", _("道德讲堂")
    YOUTH_HOME = "youth_home", _("青少年之家")
    OTHER = "other", _("其他")


class ServiceFacility(Archivable):
    """A service facility of the village (阵地): a place with a kind."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("行政村"))
    kind = models.CharField(_("类别"), max_length=20, choices=FacilityKind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("空：用类别名称"))
    place = models.CharField(_("位置"), max_length=200, blank=True)
    opened_on = models.DateField(_("建成日期"), null=True, blank=True)
    area_m2 = models.PositiveIntegerField(_("面积（平方米）"), null=True, blank=True)

    objects = VillageRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务阵地")
        verbose_name_plural = _("服务阵地")
        ordering = ["village", "kind", "pk"]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()
