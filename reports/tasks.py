"""Late monthly reports: from the day after the due day, at the reminder hour, the staff of every village
whose report of last month is not submitted get a reminder — exactly once per person, village and month
(claimed like the visit reminders: ``visits.reminders.deliver``). A run missed while beat or the worker
was down goes out on the next dispatch within the month the report was due in; once that month is over
it is recorded as skipped, not sent late (``messaging.services.reminder_runs_due``)."""

from __future__ import annotations

import datetime

from celery import shared_task

from core.services import job_run_record
from messaging.services import ReminderWindow, reminder_run_finish, reminder_run_skip, reminder_runs_due
from visits import reminders
from visits.models import ReminderPolicy

from . import services
from .models import ReportPolicy

KIND = "report_late"


@shared_task
def late_reports_dispatch(day: str | None = None) -> list[str]:
    """Start the late-report reminders due; ``day`` (an ISO date) dispatches as if at the reminder hour of
    that day, None now."""
    hour = ReminderPolicy.current().send_hour
    now = reminders.dispatch_moment(day, hour)
    policy = ReportPolicy.current()
    windows = []
    # Last month's report, and the one before it (due last month: a dispatch on the 1st still sees it).
    last = services.due.previous_month(now.date())
    for month in (services.due.previous_month(last), last):
        due_on = policy.due_on(month)
        opens = reminders.at(due_on + datetime.timedelta(days=1), hour)
        windows.append(ReminderWindow(KIND, f"{month:%Y-%m}", opens, reminders.at(services.due.next_month(due_on))))
    to_send, too_late = reminder_runs_due(windows=windows, now=now)
    started = []
    for window in too_late:
        if reminder_run_skip(kind=KIND, period=window.period, job="late report reminders"):
            started.append(f"skipped {window.period}")
    for window in to_send:
        late_reports_send.delay(f"{window.period}-01")
        started.append(window.period)
    return started


@shared_task(acks_late=True)
def late_reports_send(month: str) -> int:
    sent = services.late_reminders_send(month=datetime.date.fromisoformat(month))
    reminder_run_finish(kind=KIND, period=month[:7], sent=sent)
    job_run_record(name="late report reminders", detail=f"{month}: {sent} new")
    return sent
