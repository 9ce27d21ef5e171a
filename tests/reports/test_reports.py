"""Monthly reports: the frozen snapshot, the one table of moves, who may do what, pages and queries."""

from __future__ import annotations

import datetime
import io
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grids.models import Grid, Role, Village
from messaging.models import Notice
from reports import services
from reports.models import TRANSITIONS, MonthlyReport, ReportEvent, ReportPolicy, ReportVersion, State
from tests.conftest import assign, make_case, make_household, make_user
from visits import due

MONTH = due.previous_month(timezone.localdate())


def _draft(world, staff, month=MONTH) -> MonthlyReport:
    report = services.report_open(village=world.village, month=month, by=staff)
    return services.report_save(report=report, by=staff, revision=report.revision, work_done="走访", next_plan="培训")


def _submitted(world, staff) -> MonthlyReport:
    report = _draft(world, staff)
    return services.report_submit(report=report, by=staff, revision=report.revision)


def test_the_snapshot_does_not_change_when_the_data_changes(world, staff, client, town):
    report = _submitted(world, staff)
    frozen = ReportVersion.objects.get(report=report).figures
    assert frozen["registry"]["households"] == 2
    make_household(world.micro1, world.group1, "0099", "张庄99号")
    make_case(world, staff, reported_at=timezone.make_aware(datetime.datetime.combine(MONTH, datetime.time(9))))
    assert ReportVersion.objects.get(report=report).figures == frozen
    client.force_login(town)
    page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert 'data-figure="reported">0<' in page  # the case came after: the snapshot does not show it
    report = services.report_return(report=report, by=town, revision=report.revision, comments=[("", "补充")])
    report = services.report_submit(report=report, by=staff, revision=report.revision)
    second = ReportVersion.objects.get(report=report, number=2).figures
    assert second["registry"]["households"] == 3 and second["cases"]["totals"]["reported"]["month"] == 1
    assert ReportVersion.objects.get(report=report, number=1).figures == frozen  # history kept


STATES = State.values


@pytest.mark.parametrize(("from_state", "to_state"), list(itertools.product(STATES, STATES)))
def test_every_illegal_move_is_refused_and_changes_nothing(world, staff, from_state, to_state):
    report = _draft(world, staff)
    MonthlyReport.objects.filter(pk=report.pk).update(state=from_state)
    report.refresh_from_db()
    if to_state in TRANSITIONS[from_state]:
        moved = services._transition(report, to=to_state, by=staff, revision=report.revision)
        assert moved.state == to_state and ReportEvent.objects.filter(report=report).count() == 1
    else:
        with pytest.raises(services.InvalidTransition):
            services._transition(report, to=to_state, by=staff, revision=report.revision)
        assert MonthlyReport.objects.get(pk=report.pk).state == from_state
        assert not ReportEvent.objects.filter(report=report).exists()


def test_only_the_town_office_approves_or_returns(world, staff, worker, outsider, town):
    report = _submitted(world, staff)
    for who in (staff, worker, outsider):
        with pytest.raises(PermissionDenied):
            services.report_approve(report=report, by=who, revision=report.revision)
        with pytest.raises(PermissionDenied):
            services.report_return(report=report, by=who, revision=report.revision, comments=[("", "x")])
    approved = services.report_approve(report=report, by=town, revision=report.revision)
    assert approved.state == State.APPROVED and approved.approved_at
    assert Notice.objects.filter(recipient=staff, kind="report", title__contains="审核通过").count() == 1


def test_only_the_villages_staff_write_and_submit(world, staff, outsider, town, worker):
    for who in (outsider, town, worker):
        with pytest.raises(PermissionDenied):
            services.report_open(village=world.village, month=MONTH, by=who)
    report = _draft(world, staff)
    with pytest.raises(PermissionDenied):
        services.report_submit(report=report, by=town, revision=report.revision)


def test_return_needs_a_comment_and_the_village_is_told_per_section(world, staff, town):
    report = _submitted(world, staff)
    with pytest.raises(ValidationError):
        services.report_return(report=report, by=town, revision=report.revision, comments=[("", " ")])
    report = services.report_return(
        report=report, by=town, revision=report.revision, comments=[("problems", "写明整改措施"), ("visits", "核对")]
    )
    assert report.state == State.RETURNED
    assert [c.section_label for c in report.comments.all()] == ["存在的问题和困难", "走访覆盖"]
    notice = Notice.objects.get(recipient=staff, title__contains="退回")
    assert "写明整改措施" in notice.body


def test_a_submitted_report_cannot_be_edited_and_a_stale_form_is_refused(world, staff):
    report = _draft(world, staff)
    seen = report.revision
    services.report_save(report=report, by=staff, revision=seen, work_done="A", next_plan="B")
    with pytest.raises(services.ReportChanged):
        services.report_save(report=report, by=staff, revision=seen, work_done="C", next_plan="D")
    report.refresh_from_db()
    report = services.report_submit(report=report, by=staff, revision=report.revision)
    with pytest.raises(ValidationError):
        services.report_save(report=report, by=staff, revision=report.revision, work_done="E")


def test_submit_needs_the_work_done_and_the_plan(world, staff):
    report = services.report_open(village=world.village, month=MONTH, by=staff)
    with pytest.raises(ValidationError) as caught:
        services.report_submit(report=report, by=staff, revision=report.revision)
    assert "本月工作开展情况" in caught.value.messages[0]


