"""Messaging: the inbox, and the claim that delivers each reminder exactly once (docs/architecture.md).

It sits just above the territory so that every app that reminds people (visits, reports, and the domain
apps beside the cases) sends through one floor. The tables keep the names they had when the territory and
the visits apps kept these models (``db_table``): the move cost no data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


# The kinds the sending apps use today, with their names for the inbox's filter; a kind not listed here is
# shown by its own value (messaging names no app above it, docs/architecture.md).
KIND_LABELS = {"case": _("案件"), "visit": _("走访"), "report": _("月报"), "reminder": _("提醒"), "handover": _("交接")}


class Notice(models.Model):
    """A message in a person's inbox (a case escalated to the town, a case assigned, a reminder).

    ``key`` names the occasion; it is unique per recipient, so a job or a retry that sends the same
    occasion twice delivers it once (STYLE 7: claim before you act).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", verbose_name=_("收件人")
    )
    key = models.CharField(_("事由标识"), max_length=120)
    kind = models.CharField(_("类型"), max_length=30)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # What the notice is about, named by the app that sent it ("case-42"). When that thing moves on, the
    # sending app calls ``services.notices_done(topic=...)`` and the notice shows as handled: the lower floor
    # never looks up the upper app's rows (docs/architecture.md).
    topic = models.CharField(_("事项"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("已处理时间"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        db_table = "grids_notice"
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notice_once_per_recipient")]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notice_unread"),
            models.Index(fields=["topic"], name="notice_topic_open", condition=models.Q(done_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self if user.is_superuser else self.filter(recipient=user)


class Delivery(models.Model):
    """One reminder to one person for one period: the claim that makes it exactly once.

    The row is inserted (unique on recipient, kind, period) in the same transaction as the inbox message;
    email and SMS go out after, each marked when sent, so a retry sends only what is missing.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("收件人")
    )
    kind = models.CharField(_("类型"), max_length=20, help_text=_("提醒的种类，由发送它的应用命名。"))
    period = models.CharField(_("周期"), max_length=10, help_text=_("月份（2026-11）或日期（2026-11-23）。"))
    text = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    email_sent_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("短信发送时间"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        db_table = "visits_delivery"
        verbose_name = _("提醒发送记录")
        verbose_name_plural = _("提醒发送记录")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "period"], name="reminder_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind} {self.period}"


class ReminderRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if getattr(user, "is_superuser", False) else self.none()


class ReminderRun(models.Model):
    """A finished run of one kind for one period: the dispatcher does not start it again."""

    kind = models.CharField(max_length=20)
    period = models.CharField(max_length=10)
    finished_at = models.DateTimeField(default=timezone.now)
    sent = models.PositiveIntegerField(default=0)

    objects = ReminderRunQuerySet.as_manager()

    class Meta:
        db_table = "visits_reminderrun"
        verbose_name = _("提醒批次")
        verbose_name_plural = _("提醒批次")
        constraints = [models.UniqueConstraint(fields=["kind", "period"], name="reminder_run_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.period}"
