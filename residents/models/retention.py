"""How long a key person's record is kept after the listing ended: one rule per category, kept by the admin.

PIPL 《个人信息保护法》 art. 19: personal information is kept for the shortest time needed for its purpose;
art. 47: once the purpose is achieved it is deleted. The periods are the village's (county's) choice where
no law names one; their sources are in docs/sources.md [L1]–[L4]. The job is residents/retention.py.
"""

from __future__ import annotations

import calendar
import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .key_persons import KeyCategory


def months_before(day: datetime.date, months: int) -> datetime.date:
    """``day`` minus whole months; the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class RetentionRuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self  # a rule table with no personal data, like the policies (core.SingletonPolicy)


class RetentionRule(models.Model):
    category = models.CharField(_("重点人员类别"), max_length=20, choices=KeyCategory.choices, unique=True)
    months = models.PositiveSmallIntegerField(
        _("列管结束后保存月数"),
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("列管结束满这些月后，夜间任务删除其敏感信息并解除与居民的关联。"),
    )
    source = models.TextField(_("依据"), help_text=_("法律法规或本村（县）的决定；见 docs/sources.md。"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RetentionRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点人员信息保存期限")
        verbose_name_plural = _("重点人员信息保存期限")
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.months}"

    def ended_before(self, today: datetime.date) -> datetime.date:
        """A listing that ended before this day is past its period on ``today``."""
        return months_before(today, self.months)
