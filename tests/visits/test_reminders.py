"""Reminders: what each kind says to whom, computed at send time, and delivered exactly once — in
process, and with real Celery workers on Redis (twice, in parallel, and after a worker is killed)."""

from __future__ import annotations

import signal
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from core.models import JobRun
from grids.models import Assignment, Grid, Role
from messaging.models import Delivery, Notice, ReminderRun
from messaging.sms import MemoryBackend
from tests.conftest import assign, make_user
from visits import reminders, services, tasks
from visits.models import VISIT_KINDS, ReminderKind

TODAY = timezone.localdate


def _recipients(kind):
    return sorted(Delivery.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_monthly_tells_each_worker_their_months_work(world, worker, colleague):
    _messages, sent = reminders.send(ReminderKind.MONTHLY, TODAY())
    assert sent == 2
    text = Delivery.objects.get(recipient=worker).text
    assert "入户 1 户，重点人员 1 人，重点场所 1 处" in text
    assert Notice.objects.filter(recipient=worker, kind="reminder").count() == 1


def test_midmonth_goes_to_lagging_workers_and_their_list_to_staff(world, worker, colleague, staff, outsider):
    services.visit_record(worker=colleague, target=world.household2)  # grid 2 is done: 100 %
    reminders.send(ReminderKind.MIDMONTH, TODAY())
    reminders.send(ReminderKind.MIDMONTH_STAFF, TODAY())
    assert _recipients(ReminderKind.MIDMONTH) == ["worker"]
    assert _recipients(ReminderKind.MIDMONTH_STAFF) == ["staff"]
    assert "网格员甲 0%" in Delivery.objects.get(kind=ReminderKind.MIDMONTH_STAFF).text


def test_overdue_escalates_by_days_and_the_town_gets_counts_not_names(world, worker, staff, town, settings):
    # Key person 1 (risk 3, every 14 days) was listed in 2025 and never visited: long overdue.
    reminders.send(ReminderKind.OVERDUE, TODAY())
    assert _recipients(ReminderKind.OVERDUE) == ["staff", "town", "worker"]
    assert "张三" in Delivery.objects.get(recipient=worker).text
    town_text = Delivery.objects.get(recipient=town).text
    assert "张三" not in town_text and "一村 1 人" in town_text


def test_something_visited_meanwhile_is_not_reminded(world, worker, staff, town):
    services.visit_record(worker=worker, target=world.key_person1)
    messages, sent = reminders.send(ReminderKind.OVERDUE, TODAY())
    assert (messages, sent) == ([], 0)


def test_a_second_run_sends_nothing_new_and_email_and_sms_go_once(world, worker, settings):
    settings.SMS_BACKEND = "messaging.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    worker.email, worker.phone = "w@example.org", "13912345678"
    worker.save()
    _messages, first = reminders.send(ReminderKind.OVERDUE, TODAY())
    _messages, second = reminders.send(ReminderKind.OVERDUE, TODAY())
    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1 and len(MemoryBackend.outbox) == 1
    delivery = Delivery.objects.get()
    assert delivery.email_sent_at and delivery.sms_sent_at


def test_a_failed_sms_is_retried_by_the_next_run(world, worker, settings, monkeypatch):
    settings.SMS_BACKEND = "messaging.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    worker.phone = "13912345678"
    worker.save()

    def down(self, phone, text, *, key):
        raise OSError("gateway down")

    monkeypatch.setattr(MemoryBackend, "send", down)
    reminders.send(ReminderKind.OVERDUE, TODAY())
    assert Delivery.objects.get().sms_sent_at is None
    monkeypatch.undo()
    settings.SMS_BACKEND = "messaging.sms.MemoryBackend"
    reminders.send(ReminderKind.OVERDUE, TODAY())
    assert Delivery.objects.get().sms_sent_at is not None and len(MemoryBackend.outbox) == 1


def test_the_command_dry_run_prints_and_sends_nothing(world, worker, capsys):
    call_command("send_visit_reminders", "--kind", "monthly", "--month", f"{TODAY():%Y-%m}", "--dry-run")
    out = capsys.readouterr().out
    assert "worker" in out and "would send 1 messages" in out
    assert not Delivery.objects.exists()


def test_dispatch_starts_the_kinds_of_the_day_once(world, worker, settings, monkeypatch):
    from visits.models import ReminderPolicy

    policy = ReminderPolicy.current()
    policy.monthly_day = TODAY().day if TODAY().day <= 28 else 28
    policy.send_hour = 0
    policy.save()
    started = tasks.reminders_dispatch()
    assert any(s.startswith("monthly") for s in started)  # its day (today, or the 28th) has come this month
    assert any(s.startswith("overdue") for s in started)
    assert ReminderRun.objects.filter(kind="overdue").exists()  # eager in tests: ran and recorded
    assert not any(s.startswith("overdue") for s in tasks.reminders_dispatch())


# --- With real Celery workers -------------------------------------------------------------------------


def _many_workers(world, n):
    """n grid workers, each with a grid of their own (so the monthly run has n messages)."""
    users = []
    for i in range(n):
        grid = Grid.objects.create(village=world.village, number=100 + i, name=f"网格{i}")
        user = make_user(f"gw{i:02d}", world.village)
        assign(user, Role.GRID_WORKER, grid)
        users.append(user)
    return users


def _wait_for(predicate, processes, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        for p in processes:
            assert p.poll() is None or p.returncode == -signal.SIGKILL, p.stdout.read().decode()
        time.sleep(0.2)
    raise AssertionError("timed out")


def _expected_monthly():
    return Assignment.objects.current().filter(role=Role.GRID_WORKER).count()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_each_kind_once_with_a_real_worker_even_sent_twice(world, worker, colleague, staff, town, start_worker):
    process = start_worker()
    day = TODAY().isoformat()
    for kind in VISIT_KINDS:
        tasks.reminders_send.delay(kind, day)
        tasks.reminders_send.delay(kind, day)
    _wait_for(lambda: ReminderRun.objects.count() == len(VISIT_KINDS), [process])
    time.sleep(1)  # the second copies finish too
    assert _recipients(ReminderKind.MONTHLY) == ["colleague", "worker"]
    assert _recipients(ReminderKind.MIDMONTH) == ["colleague", "worker"]
    assert _recipients(ReminderKind.MIDMONTH_STAFF) == ["staff"]
    assert _recipients(ReminderKind.OVERDUE) == ["staff", "town", "worker"]
    assert Notice.objects.filter(kind="reminder").count() == Delivery.objects.count() == 8


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_two_runs_in_parallel_deliver_once(world, start_worker):
    _many_workers(world, 30)
    a, b = start_worker(REMINDER_SEND_PAUSE="0.05"), start_worker(REMINDER_SEND_PAUSE="0.05")
    time.sleep(3)  # both processes up and consuming
    day = TODAY().isoformat()
    tasks.reminders_send.delay("monthly", day)
    tasks.reminders_send.delay("monthly", day)
    _wait_for(lambda: Delivery.objects.count() == _expected_monthly(), [a, b])
    time.sleep(2)  # let the slower run finish its (skipped) claims
    assert Delivery.objects.count() == 30
    assert Notice.objects.filter(kind="reminder").count() == 30
    assert Notice.objects.values("recipient").distinct().count() == 30
    # Both runs finished, and what each says it delivered adds up to one message per person.
    _wait_for(lambda: JobRun.objects.filter(name="visit reminders monthly").count() == 2, [a, b])
    new = [int(r.detail.split(": ")[1].split(" ")[0]) for r in JobRun.objects.filter(name="visit reminders monthly")]
    assert sum(new) == 30


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_and_the_task_retried_delivers_the_rest_once(world, start_worker):
    _many_workers(world, 30)
    first = start_worker(REMINDER_SEND_PAUSE="0.2")
    day = TODAY().isoformat()
    tasks.reminders_send.delay("monthly", day)
    _wait_for(lambda: Delivery.objects.count() >= 5, [first])
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    done_before = Delivery.objects.count()
    assert 5 <= done_before < 30
    second = start_worker()
    tasks.reminders_send.delay("monthly", day)  # the retry (beat's next dispatch does the same)
    _wait_for(lambda: ReminderRun.objects.filter(kind="monthly").exists(), [second])
    assert Delivery.objects.count() == 30
    assert Notice.objects.filter(kind="reminder").count() == 30
