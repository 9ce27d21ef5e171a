"""Case figures for the village overview and the town's home: open cases by state, overdue ones first
with how late they are. A few queries whatever the number of cases."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.utils import timezone

from . import deadlines
from .models import OPEN_STATES, Case, Policy, State, Tier

OVERDUE_SHOWN = 10


def _overdue_rows(base, policy: Policy, now, limit: int) -> list[Case]:
    """The ``limit`` most overdue of ``base``. Their ids are picked first, in a subquery of the one statement:
    the joins for what a row shows are made for these rows, not for every overdue case of a town (its home:
    7.0 → 2.4 ms at a million residents); the rows are put in order by the deadline each is given
    (``deadlines.attach``, the same rule), so the deadline's expression is built and sent once."""
    most_overdue = deadlines.with_due(base.open(), policy).filter(due_at__lt=now).order_by(F("due_at").asc(), "pk")
    rows = Case.objects.filter(pk__in=most_overdue.values("pk")[:limit]).with_names()
    cases = deadlines.attach(rows.order_by(), policy, now)
    return sorted(cases, key=lambda c: (c.deadline.due_at, c.pk))


def village_summary(user, village, policy: Policy | None = None) -> dict:
    policy = policy or Policy.current()
    now = timezone.now()
    base = Case.objects.visible_to(user).filter(village=village)
    due = deadlines.due_at_expression(policy)
    figures = base.annotate(due_at=due).aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, due_at__lt=now)),
        waiting=Count("pk", filter=Q(state=State.REPORTED)),
        at_town=Count("pk", filter=Q(state__in=OPEN_STATES, tier=Tier.TOWN)),
        this_month=Count("pk", filter=Q(reported_at__gte=_month_start(now))),
    )
    return {"case_figures": figures, "overdue_cases": _overdue_rows(base, policy, now, OVERDUE_SHOWN)}


def town_summary(user, policy: Policy | None = None) -> dict:
    """Per village: open, overdue and at-the-town counts; and the most overdue cases across the town."""
    policy = policy or Policy.current()
    now = timezone.now()
    base = Case.objects.visible_to(user)
    # Every figure is of open cases: the village-and-state index reads a town's 500 open cases, not its 4,000.
    per_village = {
        row["village"]: row
        for row in base.filter(state__in=OPEN_STATES)
        .annotate(due_at=deadlines.due_at_expression(policy))
        .values("village")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            at_town=Count("pk", filter=Q(tier=Tier.TOWN)),
            awaiting_town=Count("pk", filter=Q(state=State.ESCALATED, tier=Tier.TOWN)),
        )
        .order_by()
    }
    return {"case_by_village": per_village, "overdue_cases": _overdue_rows(base, policy, now, OVERDUE_SHOWN)}


def _month_start(now):
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
