"""Late monthly reports: the day after the due day, at the reminder hour, the staff of every village
whose report of last month is not submitted get a reminder — exactly once per person, village and month
(claimed like the visit reminders: ``visits.reminders.deliver``)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from core.services import job_run_record

from . import services


@shared_task
def late_reports_dispatch() -> str:
    from visits.models import ReminderPolicy

    from .models import ReportPolicy

    now = timezone.localtime()
    due_on = ReportPolicy.current().due_on(services.due.previous_month(now.date()))
    if now.date() <= due_on or now.hour < ReminderPolicy.current().send_hour:
        return ""
    late_reports_send.delay(services.due.previous_month(now.date()).isoformat())
    return f"{due_on}"


@shared_task(acks_late=True)
def late_reports_send(month: str) -> int:
    sent = services.late_reminders_send(month=datetime.date.fromisoformat(month))
    job_run_record(name="late report reminders", detail=f"{month}: {sent} new")
    return sent
