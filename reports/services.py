"""The verbs of monthly reports. Only the village's staff write and submit; only the town office of the
village's town approves or returns. Every move goes through ``_transition`` (the one table in
``models.TRANSITIONS``; a stale page is refused), writes an event and tells the other side."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit import trail
from audit.models import AuditAction
from core import pipeline
from grids import access
from grids.models import Role, User, Village
from grids.services import holders
from messaging.services import notice_send
from visits import due

from . import figures
from .models import SECTIONS, TRANSITIONS, MonthlyReport, ReportComment, ReportEvent, ReportVersion, State


class InvalidTransition(pipeline.InvalidTransition):
    message = _lazy("月报当前为「%(from)s」，不能变为「%(to)s」。")
    choices = State


class ReportChanged(pipeline.Changed):
    message = _lazy("这份月报刚刚被别人修改或处理过，您的操作没有保存。请看一下最新内容后再操作。")
    code = "report_changed"


# The report's version field is ``revision`` (``version`` numbers what was submitted).
REPORTS = pipeline.Pipeline(
    MonthlyReport, TRANSITIONS, version_field="revision", invalid=InvalidTransition, changed=ReportChanged
)


def report_url(report: MonthlyReport) -> str:
    return reverse("reports:report-detail", args=[report.pk])


def report_open(*, village: Village, month: datetime.date, by: User) -> MonthlyReport:
    """The village's report of ``month``, created as a draft the first time its staff open it."""
    if not access.can_manage_village(by, village):
        raise PermissionDenied(_("只有本村村干部可以编写月报。"))
    month = due.month_start(month)
    if month > due.month_start(timezone.localdate()):
        raise ValidationError(_("还不能编写未来月份的月报。"))
    try:
        with transaction.atomic():
            report, _created = MonthlyReport.objects.get_or_create(
                village=village, month=month, defaults={"created_by": by}
            )
    except IntegrityError:  # opened by a colleague at the same moment
        report = MonthlyReport.objects.get(village=village, month=month)
    return report


@transaction.atomic
def _transition(
    report: MonthlyReport,
    *,
    to: str,
    by: User,
    revision: int,
    note: str = "",
    changes: dict | None = None,
    version: int | None = None,
    at: datetime.datetime | None = None,
) -> MonthlyReport:
    now = at or timezone.now()
    step = REPORTS.move(
        report,
        to,
        expected_version=revision,
        changes={**(changes or {}), "updated_at": now},
        event=lambda: ReportEvent.objects.create(
            report=report, by=by, at=now, from_state=report.state, to_state=to, version=version, note=note
        ),
    )
    fields = step.fields
    trail.record(AuditAction.TRANSITION, report, changes={"state": [report.state, to], **trail.diff_of(report, fields)})
    return MonthlyReport.objects.select_related("village__town").get(pk=report.pk)


@transaction.atomic
def report_save(*, report: MonthlyReport, by: User, revision: int, **sections: str) -> MonthlyReport:
    """Save the written sections of a draft or returned report."""
    if not access.can_manage_village(by, report.village):
        raise PermissionDenied(_("只有本村村干部可以编写月报。"))
    if not report.editable:
        raise ValidationError(_("月报已报送，不能再修改；如需修改请等待镇综治办退回。"))
    values = {name: (sections.get(name) or "").strip() for name in SECTIONS}
    updated = MonthlyReport.objects.filter(pk=report.pk, revision=revision, state__in=[State.DRAFT, State.RETURNED])
    if updated.update(**values, revision=F("revision") + 1, updated_at=timezone.now()) != 1:
        raise ReportChanged()
    if changes := trail.diff_of(report, values):
        trail.record(AuditAction.CHANGE, report, changes=changes)
    return MonthlyReport.objects.select_related("village__town").get(pk=report.pk)


def submittable_from(month: datetime.date) -> datetime.date:
    """The first day a report of ``month`` may be submitted: the day after the month ends. Its figures
    are frozen when it is submitted, so a report of a month still running would freeze part of a month
    (README, 月报)."""
    return due.next_month(due.month_start(month))


def report_check_submit(*, report: MonthlyReport, by: User, today: datetime.date | None = None) -> None:
    """Raise what stops ``by`` from submitting ``report`` today (a message for the page), or nothing."""
    if not access.can_manage_village(by, report.village):
        raise PermissionDenied(_("只有本村村干部可以报送月报。"))
    today = today or timezone.localdate()
    opens = submittable_from(report.month)
    if today < opens:
        raise ValidationError(
            _("%(month)s 还没有结束，月报从 %(date)s 起才能报送：报送时数据会固定下来，月中报送只能固定半个月的数据。")
            % {"month": f"{report.month:%Y-%m}", "date": opens.isoformat()},
            code="month_not_ended",
        )
    missing = [str(SECTIONS[name]) for name in ("work_done", "next_plan") if not getattr(report, name).strip()]
    if missing:
        raise ValidationError(_("请先填写：%s。") % "、".join(missing))


