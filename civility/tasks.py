"""Scheduled work of 德治/法治: thin tasks that call the set-date reminders (STYLE 6).

Beat runs ``reminders_dispatch`` every five minutes; it starts every reminder due by now (Asia/Shanghai)
with no finished run (``ReminderRun``), and records as skipped the ones whose date has passed
(``reminders.windows``). Starting one twice is harmless: every message is claimed exactly once.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from core.services import job_run_record
from messaging.services import reminder_run_finish, reminder_run_skip, reminder_runs_due

from . import reminders


@shared_task
def reminders_dispatch(day: str | None = None) -> list[str]:
    """Start what is due; ``day`` (an ISO date) dispatches as if at the send hour of that day, None now."""
    hour = reminders.send_hour()
    now = timezone.localtime() if day is None else reminders.at(datetime.date.fromisoformat(day), hour)
    to_send, too_late = reminder_runs_due(windows=reminders.windows(now, hour), now=now)
    started: list[str] = []
    for window in too_late:
        if reminder_run_skip(kind=window.kind, period=window.period, job=f"set-date reminders {window.kind}"):
            started.append(f"skipped {window.kind} {window.period}")
    for window in to_send:
        reminders_send.delay(window.kind, int(window.period))
        started.append(f"{window.kind} {window.period}")
    return started


@shared_task(acks_late=True)
def reminders_send(kind: str, year: int) -> int:
    messages, sent = reminders.send(kind, year)
    reminder_run_finish(kind=kind, period=str(year), sent=sent)
    job_run_record(name=f"set-date reminders {kind}", detail=f"{year}: {sent} new of {len(messages)}")
    return sent
