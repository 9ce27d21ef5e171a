"""Visit reminders: who gets what, computed at send time, delivered exactly once per (recipient, kind,
period) to the inbox, by email and by SMS.

Kinds (Asia/Shanghai; days and thresholds in ``ReminderPolicy``):
- monthly (the 1st, 08:00): each grid worker's work for the month;
- midmonth (the 20th): workers below the coverage threshold get what is still outstanding, and the
  village staff get the list of those workers (midmonth_staff);
- overdue (daily): overdue key-person visits to the grid's worker; after 7 days also to the village staff;
  after 14 days also to the town office, which gets counts per village, not names (PIPL).

When (``windows``): the monthly reminder is due from its day at the send hour until the month ends, the
mid-month ones likewise, so a dispatch after downtime still sends this month's; a month that ended before
its reminder went out is recorded as skipped, not reminded late. Overdue reminders are daily and are not
caught up: a missed day's is not resent, since the next day's run names the same persons.

Exactly once: each message is delivered through ``messaging.services.deliver``, which claims it
(unique per recipient, kind and period) in the same transaction as the inbox message; a second run, a
parallel run or a retry after a killed worker finds the claim and skips it.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Assignment, Grid, Role, User, Village
from messaging.services import Message, ReminderWindow, deliver

from . import due, live
from .models import ReminderKind, ReminderPolicy


def _subject() -> str:
    return _("网格走访提醒")


def period_of(kind: str, day: datetime.date) -> str:
    return day.isoformat() if kind == ReminderKind.OVERDUE else f"{day:%Y-%m}"


def dispatch_moment(day: str | None, hour: int) -> datetime.datetime:
    """The moment a dispatch runs for: now (Asia/Shanghai), or ``day`` (an ISO date) at ``hour``."""
    if day is None:
        return timezone.localtime()
    return at(datetime.date.fromisoformat(day), hour)


def at(day: datetime.date, hour: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def windows(now: datetime.datetime, policy: ReminderPolicy) -> list[ReminderWindow]:
    """The runs a dispatch at ``now`` considers: the monthly and mid-month kinds of this month and the last
    (the last month's are over: recorded as skipped if they never went out), and today's overdue run.

    Overdue reminders are daily and only today's is considered: a day missed while beat or the worker was
    down is not resent, because the next day's run reminds about the same persons, counted anew.
    """
    today = timezone.localtime(now).date()
    out = []
    for month in (due.previous_month(today), due.month_start(today)):
        closes = at(due.next_month(month))
        for kind, day in (
            (ReminderKind.MONTHLY, policy.monthly_day),
            (ReminderKind.MIDMONTH, policy.midmonth_day),
            (ReminderKind.MIDMONTH_STAFF, policy.midmonth_day),
        ):
            out.append(ReminderWindow(kind, f"{month:%Y-%m}", at(month.replace(day=day), policy.send_hour), closes))
    tomorrow = today + datetime.timedelta(days=1)
    out.append(ReminderWindow(ReminderKind.OVERDUE, today.isoformat(), at(today, policy.send_hour), at(tomorrow)))
    return out


def _workers():
    """Current grid workers and their grids."""
    grids_of: dict[int, list[int]] = defaultdict(list)
    users: dict[int, User] = {}
    for a in (
        Assignment.objects.current()
        .filter(role=Role.GRID_WORKER, grid__archived_at__isnull=True)
        .select_related("user", "grid")
    ):
        if a.user.is_active:
            grids_of[a.user_id].append(a.grid_id)
            users[a.user_id] = a.user
    return users, grids_of


def _holders_by(role: str, field: str) -> dict[int, list[User]]:
    out: dict[int, list[User]] = defaultdict(list)
    for a in Assignment.objects.current().filter(role=role).select_related("user"):
        if a.user.is_active:
            out[getattr(a, f"{field}_id")].append(a.user)
    return out


def plan(kind: str, day: datetime.date, policy: ReminderPolicy | None = None) -> list[Message]:
    policy = policy or ReminderPolicy.current()
    month = due.month_start(day)
    users, grids_of = _workers()
    all_grids = sorted({g for grids in grids_of.values() for g in grids})
    work_list = reverse("visits:work-list")
    messages: list[Message] = []
    if kind == ReminderKind.OVERDUE:
        return _plan_overdue(day, policy, users, grids_of, all_grids)
    # Today's run reads the kept figures (counted by the nightly task, recounted where something changed):
    # counting the county's 3,000 grids again took most of the run (the county benchmark).
    if day == timezone.localdate():
        coverage = live.coverage_now(all_grids)
    else:
        coverage = due.coverage_by_grid(all_grids, month, today=day)
    if kind == ReminderKind.MONTHLY:
        for user_id, grids in grids_of.items():
            cov = due.total(coverage[g] for g in grids)
            text = _("%(month)s 走访任务：入户 %(h)d 户，重点人员 %(k)d 人，重点场所 %(p)d 处。") % {
                "month": f"{month:%Y-%m}",
                "h": cov.households_due,
                "k": cov.key_persons_due,
                "p": cov.key_places_due,
            }
            messages.append(Message(users[user_id], text, work_list, _subject()))
    elif kind in (ReminderKind.MIDMONTH, ReminderKind.MIDMONTH_STAFF):
        lagging: dict[int, list[tuple[User, due.Coverage]]] = defaultdict(list)
        village_of_grid = dict(Grid.objects.filter(pk__in=all_grids).values_list("pk", "village"))
        for user_id, grids in grids_of.items():
            cov = due.total(coverage[g] for g in grids)
            if cov.percent < policy.coverage_threshold:
                lagging[village_of_grid[grids[0]]].append((users[user_id], cov))
                if kind == ReminderKind.MIDMONTH:
                    text = _(
                        "本月走访进度 %(pct)d%%（%(done)d/%(due)d），还有入户 %(h)d 户、重点人员 %(k)d 人、场所 %(p)d 处未走访。"
                    ) % {
                        "pct": cov.percent,
                        "done": cov.done,
                        "due": cov.due,
                        "h": cov.households_due - cov.households_done,
                        "k": cov.key_persons_due - cov.key_persons_done,
                        "p": cov.key_places_due - cov.key_places_done,
                    }
                    messages.append(Message(users[user_id], text, work_list, _subject()))
        if kind == ReminderKind.MIDMONTH_STAFF:
            staff_of = _holders_by(Role.VILLAGE_STAFF, "village")
            for village_id, rows in lagging.items():
                lines = "；".join(f"{u} {c.percent}%" for u, c in rows)
                text = _("以下网格员本月走访进度低于 %(t)d%%：%(lines)s") % {
                    "t": policy.coverage_threshold,
                    "lines": lines,
                }
                for staff in staff_of.get(village_id, []):
                    messages.append(Message(staff, text, reverse("visits:coverage"), _subject()))
    return messages


def _plan_overdue(day, policy, users, grids_of, all_grids) -> list[Message]:
    items = [k for k in due.key_persons_due(all_grids, day, today=day) if k.overdue]
    by_grid: dict[int, list[due.KeyDue]] = defaultdict(list)
    for item in items:
        by_grid[item.key_person.resident.household.grid_id].append(item)
    messages: list[Message] = []
    work_list = reverse("visits:work-list")
    for user_id, grids in grids_of.items():
        mine = [k for g in grids for k in by_grid.get(g, [])]
        if mine:
            names = "、".join(f"{k.key_person.resident.name}（超期{k.overdue_days}天）" for k in mine[:10])
            text = _("重点人员走访已超期 %(n)d 人：%(names)s") % {"n": len(mine), "names": names}
            messages.append(Message(users[user_id], text, work_list, _subject()))
    staff_of = _holders_by(Role.VILLAGE_STAFF, "village")
    per_village: dict[int, list[due.KeyDue]] = defaultdict(list)
    for item in items:
        if item.overdue_days >= policy.staff_after_days:
            per_village[item.key_person.resident.village_id].append(item)
    for village_id, rows in per_village.items():
        names = "、".join(f"{k.key_person.resident.name}（超期{k.overdue_days}天）" for k in rows[:15])
        text = _("本村重点人员走访超期 %(d)d 天以上 %(n)d 人：%(names)s") % {
            "d": policy.staff_after_days,
            "n": len(rows),
            "names": names,
        }
        for staff in staff_of.get(village_id, []):
            messages.append(Message(staff, text, reverse("visits:coverage"), _subject()))
    town_of = _holders_by(Role.TOWN_OFFICE, "town")
    villages = {v.pk: v for v in Village.objects.filter(pk__in={i.key_person.resident.village_id for i in items})}
    per_town: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in items:
        if item.overdue_days >= policy.town_after_days:
            village = villages[item.key_person.resident.village_id]
            per_town[village.town_id][village.name] += 1
    for town_id, counts in per_town.items():
        lines = "；".join(f"{name} {n} 人" for name, n in sorted(counts.items()))
        text = _("重点人员走访超期 %(d)d 天以上：%(lines)s") % {"d": policy.town_after_days, "lines": lines}
        for user in town_of.get(town_id, []):
            messages.append(Message(user, text, reverse("reports:town-home"), _subject()))
    return messages


def send(kind: str, day: datetime.date, *, dry_run: bool = False) -> tuple[list[Message], int]:
    """Plan at send time and deliver. Returns (the plan, how many were new)."""
    messages = plan(kind, day)
    if dry_run:
        return messages, 0
    period = period_of(kind, day)
    sent = 0
    pause = settings.REMINDER_SEND_PAUSE
    for message in messages:
        sent += deliver(kind, period, message)
        if pause:
            time.sleep(pause)  # an SMS gateway's rate limit
    return messages, sent