def report_submit(
    *, report: MonthlyReport, by: User, revision: int, at: datetime.datetime | None = None
) -> MonthlyReport:
    """Freeze the figures and the sections as a new version, and send it to the town."""
    now = at or timezone.now()
    report_check_submit(report=report, by=by, today=timezone.localtime(now).date())
    with transaction.atomic():
        number = report.versions.count() + 1
        report = _transition(
            report,
            to=State.SUBMITTED,
            by=by,
            revision=revision,
            version=number,
            at=now,
            note=_("报送第 %d 版") % number,
            changes={"submitted_at": report.submitted_at or now},
        )
        ReportVersion.objects.create(
            report=report,
            number=number,
            figures=figures.compute(report.village, report.month),
            sections={name: getattr(report, name) for name in SECTIONS},
            submitted_by=by,
            submitted_at=now,
        )
        notice_send(
            recipients=holders(Role.TOWN_OFFICE, report.village.town),
            key=f"report-{report.pk}-v{number}",
            kind="report",
            title=_("%(village)s报送了 %(month)s 月报（第 %(n)d 版）")
            % {"village": report.village.name, "month": f"{report.month:%Y-%m}", "n": number},
            url=report_url(report),
        )
    return report


def _require_town(by: User, report: MonthlyReport) -> None:
    if not access.may_review_for_town(by, report.village.town_id):
        raise PermissionDenied(_("只有镇综治办可以审核月报。"))


def report_approve(
    *, report: MonthlyReport, by: User, revision: int, note: str = "", at: datetime.datetime | None = None
) -> MonthlyReport:
    _require_town(by, report)
    now = at or timezone.now()
    with transaction.atomic():
        number = report.versions.count()
        report = _transition(
            report,
            to=State.APPROVED,
            by=by,
            revision=revision,
            note=note,
            version=number,
            at=now,
            changes={"approved_at": now},
        )
        _tell_village(report, number, _("%(month)s 月报已审核通过") % {"month": f"{report.month:%Y-%m}"}, note)
    return report


def report_return(
    *,
    report: MonthlyReport,
    by: User,
    revision: int,
    comments: list[tuple[str, str]],
    at: datetime.datetime | None = None,
) -> MonthlyReport:
    """Send back with comments: on the whole (section "") or on named sections / blocks of figures."""
    _require_town(by, report)
    comments = [(section, text.strip()) for section, text in comments if text and text.strip()]
    if not comments:
        raise ValidationError({"comment": [_("退回时请写明意见。")]})
    now = at or timezone.now()
    with transaction.atomic():
        number = report.versions.count()
        report = _transition(
            report,
            to=State.RETURNED,
            by=by,
            revision=revision,
            version=number,
            at=now,
            note="\n".join(text for _section, text in comments),
        )
        ReportComment.objects.bulk_create(
            [ReportComment(report=report, version=number, section=s, text=t, by=by, at=now) for s, t in comments]
        )
        _tell_village(
            report,
            number,
            _("%(month)s 月报被退回，请按意见修改后重新报送") % {"month": f"{report.month:%Y-%m}"},
            "\n".join(t for _s, t in comments),
        )
    return report


def _tell_village(report: MonthlyReport, number: int, title: str, body: str) -> None:
    notice_send(
        recipients=holders(Role.VILLAGE_STAFF, report.village),
        key=f"report-{report.pk}-v{number}-{report.state}",
        kind="report",
        title=title,
        body=body,
        url=report_url(report),
    )


def late_villages(month: datetime.date) -> list[Village]:
    """Villages whose report of ``month`` has not been submitted (no report, or still a draft)."""
    submitted = MonthlyReport.objects.filter(month=month).exclude(state=State.DRAFT).values("village")
    return list(Village.objects.active().exclude(pk__in=submitted).select_related("town"))


def late_reminders_send(*, month: datetime.date) -> int:
    """Remind the staff of every village late with ``month``'s report; once per person and month."""
    from messaging.services import Message, deliver

    from .models import ReportPolicy

    month = due.month_start(month)
    due_on = ReportPolicy.current().due_on(month)
    sent = 0
    for village in late_villages(month):
        text = _("%(village)s %(month)s 的月报应在 %(due)s 前报送，目前尚未报送，请尽快完成。") % {
            "village": village.name,
            "month": f"{month:%Y-%m}",
            "due": due_on.isoformat(),
        }
        url = reverse("reports:report-list", args=[village.pk])
        for staff in holders(Role.VILLAGE_STAFF, village):
            sent += deliver("report_late", f"{month:%Y-%m}", Message(staff, text, url, _("月报逾期提醒")))
    return sent
