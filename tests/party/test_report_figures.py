"""The Party's figures in the monthly report: meetings held by kind, periods overdue at the month's end,
members and contact coverage, computed as the month stood when it ended and frozen in the report's version."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from party import selectors, services
from party.models import Meeting
from reports import figures
from reports import services as report_services
from reports.models import ReportVersion

D = datetime.date


def _held(organisation, kind, held_on, by, *, period="", present=()):
    meeting = Meeting(
        organisation=organisation,
        kind=kind,
        held_on=held_on,
        period=period,
        place="党群服务中心",
        topic="学习",
        others_present=0 if present else 3,
    )
    return services.meeting_record(by=by, meeting=meeting, present=list(present))


def test_a_closed_months_figures(world, party, staff, member_user):
    # March 2026: branch 1 held its committee and theme day; group 1 its meeting; branch 2 held its
    # committee on 2 April, for March (late).
    for kind in ("branch_committee", "theme_day"):
        _held(party.branch1, kind, D(2026, 3, 12), staff, present=[party.member1])
    _held(party.group1, "group_meeting", D(2026, 3, 20), staff, present=[party.member1])
    _held(party.branch2, "branch_committee", D(2026, 4, 2), staff, period="2026-03")
    data = selectors.month_figures(world.village.pk, D(2026, 3, 1), today=D(2026, 6, 1))
    assert data["held"] == [{"kind": "支部委员会", "n": 1}, {"kind": "党小组会", "n": 1}, {"kind": "主题党日", "n": 1}]
    assert data["held_total"] == 3
    # Every period of the year that ended by 31 March without a meeting held by then: January to March of
    # the general branch (2 × 3), the branches (2 × 3 each, less the two branch 1 held in March), the groups
    # (3 each, less group 1's March), and the first quarter's (1 + 2 + 2); branch 2's late one still counts.
    assert data["overdue"] == 6 + (6 - 2) + 6 + (3 - 1) + 3 + 5
    assert {"kind": "平安建设领导小组会议", "n": 1} in data["overdue_by_kind"]
    assert data["members"] == {"total": 2, "probation": 1, "floating": 0}
    assert data["contacts"]["households"] == 2 and data["contacts"]["linked_percent"] == 50
    assert data["contacts"]["contacted_percent"] == 0


def test_a_closed_month_does_not_change_when_meetings_are_recorded_later(world, party, staff):
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    before = figures.compute(world.village, month)["party"]
    # Recorded today for last month (late), and one held today: last month's figures stay.
    _held(party.branch1, "branch_committee", timezone.localdate(), staff, period=f"{month:%Y-%m}")
    _held(party.branch2, "theme_day", timezone.localdate(), staff)
    assert figures.compute(world.village, month)["party"] == before


def test_the_current_month_counts_only_periods_already_ended(world, party):
    today = timezone.localdate()
    data = selectors.month_figures(world.village.pk, today, today=today)
    # Nothing held: the periods overdue are those that ended before today, as the overview counts them
    # (this month's own are still due).
    compliance = selectors.compliance([world.village.pk], today)[world.village.pk]
    assert data["overdue"] == compliance.year.overdue


def test_the_report_shows_the_party_and_keeps_it_frozen(world, party, staff, town, client):
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    _held(party.branch1, "branch_committee", month, staff, present=[party.member1])
    report = report_services.report_open(village=world.village, month=month, by=staff)
    report = report_services.report_save(
        report=report, by=staff, revision=report.revision, work_done="走访", next_plan="培训"
    )
    client.force_login(staff)
    page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert 'id="party"' in page and 'data-figure="party-held">1<' in page and 'data-figure="party-members">2<' in page
    report = report_services.report_submit(report=report, by=staff, revision=report.revision)
    frozen = ReportVersion.objects.get(report=report).figures["party"]
    assert frozen["held_total"] == 1
    # Another meeting recorded for that month afterwards: the submitted version does not move.
    _held(party.branch1, "theme_day", month + datetime.timedelta(days=1), staff, present=[party.member1])
    assert ReportVersion.objects.get(report=report).figures["party"] == frozen
    client.force_login(town)
    for route in ("reports:report-detail", "reports:report-print"):
        page = client.get(reverse(route, args=[report.pk])).content.decode()
        assert 'data-figure="party-held">1<' in page, route
        assert world.resident1.name not in page.split('id="party"')[1].split("</section>")[0]


def test_a_version_frozen_before_the_party_section_still_shows(world, staff, client):
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    report = report_services.report_open(village=world.village, month=month, by=staff)
    report = report_services.report_save(
        report=report, by=staff, revision=report.revision, work_done="走访", next_plan="培训"
    )
    report = report_services.report_submit(report=report, by=staff, revision=report.revision)
    version = ReportVersion.objects.get(report=report)
    version.figures.pop("party")
    version.save(update_fields=["figures"])
    client.force_login(staff)
    response = client.get(reverse("reports:report-detail", args=[report.pk]))
    assert response.status_code == 200 and 'id="party"' not in response.content.decode()
