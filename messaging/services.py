"""Messaging's verbs: an inbox notice once per (recipient, occasion), and a reminder delivered exactly
once per (recipient, kind, period) to the inbox, by email and by SMS (docs/architecture.md).

Exactly once: a reminder is claimed by inserting its ``Delivery`` row (unique per recipient, kind and
period) in the same transaction as the inbox message, so a second run, a parallel run or a retry after a
killed worker finds the claim and skips it; whoever was not reached yet is reached. Email and SMS follow
the claim and are marked when sent; a retry sends only the channels still unmarked.

Runs that catch up: each scheduled reminder has a window (``ReminderWindow``), from when it is due to when
the period it is about is over. A dispatcher asks ``reminder_runs_due`` which windows are open and not yet
finished (``ReminderRun``), so a run missed while beat or the worker was down goes out on the next
dispatch; one whose period ended first is recorded as skipped (``reminder_run_skip``), never sent late.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.services import job_run_record

from .models import Delivery, Notice, ReminderRun

log = logging.getLogger(__name__)


@dataclass
class Message:
    recipient: object  # a user
    text: str
    url: str
    subject: str = ""  # the email's subject; the sending app names it


def notice_send(*, recipients, key: str, kind: str, title: str, body: str = "", url: str = "", topic: str = "") -> int:
    """Put a notice in each recipient's inbox, once per (recipient, key). Returns how many were new.

    ``topic`` names what the notice is about (a case), so that ``notices_done`` can close it later."""
    recipient_ids = {r.pk for r in recipients}
    if not recipient_ids:
        return 0
    already = set(Notice.objects.filter(recipient_id__in=recipient_ids, key=key).values_list("recipient_id", flat=True))
    Notice.objects.bulk_create(
        [
            Notice(recipient_id=pk, key=key, kind=kind, title=title[:200], body=body, url=url, topic=topic)
            for pk in sorted(recipient_ids - already)
        ],
        ignore_conflicts=True,  # a concurrent sender of the same key: the unique constraint keeps one
    )
    return len(recipient_ids - already)


def notice_read(*, notice) -> None:
    Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())


def notices_read_all(*, user, kind: str = "") -> int:
    """Mark every unread notice of ``user`` read (only those of ``kind`` if given). Returns how many."""
    unread = Notice.objects.visible_to(user).unread()
    if kind:
        unread = unread.filter(kind=kind)
    return unread.update(read_at=timezone.now())


def notices_done(*, topic: str) -> int:
    """The thing ``topic`` names has moved on (a case changed state): every notice about it sent so far shows
    as handled, read or not. The app that owns the topic calls this before it sends the notices of the new
    step, so those stay open. A notice with no topic is never done by itself. Returns how many."""
    if not topic:
        return 0
    return Notice.objects.filter(topic=topic, done_at__isnull=True).update(done_at=timezone.now())


def deliver(kind: str, period: str, message: Message) -> bool:
    """Claim and deliver one message; False if it was already delivered (by this run or another)."""
    try:
        with transaction.atomic():
            delivery, created = Delivery.objects.get_or_create(
                recipient=message.recipient, kind=kind, period=period, defaults={"text": message.text}
            )
            if created:
                notice_send(
                    recipients=[message.recipient],
                    key=f"reminder-{kind}-{period}",
                    kind="reminder",
                    title=message.text[:200],
                    body=message.text,
                    url=message.url,
                )
    except IntegrityError:
        return False  # a parallel run claimed it between our look and our insert
    _other_channels(delivery, message.subject or _("网格治理提醒"))
    return created


def _other_channels(delivery: Delivery, subject: str) -> None:
    """Email and SMS after the inbox claim. Each channel is claimed by marking it first (so two runs never
    both send it) and unmarked again if sending fails (so the next run tries again)."""
    user = delivery.recipient
    if user.email:
        _claimed_send(delivery, "email_sent_at", lambda: send_mail(subject, delivery.text, None, [user.email]))
    if user.phone:
        _claimed_send(
            delivery,
            "sms_sent_at",
            lambda: sms_backend().send(user.phone, delivery.text, key=f"reminder-{delivery.pk}"),
        )


def _claimed_send(delivery: Delivery, mark: str, send_it) -> None:
    claimed = Delivery.objects.filter(pk=delivery.pk, **{f"{mark}__isnull": True}).update(**{mark: timezone.now()})
    if not claimed:
        return
    try:
        send_it()
    except Exception:  # any gateway or SMTP failure: give the channel back to the next run
        Delivery.objects.filter(pk=delivery.pk).update(**{mark: None})
        log.warning("reminder %s via %s failed; the next run retries it", delivery.pk, mark, exc_info=True)


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


@dataclass(frozen=True)
class ReminderWindow:
    """When one run of a reminder (a kind for a period) may go out: due from ``opens``; from ``closes`` on,
    the period it is about is over and a reminder would only arrive too late."""

    kind: str
    period: str
    opens: datetime.datetime
    closes: datetime.datetime


def reminder_runs_due(
    *, windows: list[ReminderWindow], now: datetime.datetime
) -> tuple[list[ReminderWindow], list[ReminderWindow]]:
    """The runs not yet finished whose window has opened by ``now``: (still to send, too late to send).

    A run missed on its day (beat or the worker down) is still to send on a later dispatch while its period
    lasts. One query for all the windows.
    """
    opened = [w for w in windows if w.opens <= now]
    if not opened:
        return [], []
    finished = set(
        ReminderRun.objects.filter(
            kind__in={w.kind for w in opened}, period__in={w.period for w in opened}
        ).values_list("kind", "period")
    )
    pending = [w for w in opened if (w.kind, w.period) not in finished]
    return [w for w in pending if now < w.closes], [w for w in pending if now >= w.closes]


def reminder_run_finish(*, kind: str, period: str, sent: int) -> None:
    """Record a finished run, so the dispatchers do not start it again (the first record stays)."""
    ReminderRun.objects.get_or_create(kind=kind, period=period, defaults={"sent": sent})


def reminder_run_skip(*, kind: str, period: str, job: str) -> bool:
    """Record a run whose period ended before it could be sent as finished with nothing sent, so it is not
    tried again, and say why in the job records (``job`` names the job). False if it was already recorded."""
    _run, created = ReminderRun.objects.get_or_create(kind=kind, period=period, defaults={"sent": 0})
    if created:
        job_run_record(name=job, detail=f"{period}: skipped, the period was over before it could be sent")
    return created
