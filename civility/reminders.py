"""Set-date reminders (docs/civility.md): before each legal-publicity date of the ``SetDate`` table (宪法宣传日
4 December, 民法典宣传月 May, 安全生产月 June), every village's staff are told to organise it, exactly once per
(person, date, year), to the inbox, by email and by SMS through ``messaging.services.deliver``.

When (``windows``): from ``remind_days_before`` days before the date, at the send hour, until the date itself
ends; a dispatch after downtime still sends it within that span, and one whose date has passed is recorded
as skipped, never sent late. The send hour is the visit reminders' (``visits`` gives it with
``send_hour_from`` when it starts, as for the Party's reminders)."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Assignment, Role
from messaging.services import Message, ReminderWindow, deliver

from .models import SetDate

KIND_PREFIX = "setdate_"
DEFAULT_SEND_HOUR = 8
_send_hour: Callable[[], int] = lambda: DEFAULT_SEND_HOUR  # noqa: E731


def send_hour_from(provider: Callable[[], int]) -> None:
    global _send_hour
    _send_hour = provider


def send_hour() -> int:
    return _send_hour()


def at(day: datetime.date, hour: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def kind_of(set_date: SetDate) -> str:
    return f"{KIND_PREFIX}{set_date.pk}"


def day_in(set_date: SetDate, year: int) -> datetime.date | None:
    try:
        return datetime.date(year, set_date.month, set_date.day)
    except ValueError:  # 29 February in a common year: no such day that year
        return None


def windows(now: datetime.datetime, hour: int) -> list[ReminderWindow]:
    """Each active date of this year and the next (a date early in January is reminded of in December)."""
    year = timezone.localtime(now).year
    out = []
    for set_date in SetDate.objects.filter(active=True):
        for y in (year, year + 1):
            day = day_in(set_date, y)
            if day is None:
                continue
            opens = at(day - datetime.timedelta(days=set_date.remind_days_before), hour)
            out.append(ReminderWindow(kind_of(set_date), str(y), opens, at(day + datetime.timedelta(days=1))))
    return out


def _link(village_id: int) -> str:
    try:
        return reverse("civility:activity-list", args=[village_id])
    except NoReverseMatch:  # the activity pages are not served here: the inbox message stands alone
        return ""


def plan(set_date: SetDate, year: int) -> list[Message]:
    """Every village's staff (active assignments today), one message each."""
    day = day_in(set_date, year)
    text = _("%(day)s是%(name)s，请组织%(kind)s活动，办完后在平台登记活动情况和照片。") % {
        "day": f"{day:%m月%d日}",
        "name": set_date.name,
        "kind": set_date.get_kind_display(),
    }
    messages = []
    staff = Assignment.objects.current().filter(role=Role.VILLAGE_STAFF, village__archived_at__isnull=True)
    for a in staff.select_related("user").order_by("village_id", "user_id"):
        if a.user.is_active:
            messages.append(Message(a.user, text, _link(a.village_id), _("宣传节点提醒")))
    return messages


def send(kind: str, year: int, *, dry_run: bool = False) -> tuple[list[Message], int]:
    set_date = SetDate.objects.get(pk=int(kind.removeprefix(KIND_PREFIX)))
    messages = plan(set_date, year)
    if dry_run:
        return messages, 0
    sent = 0
    for message in messages:
        sent += deliver(kind, str(year), message)
        if settings.REMINDER_SEND_PAUSE:
            time.sleep(settings.REMINDER_SEND_PAUSE)  # an SMS gateway's rate limit
    return messages, sent
