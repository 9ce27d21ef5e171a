"""Scheduled work for visits: thin tasks that call the services (STYLE 6).

Beat runs ``reminders_dispatch`` every five minutes; it reads the admin's settings (``ReminderPolicy``)
and starts every reminder due by now in Asia/Shanghai time that has no finished run (``ReminderRun``), so
after beat or the worker was down the next dispatch catches up; a month that ended first is recorded as
skipped, not reminded late (``reminders.windows``). Starting a kind twice is harmless: every message is
claimed exactly once (``reminders.deliver``).
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from core.services import job_run_record
from grids.models import Assignment, Grid, Role
from messaging.services import reminder_run_finish, reminder_run_skip, reminder_runs_due

from . import due, kept_list, live, reminders, services
from .models import CoverageSnapshot, ReminderPolicy


@shared_task
def reminders_dispatch(day: str | None = None) -> list[str]:
    """Start what is due; ``day`` (an ISO date) dispatches as if at the send hour of that day, None now."""
    policy = ReminderPolicy.current()
    now = reminders.dispatch_moment(day, policy.send_hour)
    today = now.date()
    to_send, too_late = reminder_runs_due(windows=reminders.windows(now, policy), now=now)
    started: list[str] = []
    for window in too_late:
        if reminder_run_skip(kind=window.kind, period=window.period, job=f"visit reminders {window.kind}"):
            started.append(f"skipped {window.kind} {window.period}")
    for window in to_send:
        reminders_send.delay(window.kind, today.isoformat())
        started.append(f"{window.kind} {window.period}")
    if now.hour < policy.send_hour:
        return started
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
    reminder_run_finish(kind=kind, period=period, sent=sent)
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


@shared_task
def work_lists_warm() -> int:
    """Every grid worker's plain work list (no search, no filter, the portal's language) counted and kept for
    the day, after the coverage is (00:05): the first opening of the morning, two hundred workers logging in
    at eight, reads it (docs/performance.md, "The field work list"). Returns how many lists."""
    from .views import work_list_content

    grids: dict[int, list[int]] = {}
    for user_id, grid_id in (
        Assignment.objects.current().filter(role=Role.GRID_WORKER, grid__isnull=False).values_list("user_id", "grid_id")
    ):
        grids.setdefault(user_id, []).append(grid_id)
    request = HttpRequest()  # the plain list's address: what the morning's first openings ask for
    request.method = "GET"
    request.path = request.path_info = reverse("visits:work-list")
    ttl = kept_list.until_tomorrow()
    with translation.override(settings.LANGUAGE_CODE):
        for grid_set in {tuple(sorted(ids)) for ids in grids.values()}:
            work_list_content(request, list(grid_set), ttl=ttl)
    job_run_record(name="work lists warm", detail=f"{len(grids)} workers")
    return len(grids)