def test_late_is_computed_against_the_editable_due_day(world, staff):
    policy = ReportPolicy.current()
    report = _draft(world, staff, month=datetime.date(2026, 9, 1))
    assert report.is_late(policy, today=datetime.date(2026, 10, 5)) is False
    assert report.is_late(policy, today=datetime.date(2026, 10, 6)) is True
    policy.due_day = 10
    assert report.is_late(policy, today=datetime.date(2026, 10, 6)) is False


@pytest.mark.parametrize("persona", ["worker", "colleague", "outsider"])
def test_a_village_cannot_see_anothers_reports(client, world, staff, personas, persona):
    report = _submitted(world, staff)
    client.force_login(personas[persona])
    for name in ("reports:report-detail", "reports:report-export", "reports:report-print"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404
    assert client.post(reverse("reports:report-review", args=[report.pk]), {"approve": "1"}).status_code == 404


def test_staff_write_and_submit_from_the_page_and_the_town_returns_per_section(client, world, staff, town):
    client.force_login(staff)
    client.post(reverse("reports:report-start", args=[world.village.pk]), {"month": f"{MONTH:%Y-%m}"})
    report = MonthlyReport.objects.get()
    data = {"revision": report.revision, "work_done": "开展走访", "problems": "", "next_plan": "", "submit": "1"}
    response = client.post(reverse("reports:report-save", args=[report.pk]), data)
    assert response.status_code == 400 and "下月工作计划" in response.content.decode()
    assert "开展走访" in response.content.decode()  # kept
    report.refresh_from_db()
    data.update(revision=report.revision, next_plan="继续")
    response = client.post(reverse("reports:report-save", args=[report.pk]), data)
    assert response["Location"] == reverse("reports:report-submit", args=[report.pk])  # saved, then asked
    assert MonthlyReport.objects.get().state == State.DRAFT
    report.refresh_from_db()
    client.post(reverse("reports:report-submit", args=[report.pk]), {"revision": report.revision})
    assert MonthlyReport.objects.get().state == State.SUBMITTED
    client.force_login(town)
    report.refresh_from_db()
    response = client.post(
        reverse("reports:report-review", args=[report.pk]),
        {"revision": report.revision, "comment": "", "on_next_plan": "计划要具体", "return": "1"},
    )
    assert response.status_code == 302 and MonthlyReport.objects.get().state == State.RETURNED
    assert report.comments.get().section == "next_plan"


def test_report_exports_to_xlsx_with_month_and_year_to_date(client, world, staff):
    report = _submitted(world, staff)
    client.force_login(staff)
    book = load_workbook(io.BytesIO(client.get(reverse("reports:report-export", args=[report.pk])).content))
    assert book.sheetnames == ["月报", "基本情况", "走访覆盖", "案件", "网格员"]
    assert [c.value for c in book["走访覆盖"][1]][:4] == ["网格", "网格员", "应走访", "已走访"]
    assert any(row[0].value == "本年累计" for row in book["走访覆盖"].iter_rows())


def test_town_reports_shows_every_village_and_lateness(client, world, staff, town):
    _submitted(world, staff)
    client.force_login(town)
    page = client.get(reverse("reports:town-reports") + f"?month={MONTH:%Y-%m}").content.decode()
    assert f'data-village="{world.village.pk}"' in page and f'data-village="{world.other_village.pk}"' in page
    assert 'data-count="submitted">1<' in page and 'data-count="not_started">1<' in page


# --- Query counts: the report page and the town's dashboard ---------------------------------------------


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow_villages(world, n):
    for i in range(Village.objects.filter(town=world.town).count(), n):
        village = Village.objects.create(town=world.town, name=f"村{i}")
        grid = Grid.objects.create(village=village, number=1, name="第一网格")
        user = make_user(f"vw{i}", village)
        assign(user, Role.GRID_WORKER, grid)


def test_town_dashboard_and_review_query_counts_for_2_and_20_villages(client, world, town):
    client.force_login(town)
    urls = [reverse("reports:town-dashboard"), reverse("reports:town-reports"), reverse("reports:town-home")]
    small = [_queries(client, url) for url in urls]
    _grow_villages(world, 20)
    assert [_queries(client, url) for url in urls] == small


def test_report_page_query_count_does_not_grow_with_versions_and_comments(client, world, staff, town):
    report = _submitted(world, staff)
    client.force_login(town)
    url = reverse("reports:report-detail", args=[report.pk])
    small = _queries(client, url)
    for _ in range(3):
        report = services.report_return(
            report=report, by=town, revision=report.revision, comments=[("", "改"), ("visits", "核")]
        )
        report = services.report_submit(report=report, by=staff, revision=report.revision)
    assert _queries(client, url) == small


def test_report_page_query_budget(client, world, staff, django_assert_num_queries):
    report = _submitted(world, staff)
    client.force_login(staff)
    # session, user, scope, the report (village, town), its versions, the report policy, the six months
    # compared (versions, and this one's latest), comments, events, unread inbox
    with django_assert_num_queries(11):  # the session is read, not written (core/sessions.py)
        client.get(reverse("reports:report-detail", args=[report.pk]))


def test_the_dashboard_says_this_months_coverage_is_the_month_so_far(client, world, town):
    import json

    client.force_login(town)
    page = client.get(reverse("reports:town-dashboard")).content.decode()
    data = json.loads(page.split('id="trend-data" type="application/json">')[1].split("</script>")[0])
    this_month = f"{due.month_start(timezone.localdate()):%Y-%m}"
    assert data["labels"][-1] == f"{this_month}（至今）" and "（至今）" not in data["labels"][-2]
    assert "本月为截至今天的实时数" in page
