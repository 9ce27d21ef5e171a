"""Scheduled work of the Party app: thin tasks that call the reminders (STYLE 6).

Beat runs ``reminders_dispatch`` every five minutes; it starts every Party reminder due by now in
Asia/Shanghai time that has no finished run (``ReminderRun``), so after beat or the worker was down the next
dispatch catches up; a month that ended first is recorded as skipped, not reminded late
(``reminders.windows``). Starting a kind twice is harmless: every message is claimed exactly once.
"""

from __future__ import annotations

import datetime

from celery import shared_task

from core.services import job_run_record
from messaging.services import reminder_run_finish, reminder_run_skip, reminder_runs_due

from . import reminders


@shared_task
def reminders_dispatch(day: str | None = None) -> list[str]:
    """Start what is due; ``day`` (an ISO date) dispatches as if at the send hour of that day, None now."""
    hour = reminders.send_hour()
    now = reminders.dispatch_moment(day, hour)
    to_send, too_late = reminder_runs_due(windows=reminders.windows(now, hour), now=now)
    started: list[str] = []
    for window in too_late:
        if reminder_run_skip(kind=window.kind, period=window.period, job=f"party reminders {window.kind}"):
            started.append(f"skipped {window.kind} {window.period}")
    for window in to_send:
        reminders_send.delay(window.kind, now.date().isoformat())
        started.append(f"{window.kind} {window.period}")
    return started


@shared_task(acks_late=True)
def reminders_send(kind: str, day: str) -> int:
    today = datetime.date.fromisoformat(day)
    messages, sent = reminders.send(kind, today)
    period = reminders.period_of(kind, today)
    reminder_run_finish(kind=kind, period=period, sent=sent)
    job_run_record(name=f"party reminders {kind}", detail=f"{period}: {sent} new of {len(messages)}")
    return sent
