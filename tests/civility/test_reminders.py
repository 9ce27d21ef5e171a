"""Set-date reminders (civility/reminders.py): every village's staff before 宪法宣传日, 民法典宣传月 and 安全生产月,
from the days the table says, exactly once — in process and with a real Celery worker on Redis, sent twice."""

from __future__ import annotations

import datetime
import time

import pytest

from civility import reminders, tasks
from civility.models import SetDate
from messaging.models import Delivery, Notice, ReminderRun
from tests.party.test_reminders import _wait_for

D = datetime.date


def constitution_day() -> SetDate:
    return SetDate.objects.get(name="宪法宣传日")


@pytest.mark.django_db
def test_every_villages_staff_are_told_once_before_the_date(world, staff, outsider, worker, town):
    kind = reminders.kind_of(constitution_day())
    sent = reminders.send(kind, 2026)[1]
    assert sent == 2
    texts = dict(Delivery.objects.filter(kind=kind, period="2026").values_list("recipient__username", "text"))
    assert set(texts) == {"staff", "outsider"}  # the village staff of both villages; not the worker, not the town
    assert "12月04日是宪法宣传日" in texts["staff"] and "普法宣传" in texts["staff"]
    assert reminders.send(kind, 2026)[1] == 0  # a second run sends nothing new
    assert Notice.objects.filter(kind="reminder").count() == 2


@pytest.mark.django_db
def test_dispatch_opens_seven_days_before_and_skips_a_date_that_has_passed(world, staff, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    kind = reminders.kind_of(constitution_day())
    assert not [s for s in tasks.reminders_dispatch("2026-11-26") if s.startswith(kind)]  # eight days before
    assert tasks.reminders_dispatch("2026-11-27") == [f"{kind} 2026"]
    assert Delivery.objects.filter(kind=kind, period="2026").count() == 1
    assert not [s for s in tasks.reminders_dispatch("2026-11-28") if s.startswith(kind)]  # done: not again
    # A year whose reminder never went out (the worker down all week): after the date, skipped, never late.
    ReminderRun.objects.all().delete()
    Delivery.objects.all().delete()
    assert f"skipped {kind} 2026" in tasks.reminders_dispatch("2026-12-05")
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_the_table_decides_and_a_date_early_in_january_is_reminded_of_in_december(world, staff):
    early = SetDate.objects.create(name="新年普法", month=1, day=3, remind_days_before=5)
    now = reminders.at(D(2026, 12, 29), 8)
    window = next(w for w in reminders.windows(now, 8) if w.kind == reminders.kind_of(early) and w.period == "2027")
    assert window.opens == reminders.at(D(2026, 12, 29), 8) and window.closes == reminders.at(D(2027, 1, 4))
    SetDate.objects.filter(pk=early.pk).update(active=False)
    assert not [w for w in reminders.windows(now, 8) if w.kind == reminders.kind_of(early)]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_once_with_a_real_worker_even_sent_twice(world, staff, outsider, start_worker):
    from tests.conftest import restore_reference_data

    restore_reference_data()  # the set dates (a transactional test starts from an empty database)
    process = start_worker()
    kind = reminders.kind_of(constitution_day())
    tasks.reminders_send.delay(kind, 2026)
    tasks.reminders_send.delay(kind, 2026)
    _wait_for(lambda: ReminderRun.objects.filter(kind=kind, period="2026").exists(), [process])
    time.sleep(1)  # the second copy finishes too
    assert sorted(Delivery.objects.filter(kind=kind).values_list("recipient__username", flat=True)) == [
        "outsider",
        "staff",
    ]
    assert Notice.objects.filter(kind="reminder").count() == 2


def test_beat_starts_the_set_date_dispatch(settings):
    from governance.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["civility-reminders"]
    assert entry["task"] == "civility.tasks.reminders_dispatch" and entry["task"] in app.tasks
