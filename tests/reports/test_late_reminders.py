"""The late-report reminder: the staff of a village whose report is not in get one reminder per month,
also when the task runs twice, with a real Celery worker."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from core.models import JobRun
from grids.models import Role
from messaging.models import Delivery, Notice, ReminderRun
from reports import services, tasks
from tests.conftest import assign, make_user
from visits import due

MONTH = due.previous_month(timezone.localdate())


def test_only_villages_without_a_submitted_report_are_reminded(world, staff, outsider):
    report = services.report_open(village=world.village, month=MONTH, by=staff)
    report = services.report_save(report=report, by=staff, revision=report.revision, work_done="a", next_plan="b")
    services.report_submit(report=report, by=staff, revision=report.revision)
    assert services.late_reminders_send(month=MONTH) == 1
    assert list(Delivery.objects.values_list("recipient__username", "kind")) == [("outsider", "report_late")]
    assert services.late_reminders_send(month=MONTH) == 0


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_late_report_reminder_goes_out_once_with_a_real_worker(world, staff, outsider, start_worker):
    second_staff = make_user("staff2", world.village)
    assign(second_staff, Role.VILLAGE_STAFF, world.village)
    process = start_worker()
    tasks.late_reports_send.delay(MONTH.isoformat())
    tasks.late_reports_send.delay(MONTH.isoformat())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode()
        if JobRun.objects.filter(name="late report reminders").count() == 2:
            break
        time.sleep(0.2)
    assert sorted(Delivery.objects.values_list("recipient__username", flat=True)) == ["outsider", "staff", "staff2"]
    assert Notice.objects.filter(kind="reminder", key=f"reminder-report_late-{MONTH:%Y-%m}").count() == 3


# --- Caught up after downtime (fixed days: October's report due 2026-11-05, reminded from the 6th) -------


@pytest.fixture
def policies(db):
    from reports.models import ReportPolicy
    from visits.models import ReminderPolicy

    report_policy = ReportPolicy.current()
    report_policy.due_day = 5
    report_policy.save()
    reminder_policy = ReminderPolicy.current()
    reminder_policy.send_hour = 8
    reminder_policy.save()


def _late(period):
    return sorted(
        Delivery.objects.filter(kind="report_late", period=period).values_list("recipient__username", flat=True)
    )


def test_the_late_report_reminder_missed_on_its_day_goes_out_on_the_next_dispatch_once(
    policies, world, staff, outsider
):
    assert "2026-10" not in tasks.late_reports_dispatch("2026-11-05")  # due that day: not late yet
    assert not Delivery.objects.filter(period="2026-10").exists()
    # No dispatch ran from 2026-11-06 to 2026-11-08.
    assert "2026-10" in tasks.late_reports_dispatch("2026-11-09")
    assert _late("2026-10") == ["outsider", "staff"]
    assert ReminderRun.objects.get(kind="report_late", period="2026-10").sent == 2

    assert tasks.late_reports_dispatch("2026-11-09") == []
    assert tasks.late_reports_dispatch("2026-12-01") == []
    assert JobRun.objects.filter(name="late report reminders", detail__startswith="2026-10").count() == 1
    assert Delivery.objects.filter(kind="report_late").count() == 2


def test_a_late_report_reminder_is_not_sent_after_the_month_it_was_due_in(policies, world, staff, outsider):
    # Down for all of November: October's report was due on the 5th and nobody was reminded.
    started = tasks.late_reports_dispatch("2026-12-02")
    assert "skipped 2026-10" in started
    assert not Delivery.objects.filter(kind="report_late").exists()
    assert ReminderRun.objects.get(kind="report_late", period="2026-10").sent == 0
    record = JobRun.objects.get(name="late report reminders", detail__startswith="2026-10")
    assert "skipped" in record.detail and "period was over" in record.detail

    assert tasks.late_reports_dispatch("2026-12-03") == []  # recorded once, not retried
    assert tasks.late_reports_dispatch("2026-12-06") == ["2026-11"]  # November's is due from the 6th
    assert _late("2026-11") == ["outsider", "staff"] and not Delivery.objects.filter(period="2026-10").exists()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_after_downtime_one_dispatch_on_a_real_worker_sends_the_late_report_reminder_once(
    policies, world, staff, outsider, start_worker
):
    # No worker ran from 2026-11-06 to 2026-11-08.
    process = start_worker()
    tasks.late_reports_dispatch.delay("2026-11-09")
    tasks.late_reports_dispatch.delay("2026-11-09")  # beat's next dispatch, before the first run is done
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode()
        if JobRun.objects.filter(name="late report reminders", detail__startswith="2026-10").count() >= 1:
            break
        time.sleep(0.2)
    time.sleep(1)  # a second copy, if one was started, finishes too
    assert _late("2026-10") == ["outsider", "staff"]
    assert ReminderRun.objects.get(kind="report_late", period="2026-10").sent == 2
