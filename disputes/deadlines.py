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
import functools
from dataclasses import dataclass

from django.db import models
from django.db.models import ExpressionWrapper, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .models import OPEN_STATES, CaseEvent, Policy, State, Tier

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
            return _text(get_language(), self.clock, self.overdue, "days", span.days)
        return _text(get_language(), self.clock, self.overdue, "hours", max(1, int(span.total_seconds() // 3600)))


@functools.lru_cache(maxsize=4096)
def _text(language: str | None, clock: str, overdue: bool, unit: str, n: int) -> str:
    """A deadline's words in ``language`` (the active one: it is in the key). Three translations a case, and a
    list shows fifty: written once per language and figure instead (docs/performance.md, "Rows of long
    tables")."""
    amount = (_("%(n)d 天") if unit == "days" else _("%(n)d 小时")) % {"n": n}
    label = str(CLOCK_LABELS[clock])
    if overdue:
        return _("%(clock)s超期 %(amount)s") % {"clock": label, "amount": amount}
    return _("%(clock)s剩余 %(amount)s") % {"clock": label, "amount": amount}


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


# The case's fields the clocks read; ``as_of`` gives the same ones as they stood at a moment.
NOW = {
    "state": "state",
    "tier": "tier",
    "state_since": "state_since",
    "tier_since": "tier_since",
    "resolved_at": "resolved_at",
}
THEN = {name: f"{name}_then" for name in NOW}
# The steps that start the tier's clock again (``services``: reported, accepted, escalated, sent back, reopened).
TIER_CLOCK_ACTIONS = ("report", "accept", "escalate", "send_back", "reopen")


def due_at_expression(policy: Policy, fields: dict[str, str] = NOW):
    """The same rule as ``deadline_for`` in SQL, so lists can filter on and sort by it."""
    state, tier = fields["state"], fields["tier"]
    return models.Case(
        When(**{f"{state}__in": WAITING}, then=_plus(fields["state_since"], policy.accept_days)),
        *(
            When(**{f"{state}__in": IN_TIER, tier: t}, then=_plus(fields["tier_since"], policy.tier_days(t)))
            for t in (1, 2, 3)
        ),
        When(**{f"{state}__in": AFTER_RESOLUTION}, then=_plus(fields["resolved_at"], policy.return_visit_days)),
        default=None,
        output_field=models.DateTimeField(),
    )


def as_of(queryset, moment: datetime.datetime):
    """The cases reported before ``moment``, each annotated with its state, tier and clocks as they stood
    then (``state_then``, ``tier_then``, …), rebuilt from its timeline: a closed month's open and overdue
    cases are those of its last day, not of today. One query, whatever later steps the cases took."""
    events = CaseEvent.objects.filter(case=OuterRef("pk"), at__lt=moment).order_by("-at", "-pk")

    def last(rows, field):
        return Subquery(rows.values(field)[:1])

    return queryset.filter(reported_at__lt=moment).annotate(
        # Every service writes the first event; a case made otherwise counts as reported, at the first tier.
        state_then=Coalesce(last(events, "to_state"), Value(State.REPORTED)),
        tier_then=Coalesce(last(events, "to_tier"), Value(int(Tier.GROUP))),
        state_since_then=Coalesce(last(events.exclude(from_state=F("to_state")), "at"), F("reported_at")),
        tier_since_then=Coalesce(last(events.filter(action__in=TIER_CLOCK_ACTIONS), "at"), F("reported_at")),
        resolved_at_then=last(events.filter(action="resolve"), "at"),
    )


def open_as_of(queryset, policy: Policy, moment: datetime.datetime):
    """The cases open at ``moment``, with ``due_at_then`` (their deadline then): ``overdue_then`` is true
    for those past it at that moment. The limits are today's policy's."""
    # Rejected and closed are final: a case closed before the moment was not open at it, and its timeline
    # need not be read (most of a village's cases, after a year or two).
    return (
        as_of(queryset.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=moment)), moment)
        .filter(state_then__in=OPEN_STATES)
        .annotate(due_at_then=due_at_expression(policy, THEN))
        .annotate(
            overdue_then=models.Case(
                When(due_at_then__lt=moment, then=Value(True)), default=Value(False), output_field=models.BooleanField()
            )
        )
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
