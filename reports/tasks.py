"""Late monthly reports: from the day after the due day, at the reminder hour, the staff of every village
whose report of last month is not submitted get a reminder — exactly once per person, village and month
(claimed like the visit reminders: ``visits.reminders.deliver``). A run missed while beat or the worker
was down goes out on the next dispatch within the month the report was due in; once that month is over
it is recorded as skipped, not sent late (``messaging.services.reminder_runs_due``).

And after midnight, the 六好 scorecards of the current periods measured and kept (``scorecards_warm``)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from core.services import job_run_record
from grids.models import Village
from messaging.services import ReminderWindow, reminder_run_finish, reminder_run_skip, reminder_runs_due
from visits import reminders
from visits.models import ReminderPolicy

from . import scorecard, services
from .models import KeptReset, ReportPolicy
from .scorecard.period import MONTH, QUARTER, YEAR, of

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


@shared_task
def scorecards_warm() -> int:
    """After midnight (after the coverage's count), every town's villages measured for the current year,
    quarter and month (and the previous periods the village pages compare with), so that the first reader
    of the day finds them kept (docs/scorecard.md, "Kept figures"); returns how many villages."""
    today = timezone.localdate()
    towns: dict[int, list[int]] = {}
    for pk, town_id in Village.objects.active().filter(town__archived_at__isnull=True).values_list("pk", "town_id"):
        towns.setdefault(town_id, []).append(pk)
    for village_ids in towns.values():
        for kind in (YEAR, QUARTER, MONTH):
            scorecard.compute(village_ids, of(kind, today), links=False, today=today)
    n = sum(len(v) for v in towns.values())
    last = KeptReset.objects.order_by("-at").first()
    if last:  # only the last reset counts
        KeptReset.objects.exclude(pk=last.pk).delete()
    job_run_record(name="scorecards warm", detail=f"{n} villages")
    return n
