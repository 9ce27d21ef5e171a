"""A closed month keeps the figures it had when it ended: key persons overdue on its last day (kept in the
coverage snapshot) and cases open and overdue as they stood then (from the timeline), whatever was done
afterwards (docs/architecture.md, "The data path")."""

from __future__ import annotations

import datetime
import io
import re

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from disputes import services as cases
from disputes.models import State
from grids.models import Assignment, Grid, Role
from reports import figures
from reports import services as reports
from tests.conftest import assign, make_case, make_user
from tests.reports.test_dashboard_months import _export_rows, _page_rows
from visits import due
from visits import services as visits
from visits.models import CoverageSnapshot

THIS_MONTH = due.month_start(timezone.localdate())
LAST_MONTH = due.previous_month(THIS_MONTH)


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _close_last_month_then_move_on(world, worker, staff):
    """Last month ends with the key person never visited and two cases overdue (one waiting to be accepted,
    one past its handling limit); this month both cases move on, a late paper visit for last month is
    entered and the key person is visited, and a new case comes in."""
    waiting = make_case(world, worker, reported_at=_at(LAST_MONTH), title="未受理")
    handled = make_case(world, worker, reported_at=_at(LAST_MONTH), title="调处超期")
    handled = cases.case_accept(case=handled, by=staff, version=handled.version, tier=1, at=_at(LAST_MONTH, 10))
    handled = cases.case_assign(
        case=handled, by=staff, version=handled.version, assignee=worker, at=_at(LAST_MONTH, 11)
    )
    settled = make_case(world, worker, reported_at=_at(LAST_MONTH), title="当月办结")
    settled = cases.case_accept(case=settled, by=staff, version=settled.version, tier=1, at=_at(LAST_MONTH, 10))
    settled = cases.case_assign(
        case=settled, by=staff, version=settled.version, assignee=worker, at=_at(LAST_MONTH, 11)
    )
    settled = cases.case_resolve(
        case=settled, by=worker, version=settled.version, outcome="agreement", resolution="达成", at=_at(LAST_MONTH, 12)
    )
    settled = cases.case_feedback(
        case=settled, by=worker, version=settled.version, note="已告知", at=_at(LAST_MONTH, 13)
    )
    cases.case_close(case=settled, by=staff, version=settled.version, at=_at(LAST_MONTH, 14))

    # The 1st: last month is kept.
    visits.coverage_snapshot(month=LAST_MONTH)

    # Later: the waiting case is accepted and closed, the overdue one resolved, a new one reported; a
    # paper visit of last month's last day is entered late and the key person is visited this month.
    waiting = cases.case_accept(case=waiting, by=staff, version=waiting.version, tier=1)
    waiting = cases.case_assign(case=waiting, by=staff, version=waiting.version, assignee=worker)
    waiting = cases.case_resolve(case=waiting, by=worker, version=waiting.version, outcome="agreement", resolution="好")
    waiting = cases.case_feedback(case=waiting, by=worker, version=waiting.version, note="已告知")
    assert cases.case_close(case=waiting, by=staff, version=waiting.version).state == State.CLOSED
    cases.case_resolve(case=handled, by=worker, version=handled.version, outcome="agreement", resolution="达成")
    make_case(world, worker, title="本月新案")
    visits.visit_record(worker=worker, target=world.key_person1, visited_on=due.month_end(LAST_MONTH), today=THIS_MONTH)
    visits.visit_record(worker=worker, target=world.key_person1)


