"""The weeks in the field kept per worker (visits/fielddays.py, docs/scorecard.md): recording a visit sets the
day's bit, a second visit on one day changes nothing, the recount from the visits gives the same rows."""

from __future__ import annotations

import datetime

from visits import fielddays
from visits.models import FieldWeek
from visits.services import visit_record

D = datetime.date


def _weeks():
    return sorted(FieldWeek.objects.values_list("worker_id", "monday", "days_mask", "days"))


def test_recording_visits_keeps_the_days_of_each_week(world, worker):
    for day in (D(2026, 2, 2), D(2026, 2, 3), D(2026, 2, 3), D(2026, 2, 8), D(2026, 2, 9)):
        visit_record(worker=worker, target=world.household1, visited_on=day, today=day)
    # Monday 2, Tuesday 3 (twice: one day) and Sunday 8 February; Monday 9 opens the next week.
    assert _weeks() == [
        (worker.pk, D(2026, 2, 2), 0b1000011, 3),
        (worker.pk, D(2026, 2, 9), 0b0000001, 1),
    ]
    both, second = (worker.pk, D(2026, 2, 2), D(2026, 2, 9)), (worker.pk, D(2026, 2, 9), D(2026, 2, 9))
    assert fielddays.weeks_counted({"both": both, "second": second}, 3) == {"both": 1, "second": 0}
    assert fielddays.weeks_counted({"both": both, "second": second}, 1) == {"both": 2, "second": 1}
    assert fielddays.weeks_counted({"both": both}, 4) == {"both": 0}


def test_the_recount_from_the_visits_gives_the_kept_rows(world, worker):
    for day in (D(2026, 3, 2), D(2026, 3, 4), D(2026, 3, 6), D(2026, 3, 13)):
        visit_record(worker=worker, target=world.household1, visited_on=day, today=day)
    kept = _weeks()
    assert fielddays.rebuild() == 2
    assert _weeks() == kept
