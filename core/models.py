"""What every app uses and no domain owns: job runs and API idempotency keys (docs/architecture.md).

Both models were first kept by the territory app; their tables keep the names they had then
(``db_table``), so moving them cost no data (docs/architecture.md, "Moving a model between apps").
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .db import row_by_pk


class JobRun(models.Model):
    """One run of a scheduled job: shows staff that beat and the worker are alive and what they did."""

    name = models.CharField(_("任务"), max_length=100, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    detail = models.CharField(_("结果"), max_length=500, blank=True)

    class Meta:
        db_table = "grids_jobrun"
        verbose_name = _("后台任务记录")
        verbose_name_plural = _("后台任务记录")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.started_at:%Y-%m-%d %H:%M}"


class IdempotencyKeyQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


class IdempotencyKey(models.Model):
    """An API client's Idempotency-Key and the answer it got (``core.rest.IdempotentCreateMixin``), kept
    per user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    scope = models.CharField(max_length=200, help_text="method and path the key was first used with")
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    objects = IdempotencyKeyQuerySet.as_manager()

    class Meta:
        db_table = "grids_idempotencykey"
        verbose_name = _("接口幂等键")
        verbose_name_plural = _("接口幂等键")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class SingletonPolicyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self  # settings that every user of the portal may read


class SingletonPolicy(models.Model):
    """Settings kept in one row (pk 1), edited by the system admin: ``current()`` reads it, creating it with
    the defaults the first time."""

    objects = SingletonPolicyQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def current(cls):
        # Read on most pages (a case's deadline, a report's due day): the row by a written-out statement, the
        # ORM's get_or_create only when it is not there yet (docs/performance.md, "What every page pays").
        policy = row_by_pk(cls, 1)
        if policy is None:
            policy, _created = cls.objects.get_or_create(pk=1)
        return policy