def test_a_closed_month_keeps_its_overdue_key_persons_and_cases(client, world, worker, staff, town):
    _close_last_month_then_move_on(world, worker, staff)
    snapshot = CoverageSnapshot.objects.get(grid=world.grid1, month=LAST_MONTH)
    assert snapshot.key_persons_overdue == 1  # never visited since listed
    assert CoverageSnapshot.objects.get(grid=world.grid2, month=LAST_MONTH).key_persons_overdue == 0

    # The monthly report's figures.
    data = figures.compute(world.village, LAST_MONTH)
    assert data["visits"]["key_persons"]["overdue"] == 1
    assert [g["key_persons_overdue"] for g in data["visits"]["grids"]] == [1, 0]
    assert data["cases"]["overdue"] == 2
    assert {row["kind"]: row["overdue"] for row in data["cases"]["by_kind"]}["矛盾纠纷"] == 2
    report = reports.report_open(village=world.village, month=LAST_MONTH, by=staff)
    client.force_login(staff)
    page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert 'data-figure="key-overdue">1<' in page
    # ... and the report's export.
    book = load_workbook(io.BytesIO(client.get(reverse("reports:report-export", args=[report.pk])).content))
    visit_rows = {row[0]: row for row in book["走访覆盖"].iter_rows(min_row=2, values_only=True)}
    assert visit_rows["当月合计"][5] == 1 and visit_rows[world.grid1.name][5] == 1
    case_rows = {row[0]: row for row in book["案件"].iter_rows(min_row=2, values_only=True)}
    assert case_rows["矛盾纠纷"][9] == 2  # overdue on the month's last day

    # The coverage page of that month.
    client.force_login(town)
    page = client.get(reverse("visits:coverage") + f"?month={LAST_MONTH:%Y-%m}").content.decode()
    row = re.search(rf'<tr data-grid="{world.grid1.pk}"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert '<span class="risk-high">1</span>' in row

    # The town's dashboard and its export for that month.
    shown = _page_rows(client, LAST_MONTH)["一村"]
    assert shown[2] == "1"  # key persons overdue
    assert shown[3] == "待受理 1；处置中 1；"  # open by state on the last day
    assert shown[4] == "2"  # overdue cases
    exported = _export_rows(client, LAST_MONTH)["一村"]
    assert exported[4:7] == [1, 2, 2]

    # This month goes on as it stands now: the key person was visited, one case is open and one new.
    now = figures.compute(world.village, THIS_MONTH)
    assert now["visits"]["key_persons"]["overdue"] == 0
    assert _page_rows(client, THIS_MONTH)["一村"][3] == "待受理 1；已办结待反馈 1；"


def test_a_month_kept_before_overdue_key_persons_were_shows_them_as_unknown(client, world, town):
    CoverageSnapshot.objects.create(grid=world.grid1, month=LAST_MONTH, households_due=1, households_done=1)
    assert figures.compute(world.village, LAST_MONTH)["visits"]["key_persons"]["overdue"] is None
    client.force_login(town)
    assert _page_rows(client, LAST_MONTH)["一村"][2] == "—"
    assert _export_rows(client, LAST_MONTH)["一村"][4] is None
    page = client.get(reverse("visits:coverage") + f"?month={LAST_MONTH:%Y-%m}").content.decode()
    row = re.search(rf'<tr data-grid="{world.grid1.pk}"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert "—</td>" in row


def test_a_grid_archived_and_a_worker_replaced_since_leave_a_closed_month_as_it_was(
    client, world, worker, colleague, town
):
    CoverageSnapshot.objects.create(
        grid=world.grid1, month=LAST_MONTH, households_due=4, households_done=1, key_persons_overdue=0
    )
    CoverageSnapshot.objects.create(
        grid=world.grid2, month=LAST_MONTH, households_due=4, households_done=3, key_persons_overdue=2
    )
    # This month grid 2 is archived (the registry's steps before it do not matter here) and grid 1's
    # worker hands over to a new one.
    Grid.objects.filter(pk=world.grid2.pk).update(archived_at=timezone.now())
    today = timezone.localdate()
    Assignment.objects.filter(user=worker).update(end=today - datetime.timedelta(days=1))
    assign(make_user("newcomer", world.village, full_name="网格员丙"), Role.GRID_WORKER, world.grid1, start=today)

    data = figures.compute(world.village, LAST_MONTH)
    assert [(g["grid"], g["workers"], g["key_persons_overdue"]) for g in data["visits"]["grids"]] == [
        ("第一网格", "网格员甲", 0),
        ("第二网格", "网格员乙", 2),
    ]
    assert data["visits"]["month"] == {"due": 8, "done": 4, "percent": 50}
    assert {w["name"] for w in data["workers"]} == {"网格员甲", "网格员乙"}
    client.force_login(town)
    assert _page_rows(client, LAST_MONTH)["一村"][1:3] == ["50%", "2"]
    assert _export_rows(client, LAST_MONTH)["一村"][1:5] == [50, 4, 8, 2]
    coverage = reverse("visits:coverage")
    assert f'data-grid="{world.grid2.pk}"' in client.get(coverage + f"?month={LAST_MONTH:%Y-%m}").content.decode()
    now = client.get(coverage).content.decode()
    assert f'data-grid="{world.grid2.pk}"' not in now and "网格员丙" in now
