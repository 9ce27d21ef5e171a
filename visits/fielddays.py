"""Days in the field per worker and ISO week, kept as visits are recorded (``FieldWeek``; docs/scorecard.md).

``mark`` sets the day's bit in one statement that two phones recording at once cannot lose (an upsert that ORs
the bit in); ``rebuild`` recounts every week from the visits (the migration that introduced the table, and the
county generator after it writes visits with COPY); ``weeks_with`` answers which (worker, Monday) pairs had at
least n days, for the scorecard."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connection, transaction

from .models import FieldWeek, Visit


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


# PostgreSQL and SQLite both read this upsert.
UPSERT = (
    "INSERT INTO visits_fieldweek (worker_id, monday, days_mask) VALUES (%s, %s, %s) "
    "ON CONFLICT (worker_id, monday) DO UPDATE SET days_mask = visits_fieldweek.days_mask | excluded.days_mask"
)
RECOUNT = (
    "INSERT INTO visits_fieldweek (worker_id, monday, days_mask) "
    "SELECT worker_id, date_trunc('week', visited_on)::date, bit_or(1 << (extract(isodow FROM visited_on)::int - 1)) "
    "FROM visits_visit GROUP BY 1, 2"
)


def mark(worker_id: int, day: datetime.date) -> None:
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [worker_id, monday_of(day), 1 << day.weekday()])


@transaction.atomic
def rebuild() -> int:
    """Recount every week from the visits; returns the number of weeks kept."""
    FieldWeek.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(RECOUNT)
            return cursor.rowcount
    masks: dict[tuple[int, datetime.date], int] = defaultdict(int)
    for worker_id, day in Visit.objects.values_list("worker_id", "visited_on").distinct().iterator():
        masks[(worker_id, monday_of(day))] |= 1 << day.weekday()
    FieldWeek.objects.bulk_create(
        [FieldWeek(worker_id=w, monday=m, days_mask=mask) for (w, m), mask in masks.items()], batch_size=5000
    )
    return len(masks)


def weeks_with(
    worker_ids, first_monday: datetime.date, last_monday: datetime.date, at_least: int
) -> set[tuple[int, datetime.date]]:
    """The (worker, Monday) pairs from ``first_monday`` to ``last_monday`` with field work on at least
    ``at_least`` days. One query on the kept weeks."""
    return set(
        FieldWeek.objects.filter(
            worker_id__in=list(worker_ids), monday__range=(first_monday, last_monday), days__gte=at_least
        ).values_list("worker_id", "monday")
    )


def days_by_week(worker_ids, first_monday: datetime.date, last_monday: datetime.date) -> dict:
    """{(worker, Monday): days in the field} for the weeks from ``first_monday`` to ``last_monday`` that had
    any. One query on the kept weeks."""
    rows = FieldWeek.objects.filter(worker_id__in=list(worker_ids), monday__range=(first_monday, last_monday))
    return {(w, m): d for w, m, d in rows.values_list("worker_id", "monday", "days")}
