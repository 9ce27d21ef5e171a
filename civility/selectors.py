"""Composed reads of 德治/法治 for the town's side-by-side page and the monthly report (docs/civility.md).
Counts only, a fixed number of grouped queries whatever the number of villages. An activity that is also a
Party 主题党日 is one activity row here (the Party app counts its meetings on its own): nothing is joined
that could count it twice."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone

from .models import Activity, ActivityKind, EntryKind, LegalAdvisor, ModelSelection, PointsEntry, VolunteerTeam

KINDS = [value for value, _label in ActivityKind.choices]


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _kinds() -> dict[str, int]:
    return dict.fromkeys(KINDS, 0)


@dataclass
class VillageCounts:
    """One village's 德治/法治 at a glance (the town's side-by-side page)."""

    by_kind: dict[str, int] = field(default_factory=_kinds)  # activities held this year, per ActivityKind
    activities: int = 0  # activities held this year
    participants: int = 0  # their participants
    set_dates: int = 0  # of those, answering a set date (宣传节点)
    teams: int = 0  # volunteer teams (not archived)
    volunteers: int = 0  # residents currently in a team (one in two teams counts once)
    advisors: int = 0  # 法律明白人 in the roster
    selections: int = 0  # model households and people selected for this year
    points_awarded: int = 0  # points in this year (every entry but redemptions and downward corrections)
    points_redeemed: int = 0  # points out at the supermarket this year


def _points_annotations() -> dict:
    return {
        "awarded": Sum("points", filter=Q(points__gt=0) & ~Q(kind=EntryKind.REDEMPTION)),
        "redeemed": Sum("points", filter=Q(kind=EntryKind.REDEMPTION)),
    }


def town_counts(
    village_ids: list[int], year: int | None = None, today: datetime.date | None = None
) -> dict[int, VillageCounts]:
    """Per village (every id has a row): this year's activities by kind, their participants and those that
    answer a set date; volunteer teams and current volunteers; the 法律明白人 roster; this year's model
    selections; the points awarded and redeemed this year. Five grouped queries whatever the number of
    villages."""
    today = today or timezone.localdate()
    year = year or today.year
    rows = {v: VillageCounts() for v in village_ids}
    activities = (
        Activity.objects.active()
        .filter(village_id__in=village_ids, held_on__year=year)
        .values("village_id", "kind")
        .annotate(
            n=Count("pk"), participants=Sum("participants"), set_dates=Count("pk", filter=Q(set_date__isnull=False))
        )
        .order_by()
    )
    for r in activities:
        row = rows[r["village_id"]]
        row.by_kind[r["kind"]] = r["n"]
        row.activities += r["n"]
        row.participants += r["participants"] or 0
        row.set_dates += r["set_dates"]
    teams = (
        VolunteerTeam.objects.active()
        .filter(village_id__in=village_ids)
        .values("village_id")
        .annotate(
            n=Count("pk", distinct=True),
            volunteers=Count("members__resident", filter=Q(members__left_on__isnull=True), distinct=True),
        )
        .order_by()
    )
    for r in teams:
        rows[r["village_id"]].teams, rows[r["village_id"]].volunteers = r["n"], r["volunteers"]
    for r in (
        LegalAdvisor.objects.active().filter(village_id__in=village_ids).values("village_id").annotate(n=Count("pk"))
    ).order_by():
        rows[r["village_id"]].advisors = r["n"]
    for r in (
        ModelSelection.objects.active()
        .filter(village_id__in=village_ids, year=year)
        .values("village_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rows[r["village_id"]].selections = r["n"]
    start, end = _aware(datetime.date(year, 1, 1)), _aware(datetime.date(year + 1, 1, 1))
    for r in (
        PointsEntry.objects.filter(account__village_id__in=village_ids, at__gte=start, at__lt=end)
        .values("account__village_id")
        .annotate(**_points_annotations())
        .order_by()
    ):
        row = rows[r["account__village_id"]]
        row.points_awarded, row.points_redeemed = r["awarded"] or 0, -(r["redeemed"] or 0)
    return rows


def month_figures(village_id: int, month: datetime.date) -> dict:
    """德治/法治 in a village's month, for the monthly report (JSON-safe). Every figure is counted by its own
    record's date, so a closed month's figures stay what they were whatever is recorded later:

    - activities held in the month (``held_on``) by kind, with their participants and beneficiaries, and
      those answering a set date; an activity archived after the month ended still counts in it;
    - model selections made in the month (``selected_on``);
    - points awarded and redeemed in the month (the ledger's ``at``; entries are never changed).

    Three queries."""
    first, last = month_bounds(month)
    start, end = _aware(first), _aware(last + datetime.timedelta(days=1))
    kept = Q(archived_at__isnull=True) | Q(archived_at__gte=end)
    held = {
        r["kind"]: r
        for r in Activity.objects.filter(kept, village_id=village_id, held_on__gte=first, held_on__lte=last)
        .values("kind")
        .annotate(
            n=Count("pk"),
            participants=Sum("participants"),
            beneficiaries=Sum("beneficiaries"),
            set_dates=Count("pk", filter=Q(set_date__isnull=False)),
        )
        .order_by()
    }
    by_kind = [
        {
            "kind": str(label),
            "n": held.get(value, {}).get("n", 0),
            "participants": held.get(value, {}).get("participants") or 0,
            "beneficiaries": held.get(value, {}).get("beneficiaries") or 0,
        }
        for value, label in ActivityKind.choices
    ]
    selections = ModelSelection.objects.filter(
        kept, village_id=village_id, selected_on__gte=first, selected_on__lte=last
    ).count()
    points = PointsEntry.objects.filter(account__village_id=village_id, at__gte=start, at__lt=end).aggregate(
        **_points_annotations()
    )
    return {
        "activities": {
            "by_kind": by_kind,
            "total": sum(r["n"] for r in by_kind),
            "participants": sum(r["participants"] for r in by_kind),
            "beneficiaries": sum(r["beneficiaries"] for r in by_kind),
            "set_dates": sum(r["set_dates"] for r in held.values()),
        },
        "selections": selections,
        "points": {"awarded": points["awarded"] or 0, "redeemed": -(points["redeemed"] or 0)},
    }
