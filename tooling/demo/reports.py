"""Demo monthly reports: a year of them for both villages, through the real services.

Every closed month is submitted before the due day and approved by the town; one of village B's was
returned with a comment on a section, corrected and resubmitted (two versions); village A's report of
last month waits for the town's review; this month's is a draft. Idempotent.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from grids.models import Role, Village
from grids.services import holders
from reports import services
from reports.models import MonthlyReport, ReportPolicy
from visits import due, summary

WORK = "本月组织网格员开展入户走访，重点做好重点人员随访和矛盾纠纷排查；召开“五事联动”会议一次。"
PROBLEMS = "部分外出务工家庭长期无人，走访难以见面；个别网格员年龄偏大，使用手机录入不熟练。"
PLAN = "继续做好全覆盖走访，督促超期的重点人员随访；组织网格员技能培训一次。"
GOOD = "邻里排水沟纠纷：网格员当天上报，调解团成员与法律顾问上门调解，当场达成协议，事结心结双解决。"


def seed_reports(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    policy = ReportPolicy.current()
    months = summary.recent_months(12, today)
    for village in Village.objects.filter(name__in=["新庄村", "河西村"]).select_related("town"):
        if MonthlyReport.objects.filter(village=village).exists():
            continue
        staff = holders(Role.VILLAGE_STAFF, village)[0]
        town = holders(Role.TOWN_OFFICE, village.town)[0]
        with transaction.atomic():
            for i, month in enumerate(months):
                _one(
                    village,
                    month,
                    staff,
                    town,
                    policy,
                    today,
                    returned=(village.name == "河西村" and i == 8),
                    pending=(village.name == "新庄村" and month == due.previous_month(today)),
                )


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _past(at: datetime.datetime) -> datetime.datetime:
    """Never later than now: early in a month last month's report would otherwise be submitted and approved
    days from now (its due day is still ahead), and a review made today would sort before it."""
    return min(at, timezone.now())


def _one(village, month, staff, town, policy, today, *, returned: bool, pending: bool) -> None:
    report = services.report_open(village=village, month=month, by=staff)
    report = services.report_save(
        report=report,
        by=staff,
        revision=report.revision,
        work_done=WORK,
        problems=PROBLEMS,
        next_plan=PLAN,
        good_practices=GOOD if month.month % 3 == 0 else "",
    )
    if month == due.month_start(today):
        return  # this month: still a draft
    due_on = policy.due_on(month)
    submitted = _past(_at(min(due_on - datetime.timedelta(days=2), today), 16))
    report = services.report_submit(report=report, by=staff, revision=report.revision, at=submitted)
    if pending:
        return
    if returned:
        report = services.report_return(
            report=report,
            by=town,
            revision=report.revision,
            at=_past(submitted + datetime.timedelta(hours=20)),
            comments=[("problems", "请写明超期未走访的重点人员如何落实整改。")],
        )
        report = services.report_save(
            report=report,
            by=staff,
            revision=report.revision,
            work_done=WORK,
            problems=PROBLEMS + "超期的2名重点人员已由包村干部和网格员共同上门随访。",
            next_plan=PLAN,
        )
        report = services.report_submit(
            report=report, by=staff, revision=report.revision, at=_past(submitted + datetime.timedelta(days=1, hours=2))
        )
    services.report_approve(
        report=report, by=town, revision=report.revision, note="", at=_past(submitted + datetime.timedelta(days=2))
    )
