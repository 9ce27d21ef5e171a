"""Cases: disputes (矛盾纠纷) with tiered mediation, hazards (安全隐患) and requests (诉求 / 代办服务).

All three kinds run through one event loop (docs/sources.md [S2] §一(三): 信息收集 → 问题发现 → 任务分办 → 协调处置 →
结果反馈) and one state machine (``disputes/workflow.py``). Disputes are mediated in tiers ([S1] §四:
villager group and grid worker first, then the village, then the town).

The state is changed only by ``disputes.services``; every change writes a ``CaseEvent`` in the same
transaction. Deadlines are never stored: ``disputes/deadlines.py`` computes them when shown from the
facts kept here (when the case entered its state and its tier, when it was resolved).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import SingletonPolicy
from grids import access
from grids.models import Archivable, ArchivableQuerySet, Grid, Town, User, Village
from residents.models import Household, Resident, mobile_validator

# --- Code lists ----------------------------------------------------------------------------------


class Kind(models.TextChoices):
    DISPUTE = "dispute", _("矛盾纠纷")
    HAZARD = "hazard", _("安全隐患")
    REQUEST = "request", _("诉求/代办服务")


class Category(models.TextChoices):
    """Category per kind; the value's prefix is the kind (GB/T 31000 矛盾纠纷 类别, common hazard lists)."""

    NEIGHBOUR = "dispute.neighbour", _("邻里纠纷")
    FAMILY = "dispute.family", _("婚姻家庭纠纷")
    LAND = "dispute.land", _("土地山林纠纷")
    HOMESTEAD = "dispute.homestead", _("宅基地纠纷")
    LABOUR = "dispute.labour", _("劳资纠纷")
    CONTRACT = "dispute.contract", _("合同债务纠纷")
    EXPROPRIATION = "dispute.expropriation", _("征地拆迁纠纷")
    DAMAGE = "dispute.damage", _("损害赔偿纠纷")
    DISPUTE_OTHER = "dispute.other", _("其他纠纷")
    FIRE = "hazard.fire", _("消防隐患")
    TRAFFIC = "hazard.traffic", _("交通隐患")
    GEOLOGICAL = "hazard.geological", _("地质灾害隐患")
    DANGEROUS_HOUSE = "hazard.house", _("危房隐患")
    FOOD = "hazard.food", _("食品安全隐患")
    PRODUCTION = "hazard.production", _("生产经营安全隐患")
    WATER = "hazard.water", _("防溺水隐患")
    HAZARD_OTHER = "hazard.other", _("其他隐患")
    PROXY = "request.proxy", _("代办服务")
    POLICY = "request.policy", _("政策咨询")
    HARDSHIP = "request.hardship", _("生活困难")
    INFRASTRUCTURE = "request.infrastructure", _("基础设施")
    ENVIRONMENT = "request.environment", _("环境卫生")
    REQUEST_OTHER = "request.other", _("其他诉求")

    @classmethod
    def for_kind(cls, kind: str) -> list[tuple[str, str]]:
        return [(value, label) for value, label in cls.choices if value.startswith(f"{kind}.")]


