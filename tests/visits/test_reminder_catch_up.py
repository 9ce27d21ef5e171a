"""Reminders missed while beat or the worker was down: the next dispatch sends what is still due once, and
a month that ended first is recorded as skipped, not reminded late — in process and with a real worker.

Fixed days (policy: monthly on the 1st, mid-month on the 20th, at 08:00); nothing depends on today.
"""

from __future__ import annotations

import time

import pytest

from core.models import JobRun
from messaging.models import Delivery, ReminderRun
from visits import tasks
from visits.models import ReminderKind, ReminderPolicy


@pytest.fixture
def policy(db):
    policy = ReminderPolicy.current()
    policy.monthly_day, policy.midmonth_day, policy.send_hour = 1, 20, 8
    policy.save()
    return policy


def _recipients(kind, period):
    return sorted(Delivery.objects.filter(kind=kind, period=period).values_list("recipient__username", flat=True))


def test_the_monthly_reminder_missed_on_its_day_goes_out_the_next_day_once(policy, world, worker, colleague, staff):
    # No dispatch ran on 2026-11-01 (beat down all day).
    started = tasks.reminders_dispatch("2026-11-02")
    assert "monthly 2026-11" in started
    assert _recipients(ReminderKind.MONTHLY, "2026-11") == ["colleague", "worker"]
    assert ReminderRun.objects.get(kind="monthly", period="2026-11").sent == 2
    # Overdue reminders are daily: the missed day's is not resent, today's goes out.
    assert not Delivery.objects.filter(kind=ReminderKind.OVERDUE, period="2026-11-01").exists()
    assert Delivery.objects.filter(kind=ReminderKind.OVERDUE, period="2026-11-02").exists()
    # Not yet the 20th: the mid-month reminder is not due.
    assert not Delivery.objects.filter(kind=ReminderKind.MIDMONTH).exists()

    assert tasks.reminders_dispatch("2026-11-02") == []
    assert not any(s.startswith("monthly") for s in tasks.reminders_dispatch("2026-11-03"))
    assert Delivery.objects.exclude(kind=ReminderKind.OVERDUE).count() == 2
    assert JobRun.objects.filter(name="visit reminders monthly", detail__startswith="2026-11").count() == 1


def test_the_midmonth_reminders_missed_on_their_day_go_out_the_next_day_once(policy, world, worker, colleague, staff):
    tasks.reminders_dispatch("2026-11-02")  # the month's work went out on time
    # No dispatch ran on 2026-11-20.
    started = tasks.reminders_dispatch("2026-11-21")
    assert {"midmonth 2026-11", "midmonth_staff 2026-11"} <= set(started)
    assert "monthly 2026-11" not in started
    assert _recipients(ReminderKind.MIDMONTH, "2026-11") == ["colleague", "worker"]
    assert _recipients(ReminderKind.MIDMONTH_STAFF, "2026-11") == ["staff"]

    assert tasks.reminders_dispatch("2026-11-21") == []
    assert not any(s.startswith("midmonth") for s in tasks.reminders_dispatch("2026-11-22"))
    assert Delivery.objects.filter(kind__in=[ReminderKind.MIDMONTH, ReminderKind.MIDMONTH_STAFF]).count() == 3


def test_the_dispatch_before_the_send_hour_waits_and_the_day_before_sends_nothing_of_it(policy, world, worker):
    tasks.reminders_dispatch("2026-10-31")
    assert not Delivery.objects.filter(period="2026-11").exists()
    assert not ReminderRun.objects.filter(period="2026-11").exists()


def test_last_months_missed_reminders_are_not_sent_in_the_next_month_and_recorded_as_skipped(
    policy, world, worker, colleague, staff
):
    # Down from before 2026-11-01 until 2026-12-02: none of November's reminders went out.
    started = tasks.reminders_dispatch("2026-12-02")
    assert {"skipped monthly 2026-11", "skipped midmonth 2026-11", "skipped midmonth_staff 2026-11"} <= set(started)
    assert "monthly 2026-12" in started
    assert not Delivery.objects.filter(period="2026-11").exists()
    assert _recipients(ReminderKind.MONTHLY, "2026-12") == ["colleague", "worker"]
    for kind in (ReminderKind.MONTHLY, ReminderKind.MIDMONTH, ReminderKind.MIDMONTH_STAFF):
        assert ReminderRun.objects.get(kind=kind, period="2026-11").sent == 0
        record = JobRun.objects.get(name=f"visit reminders {kind}", detail__startswith="2026-11")
        assert "skipped" in record.detail and "period was over" in record.detail

    # Recorded once: the next dispatches neither retry nor record it again.
    assert not any("2026-11" in s for s in tasks.reminders_dispatch("2026-12-03"))
    assert JobRun.objects.filter(detail__startswith="2026-11: skipped").count() == 3
    assert not Delivery.objects.filter(period="2026-11").exists()


def test_a_month_over_before_the_send_hour_of_the_1st_is_skipped_then_too(policy, world, worker):
    policy.send_hour = 23
    policy.save()
    started = tasks.reminders_dispatch("2026-12-01")  # at 23:00 on the 1st
    assert "skipped monthly 2026-11" in started and "monthly 2026-12" in started
    assert not Delivery.objects.filter(period="2026-11").exists()


# --- With a real Celery worker ----------------------------------------------------------------------------


def _wait_for(predicate, process, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        assert process.poll() is None, process.stdout.read().decode()
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_after_downtime_one_dispatch_on_a_real_worker_sends_each_missed_reminder_once(
    policy, world, worker, colleague, staff, town, start_worker
):
    # No worker ran from 2026-11-01 to 2026-11-20: the monthly and both mid-month reminders were missed.
    process = start_worker()
    tasks.reminders_dispatch.delay("2026-11-21")
    kinds = [ReminderKind.MONTHLY, ReminderKind.MIDMONTH, ReminderKind.MIDMONTH_STAFF]
    _wait_for(
        lambda: (
            ReminderRun.objects.filter(kind__in=kinds, period="2026-11").count() == 3
            and ReminderRun.objects.filter(kind=ReminderKind.OVERDUE, period="2026-11-21").exists()
        ),
        process,
    )
    assert _recipients(ReminderKind.MONTHLY, "2026-11") == ["colleague", "worker"]
    assert _recipients(ReminderKind.MIDMONTH, "2026-11") == ["colleague", "worker"]
    assert _recipients(ReminderKind.MIDMONTH_STAFF, "2026-11") == ["staff"]
    assert _recipients(ReminderKind.OVERDUE, "2026-11-21") == ["staff", "town", "worker"]
    deliveries = Delivery.objects.count()

    # A second run the same day finds every run finished and sends nothing. The worker takes one task at a
    # time in order, so once the next day's overdue run is recorded the second run has long finished.
    tasks.reminders_dispatch.delay("2026-11-21")
    tasks.reminders_dispatch.delay("2026-11-22")
    _wait_for(lambda: ReminderRun.objects.filter(kind=ReminderKind.OVERDUE, period="2026-11-22").exists(), process)
    assert Delivery.objects.exclude(period="2026-11-22").count() == deliveries
    for kind in kinds:
        assert JobRun.objects.filter(name=f"visit reminders {kind}", detail__startswith="2026-11:").count() == 1
