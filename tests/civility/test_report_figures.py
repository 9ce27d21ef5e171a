"""德治/法治 in the monthly report: activities held by kind, selections and points in the month, counted by
each record's own date and frozen in the report's version."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from civility import selectors, services
from civility.models import Activity, ActivityKind, EntryKind, Honour, ModelSelection, PointsEntry, SetDate, StockItem
from reports import figures
from reports import services as report_services
from reports.models import ReportVersion
from tests.civility.test_activities import make_activity, theme_day

D = datetime.date


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _march(world, staff):
    """Two legal activities in March (one also the Party's 主题党日, answering a set date), a clean-up in
    March, a talk in April; a selection on 20 March with 50 points; 20 points for a rule and a redemption of
    30 in March, an award in April."""
    make_activity(world.village, staff, title="普法", held_on=D(2026, 3, 5), participants=40, beneficiaries=100)
    make_activity(
        world.village,
        staff,
        title="主题党日学宪法",
        held_on=D(2026, 3, 15),
        participants=30,
        beneficiaries=0,
        party_meeting=theme_day(world.village, staff),
        set_date=SetDate.objects.get(name="宪法宣传日"),
    )
    make_activity(
        world.village, staff, title="清洁日", kind=ActivityKind.CLEANUP, held_on=D(2026, 3, 31), participants=5
    )
    make_activity(world.village, staff, title="宣讲", kind=ActivityKind.TALK, held_on=D(2026, 4, 1), participants=9)
    services.selection_save(
        by=staff,
        selection=ModelSelection(
            village=world.village,
            year=2026,
            honour=Honour.CIVILISED_HOUSEHOLD,
            household=world.household1,
            reason="孝老爱亲",
            selected_on=D(2026, 3, 20),
            points=50,
            created_by=staff,
        ),
    )
    services.award(household=world.household1, points=20, kind=EntryKind.RULE, reason="门前三包", by=staff)
    soap = StockItem.objects.create(village=world.village, name="洗衣液", points=30, stock=5)
    services.redeem(household=world.household1, item=soap, by=staff)
    PointsEntry.objects.update(at=_at(D(2026, 3, 25)))
    services.award(household=world.household1, points=7, kind=EntryKind.ACTIVITY, reason="宣讲", by=staff)
    PointsEntry.objects.filter(points=7).update(at=_at(D(2026, 4, 2)))


def test_march_of_the_village(world, staff, django_assert_num_queries):
    _march(world, staff)
    with django_assert_num_queries(3):
        data = selectors.month_figures(world.village.pk, D(2026, 3, 1))
    kinds = {row["kind"]: row for row in data["activities"]["by_kind"]}
    assert kinds["普法宣传"] == {"kind": "普法宣传", "n": 2, "participants": 70, "beneficiaries": 100}
    assert kinds["环境整治"]["n"] == 1 and kinds["理论宣讲"]["n"] == 0
    assert {k: v for k, v in data["activities"].items() if k != "by_kind"} == {
        "total": 3,
        "participants": 75,
        "beneficiaries": 100,
        "set_dates": 1,
    }
    assert data["selections"] == 1 and data["points"] == {"awarded": 70, "redeemed": 30}
    april = selectors.month_figures(world.village.pk, D(2026, 4, 1))
    assert april["activities"]["total"] == 1 and april["points"] == {"awarded": 7, "redeemed": 0}
    assert april["selections"] == 0


def test_a_closed_month_does_not_change_when_records_are_added_for_other_months(world, staff, outsider):
    _march(world, staff)
    march = selectors.month_figures(world.village.pk, D(2026, 3, 1))
    # Later: an activity in June, one in March in another village, March's clean-up archived in June.
    make_activity(world.village, staff, title="六月", held_on=D(2026, 6, 1))
    make_activity(world.other_village, outsider, title="二村", held_on=D(2026, 3, 3))
    Activity.objects.filter(title="清洁日").update(archived_at=_at(D(2026, 6, 2)))
    assert selectors.month_figures(world.village.pk, D(2026, 3, 1)) == march


def test_the_report_shows_civility_and_keeps_it_frozen(world, staff, town, client):
    month = _last_month()
    make_activity(world.village, staff, title="普法", held_on=month, participants=40)
    report = report_services.report_open(village=world.village, month=month, by=staff)
    report = report_services.report_save(
        report=report, by=staff, revision=report.revision, work_done="走访", next_plan="培训"
    )
    client.force_login(staff)
    page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert 'id="civility"' in page and 'data-figure="civility-activities">1<' in page
    report = report_services.report_submit(report=report, by=staff, revision=report.revision)
    frozen = ReportVersion.objects.get(report=report).figures["civility"]
    assert frozen == figures.compute(world.village, month)["civility"]
    make_activity(world.village, staff, title="补录", held_on=month, participants=10)  # after submission
    client.force_login(town)
    for route in ("reports:report-detail", "reports:report-print"):
        page = client.get(reverse(route, args=[report.pk])).content.decode()
        assert 'data-figure="civility-activities">1<' in page, route


def test_a_version_frozen_before_the_section_still_shows(world, staff, client):
    month = _last_month()
    report = report_services.report_open(village=world.village, month=month, by=staff)
    report = report_services.report_save(
        report=report, by=staff, revision=report.revision, work_done="走访", next_plan="培训"
    )
    report = report_services.report_submit(report=report, by=staff, revision=report.revision)
    version = ReportVersion.objects.get(report=report)
    version.figures.pop("civility")
    version.save(update_fields=["figures"])
    client.force_login(staff)
    response = client.get(reverse("reports:report-detail", args=[report.pk]))
    assert response.status_code == 200 and 'id="civility"' not in response.content.decode()
