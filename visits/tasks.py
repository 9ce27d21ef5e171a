"""Scheduled work for visits: thin tasks that call the services (STYLE 6).

Beat runs ``reminders_dispatch`` every five minutes; it reads the admin's settings (``ReminderPolicy``)
and starts what is due today in Asia/Shanghai time. Starting a kind twice is harmless: every message is
claimed exactly once (``reminders.deliver``) and a finished run is recorded (``ReminderRun``).
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from core.services import job_run_record
from grids.models import Grid
from messaging.models import ReminderRun

from . import due, live, reminders, services
from .models import CoverageSnapshot, ReminderKind, ReminderPolicy


@shared_task
def reminders_dispatch() -> list[str]:
    now = timezone.localtime()
    policy = ReminderPolicy.current()
    started: list[str] = []
    if now.hour < policy.send_hour:
        return started
    today = now.date()
    kinds = [ReminderKind.OVERDUE]
    if today.day == policy.monthly_day:
        kinds.append(ReminderKind.MONTHLY)
    if today.day == policy.midmonth_day:
        kinds += [ReminderKind.MIDMONTH, ReminderKind.MIDMONTH_STAFF]
    for kind in kinds:
        period = reminders.period_of(kind, today)
        if not ReminderRun.objects.filter(kind=kind, period=period).exists():
            reminders_send.delay(kind, today.isoformat())
            started.append(f"{kind} {period}")
    # The month that just ended is kept as it stood (history and the twelve-month chart read this).
    last_month = due.previous_month(today)
    if not CoverageSnapshot.objects.filter(month=last_month).exists():
        coverage_snapshot.delay(last_month.isoformat())
        started.append(f"snapshot {last_month:%Y-%m}")
    return started


@shared_task(acks_late=True)
def reminders_send(kind: str, day: str) -> int:
    today = datetime.date.fromisoformat(day)
    messages, sent = reminders.send(kind, today)
    period = reminders.period_of(kind, today)
    ReminderRun.objects.get_or_create(kind=kind, period=period, defaults={"sent": sent})
    job_run_record(name=f"visit reminders {kind}", detail=f"{period}: {sent} new of {len(messages)}")
    return sent


@shared_task(acks_late=True)
def coverage_snapshot(month: str) -> int:
    return services.coverage_snapshot(month=datetime.date.fromisoformat(month))


@shared_task
def coverage_warm() -> int:
    """Count this month's coverage of every grid in use, 500 grids at a time; returns how many."""
    grid_ids = list(Grid.objects.active().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(grid_ids), 500):
        live.coverage_now(grid_ids[start : start + 500])
    job_run_record(name="coverage warm", detail=f"{len(grid_ids)} grids")
    return len(grid_ids)
