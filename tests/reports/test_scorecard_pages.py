"""The 六好 scorecard's pages, export and API (docs/scorecard.md): who sees which village's scorecard, what a
bad period answers, and query counts that do not grow with the village or the number of villages."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import ExportRecord
from civility.models import Activity
from grids.models import Grid, MicroGrid, Role, Village, VillagerGroup
from tests.conftest import assign, make_case, make_household, make_user

YEAR = str(timezone.localdate().year)


def _page(client, user, village, period=YEAR):
    client.force_login(user)
    return client.get(reverse("reports:scorecard", args=[village.pk]) + f"?period={period}")


def test_the_village_staff_see_the_six_criteria_with_links(client, world, staff):
    Activity.objects.create(
        village=world.village, kind="cleanup", title="清洁家园", held_on=timezone.localdate(), organiser="村委",
        place="广场", participants=12, created_by=staff,
    )  # fmt: skip
    response = _page(client, staff, world.village)
    assert response.status_code == 200
    page = response.content.decode()
    for label in ("基层党建好", "治理架构好", "能力建设好", "社会治安好", "共治成效好", "乡风民风好"):
        assert label in page
    assert reverse("civility:activity-list", args=[world.village.pk]) + f"?year={YEAR}" in page
    assert 'class="kind-bars"' in page and "<svg" in page  # the chart, drawn inline
    assert 'data-indicator="activities"' in page
    activities = page.split('data-indicator="activities"')[1].split("</tr>")[0]
    assert "1次" in activities


def test_the_town_office_and_admin_see_a_village_scorecard(client, world, town, admin_user):
    assert _page(client, town, world.village).status_code == 200
    assert _page(client, admin_user, world.other_village).status_code == 200


@pytest.mark.parametrize("persona", ["worker", "colleague", "outsider"])
def test_others_get_a_404(client, world, personas, persona):
    assert _page(client, personas[persona], world.village).status_code == 404


def test_a_party_member_login_gets_a_404(client, world):
    member = make_user("member", world.village)
    assign(member, Role.PARTY_MEMBER, world.village)
    assert _page(client, member, world.village).status_code == 404


@pytest.mark.parametrize("raw", ["2026-13", "abc", "2026-Q9", "99999"])
def test_a_bad_period_is_a_400_with_a_message(client, world, staff, town, raw):
    response = _page(client, staff, world.village, raw)
    assert response.status_code == 400
    assert 'id="period-error"' in response.content.decode()
    client.force_login(town)
    response = client.get(reverse("reports:town-scorecards") + f"?period={raw}")
    assert response.status_code == 400 and 'id="period-error"' in response.content.decode()
    assert client.get(reverse("reports:town-scorecards-export") + f"?period={raw}").status_code == 400


def test_quarter_and_month_periods(client, world, staff):
    for period, label in ((f"{YEAR}-Q2", f"{YEAR}年第二季度"), (f"{YEAR}-03", f"{YEAR}年3月")):
        response = _page(client, staff, world.village, period)
        assert response.status_code == 200 and label in response.content.decode()


def _grow(world, by):
    """Village 1 made bigger: more grids, micro-grids, groups, households, cases and activities."""
    for n in range(3, 7):
        grid = Grid.objects.create(village=world.village, number=n, name=f"第{n}网格")
        micro = MicroGrid.objects.create(grid=grid, number=1, name=f"{n}a")
        group = VillagerGroup.objects.create(village=world.village, number=n, name=f"第{n}组")
        for h in range(3):
            make_household(micro, group, f"{n}{h:03d}", f"地址{n}-{h}")
        worker = make_user(f"w{n}", world.village)
        assign(worker, Role.GRID_WORKER, grid)
        make_case(world, by, grid=grid, kind="hazard", title=f"隐患{n}")
        Activity.objects.create(
            village=world.village, kind="legal", title=f"普法{n}", held_on=timezone.localdate(), organiser="村委",
            place="广场", participants=5, created_by=by,
        )  # fmt: skip


def _count(client, url) -> int:
    client.get(url)  # warm: this month's kept coverage counted once
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_village_page_query_count_is_pinned(client, world, staff, outsider, django_assert_num_queries):
    other_worker = make_user("other-worker", world.other_village)  # a small village has its one worker
    assign(other_worker, Role.GRID_WORKER, world.other_grid)
    client.force_login(outsider)
    small = _count(client, reverse("reports:scorecard", args=[world.other_village.pk]))
    _grow(world, staff)
    client.force_login(staff)
    url = reverse("reports:scorecard", args=[world.village.pk])
    client.get(url)
    # Session, user, scope, the village, the rules, then the indicators' grouped reads for the period and
    # the previous one (the registry's state-of-today indicators once).
    with django_assert_num_queries(small):
        client.get(url)
    assert small <= 66


# --- the town's comparison -------------------------------------------------------------------------------


def test_the_town_compares_its_villages(client, world, town, staff):
    Activity.objects.create(
        village=world.village, kind="cleanup", title="清洁家园", held_on=timezone.localdate(), organiser="村委",
        place="广场", participants=12, created_by=staff,
    )  # fmt: skip
    client.force_login(town)
    response = client.get(reverse("reports:town-scorecards") + f"?period={YEAR}&criterion=civility")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-village="{world.village.pk}"' in page and f'data-village="{world.other_village.pk}"' in page
    assert reverse("reports:scorecard", args=[world.village.pk]) + f"?period={YEAR}" in page
    assert 'class="kind-bars"' in page


@pytest.mark.parametrize("persona", ["worker", "staff", "outsider"])
def test_the_town_pages_are_refused_to_others(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("reports:town-scorecards")).status_code == 403
    assert client.get(reverse("reports:town-scorecards-export")).status_code == 403


def test_another_towns_villages_are_not_shown(client, world, town):
    from grids.models import Town

    elsewhere = Village.objects.create(town=Town.objects.create(name="别镇"), name="别村")
    client.force_login(town)
    page = client.get(reverse("reports:town-scorecards")).content.decode()
    assert f'data-village="{elsewhere.pk}"' not in page


def test_the_export_is_a_workbook_and_is_filed(client, world, town):
    client.force_login(town)
    response = client.get(reverse("reports:town-scorecards-export") + f"?period={YEAR}-Q1")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "村" and rows[0][-1] == "总分"
    assert {r[0] for r in rows[1:]} == {"一村", "二村"}
    assert len(list(book.worksheets[1].iter_rows())) > 20  # the indicators of both villages
    record = ExportRecord.objects.get()
    assert (record.kind, record.rows, record.user) == ("reports_scorecards", 2, town)


def test_the_town_page_query_count_does_not_grow_with_villages(client, world, town):
    url = reverse("reports:town-scorecards") + f"?period={YEAR}"
    client.force_login(town)
    two = _count(client, url)
    for n in range(3):
        v = Village.objects.create(town=world.town, name=f"新村{n}")
        g = Grid.objects.create(village=v, number=1, name="第一网格")
        MicroGrid.objects.create(grid=g, number=1, name="a")
    client.force_login(town)  # the scope is read again for the new villages
    assert _count(client, url) == two


# --- the API -----------------------------------------------------------------------------------------------


def _api(client, user, query=""):
    client.force_login(user)
    return client.get(reverse("api:scorecard-list") + query)


def test_the_api_scopes_scorecards(client, world, staff, town, worker, outsider):
    mine = _api(client, staff).json()
    assert [r["village"] for r in mine["results"]] == [world.village.pk]
    assert [c["code"] for c in mine["results"][0]["criteria"]] == [
        "party",
        "structure",
        "capacity",
        "safety",
        "cogovernance",
        "civility",
    ]
    assert mine["results"][0]["period"] == YEAR
    assert {r["village"] for r in _api(client, town, "?period=2026-Q4").json()["results"]} == {
        world.village.pk,
        world.other_village.pk,
    }
    assert _api(client, worker).json()["results"] == []
    assert _api(client, staff, f"?village={world.other_village.pk}").status_code == 404
    assert _api(client, outsider, f"?village={world.village.pk}").status_code == 404
    one = _api(client, town, f"?village={world.village.pk}&period=2026-11").json()["results"]
    assert [r["village"] for r in one] == [world.village.pk] and one[0]["period_label"] == "2026年11月"


@pytest.mark.parametrize(("query", "field"), [("?period=2026-14", "period"), ("?village=x", "village")])
def test_the_api_answers_bad_input_with_a_400(client, world, staff, query, field):
    response = _api(client, staff, query)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_the_api_query_count_does_not_grow_with_villages(client, world, town):
    client.force_login(town)
    url = reverse("api:scorecard-list")
    two = _count(client, url)
    for n in range(3):
        Village.objects.create(town=world.town, name=f"新村{n}")
    client.force_login(town)
    assert _count(client, url) == two


def test_the_overview_and_town_home_link_to_the_scorecards(client, world, staff, town):
    client.force_login(staff)
    page = client.get(reverse("reports:village-overview", args=[world.village.pk])).content.decode()
    assert reverse("reports:scorecard", args=[world.village.pk]) in page
    client.force_login(town)
    assert reverse("reports:town-scorecards") in client.get(reverse("reports:town-home")).content.decode()


def test_a_day_in_the_future_is_no_record(client, world, staff):
    later = timezone.localdate().year + 1
    page = _page(client, staff, world.village, str(later)).content.decode()
    assert "无记录" in page
    assert datetime.date.today()  # the page answered without measuring a period not begun


def test_the_admin_compares_every_village(client, world, admin_user):
    from grids.models import Town

    elsewhere = Village.objects.create(town=Town.objects.create(name="别镇"), name="别村")
    client.force_login(admin_user)
    page = client.get(reverse("reports:town-scorecards")).content.decode()
    assert f'data-village="{elsewhere.pk}"' in page and f'data-village="{world.village.pk}"' in page
    assert client.get(reverse("reports:town-scorecards-export")).status_code == 200
