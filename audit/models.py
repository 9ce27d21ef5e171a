"""The audit log (GB/T 22239-2019 level 3, 安全审计): who did what to which record, when,
from where, and what changed. Entries are written by ``audit.trail`` and are never changed or deleted
through the app: the model refuses it, and on PostgreSQL a trigger refuses it too (grids migration 0005, which made the table),
except the purge of entries older than the retention (``AUDIT_RETENTION_DAYS``, at least 180 days).
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids import access


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    CHANGE = "change", _("修改")
    ARCHIVE = "archive", _("归档")
    RESTORE = "restore", _("恢复")
    MOVE = "move", _("迁移")
    DELETE = "delete", _("删除")
    TRANSITION = "transition", _("状态变更")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    VIEW_ID = "view_id", _("查看完整身份证号")
    SEARCH_ID = "search_id", _("按完整身份证号查询")
    VIEW = "view", _("查看重点人员")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    # Accounts kept by the village and the town, and the handover when a grid worker leaves (people app).
    ACCOUNT_CREATE = "account_create", _("新建账号")
    PASSWORD_RESET = "password_reset", _("重置密码")
    ACCOUNT_OFF = "account_off", _("停用账号")
    ACCOUNT_ON = "account_on", _("启用账号")
    HANDOVER = "handover", _("工作交接")
    # A record past its retention period erased by the nightly job (README, "Security and personal data").
    ERASE = "erase", _("到期删除个人信息")


class AuditEntryIsFinal(Exception):
    """An audit entry was about to be changed or deleted outside the retention purge."""


class AuditEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The system admin sees every entry; the town office the entries of its towns' villages;
        nobody else sees the log."""
        scope = access.scope_for(user)
        if scope.is_admin:
            return self
        if scope.town_ids:
            return self.filter(village_id__in=scope.town_village_ids)
        return self.none()

    def update(self, **kwargs):
        raise AuditEntryIsFinal("audit entries cannot be changed")

    def delete(self):
        raise AuditEntryIsFinal("audit entries are removed only by the retention purge")

    def purge_before(self, cutoff) -> int:
        """Delete the entries older than ``cutoff`` (the retention job's one way to remove entries)."""
        deleted, _counts = models.QuerySet.delete(self.filter(at__lt=cutoff))
        return deleted


class AuditEntry(models.Model):
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    # The name as it was (or the job / command, or the name typed at a failed login).
    actor_label = models.CharField(_("操作人名称"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    model = models.CharField(_("对象类型"), max_length=60, blank=True, help_text="app_label.model")
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    village = models.ForeignKey(
        "grids.Village", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("行政村")
    )
    # {"field": [before, after]}; secret fields (ID cipher, password) show only that they changed.
    changes = models.JSONField(_("变更内容"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    # About a key person (or a full ID number): the town office sees that it happened, not whose.
    sensitive = models.BooleanField(_("敏感"), default=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        db_table = "grids_auditentry"
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="audit_at"),
            models.Index(fields=["village", "-at"], name="audit_village_at"),
            models.Index(fields=["model", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEntryIsFinal("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryIsFinal("audit entries are removed only by the retention purge")


class ExportRecordQuerySet(models.QuerySet):
    """Exports of a village's data: for its staff (and the system admin) only."""

    def visible_to(self, user):
        return self.filter(access.change_q(user, village="village"))


class ExportRecord(models.Model):
    """Every export of registry data: who, when, what, how many rows, and whether ID numbers were full."""

    village = models.ForeignKey("grids.Village", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导出人")
    )
    kind = models.CharField(_("内容"), max_length=30)
    rows = models.PositiveIntegerField(_("行数"))
    full_id_numbers = models.BooleanField(_("含完整身份证号"), default=False)
    query = models.CharField(_("筛选条件"), max_length=500, blank=True)
    exported_at = models.DateTimeField(_("导出时间"), default=timezone.now)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    objects = ExportRecordQuerySet.as_manager()

    class Meta:
        db_table = "residents_exportrecord"
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        ordering = ["-exported_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.rows} @ {self.exported_at:%Y-%m-%d %H:%M}"
