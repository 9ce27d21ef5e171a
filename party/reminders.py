"""Party meeting reminders: who gets what, computed at send time, delivered exactly once per (recipient, kind,
period) to the inbox, by email and by SMS through ``messaging.services.deliver`` (docs/party.md, "Reminders").

Kinds (Asia/Shanghai):
- ``party_due``, once a month, from ``MeetingRule.remind_days_before`` days before the month's end (the
  smallest of the active rules: a monthly period ends each month, a quarterly one at a quarter's last month):
  each organisation's secretary (a Party group without one: its branch's) gets the meetings their
  organisations still owe for the periods running now;
- ``party_overdue``, on the 1st of each month: the village's staff get the list of their village's periods
  that ended last month without a meeting (organisation, kind, period); the town office gets counts per
  village, no names (political affiliation is personal information).

When (``windows``): each is due from its moment at the send hour until the month it is sent in ends, so a
dispatch after downtime still sends it; a month that ended before its reminder went out is recorded as
skipped, not reminded late. The send hour is the visit reminders' (``ReminderPolicy``, edited by the admin):
``visits`` stands above this app and gives it with ``send_hour_from`` when it starts (docs/architecture.md:
the upper app connects to the lower one's extension point).
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.db.models import Min
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Assignment, Role, User, Village
from messaging.services import Message, ReminderWindow, deliver

from . import cadence
from .models import MeetingKind, MeetingRule, OrgKind, PartyOrganisation

DUE = "party_due"
OVERDUE = "party_overdue"
KINDS = (DUE, OVERDUE)

DEFAULT_SEND_HOUR = 8
_send_hour: Callable[[], int] = lambda: DEFAULT_SEND_HOUR  # noqa: E731


def send_hour_from(provider: Callable[[], int]) -> None:
    """Where the send hour is read from (the visits app gives its ``ReminderPolicy``'s)."""
    global _send_hour
    _send_hour = provider


def send_hour() -> int:
    return _send_hour()


def _subject() -> str:
    return _("党组织会议提醒")


def at(day: datetime.date, hour: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def dispatch_moment(day: str | None, hour: int) -> datetime.datetime:
    """Now (Asia/Shanghai), or ``day`` (an ISO date) at ``hour``."""
    if day is None:
        return timezone.localtime()
    return at(datetime.date.fromisoformat(day), hour)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def period_of(kind: str, day: datetime.date) -> str:
    """``party_due``: the month it is sent in; ``party_overdue``: the month whose periods it reports."""
    month = previous_month(day) if kind == OVERDUE else day
    return f"{month:%Y-%m}"


def days_before() -> int | None:
    """How many days before a month's end the secretaries are reminded: the smallest of the active rules."""
    return MeetingRule.objects.filter(active=True).aggregate(n=Min("remind_days_before"))["n"]


def due_opens(month: datetime.date, before: int) -> datetime.date:
    last = next_month(month) - datetime.timedelta(days=1)
    return max(month, last - datetime.timedelta(days=before))


def windows(now: datetime.datetime, hour: int) -> list[ReminderWindow]:
    """The runs a dispatch at ``now`` considers: each kind for this month and the last (the last month's are
    over: recorded as skipped if they never went out)."""
    today = timezone.localtime(now).date()
    before = days_before()
    out = []
    for month in (previous_month(today), month_start(today)):
        closes = at(next_month(month))
        if before is not None:
            out.append(ReminderWindow(DUE, f"{month:%Y-%m}", at(due_opens(month, before), hour), closes))
        out.append(ReminderWindow(OVERDUE, f"{previous_month(month):%Y-%m}", at(month, hour), closes))
    return out


def _link(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page this deployment does not serve: the inbox message stands alone
        return ""


def _line(org: PartyOrganisation, item: cadence.Item) -> str:
    return _("%(org)s %(kind)s（%(period)s）") % {
        "org": org.name,
        "kind": MeetingKind(item.kind).label,
        "period": item.period,
    }


def _secretary(org: PartyOrganisation) -> User | None:
    """Who is reminded for an organisation: its secretary; a Party group without one, its branch's."""
    user = org.secretary
    if user is None and org.kind == OrgKind.GROUP and org.parent is not None:
        user = org.parent.secretary
    return user if user is not None and user.is_active else None


def _orgs(items: list[cadence.Item]) -> dict[int, PartyOrganisation]:
    return {
        o.pk: o
        for o in PartyOrganisation.objects.filter(pk__in={i.organisation_id for i in items}).select_related(
            "secretary", "parent__secretary"
        )
    }


def _holders_by(role: str, field: str) -> dict[int, list[User]]:
    out: dict[int, list[User]] = defaultdict(list)
    for a in Assignment.objects.current().filter(role=role).select_related("user"):
        if a.user.is_active:
            out[getattr(a, f"{field}_id")].append(a.user)
    return out


def plan(kind: str, day: datetime.date) -> list[Message]:
    if kind == DUE:
        return _plan_due(day)
    return _plan_overdue(day)


def _plan_due(day: datetime.date) -> list[Message]:
    """Each secretary: the meetings their organisations still owe for the periods running on ``day``."""
    items = [i for i in cadence.items(village_ids=None, first=day, last=day, today=day) if i.state == cadence.DUE]
    orgs = _orgs(items)
    owed: dict[int, list[tuple[PartyOrganisation, cadence.Item]]] = defaultdict(list)
    users: dict[int, User] = {}
    for item in items:
        org = orgs[item.organisation_id]
        user = _secretary(org)
        if user is not None:
            users[user.pk] = user
            owed[user.pk].append((org, item))
    messages = []
    for user_id, rows in owed.items():
        rows.sort(key=lambda r: (r[1].ends, r[0].name, r[1].kind))
        lines = "；".join(
            _("%(line)s，%(ends)s前") % {"line": _line(org, item), "ends": f"{item.ends:%m月%d日}"}
            for org, item in rows
        )
        text = _("以下会议本周期尚未召开 %(n)d 项：%(lines)s") % {"n": len(rows), "lines": lines}
        village_id = rows[0][0].village_id
        messages.append(Message(users[user_id], text, _link("party:meeting-list", village_id), _subject()))
    return messages


def overdue_last_month(day: datetime.date) -> list[cadence.Item]:
    """The periods that ended in the month before ``day``'s without a meeting, as they stand on ``day``."""
    first = previous_month(day)
    last = month_start(day) - datetime.timedelta(days=1)
    return [
        i
        for i in cadence.items(village_ids=None, first=first, last=last, today=day)
        if i.state == cadence.OVERDUE and first <= i.ends <= last
    ]


def _plan_overdue(day: datetime.date) -> list[Message]:
    items = overdue_last_month(day)
    if not items:
        return []
    orgs = _orgs(items)
    month = f"{previous_month(day):%Y-%m}"
    by_village: dict[int, list[cadence.Item]] = defaultdict(list)
    for item in items:
        by_village[item.village_id].append(item)
    messages = []
    staff_of = _holders_by(Role.VILLAGE_STAFF, "village")
    for village_id, rows in by_village.items():
        rows.sort(key=lambda i: (orgs[i.organisation_id].name, i.kind, i.period))
        lines = "；".join(_line(orgs[i.organisation_id], i) for i in rows)
        text = _("%(month)s 结束时仍未召开的党组织会议 %(n)d 项：%(lines)s") % {
            "month": month,
            "n": len(rows),
            "lines": lines,
        }
        for staff in staff_of.get(village_id, []):
            messages.append(Message(staff, text, _link("party:meeting-list", village_id), _subject()))
    villages = {v.pk: v for v in Village.objects.filter(pk__in=by_village)}
    per_town: dict[int, dict[str, int]] = defaultdict(dict)
    for village_id, rows in by_village.items():
        village = villages[village_id]
        per_town[village.town_id][village.name] = len(rows)
    town_of = _holders_by(Role.TOWN_OFFICE, "town")
    for town_id, counts in per_town.items():
        lines = "；".join(_("%(village)s %(n)d 项") % {"village": name, "n": n} for name, n in sorted(counts.items()))
        text = _("%(month)s 结束时各村逾期未召开的党组织会议：%(lines)s") % {"month": month, "lines": lines}
        for user in town_of.get(town_id, []):
            messages.append(Message(user, text, _link("party:town-compliance"), _subject()))
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
