"""Scheduled work of town tasks: thin tasks that call the reminders (STYLE 6; docs/towntasks.md).

``issued_notify`` runs after a task is handed down (enqueued on commit); beat runs ``reminders_dispatch``
every five minutes. Both are safe to run twice: every message is claimed exactly once."""

from __future__ import annotations

import datetime

from celery import shared_task

from core.services import job_run_record

from . import reminders


@shared_task(acks_late=True)
def issued_notify(task_id: int) -> int:
    sent = reminders.issued(task_id)
    job_run_record(name="town task issued", detail=f"task {task_id}: {sent} new")
    return sent


@shared_task(acks_late=True)
def reminders_dispatch(day: str | None = None) -> int:
    """Remind the villages whose deadline is near; ``day`` (an ISO date) as if on that day, None today."""
    sent = reminders.send_due(datetime.date.fromisoformat(day) if day else None)
    if sent:
        job_run_record(name="town task reminders", detail=f"{sent} new")
    return sent
