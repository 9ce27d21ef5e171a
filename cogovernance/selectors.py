"""Composed reads of co-governance for the town's side-by-side page and the monthly report
(docs/cogovernance.md). Counts only, a fixed number of grouped queries whatever the number of villages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from .models import (
    OPEN_STAGES,
    PUBLICITY_DAYS,
    Deliberation,
    DeliberationEvent,
    DocumentVersion,
    Progress,
    Project,
    ProjectKind,
    Stage,
    VillageDocument,
)


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@dataclass
class VillageCounts:
    """One village's co-governance at a glance (the town's side-by-side page)."""

    open: int = 0  # deliberations not closed
    in_publicity: int = 0  # published, and today is one of the seven days
    resolved: int = 0  # resolutions dated this year
    closed: int = 0  # closed this year
    projects: int = 0  # projects started this year
    projects_done: int = 0  # of those, done
    budget: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    lights: int = 0  # street lights among this year's projects (kind lighting, their quantity)
    documents: int = 0  # village documents in force (not archived)
    copies: int = 0  # copies of their versions distributed


def town_counts(
    village_ids: list[int], year: int | None = None, today: datetime.date | None = None
) -> dict[int, VillageCounts]:
    """Per village (every id has a row): deliberations open, in publicity today, resolved and closed in
    ``year``; the projects started in ``year`` (how many, done, budget, spent, street lights); documents in
    force and the copies distributed. Three grouped queries whatever the number of villages."""
    today = today or timezone.localdate()
    year = year or today.year
    rows = {v: VillageCounts() for v in village_ids}
    first_public = today - datetime.timedelta(days=PUBLICITY_DAYS - 1)
    deliberations = (
        Deliberation.objects.active()
        .filter(village_id__in=village_ids)
        .values("village_id")
        .annotate(
            open=Count("pk", filter=Q(stage__in=OPEN_STAGES)),
            in_publicity=Count("pk", filter=Q(publish_on__gte=first_public, publish_on__lte=today)),
            resolved=Count("pk", filter=Q(resolved_on__year=year)),
            closed=Count("pk", filter=Q(stage=Stage.CLOSED, closed_on__year=year)),
        )
        .order_by()
    )
    for r in deliberations:
        row = rows[r["village_id"]]
        row.open, row.in_publicity, row.resolved, row.closed = (
            r["open"],
            r["in_publicity"],
            r["resolved"],
            r["closed"],
        )
    projects = (
        Project.objects.active()
        .filter(village_id__in=village_ids, started_on__year=year)
        .values("village_id")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(done_on__isnull=False)),
            budget=Sum("budget"),
            spent=Sum("spent"),
            lights=Sum("quantity", filter=Q(kind=ProjectKind.LIGHTING)),
        )
        .order_by()
    )
    for r in projects:
        row = rows[r["village_id"]]
        row.projects, row.projects_done = r["n"], r["done"]
        row.budget, row.spent, row.lights = r["budget"] or Decimal(0), r["spent"] or Decimal(0), r["lights"] or 0
    documents = (
        VillageDocument.objects.active()
        .filter(village_id__in=village_ids)
        .values("village_id")
        .annotate(n=Count("pk", distinct=True), copies=Sum("versions__copies"))
        .order_by()
    )
    for r in documents:
        row = rows[r["village_id"]]
        row.documents, row.copies = r["n"], r["copies"] or 0
    return rows


def _money(amount: Decimal | None) -> str:
    return f"{(amount or Decimal(0)):.2f}"


def month_figures(village_id: int, month: datetime.date) -> dict:
    """Co-governance in a village's month, for the monthly report (JSON-safe: money as a string of yuan with
    two decimals). Every figure is counted by the date of its own event, so a closed month's figures stay
    what they were whatever is recorded later for other months:

    - deliberations proposed (the timeline's first event), approved (``approved_on``), published
      (``publish_on``), deliberation meetings held (``held_on``), resolved (``resolved_on``), closed
      (``closed_on``); a deliberation archived after the month ended still counts in it;
    - projects started (``started_on``) and done (``done_on``) in the month;
    - money spent: the progress notes dated in the month (a resolution's implementation), plus the ``spent``
      of the projects entered directly (not from a deliberation, so not in any progress note) that were done
      in the month — a direct project has no dated payments, its money is counted when it is finished;
    - document versions adopted in the month and their copies.

    Five queries."""
    first, last = month_bounds(month)
    start, end = _aware(first), _aware(last + datetime.timedelta(days=1))
    kept = Q(archived_at__isnull=True) | Q(archived_at__gte=end)
    in_month = {"__gte": first, "__lte": last}

    def dated(field: str) -> Q:
        return Q(**{field + k: v for k, v in in_month.items()})

    deliberations = Deliberation.objects.filter(kept, village_id=village_id).aggregate(
        approved=Count("pk", filter=dated("approved_on")),
        published=Count("pk", filter=dated("publish_on")),
        meetings=Count("pk", filter=dated("meeting__held_on")),
        resolved=Count("pk", filter=dated("resolved_on")),
        closed=Count("pk", filter=dated("closed_on")),
    )
    proposed = DeliberationEvent.objects.filter(
        Q(deliberation__archived_at__isnull=True) | Q(deliberation__archived_at__gte=end),
        deliberation__village_id=village_id,
        from_stage="",
        to_stage=Stage.PROPOSED,
        at__gte=start,
        at__lt=end,
    ).count()
    progress = Progress.objects.filter(
        Q(deliberation__archived_at__isnull=True) | Q(deliberation__archived_at__gte=end),
        deliberation__village_id=village_id,
        noted_on__gte=first,
        noted_on__lte=last,
    ).aggregate(spent=Sum("spent"))["spent"] or Decimal(0)
    projects = Project.objects.filter(kept, village_id=village_id).aggregate(
        started=Count("pk", filter=dated("started_on")),
        done=Count("pk", filter=dated("done_on")),
        direct_spent=Sum("spent", filter=dated("done_on") & Q(deliberation__isnull=True)),
    )
    documents = DocumentVersion.objects.filter(
        Q(document__archived_at__isnull=True) | Q(document__archived_at__gte=end),
        document__village_id=village_id,
        adopted_on__gte=first,
        adopted_on__lte=last,
    ).aggregate(n=Count("pk"), copies=Sum("copies"))
    direct = projects["direct_spent"] or Decimal(0)
    return {
        "deliberations": {"proposed": proposed, **deliberations},
        "projects": {"started": projects["started"], "done": projects["done"]},
        "spent": {"progress": _money(progress), "projects": _money(direct), "total": _money(progress + direct)},
        "documents": {"adopted": documents["n"], "copies": documents["copies"] or 0},
    }
