"""Co-governance (共治): how a village decides together, what it builds, and the rules it adopts
(docs/cogovernance.md).

- ``Deliberation`` (协商议事): a topic taken from proposal through research, the Party organisation's
  approval, a publicity week, a deliberation meeting and a resolution to its implementation; one state table
  (``workflow.TRANSITIONS``) moved through the shared status pipeline, every move an event row.
- ``Project`` (民生实事): what was built, where, for how much; from a resolution or entered directly.
- ``VillageDocument`` (村规民约, 公约) and its ``DocumentVersion``s: adopted when and how, copies distributed.

A deliberation that came from a case, and the Party organisation it was submitted to, are foreign keys by
string label: this app imports neither the cases app nor the Party app (docs/architecture.md).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids import access
from grids.models import Archivable, ArchivableQuerySet, Grid, NaturalVillage, Village

PUBLICITY_DAYS = 7  # 公示一周: seven calendar days from the publication date (seeds 000 §5, 003 二(一))


def _token() -> str:
    return secrets.token_urlsafe(24)


class Stage(models.TextChoices):
    PROPOSED = "proposed", _("议题提出")
    RESEARCH = "research", _("调查研究")
    SUBMITTED = "submitted", _("报党组织审定")
    RETURNED = "returned", _("退回完善")
    PUBLISHED = "published", _("审定公示")
    DELIBERATED = "deliberated", _("已协商议事")
    RESOLVED = "resolved", _("已形成决议")
    IMPLEMENTING = "implementing", _("落实中")
    CLOSED = "closed", _("已办结")


OPEN_STAGES = [s for s in Stage.values if s != Stage.CLOSED]


class CoGovQuerySet(ArchivableQuerySet):
    """Co-governance records are the village's: its staff keep them, the town office reads its villages',
    the admin all; grid workers and Party-member logins see none (docs/cogovernance.md)."""

    village_path = "village"

    def visible_to(self, user):
        return self.filter(access.visible_q(user, town=f"{self.village_path}__town", village=self.village_path))


class Deliberation(Archivable):
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="deliberations", verbose_name=_("行政村")
    )
    title = models.CharField(_("议题"), max_length=100)
    summary = models.TextField(_("议题说明"), help_text=_("公示时向村民说明的内容：为什么议、议什么、怎么办。"))
    proposer = models.CharField(
        _("提出人"), max_length=60, help_text=_("谁提出的议题：村民、村民代表、网格员、村“两委”等。")
    )
    origin_case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来源事项"),
        help_text=_("议题来自群众诉求或矛盾纠纷时，关联该事项。"),
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所在网格")
    )
    natural_village = models.ForeignKey(
        NaturalVillage, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("自然村")
    )
    stage = models.CharField(_("环节"), max_length=15, choices=Stage.choices, default=Stage.PROPOSED)
    version = models.PositiveIntegerField(default=1, editable=False)
    party_organisation = models.ForeignKey(
        "party.PartyOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审定党组织"),
    )
    approved_on = models.DateField(_("审定日期"), null=True, blank=True)
    publish_on = models.DateField(_("公示开始日期"), null=True, blank=True)
    opinions_to = models.CharField(
        _("意见反馈方式"),
        max_length=200,
        blank=True,
        help_text=_("公示期间村民向哪里反映意见，如“村委会办公室”“村务公开栏意见箱”。"),
    )
    public_token = models.CharField(max_length=40, unique=True, default=_token, editable=False)
    resolution = models.TextField(_("协商决议"), blank=True)
    resolved_on = models.DateField(_("决议日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    objects = CoGovQuerySet.as_manager()

    class Meta:
        verbose_name = _("协商议事")
        verbose_name_plural = _("协商议事")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["village", "stage"], name="cogov_delib_village_stage")]

    def __str__(self) -> str:
        return self.title

    @property
    def publicity_ends(self) -> datetime.date | None:
        """The last of the seven days of publicity (the publication day is the first)."""
        return self.publish_on + datetime.timedelta(days=PUBLICITY_DAYS - 1) if self.publish_on else None

    @property
    def may_resolve_from(self) -> datetime.date | None:
        """The first day a resolution may be recorded: the eighth day from publication."""
        return self.publish_on + datetime.timedelta(days=PUBLICITY_DAYS) if self.publish_on else None

    def in_publicity(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.publish_on is not None and self.publish_on <= day <= self.publicity_ends


class DeliberationEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(deliberation__in=Deliberation.objects.visible_to(user))


class DeliberationEvent(models.Model):
    """One move of a deliberation (the timeline), written in the same transaction as the move."""

    deliberation = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField(_("原环节"), max_length=15, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新环节"), max_length=15, choices=Stage.choices)
    note = models.TextField(_("说明"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = DeliberationEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage}→{self.to_stage}"


class ResearchKind(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("问卷调查")
    SITE_VISIT = "site_visit", _("实地察看")
    INTERVIEW = "interview", _("走访座谈")
    OPINIONS = "opinions", _("征求意见")


class ResearchQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(deliberation__in=Deliberation.objects.visible_to(user))


class Research(models.Model):
    """One piece of the research before a topic goes to the Party organisation: how many questionnaires,
    visits, interviews or opinions, what they found, the files."""

    deliberation = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="research")
    kind = models.CharField(_("方式"), max_length=15, choices=ResearchKind.choices)
    held_on = models.DateField(_("日期"))
    count = models.PositiveIntegerField(_("数量（份/人次）"), validators=[MinValueValidator(1)])
    summary = models.TextField(_("情况摘要"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ResearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("调查研究")
        verbose_name_plural = _("调查研究")
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class ResearchFile(models.Model):
    """A questionnaire sheet, a photo of the site, notes of an interview: kept as uploaded (a document) or
    re-encoded without metadata (a photo, core/uploads.py), served only through the deliberation's door."""

    research = models.ForeignKey(Research, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("附件"), upload_to="cogov/research/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=120)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class DeliberationMeeting(models.Model):
    """The deliberation meeting (协商议事会): who took part, by kind, and the minutes."""

    deliberation = models.OneToOneField(Deliberation, on_delete=models.CASCADE, related_name="meeting")
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=100)
    cppcc_members = models.PositiveIntegerField(_("政协委员（人）"), default=0)
    representatives = models.PositiveIntegerField(_("村民代表（人）"), default=0)
    departments = models.CharField(_("参加部门"), max_length=200, blank=True, help_text=_("如：镇城建办、交通所"))
    department_people = models.PositiveIntegerField(_("部门人员（人）"), default=0)
    residents = models.PositiveIntegerField(_("群众（人）"), default=0)
    minutes = models.TextField(_("会议记录"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("协商议事会")
        verbose_name_plural = _("协商议事会")
        constraints = [
            models.CheckConstraint(
                condition=Q(cppcc_members__gt=0)
                | Q(representatives__gt=0)
                | Q(department_people__gt=0)
                | Q(residents__gt=0),
                name="cogov_meeting_has_participants",
                violation_error_message=_("请填写参会人数。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.place}"

    @property
    def participants(self) -> int:
        return self.cppcc_members + self.representatives + self.department_people + self.residents


class ProgressQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(deliberation__in=Deliberation.objects.visible_to(user))


class Progress(models.Model):
    """A follow-up of the resolution's implementation: what was done, money spent in that step."""

    deliberation = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="progress")
    noted_on = models.DateField(_("日期"))
    text = models.TextField(_("进展情况"))
    spent = models.DecimalField(
        _("本次支出（元）"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("落实进展")
        verbose_name_plural = _("落实进展")
        ordering = ["noted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.noted_on} {self.text[:20]}"


# --- 民生实事 -------------------------------------------------------------------------------------------


class ProjectKind(models.TextChoices):
    ROAD = "road", _("道路")
    LIGHTING = "lighting", _("路灯亮化")
    SQUARE = "square", _("文化广场")
    SEWAGE = "sewage", _("污水治理")
    WATER = "water", _("饮水安全")
    OTHER = "other", _("其他")


class Project(Archivable):
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="projects", verbose_name=_("行政村"))
    title = models.CharField(_("项目名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=ProjectKind.choices, default=ProjectKind.OTHER)
    description = models.TextField(_("建设内容"), blank=True)
    quantity = models.PositiveIntegerField(_("数量"), null=True, blank=True, help_text=_("如路灯盏数、广场个数"))
    unit = models.CharField(_("单位"), max_length=10, blank=True, help_text=_("盏、个、公里、户……"))
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所在网格")
    )
    natural_villages = models.ManyToManyField(
        NaturalVillage, blank=True, related_name="+", verbose_name=_("受益自然村")
    )
    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("来源议事"),
    )
    budget = models.DecimalField(_("预算（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    spent = models.DecimalField(
        _("已支出（元）"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    started_on = models.DateField(_("开工日期"))
    done_on = models.DateField(_("完工日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CoGovQuerySet.as_manager()

    class Meta:
        verbose_name = _("民生实事")
        verbose_name_plural = _("民生实事")
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["village", "started_on"], name="cogov_project_village_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | Q(done_on__gte=models.F("started_on")),
                name="cogov_project_done_after_start",
                violation_error_message=_("完工日期不能早于开工日期。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class ProjectPhotoQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(project__in=Project.objects.visible_to(user))


class ProjectPhoto(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to="cogov/projects/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ProjectPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


# --- 村规民约 and 公约 ----------------------------------------------------------------------------------


class DocumentKind(models.TextChoices):
    RULES = "rules", _("村规民约")
    CONVENTION = "convention", _("公约")
    OTHER = "other", _("其他制度")


class AdoptedBy(models.TextChoices):
    VILLAGERS_MEETING = "meeting", _("村民会议")
    REPRESENTATIVES = "representatives", _("村民代表会议")
    OTHER = "other", _("其他")


class VillageDocument(Archivable):
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="documents", verbose_name=_("行政村"))
    kind = models.CharField(_("类别"), max_length=12, choices=DocumentKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CoGovQuerySet.as_manager()

    class Meta:
        verbose_name = _("村规民约与公约")
        verbose_name_plural = _("村规民约与公约")
        ordering = ["kind", "title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "title"],
                condition=Q(archived_at__isnull=True),
                name="cogov_one_document_per_title",
                violation_error_message=_("本村已有同名的制度文件。"),
            )
        ]

    def __str__(self) -> str:
        return self.title


class DocumentVersionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(document__in=VillageDocument.objects.visible_to(user))


class DocumentVersion(models.Model):
    """One adopted text of a document. The current text is the highest number; earlier ones are kept."""

    document = models.ForeignKey(VillageDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    text = models.TextField(_("正文"))
    adopted_on = models.DateField(_("通过日期"))
    adopted_by = models.CharField(_("通过方式"), max_length=16, choices=AdoptedBy.choices)
    adoption_note = models.CharField(
        _("表决情况"), max_length=200, blank=True, help_text=_("如：应到 312 人，实到 268 人，赞成 261 人")
    )
    copies = models.PositiveIntegerField(_("印发份数"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("制度文件版本")
        verbose_name_plural = _("制度文件版本")
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="cogov_one_number_per_document")]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"
