"""Deadlines, computed when shown and never stored (a stored "overdue" flag goes stale).

Which clock runs depends on the state:
- waiting to be accepted (reported, or escalated to the next tier): the accept limit, from when it
  entered that state;
- accepted or in handling: the limit of its tier, from when it reached that tier (or was reopened);
- resolved or fed back: the return-visit limit, from its resolution.
Rejected and closed cases have no clock. Limits come from ``Policy``, so an edit by the admin moves the
deadline of every open case at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import ExpressionWrapper, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Policy, State

WAITING = (State.REPORTED, State.ESCALATED)
IN_TIER = (State.ACCEPTED, State.HANDLING)
AFTER_RESOLUTION = (State.RESOLVED, State.FEEDBACK)

CLOCK_LABELS = {
    "accept": gettext_lazy("受理"),
    "handle": gettext_lazy("调处"),
    "return_visit": gettext_lazy("回访"),
}


@dataclass(frozen=True)
class Deadline:
    clock: str
    started_at: datetime.datetime
    due_at: datetime.datetime
    now: datetime.datetime
    yellow_percent: int
    orange_percent: int

    @property
    def label(self) -> str:
        return str(CLOCK_LABELS[self.clock])

    @property
    def left(self) -> datetime.timedelta:
        return self.due_at - self.now

    @property
    def overdue(self) -> bool:
        return self.now > self.due_at

    @property
    def colour(self) -> str:
        if self.overdue:
            return "red"
        total = (self.due_at - self.started_at).total_seconds()
        share_left = 100 * self.left.total_seconds() / total if total > 0 else 0
        if share_left <= self.orange_percent:
            return "orange"
        if share_left <= self.yellow_percent:
            return "yellow"
        return "green"

    @property
    def text(self) -> str:
        """ "受理超期 3 天" / "调处剩余 5 天" — in days, or hours when under a day."""
        span = abs(self.left)
        if span >= datetime.timedelta(days=1):
            amount = _("%(n)d 天") % {"n": span.days}
        else:
            amount = _("%(n)d 小时") % {"n": max(1, int(span.total_seconds() // 3600))}
        if self.overdue:
            return _("%(clock)s超期 %(amount)s") % {"clock": self.label, "amount": amount}
        return _("%(clock)s剩余 %(amount)s") % {"clock": self.label, "amount": amount}


def clock_of(state: str) -> str | None:
    if state in WAITING:
        return "accept"
    if state in IN_TIER:
        return "handle"
    if state in AFTER_RESOLUTION:
        return "return_visit"
    return None


def deadline_for(case, policy: Policy, now: datetime.datetime | None = None) -> Deadline | None:
    now = now or timezone.now()
    clock = clock_of(case.state)
    if clock == "accept":
        start, days = case.state_since, policy.accept_days
    elif clock == "handle":
        start, days = case.tier_since, policy.tier_days(case.tier)
    elif clock == "return_visit":
        start, days = case.resolved_at or case.state_since, policy.return_visit_days
    else:
        return None
    return Deadline(
        clock=clock,
        started_at=start,
        due_at=start + datetime.timedelta(days=days),
        now=now,
        yellow_percent=policy.yellow_left_percent,
        orange_percent=policy.orange_left_percent,
    )


def _plus(field: str, days: int):
    return ExpressionWrapper(
        F(field) + Value(datetime.timedelta(days=days), output_field=models.DurationField()),
        output_field=models.DateTimeField(),
    )


def due_at_expression(policy: Policy):
    """The same rule as ``deadline_for`` in SQL, so lists can filter on and sort by it."""
    return models.Case(
        When(state__in=WAITING, then=_plus("state_since", policy.accept_days)),
        *(When(state__in=IN_TIER, tier=tier, then=_plus("tier_since", policy.tier_days(tier))) for tier in (1, 2, 3)),
        When(state__in=AFTER_RESOLUTION, then=_plus("resolved_at", policy.return_visit_days)),
        default=None,
        output_field=models.DateTimeField(),
    )


def with_due(queryset, policy: Policy):
    """Annotate ``due_at``; ordering by it puts the most overdue first and closed cases last."""
    return queryset.annotate(due_at=due_at_expression(policy))


def overdue(queryset, policy: Policy, now: datetime.datetime | None = None):
    return with_due(queryset, policy).filter(due_at__lt=now or timezone.now())


def attach(cases, policy: Policy, now: datetime.datetime | None = None) -> list:
    """Give each case of a page its ``deadline`` for the template."""
    now = now or timezone.now()
    cases = list(cases)
    for case in cases:
        case.deadline = deadline_for(case, policy, now)
    return cases
