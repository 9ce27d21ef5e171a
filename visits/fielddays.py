"""Days in the field per worker and ISO week, kept as visits are recorded (``FieldWeek``; docs/scorecard.md).

``mark`` sets the day's bit in one statement that two phones recording at once cannot lose (an upsert that ORs
the bit in); ``rebuild`` recounts every week from the visits (the migration that introduced the table, and the
county generator after it writes visits with COPY); ``weeks_counted`` counts the weeks that had at
least n days, for the scorecard."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, Q

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


def weeks_counted(spans: dict, at_least: int) -> dict:
    """For each key of ``spans`` (any key: a worker, a worker in one village…) whose value is (worker,
    first Monday, last Monday), the worker's weeks with field work on at least ``at_least`` days among those
    whose Monday falls in that span. One grouped query, one row per worker (a town's year of weeks is
    counted by the database, not handed over week by week); most workers share the period's span, so there
    are few distinct spans to count."""
    if not spans:
        return {}
    distinct = sorted({(first, last) for _worker, first, last in spans.values()})
    column = {span: f"s{n}" for n, span in enumerate(distinct)}
    rows = (
        FieldWeek.objects.filter(
            worker_id__in=sorted({worker for worker, _first, _last in spans.values()}),
            monday__range=(distinct[0][0], max(last for _first, last in distinct)),
            days__gte=at_least,
        )
        .values("worker_id")
        .annotate(**{name: Count("pk", filter=Q(monday__range=span)) for span, name in column.items()})
        .order_by()
    )
    found = {r["worker_id"]: r for r in rows}
    return {
        key: found[worker][column[(first, last)]] if worker in found else 0
        for key, (worker, first, last) in spans.items()
    }


def days_by_week(worker_ids, first_monday: datetime.date, last_monday: datetime.date) -> dict:
    """{(worker, Monday): days in the field} for the weeks from ``first_monday`` to ``last_monday`` that had
    any. One query on the kept weeks."""
    rows = FieldWeek.objects.filter(worker_id__in=list(worker_ids), monday__range=(first_monday, last_monday))
    return {(w, m): d for w, m, d in rows.values_list("worker_id", "monday", "days")}
