"""The Party organisation of a village and what it does on the grids (docs/party.md).

Three levels, as the seeds draw them: the village committee or general branch (村党委 / 党总支), its
branches (党支部, "一网格一党支部" where a branch is tied to a grid), and Party groups (党小组) under a branch;
members are residents of the registry, each linked to the households they keep in touch with (党员联系户).
Meetings are held on a cadence (``MeetingRule``, the one rule table); what is due and overdue is computed
when shown (``cadence.py``), nothing stores "overdue".

Political affiliation is personal information: who may see a member record is answered in ``rules.py``
(the village's staff and Party secretaries; the town sees counts only).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Archivable, ArchivableQuerySet, Grid, Village

from . import rules


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("村党委")
    GENERAL_BRANCH = "general", _("村党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


TOP_KINDS = (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH)


class PartyOrganisationQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(rules.records_q(user, village="village"))

    def compliance_visible_to(self, user):
        """Organisations whose meeting compliance (not their members) the user may see: the town too."""
        return self.filter(rules.compliance_q(user, village="village", town="village__town"))


class PartyOrganisation(Archivable):
    """One organisation of a village's Party tree. Archived, never deleted: meetings and members keep it."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="party_organisations", verbose_name=_("行政村")
    )
    kind = models.CharField(_("类别"), max_length=10, choices=OrgKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级组织")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_branches",
        verbose_name=_("所在网格"),
        help_text=_("一网格一党支部：支部建在网格上时选择；不在网格上的支部留空。"),
    )
    founded_on = models.DateField(_("成立日期"), default=timezone.localdate)
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_secretary_of",
        verbose_name=_("书记（组长）"),
    )
    committee = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="party_committee_of", verbose_name=_("委员")
    )

    objects = PartyOrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["village", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(kind__in=["committee", "general"], archived_at__isnull=True),
                name="party_one_top_per_village",
                violation_error_message=_("一个村只有一个村党委或党总支。"),
            ),
            models.UniqueConstraint(
                fields=["grid"],
                condition=Q(grid__isnull=False, archived_at__isnull=True),
                name="party_one_branch_per_grid",
                violation_error_message=_("该网格已有党支部（一网格一党支部）。"),
            ),
            models.CheckConstraint(
                condition=Q(grid__isnull=True) | Q(kind="branch"),
                name="party_only_branches_on_grids",
                violation_error_message=_("只有党支部可以建在网格上。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_top(self) -> bool:
        return self.kind in TOP_KINDS


class MemberStatus(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATION = "probation", _("预备党员")


class PartyMemberQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(rules.records_q(user, village="village"))


class PartyMember(Archivable):
    """A Party member: a resident of the registry, in a branch (and a group), linked to households."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="party_members", verbose_name=_("行政村")
    )
    resident = models.ForeignKey(
        "residents.Resident", on_delete=models.PROTECT, related_name="party_memberships", verbose_name=_("居民")
    )
    branch = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在支部")
    )
    group = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_members",
        verbose_name=_("所在党小组"),
    )
    joined_on = models.DateField(_("入党日期"))
    status = models.CharField(_("党员类别"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.FULL)
    floating = models.BooleanField(_("流动党员"), default=False)
    away_place = models.CharField(_("流动去向"), max_length=200, blank=True)
    # The member's login, when they record contacts from the phone (docs/party.md).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_member",
        verbose_name=_("登录账号"),
    )

    objects = PartyMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["branch", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(archived_at__isnull=True),
                name="party_member_once",
                violation_error_message=_("该居民已登记为党员。"),
            ),
        ]
        indexes = [models.Index(fields=["village", "branch"], name="party_member_village_branch")]

    def __str__(self) -> str:
        return self.resident.name


class ContactLinkQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)

    def visible_to(self, user):
        return self.filter(rules.records_q(user, village="member__village"))


class ContactLink(models.Model):
    """A member keeps in touch with a household (党员联系户) from ``started_on``; ``ended_on`` closes it.
    A household has at most one current contact member; the history is kept."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="links", verbose_name=_("党员"))
    household = models.ForeignKey(
        "residents.Household", on_delete=models.PROTECT, related_name="party_links", verbose_name=_("联系户")
    )
    started_on = models.DateField(_("开始日期"), default=timezone.localdate)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ContactLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员联系户")
        verbose_name_plural = _("党员联系户")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True),
                name="party_one_contact_member_per_household",
                violation_error_message=_("该户已有联系党员。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.household}"


class Period(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")


class Level(models.TextChoices):
    VILLAGE = "village", _("村党组织")
    BRANCH = "branch", _("每个党支部")
    GROUP = "group", _("每个党小组")


class MeetingKind(models.TextChoices):
    BRANCH_COMMITTEE = "branch_committee", _("支部委员会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    GENERAL_ASSEMBLY = "assembly", _("党员大会")
    PARTY_LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    FIVE_LINKAGE = "five_linkage", _("五事联动")
    JOINT = "joint", _("支委会/“两委”联席会")
    SAFETY_GROUP = "safety_group", _("平安建设领导小组会议")
    OTHER = "other", _("其他会议")


class MeetingRule(models.Model):
    """How often a kind of meeting is due, and for which organisations: the one rule table (docs/party.md
    cites the source of each row). The admin edits it; what is due is computed from it when shown."""

    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices, unique=True)
    level = models.CharField(_("适用于"), max_length=10, choices=Level.choices)
    period = models.CharField(_("周期"), max_length=10, choices=Period.choices)
    remind_days_before = models.PositiveSmallIntegerField(
        _("提前提醒天数"),
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
        help_text=_("周期结束前多少天提醒书记（尚未召开时）。"),
    )
    active = models.BooleanField(_("启用"), default=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("会议周期规则")
        verbose_name_plural = _("会议周期规则")
        ordering = ["level", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_period_display()}"


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(rules.records_q(user, village="village"))


class Meeting(models.Model):
    """A meeting held: by an organisation, of a kind, for a period (the month or quarter it fulfils; held
    after that period ended, it is marked late)."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="party_meetings", verbose_name=_("行政村")
    )
    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("召开组织")
    )
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("召开日期"))
    # The period it fulfils: "2026-11" (a month) or "2026-Q4" (a quarter); by default the held_on's.
    period = models.CharField(_("所属周期"), max_length=7)
    late = models.BooleanField(_("逾期召开"), default=False, editable=False)
    place = models.CharField(_("地点"), max_length=100)
    topic = models.CharField(_("主题"), max_length=200)
    chair = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("主持人")
    )
    chair_name = models.CharField(_("主持人（非本支部党员）"), max_length=50, blank=True)
    others_present = models.PositiveIntegerField(_("列席人数（非党员）"), default=0)
    minutes = models.TextField(_("会议记录"), blank=True)
    decisions = models.TextField(_("形成决议"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("党组织会议")
        verbose_name_plural = _("党组织会议")
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["village", "held_on"], name="party_meeting_village_day"),
            models.Index(fields=["organisation", "kind", "period"], name="party_meeting_org_period"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_kind_display()} {self.held_on}"


class AttendanceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(meeting__in=Meeting.objects.visible_to(user))


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("会议"))
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("党员"))
    present = models.BooleanField(_("出席"), default=True)
    absence_reason = models.CharField(_("缺席原因"), max_length=100, blank=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="party_attendance_once")]

    def __str__(self) -> str:
        return f"{self.member_id} {'present' if self.present else 'absent'}"


class MeetingPhotoQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(meeting__in=Meeting.objects.visible_to(user))


class MeetingPhoto(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="photos", verbose_name=_("会议"))
    image = models.FileField(_("照片"), upload_to="party/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    objects = MeetingPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议照片")
        verbose_name_plural = _("会议照片")

    def __str__(self) -> str:
        return self.image.name


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(rules.records_q(user, village="member__village") | rules.own_member_q(user, "member"))


class Contact(models.Model):
    """A member's contact with one of their households (党员联系户走访): not a grid worker's visit and not in
    visit coverage; it counts for the contact coverage (docs/party.md)."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("党员"))
    household = models.ForeignKey(
        "residents.Household", on_delete=models.PROTECT, related_name="party_contacts", verbose_name=_("联系户")
    )
    contacted_on = models.DateField(_("联系日期"), default=timezone.localdate)
    note = models.CharField(_("情况"), max_length=500, blank=True)
    # The phone's token for this contact: a retry after a lost answer does not record it twice.
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员联系记录")
        verbose_name_plural = _("党员联系记录")
        ordering = ["-contacted_on", "-pk"]
        indexes = [models.Index(fields=["household", "contacted_on"], name="party_contact_household_day")]

    def __str__(self) -> str:
        return f"{self.member} → {self.household} {self.contacted_on}"
