"""What town tasks tell the villages (towntasks/reminders.py): each targeted village's staff when a task is
handed down, and ``REMIND_DAYS_BEFORE`` days before the deadline those not yet reported — exactly once, in
process and with a real Celery worker on Redis, sent twice."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone

from messaging.models import Delivery, Notice
from tests.party.test_reminders import _wait_for
from tests.towntasks.conftest import issue, target_of, to_state
from towntasks import reminders, tasks
from towntasks.models import REMIND_DAYS_BEFORE, ReportKind, Stage


def _recipients(kind: str) -> list[str]:
    return sorted(Delivery.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.mark.django_db
def test_the_targeted_villages_staff_are_told_once_when_a_task_is_issued(
    world, staff, outsider, worker, town, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = issue(world, town, villages=[world.village])
    # Village 1's staff only: not the other village (not targeted), not the worker, not the town.
    assert _recipients(reminders.KIND_ISSUED) == ["staff"]
    text = Delivery.objects.get(kind=reminders.KIND_ISSUED).text
    assert "秸秆禁烧巡查" in text and "签收" in text
    assert reminders.issued(task.pk) == 0  # again: nothing new
    assert Notice.objects.filter(kind="reminder", recipient=staff).count() == 1


@pytest.mark.django_db
def test_a_village_not_reported_is_reminded_once_before_the_deadline(world, staff, outsider, town):
    task = issue(world, town, kind=ReportKind.TEXT, days=10)
    to_state(target_of(task, world.village), Stage.REPORTED, staff=staff, town_user=town)
    deadline = task.deadline
    too_early = deadline - datetime.timedelta(days=REMIND_DAYS_BEFORE + 1)
    assert reminders.send_due(too_early) == 0
    first = deadline - datetime.timedelta(days=REMIND_DAYS_BEFORE)
    assert reminders.send_due(first) == 1
    assert _recipients(reminders.KIND_DUE) == ["outsider"]  # village 1 has reported: not reminded
    assert "将于" in Delivery.objects.get(kind=reminders.KIND_DUE).text
    assert reminders.send_due(first) == 0
    assert reminders.send_due(deadline) == 0  # the last day: already told
    # After the deadline nothing goes out any more (a village told nothing yet is not told late).
    Delivery.objects.all().delete()
    assert reminders.send_due(deadline + datetime.timedelta(days=1)) == 0


@pytest.mark.django_db
def test_the_dispatch_task_reminds_as_of_a_day(world, staff, town, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    task = issue(world, town, kind=ReportKind.TEXT, villages=[world.village], days=2)
    assert tasks.reminders_dispatch(task.deadline.isoformat()) == 1
    assert tasks.reminders_dispatch(timezone.localdate().isoformat()) == 0


def test_beat_starts_the_town_task_dispatch(settings):
    from governance.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["towntasks-reminders"]
    assert entry["task"] == "towntasks.tasks.reminders_dispatch" and entry["task"] in app.tasks


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_once_with_a_real_worker_even_sent_twice(world, staff, outsider, town, start_worker):
    process = start_worker()
    task = issue(world, town, kind=ReportKind.TEXT, days=REMIND_DAYS_BEFORE)  # committed: the worker is told
    _wait_for(lambda: Delivery.objects.filter(kind=reminders.KIND_ISSUED).count() == 2, [process])
    tasks.issued_notify.delay(task.pk)
    tasks.reminders_dispatch.delay()
    tasks.reminders_dispatch.delay()
    _wait_for(lambda: Delivery.objects.filter(kind=reminders.KIND_DUE).count() == 2, [process])
    time.sleep(1.5)  # the other copies finish too
    assert _recipients(reminders.KIND_ISSUED) == ["outsider", "staff"]
    assert _recipients(reminders.KIND_DUE) == ["outsider", "staff"]
    assert Notice.objects.filter(kind="reminder").count() == 4