class Source(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员上报")
    INFO_OFFICER = "info_officer", _("信息员上报")
    VISIT = "visit", _("走访发现")
    WALK_IN = "walk_in", _("群众来访")
    PHONE = "phone", _("来电")
    OTHER = "other", _("其他")


class State(models.TextChoices):
    REPORTED = "reported", _("待受理")
    ACCEPTED = "accepted", _("已受理待分办")
    REJECTED = "rejected", _("不予受理")
    HANDLING = "handling", _("处置中")
    RESOLVED = "resolved", _("已办结待反馈")
    ESCALATED = "escalated", _("已上报上级")
    FEEDBACK = "feedback", _("已反馈待回访")
    CLOSED = "closed", _("已结案")


# Disputes speak of mediation (调解) where the other kinds speak of handling.
DISPUTE_STATE_LABELS = {
    State.HANDLING: _("调解中"),
    State.RESOLVED: _("调解结束待反馈"),
}
OPEN_STATES = frozenset(State) - {State.REJECTED, State.CLOSED}


def state_label(kind: str, state: str) -> str:
    if kind == Kind.DISPUTE and state in DISPUTE_STATE_LABELS:
        return DISPUTE_STATE_LABELS[state]
    return State(state).label


class Tier(models.IntegerChoices):
    # Seed 000 分级调处: the villager group and the grid worker first, then the village committee's
    # mediation committee, then the town, which coordinates departments.
    GROUP = 1, _("一级：村组/网格员")
    VILLAGE = 2, _("二级：村调委会")
    TOWN = 3, _("三级：镇综治中心")


TIER_SHORT = {1: _("一级"), 2: _("二级"), 3: _("三级")}


class Outcome(models.TextChoices):
    AGREEMENT = "agreement", _("达成调解协议")
    NO_AGREEMENT = "no_agreement", _("未达成协议")
    DONE = "done", _("已处置办结")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    OTHER = "other", _("关系人")


# --- Reference lists kept by the admin ----------------------------------------------------------------


# The departments a town usually assigns cases to; each new town gets this list (``departments.py``), and
# the system admin edits a town's list afterwards (docs/departments.md).
STANDARD_DEPARTMENTS = [
    "司法所",
    "派出所",
    "信访办",
    "安监站",
    "应急管理办",
    "自然资源所",
    "市场监管所",
    "民政办",
    "农业农村办",
    "城建办",
    "人社所",
    "妇联",
]


class DepartmentQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        """A town's departments: its office, the people of its departments, the admin (names of offices,
        no personal data; a village's staff name them on the cases the town sends back)."""
        scope = access.scope_for(user)
        if scope.is_admin:
            return self
        return self.filter(town__in=sorted(scope.town_ids | scope.department_town_ids))

    def of_town(self, town_id: int):
        return self.filter(town_id=town_id)


class Department(Archivable):
    """A town department a case can be assigned to (司法所, 派出所, 信访办, 安监站…). Each town keeps its
    own list: a case escalated to the town goes to one of that town's departments (docs/departments.md)."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="departments", verbose_name=_("乡镇"))
    name = models.CharField(_("名称"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["town", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "name"],
                condition=Q(archived_at__isnull=True),
                name="department_unique_active_name",
                violation_error_message=_("本乡镇已有同名的职能部门。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DepartmentMemberQuerySet(models.QuerySet):
    def active_on(self, day):
        return self.filter(Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day)))

    def current(self):
        return self.active_on(timezone.localdate())

    def visible_to(self, user):
        """The town office sees its departments' people; a department's person their own membership."""
        scope = access.scope_for(user)
        if scope.is_admin:
            return self
        q = Q(department__town__in=sorted(scope.town_ids))
        if getattr(user, "is_authenticated", False):
            q |= Q(user=user)
        return self.filter(q)


class DepartmentMember(models.Model):
    """A person who answers for a department (签收, 处置, 反馈): the link from a login to its department.

    The login's door is ``grids.Role.DEPARTMENT`` on the department's town (kept from ``start`` to ``end``
    the same way); this row says which department of that town. Both must be current for the person to
    see the department's cases (``CaseQuerySet.visible_to``; docs/departments.md).
    """

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="members", verbose_name=_("职能部门")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="department_memberships",
        verbose_name=_("人员"),
    )
    start = models.DateField(_("开始日期"), default=timezone.localdate)
    end = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("留空表示至今。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = DepartmentMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("职能部门人员")
        verbose_name_plural = _("职能部门人员")
        ordering = ["department", "-start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="departmentmember_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]
        indexes = [models.Index(fields=["user", "start"], name="departmentmember_user_start")]

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.start <= today and (self.end is None or self.end >= today)


_DEPARTMENTS_ATTR = "_disputes_department_ids"


def department_ids_of(user) -> frozenset[int]:
    """The departments ``user`` answers for today (``department_cases_q`` for one case). Asked only of a login
    holding ``Role.DEPARTMENT`` (the door's scope, already read): one query, then cached on the user object,
    so nobody else's pages pay for it."""
    if not access.scope_for(user).department_town_ids:
        return frozenset()
    cached = getattr(user, _DEPARTMENTS_ATTR, None)
    if cached is None:
        towns = sorted(access.scope_for(user).department_town_ids)
        cached = frozenset(
            DepartmentMember.objects.current()
            .filter(user=user, department__town__in=towns)
            .values_list("department_id", flat=True)
        )
        setattr(user, _DEPARTMENTS_ATTR, cached)
    return cached


def department_cases_q(user, prefix: str = "") -> Q:
    """Cases assigned to a department ``user`` answers for today: a current membership of a department of a
    town where they hold ``Role.DEPARTMENT`` today (the door's scope). One subquery, no extra query."""
    towns = access.scope_for(user).department_town_ids
    if not towns or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    today = timezone.localdate()
    mine = DepartmentMember.objects.active_on(today).filter(user=user, department__town__in=sorted(towns))
    return Q(**{f"{prefix}department__in": mine.values("department_id")})


class Policy(SingletonPolicy):
    """Time limits and colour thresholds, one row, edited by the system admin.

    Defaults and where they come from (days are calendar days, counted from the moment the stage began):
    - accept 3 days: 《信访工作条例》(2022) gives 15 days to tell a petitioner whether a matter is
      accepted; a village office sits next door to the parties, so the house default is far shorter.
    - tier 1 (villager group + grid worker) 15 days: [S1] §四 sends small neighbour disputes here first;
      half the village's month, so an unsettled case still reaches the village in time.
    - tier 2 (village mediation committee) 30 days: 《人民调解工作若干规定》(司法部令第75号) — a
      people's mediation committee generally concludes a dispute within one month.
    - tier 3 (town) 60 days: 《信访工作条例》— matters are concluded within 60 days of acceptance.
    - return visit 15 days after resolution: the rules ask for a return visit on how an agreement is
      kept without fixing a time; house default.
    - colours: yellow when half the time is used up, orange when a quarter is left, red when overdue.
    """

    accept_days = models.PositiveSmallIntegerField(_("受理时限（天）"), default=3, validators=[MinValueValidator(1)])
    tier1_days = models.PositiveSmallIntegerField(
        _("一级调处时限（天）"), default=15, validators=[MinValueValidator(1)]
    )
    tier2_days = models.PositiveSmallIntegerField(
        _("二级调处时限（天）"), default=30, validators=[MinValueValidator(1)]
    )
    tier3_days = models.PositiveSmallIntegerField(
        _("三级调处时限（天）"), default=60, validators=[MinValueValidator(1)]
    )
    return_visit_days = models.PositiveSmallIntegerField(
        _("回访时限（天）"), default=15, validators=[MinValueValidator(1)]
    )
    yellow_left_percent = models.PositiveSmallIntegerField(
        _("剩余时间低于此比例显示黄色（%）"), default=50, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    orange_left_percent = models.PositiveSmallIntegerField(
        _("剩余时间低于此比例显示橙色（%）"), default=25, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("案件时限设置")
        verbose_name_plural = _("案件时限设置")

    def __str__(self) -> str:
        return str(_("案件时限设置"))

    def tier_days(self, tier: int) -> int:
        return {1: self.tier1_days, 2: self.tier2_days, 3: self.tier3_days}[tier]


class MediatorType(models.TextChoices):
    DEPUTY = "deputy", _("人大代表")
    CPPCC = "cppcc", _("政协委员")
    BUSINESS = "business", _("企业负责人")
    RETIRED_CADRE = "retired_cadre", _("退休干部")
    PARTY_VETERAN = "party_veteran", _("老党员")
    LEGAL_ADVISER = "legal_adviser", _("村法律顾问")
    LEGAL_AWARE = "legal_aware", _("法律明白人")
    OTHER = "other", _("其他乡贤")


class MediatorQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(access.visible_q(user, town="village__town", village="village"))

    def changeable_by(self, user):
        return self.filter(access.change_q(user, village="village"))


class Mediator(Archivable):
    """A member of the village's multi-party mediation team (多元调解团, docs/sources.md [S1] §四)."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="mediators", verbose_name=_("村"))
    name = models.CharField(_("姓名"), max_length=50)
    type = models.CharField(_("身份"), max_length=20, choices=MediatorType.choices)
    phone = models.CharField(_("手机号"), max_length=11, blank=True, validators=[mobile_validator])
    note = models.CharField(_("专长/备注"), max_length=200, blank=True)

    objects = MediatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("多元调解团成员")
        verbose_name_plural = _("多元调解团成员")
        ordering = ["village", "type", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_type_display()}）"


# --- Cases ---------------------------------------------------------------------------------------


class CaseQuerySet(models.QuerySet):
    def with_names(self):
        """What a list's row names — its village, grid, department and person responsible — as values
        (``village_name``…), not as four objects a row (docs/performance.md, "What a row shows"); the person
        as ``User.__str__`` names them (the full name, else the username)."""
        return self.annotate(
            village_name=F("village__name"),
            grid_name=F("grid__name"),
            department_name=F("department__name"),
            assignee_name=User.shown_name_column("assignee"),
        )

    def visible_to(self, user):
        """Grid workers see the cases of their grids, staff their village, the town its villages;
        liaisons and information officers the cases of their micro-grid / group; anyone the cases they
        reported or were assigned."""
        q = access.visible_q(
            user,
            town="village__town",
            village="village",
            grid="grid",
            micro_grid="household__micro_grid",
            group="household__villager_group",
        )
        if getattr(user, "is_authenticated", False):
            q |= Q(reported_by=user) | Q(assignee=user)
        # A department sees the cases the town assigned to it, nothing else (docs/departments.md).
        q |= department_cases_q(user)
        return self.filter(q)

    def open(self):
        return self.filter(state__in=OPEN_STATES)


class Case(models.Model):
    # Set right after the insert (it contains the id); NULL until then so the unique index allows it.
    number = models.CharField(_("编号"), max_length=20, unique=True, null=True, editable=False)  # noqa: DJ001
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("类别"), max_length=30, choices=Category.choices)
    title = models.CharField(_("事件名称"), max_length=100)
    description = models.TextField(_("简述"))
    occurred_on = models.DateField(_("发生日期"), default=timezone.localdate)
    location = models.CharField(_("发生地点"), max_length=200, blank=True)
    people_involved = models.PositiveIntegerField(_("涉及人数"), default=2)
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="cases", verbose_name=_("村"))
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="cases", verbose_name=_("网格"))
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("相关户")
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.GRID_WORKER)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_cases", verbose_name=_("上报人")
    )
    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    major = models.BooleanField(
        _("重大事项"), default=False, help_text=_("易激化、影响社会稳定或涉及人数多：立即上报镇综治中心。")
    )
    # The machine (disputes/workflow.py). ``version`` rises with every change: a form posted against
    # an older version is refused instead of overwriting what someone else just did.
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.REPORTED)
    tier = models.PositiveSmallIntegerField(_("调处层级"), choices=Tier.choices, default=Tier.GROUP)
    version = models.PositiveIntegerField(default=1, editable=False)
    state_since = models.DateTimeField(_("进入当前状态时间"), default=timezone.now)
    tier_since = models.DateTimeField(_("进入当前层级时间"), default=timezone.now)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("责任人"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("承办部门")
    )
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    mediators = models.ManyToManyField(Mediator, blank=True, related_name="cases", verbose_name=_("调解团成员"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    outcome = models.CharField(_("处置结果"), max_length=15, choices=Outcome.choices, blank=True)
    resolution = models.TextField(_("化解/处置情况"), blank=True)
    agreement_text = models.TextField(_("协议内容"), blank=True)
    satisfied = models.BooleanField(_("回访满意"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["village", "state"], name="case_village_state"),
            models.Index(fields=["grid", "state"], name="case_grid_state"),
            models.Index(fields=["village", "reported_at"], name="case_village_reported"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=3), name="case_tier_1_to_3"),
        ]

    def __str__(self) -> str:
        return f"{self.number or '—'} {self.title}"

    @property
    def state_label(self) -> str:
        return state_label(self.kind, self.state)

    @property
    def tier_short(self) -> str:
        return TIER_SHORT[self.tier]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CasePartyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user))


class CaseParty(models.Model):
    """A party (当事人): a resident from the registry, or someone from outside with a name and phone."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties", verbose_name=_("案件"))
    role = models.CharField(_("身份"), max_length=10, choices=PartyRole.choices, default=PartyRole.APPLICANT)
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="case_parties", verbose_name=_("居民")
    )
    name = models.CharField(_("姓名/名称"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=11, blank=True, validators=[mobile_validator])

    objects = CasePartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["role", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


EVENT_LABELS = {
    "report": _("上报"),
    "accept": _("受理"),
    "reject": _("不予受理"),
    "assign": _("分办"),
    "escalate": _("上报上级"),
    "send_back": _("退回下级"),
    "resolve": _("办结"),
    "feedback": _("反馈当事人"),
    "close": _("回访满意，结案"),
    "reopen": _("回访未解决，重新处置"),
    "sign": _("签收"),
    "session": _("记录调解"),
    "mediators": _("指派调解团成员"),
    "hand_over": _("离岗交接"),
    "dept_note": _("部门处置记录"),
    "dept_return": _("部门退回镇综治中心"),
}


class CaseEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user))


class CaseEvent(models.Model):
    """One line of the timeline: who did what when, from which state and tier to which."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("案件"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=10, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=10, choices=State.choices)
    from_tier = models.PositiveSmallIntegerField(_("原层级"), choices=Tier.choices, null=True)
    to_tier = models.PositiveSmallIntegerField(_("新层级"), choices=Tier.choices)
    note = models.TextField(_("说明"), blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件记录")
        verbose_name_plural = _("案件记录")
        ordering = ["at", "pk"]
        indexes = [
            # The town's mediation figures read each dispute's "resolve" events (one in eight events): from
            # this small index, not the case's whole history (the county benchmark).
            models.Index(fields=["case", "at"], condition=Q(action="resolve"), name="caseevent_resolve"),
            # The scorecard's escalations to the town in a period (docs/scorecard.md): a town's year of them
            # read from this small index alone (its case ids included, no visit to the table), 127 → 7 ms at a
            # million residents.
            models.Index(
                fields=["at"],
                include=["case"],
                condition=Q(action="escalate", to_tier=Tier.TOWN),
                name="caseevent_escalate_town",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.action, self.action)


class CaseAttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user))


class CaseAttachment(models.Model):
    """A photo, re-encoded without metadata (core/uploads.py), served only through the case's door."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("案件"))
    image = models.FileField(_("照片"), upload_to="cases/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = CaseAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件照片")
        verbose_name_plural = _("案件照片")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class SessionOutcome(models.TextChoices):
    AGREEMENT = "agreement", _("达成协议")
    PARTIAL = "partial", _("部分达成")
    ADJOURNED = "adjourned", _("择期再调")
    NO_AGREEMENT = "no_agreement", _("调解不成")


class MediationSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user))


class MediationSession(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("案件"))
    held_on = models.DateField(_("调解日期"), default=timezone.localdate)
    place = models.CharField(_("调解地点"), max_length=100, default=pgettext_lazy("mediation place", "村调解室"))
    mediators = models.ManyToManyField(Mediator, blank=True, related_name="sessions", verbose_name=_("调解团成员"))
    other_mediators = models.CharField(_("其他调解人员"), max_length=200, blank=True)
    parties_present = models.CharField(_("到场当事人"), max_length=200)
    notes = models.TextField(_("调解经过"))
    outcome = models.CharField(_("结果"), max_length=15, choices=SessionOutcome.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = MediationSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_on}"
