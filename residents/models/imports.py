"""Imports of a village's registry from Excel: the uploaded workbook, checked then applied."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grids import access
from grids.models import Village


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
    CANCELLED = "cancelled", _("已取消")


class VillageStaffQuerySet(models.QuerySet):
    """Imports and exports of a village's registry: for its staff (and the system admin) only."""

    def visible_to(self, user):
        return self.filter(access.change_q(user, village="village"))


class ImportJob(models.Model):
    """An uploaded workbook: checked first (plan), applied only when the user confirms. The file holds ID
    numbers in clear, so it is removed when the job ends (done, failed or cancelled: ``import_states``);
    the summary (counts, errors by row, column and reason) stays."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("行政村"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )
    kind = models.CharField(_("内容"), max_length=20, choices=ImportKind.choices)
    mode = models.CharField(_("方式"), max_length=10, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", blank=True)
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
