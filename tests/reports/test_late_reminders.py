"""The late-report reminder: the staff of a village whose report is not in get one reminder per month,
also when the task runs twice, with a real Celery worker."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from core.models import JobRun
from grids.models import Role
from messaging.models import Delivery, Notice
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
