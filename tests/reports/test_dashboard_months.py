"""The town's dashboard for a month picked: the page and its Excel export show the same figures, and a
closed month shows its figures as they stood (docs/architecture.md, "The data path")."""

from __future__ import annotations

import datetime
import io
import re

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import make_case
from visits import due, services
from visits.models import CoverageSnapshot

THIS_MONTH = due.month_start(timezone.localdate())
ROW = re.compile(r'<tr data-village="(\d+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
TAG = re.compile(r"<[^>]+>")


def _text(html: str) -> str:
    return " ".join(TAG.sub(" ", html).split())


def _page_rows(client, month: datetime.date) -> dict[str, list[str]]:
    response = client.get(reverse("reports:town-dashboard") + f"?month={month:%Y-%m}")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<option value="{month:%Y-%m}" selected>' in page
    tbody = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = {}
    for _pk, row in ROW.findall(tbody):
        cells = [_text(c) for c in CELL.findall(row)]
        rows[cells[0]] = cells
    return rows


def _export_rows(client, month: datetime.date) -> dict[str, list]:
    response = client.get(reverse("reports:town-dashboard-export") + f"?month={month:%Y-%m}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == f"{month:%Y-%m}各村对比"
    return {row[0]: list(row) for row in sheet.iter_rows(min_row=2, values_only=True)}


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def _open_cases(shown: str) -> int:
    """Open cases shown by state ("受理中 1； 调解中 2；" → 3, "—" → 0)."""
    return sum(int(n) for n in re.findall(r"(\d+)；", shown))


def _as_export(page: list[str]) -> list:
    """A page row in the export's columns (the page shows no done/due, only the percentage)."""
    name, coverage, key_overdue, open_cases, overdue, mediation, report, late_ytd, party = page
    month_rate, ytd_rate = (part.strip() for part in mediation.split("/"))
    state = report.replace("逾期", "").strip()
    return [
        name,
        coverage,
        None if key_overdue == "—" else int(key_overdue),
        _open_cases(open_cases),
        int(overdue),
        month_rate,
        ytd_rate,
        state,
        "是" if report.endswith("逾期") else None,
        int(late_ytd),
        party,
    ]


def _export_as_page(row: list) -> list:
    name, percent, _done, _due, key_overdue, open_cases, overdue, m_month, m_ytd, state, late, late_ytd, party = row
    return [
        name,
        _pct(percent),
        key_overdue,
        open_cases,
        overdue,
        _pct(m_month),
        _pct(m_ytd),
        state,
        late,
        late_ytd,
        _pct(party),
    ]


def _snapshot(grid, month, *, due_n: int, done: int, key_overdue: int | None = None) -> None:
    CoverageSnapshot.objects.create(
        grid=grid, month=month, households_due=due_n, households_done=done, key_persons_overdue=key_overdue
    )


def test_page_and_export_agree_for_each_of_the_last_twelve_months(client, world, worker, town):
    from visits.summary import recent_months

    months = recent_months(12)
    # Every closed month kept its own coverage, none like this month's; the other village's were kept
    # before the overdue key persons were (unknown: "—").
    for i, month in enumerate(months[:-1]):
        _snapshot(world.grid1, month, due_n=10, done=i, key_overdue=i % 3)
        _snapshot(world.grid2, month, due_n=10, done=10 - i, key_overdue=1)
        _snapshot(world.other_grid, month, due_n=4, done=i % 5)
    services.visit_record(worker=worker, target=world.household1)  # this month: live, 1 of 4
    make_case(world, worker)
    client.force_login(town)
    for month in months:
        page, export = _page_rows(client, month), _export_rows(client, month)
        assert sorted(page) == sorted(export) == ["一村", "二村"], month
        for name in page:
            assert _as_export(page[name]) == _export_as_page(export[name]), (month, name)


def test_a_past_month_shows_its_own_coverage_not_this_months(client, world, worker, town):
    last_month = due.previous_month(THIS_MONTH)
    _snapshot(world.grid1, last_month, due_n=4, done=3)
    _snapshot(world.grid2, last_month, due_n=4, done=3)
    services.visit_record(worker=worker, target=world.household1)
    client.force_login(town)

    now = _page_rows(client, THIS_MONTH)["一村"]
    assert now[1] == "25%"  # this month so far: 1 of 4 (2 households, the key person, the key place)
    then = _page_rows(client, last_month)["一村"]
    assert then[1] == "75%"  # last month as it was kept: 6 of 8
    assert _export_rows(client, last_month)["一村"][1:4] == [75, 6, 8]
