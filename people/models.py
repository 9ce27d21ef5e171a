"""What the people app keeps: the record of each handover (docs/architecture.md, "people")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HandoverQuerySet(models.QuerySet):
    def visible_to(self, user):
        from grids import access

        return self.filter(access.visible_q(user, town="grid__village__town", village="grid__village", grid="grid"))


class Handover(models.Model):
    """A grid worker left: who handed which grid to whom (nobody: the village staff until there is a
    successor), on which day, by whom, and what moved with it (README, "Handover when a grid worker
    leaves"). Written once, never changed."""

    grid = models.ForeignKey("grids.Grid", on_delete=models.PROTECT, related_name="handovers", verbose_name=_("网格"))
    assignment = models.OneToOneField(
        "grids.Assignment", on_delete=models.PROTECT, related_name="handover", verbose_name=_("离岗人的岗位")
    )
    leaver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("离岗人")
    )
    successor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接替人"),
        help_text=_("空：暂由村干部负责，直至有新的网格员。"),
    )
    # Who carries the cases and key-person teams: the successor, or the staff member who did the handover.
    carrier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("接手人")
    )
    on = models.DateField(_("交接日期"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("办理人")
    )
    at = models.DateTimeField(_("办理时间"), auto_now_add=True)
    households_left = models.PositiveIntegerField(_("本月待走访户数"), default=0)
    cases = models.JSONField(_("移交的案件"), default=list, blank=True)
    key_persons = models.JSONField(_("移交的重点人员"), default=list, blank=True)
    # The team lines that name the carrier since the handover: without a successor, what the staff hand on
    # to the grid's next worker (``people.handover.handover_hand_on``).
    team_rows = models.JSONField(_("移交的帮扶责任"), default=list, blank=True)
    handed_on_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("后续接手的网格员"),
    )
    handed_on_at = models.DateTimeField(_("转交时间"), null=True, blank=True)

    objects = HandoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("离岗交接")
        verbose_name_plural = _("离岗交接")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.grid} · {self.leaver} → {self.successor or self.carrier} · {self.on}"
