"""Demo visits: twelve months of monthly visits in both villages, at realistic coverage.

Most grids reach 90–100 % every month; grid 5 of village A lags (about 70 %), so the coverage pages, the
charts and the mid-month reminder have something to show. This month is in progress (as far as today's
date goes). Key persons are visited on their cadence, a few are overdue, some attempts were not possible.
Demo cases reported from a visit get the visit that found them. Closed months are kept as snapshots, and
this month's work reminder is in every worker's inbox. Bulk inserts: a few seconds; idempotent.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from disputes.models import Case
from grids.models import Assignment, Grid, Role
from residents.cadence import cadence_for
from residents.models import Household, KeyPerson, KeyPlace
from visits import due, fielddays, reminders, services
from visits.models import Finding, NotPossibleReason, Outcome, ReminderKind, Subject, Visit

LAGGING = ("新庄村", 5)  # (village, grid number) that falls behind
MONTHS = 12


def seed_visits(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    if Visit.objects.exists():
        return
    rng = random.Random(20261123)  # noqa: S311 (demo data)
    with transaction.atomic():
        months = [due.month_start(today)]
        for _ in range(MONTHS - 1):
            months.append(due.previous_month(months[-1]))
        workers = {
            a.grid_id: a.user for a in Assignment.objects.current().filter(role=Role.GRID_WORKER).select_related("user")
        }
        grids = list(Grid.objects.active().select_related("village"))
        rows: list[Visit] = []
        for grid in grids:
            worker = workers.get(grid.pk)
            if worker is None:
                continue
            lagging = (grid.village.name, grid.number) == LAGGING
            households = list(Household.objects.active().filter(grid=grid).values_list("pk", "micro_grid_id"))
            places = list(KeyPlace.objects.active().filter(grid=grid).values_list("pk", "micro_grid_id"))
            for month in months:
                rows += _month_of(grid, worker, month, today, households, places, lagging, rng)
        rows += _key_person_visits(workers, months, today, rng)
        Visit.objects.bulk_create(rows, batch_size=2000)
        _link_cases(rng)
        fielddays.rebuild()
        for month in months[1:]:
            services.coverage_snapshot(month=month)
    reminders.send(ReminderKind.MONTHLY, today)


def _share_done(month, today, lagging, rng) -> float:
    if month == due.month_start(today):
        # This month so far: most of it done by the 23rd, less early in the month.
        return min(0.97, 0.12 + today.day / 28) * (0.75 if lagging else 1.0)
    return rng.uniform(0.62, 0.75) if lagging else rng.uniform(0.9, 1.0)


def _day_in(month, today, rng) -> datetime.date:
    last = min(due.month_end(month), today) if month == due.month_start(today) else due.month_end(month)
    return month + datetime.timedelta(days=rng.randrange((last - month).days + 1))


def _month_of(grid, worker, month, today, households, places, lagging, rng) -> list[Visit]:
    share = _share_done(month, today, lagging, rng)
    out = []
    for subject, items in ((Subject.HOUSEHOLD, households), (Subject.KEY_PLACE, places)):
        for pk, micro_id in items:
            if rng.random() > share:
                continue
            visited_on = _day_in(month, today, rng)
            not_possible = rng.random() < 0.03
            out.append(
                Visit(
                    worker=worker,
                    subject=subject,
                    household_id=pk if subject == Subject.HOUSEHOLD else None,
                    key_place_id=pk if subject == Subject.KEY_PLACE else None,
                    village_id=grid.village_id,
                    grid=grid,
                    micro_grid_id=micro_id,
                    visited_on=visited_on,
                    month=month,
                    recorded_at=timezone.make_aware(datetime.datetime.combine(visited_on, datetime.time(10))),
                    outcome=Outcome.NOT_POSSIBLE if not_possible else Outcome.DONE,
                    reason=rng.choice([NotPossibleReason.AWAY, NotPossibleReason.AWAY, NotPossibleReason.REFUSED])
                    if not_possible
                    else "",
                    finding=Finding.INFO_CHANGED if not not_possible and rng.random() < 0.02 else Finding.NOTHING,
                    late=rng.random() < 0.01 and month != due.month_start(today),
                )
            )
    return out


def _key_person_visits(workers, months, today, rng) -> list[Visit]:
    out = []
    for kp in KeyPerson.objects.filter(resident__household__isnull=False).select_related("resident__household"):
        household = kp.resident.household
        worker = workers.get(household.grid_id)
        if worker is None:
            continue
        cadence = cadence_for(kp.category, kp.risk_level)
        reliable = rng.random() > 0.12  # about one in eight is visited late or not reached
        for month in reversed(months):
            if month < due.month_start(kp.listed_from):
                continue
            for n in range(cadence.visits_per_month):
                day = month + datetime.timedelta(days=min(27, 3 + n * 14 + rng.randrange(8)))
                if day > today or (not reliable and month == due.month_start(today)):
                    continue
                missed = not reliable and rng.random() < 0.3
                out.append(
                    Visit(
                        worker=worker,
                        subject=Subject.KEY_PERSON,
                        key_person=kp,
                        village_id=household.village_id,
                        grid_id=household.grid_id,
                        micro_grid_id=household.micro_grid_id,
                        visited_on=day,
                        month=month,
                        recorded_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(15))),
                        outcome=Outcome.NOT_POSSIBLE if missed else Outcome.DONE,
                        reason=NotPossibleReason.UNREACHABLE if missed else "",
                    )
                )
    return out


def _link_cases(rng) -> None:
    """Demo cases whose source is a visit get the visit that found them."""
    findings = {"dispute": Finding.DISPUTE, "hazard": Finding.HAZARD, "request": Finding.REQUEST}
    for case in Case.objects.filter(source="visit", household__isnull=False, visits__isnull=True):
        Visit.objects.create(
            worker=case.reported_by,
            subject=Subject.HOUSEHOLD,
            household=case.household,
            village_id=case.village_id,
            grid_id=case.grid_id,
            micro_grid_id=case.household.micro_grid_id,
            visited_on=timezone.localtime(case.reported_at).date(),
            month=due.month_start(timezone.localtime(case.reported_at).date()),
            recorded_at=case.reported_at,
            finding=findings[case.kind],
            note=case.description,
            case=case,
        )
