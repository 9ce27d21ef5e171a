"""The grid-worker care table (docs/scorecard.md, "Grid-worker care pages"): per current grid worker of a
village, the insurance in force today, the year's last health check and trainings, and the days worked in
the grid per week this month — all read when shown, nothing stored as a total.

Days in the grid are not typed in (seed 003: 每周在网格工作不少于4天): they are the distinct dates on which
the worker recorded a visit, kept per ISO week as visits are recorded (``visits.fielddays``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, DateField, OuterRef, Q, Subquery

from visits import fielddays

from .models import HealthCheck, Training, WorkerInsurance

# The seed's floor of days a week in the grid (seed 003).
DAYS_A_WEEK = 4
# A policy ending within this many days is flagged, so the village renews it in time.
EXPIRING_DAYS = 30


def annotate_care(workers, *, village, today: datetime.date, year: int):
    """``workers`` (a User queryset) with the care columns as subqueries: one query for the whole page."""
    in_force = WorkerInsurance.objects.filter(
        worker=OuterRef("pk"), village=village, starts_on__lte=today, ends_on__gte=today
    ).order_by("-ends_on", "-pk")
    checks = HealthCheck.objects.filter(worker=OuterRef("pk"), checked_on__year=year).order_by("-checked_on")
    trainings = (
        Training.objects.filter(attendees=OuterRef("pk"), held_on__year=year)
        .order_by()
        .values("attendees")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return workers.annotate(
        insurance_id=Subquery(in_force.values("pk")[:1]),
        insurer=Subquery(in_force.values("insurer")[:1]),
        insured_until=Subquery(in_force.values("ends_on")[:1], output_field=DateField()),
        last_check=Subquery(checks.values("checked_on")[:1], output_field=DateField()),
        check_institution=Subquery(checks.values("institution")[:1]),
        trainings_year=Subquery(trainings),
    )


def insurance_q(status: str, today: datetime.date) -> Q:
    """The filter "insurance missing / expiring" on an ``annotate_care`` queryset."""
    soon = today + datetime.timedelta(days=EXPIRING_DAYS)
    if status == "missing":
        return Q(insured_until__isnull=True)
    if status == "expiring":
        return Q(insured_until__isnull=False, insured_until__lte=soon)
    if status == "attention":
        return Q(insured_until__isnull=True) | Q(insured_until__lte=soon)
    return Q()


def month_weeks(month: datetime.date, today: datetime.date) -> list[tuple[int, int, datetime.date]]:
    """The ISO weeks of ``month`` up to ``today``: (iso year, week, its Monday). A week that straddles the
    month's edge is counted whole, since the seed's rule is per week."""
    first = month.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    end = min(last, today) if first <= today else last
    monday = first - datetime.timedelta(days=first.weekday())
    weeks = []
    while monday <= end:
        iso = monday.isocalendar()
        weeks.append((iso[0], iso[1], monday))
        monday += datetime.timedelta(days=7)
    return weeks


@dataclass
class WeekDays:
    year: int
    week: int
    monday: datetime.date
    days: int
    complete: bool  # the week is over (a running week is shown, not judged)

    @property
    def enough(self) -> bool:
        return self.days >= DAYS_A_WEEK


@dataclass
class FieldDays:
    weeks: list[WeekDays] = field(default_factory=list)

    @property
    def weeks_enough(self) -> int:
        return sum(1 for w in self.weeks if w.complete and w.enough)

    @property
    def weeks_complete(self) -> int:
        return sum(1 for w in self.weeks if w.complete)


def field_days(worker_ids, *, month: datetime.date, today: datetime.date) -> dict[int, FieldDays]:
    """Days with a visit recorded by each worker, per ISO week of ``month``, as ``visits.fielddays`` keeps
    them: one query."""
    weeks = month_weeks(month, today)
    result = {pk: FieldDays() for pk in worker_ids}
    if not weeks or not result:
        return result
    counted = fielddays.days_by_week(result, weeks[0][2], weeks[-1][2])
    for pk, days in result.items():
        for iso_year, week, monday in weeks:
            complete = monday + datetime.timedelta(days=6) < today
            days.weeks.append(WeekDays(iso_year, week, monday, counted.get((pk, monday), 0), complete))
    return result
