"""The risk list (风险清单) of a village for its staff, and the town's counts per village."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.models import Case, Policy
from residents.models import Household, KeyCategory, KeyPerson
from tests.conftest import ID1, make_case, make_household
from visits import due
from visits.models import ReminderPolicy
from visits.services import visit_record

TODAY = timezone.localdate()


@pytest.fixture
def midmonth_passed(world):
    """Grids behind are listed from the mid-month reminder day on: make that any day of the month."""
    ReminderPolicy.objects.filter(pk=ReminderPolicy.current().pk).update(midmonth_day=1)


def _rows(client, world, **params) -> list[tuple[str, str]]:
    """(kind of the row, what it names) for every row of the list's first page."""
    response = client.get(reverse("reports:risk-list", args=[world.village.pk]), params)
    assert response.status_code == 200
    return [(r.kind, r.what) for r in response.context["page"].object_list]


def _kinds_of(rows, what: str) -> set[str]:
    return {kind for kind, name in rows if what in name}


def _old(household: Household, days: int = 90) -> Household:
    """A household registered ``days`` ago (it was due last month too)."""
    Household.objects.filter(pk=household.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    household.refresh_from_db()
    return household


# --- Each kind appears when it should, and not otherwise --------------------------------------------------


def test_an_overdue_key_person_is_listed_by_name_with_days_overdue(client, world, staff):
    client.force_login(staff)
    response = client.get(reverse("reports:risk-list", args=[world.village.pk]))
    row = next(r for r in response.context["page"].object_list if r.what == "张三")
    # Listed on 2025-01-01, never visited, level 3 patient: every 14 days.
    assert row.kind == "key_overdue" and row.kinds == {"key_overdue", "never_visited"}
    overdue = (TODAY - world.key_person1.listed_from).days - 14
    assert row.urgency == f"超期 {overdue} 天" and row.action == "入户走访"
    page = response.content.decode()
    assert reverse("residents:keyperson-detail", args=[world.key_person1.pk]) in page
    visit_record(worker=staff, target=world.key_person1)
    assert _kinds_of(_rows(client, world), "张三") == set()


def test_two_visits_in_a_row_not_possible_flag_the_person(client, world, staff):
    client.force_login(staff)
    yesterday = TODAY - datetime.timedelta(days=1)
    visit_record(worker=staff, target=world.key_person1, visited_on=yesterday)
    assert _kinds_of(_rows(client, world), "张三") == set()
    visit_record(worker=staff, target=world.key_person1, outcome="not_possible", reason="away")
    assert _kinds_of(_rows(client, world), "张三") == set()  # one attempt is not yet a risk
    visit_record(worker=staff, target=world.key_person1, outcome="not_possible", reason="unreachable")
    rows = _rows(client, world, kind="unreached")
    assert rows == [("unreached", "张三")]
    response = client.get(reverse("reports:risk-list", args=[world.village.pk]), {"kind": "unreached"})
    assert "核实去向" in response.content.decode() and "连续 2 次未能走访" in response.content.decode()
    visit_record(worker=staff, target=world.key_person1)
    assert _kinds_of(_rows(client, world), "张三") == set()


def test_a_key_person_not_visited_since_listing(client, world, staff):
    client.force_login(staff)
    visit_record(worker=staff, target=world.key_person1)
    listed = KeyPerson.objects.create(resident=world.resident2, category=KeyCategory.RELEASED, listed_from=TODAY)
    assert _rows(client, world, kind="never_visited") == [("never_visited", "李四")]
    assert _rows(client, world, kind="key_overdue") == []  # listed today: not due yet, only not seen yet
    visit_record(worker=staff, target=listed)
    assert _rows(client, world, kind="never_visited") == []


def test_cases_in_the_orange_and_red_bands(client, world, staff):
    client.force_login(staff)
    case = make_case(world, staff, title="排水沟纠纷")
    assert _rows(client, world, kind="case") == []  # just reported: green
    limit = Policy.current().accept_days
    Case.objects.filter(pk=case.pk).update(state_since=timezone.now() - datetime.timedelta(days=limit * 0.9))
    response = client.get(reverse("reports:risk-list", args=[world.village.pk]), {"kind": "case"})
    (row,) = response.context["page"].object_list
    assert row.band == "orange" and row.action == "受理" and row.what == f"{case.number} · 排水沟纠纷"
    assert reverse("disputes:case-detail", args=[case.pk]) in response.content.decode()
    Case.objects.filter(pk=case.pk).update(state_since=timezone.now() - datetime.timedelta(days=limit + 2))
    (row,) = client.get(reverse("reports:risk-list", args=[world.village.pk])).context["page"].object_list[:1]
    assert row.band == "red" and row.urgency.startswith("受理超期")  # past its limit: first of all
    make_case(world, staff, grid=world.other_grid, title="外村纠纷")
    Case.objects.filter(title="外村纠纷").update(state_since=timezone.now() - datetime.timedelta(days=limit + 2))
    assert not _kinds_of(_rows(client, world), "外村纠纷")  # another village's case never shows


def test_households_not_visited_this_month_or_last(client, world, staff):
    client.force_login(staff)
    assert _rows(client, world, kind="household") == []  # registered this month: not two months yet
    _old(world.household1)
    _old(world.other_household)
    assert _rows(client, world, kind="household") == [("household", "张庄1号（0001）")]
    last_month = due.previous_month(TODAY).replace(day=10)
    visit_record(worker=staff, target=world.household1, visited_on=last_month, today=last_month)
    assert _rows(client, world, kind="household") == []
    two_months_ago = due.previous_month(last_month)
    household = _old(make_household(world.micro2, world.group1, "0003", "张庄3号"))
    visit_record(worker=staff, target=household, visited_on=two_months_ago, today=two_months_ago)
    response = client.get(reverse("reports:risk-list", args=[world.village.pk]), {"kind": "household"})
    (row,) = response.context["page"].object_list
    assert row.what == "张庄3号（0003）" and row.urgency == f"{(TODAY - two_months_ago).days} 天未走访"
    assert reverse("residents:household-detail", args=[household.pk]) in response.content.decode()


def test_grids_under_the_threshold_after_the_midmonth_day(client, world, staff):
    from reports import risks
    from residents.models import Household as H

    client.force_login(staff)
    policy = ReminderPolicy.current()
    ReminderPolicy.objects.filter(pk=policy.pk).update(midmonth_day=28)
    first = due.month_start(TODAY)
    args = {"grids": [world.grid1, world.grid2], "cases": Case.objects.none(), "households": H.objects.none()}
    early = risks.village_risks(**args, today=first)
    assert [r for r in early if r.kind == "grid"] == []  # before the mid-month day nobody is behind
    ReminderPolicy.objects.filter(pk=policy.pk).update(midmonth_day=1)
    rows = _rows(client, world, kind="grid")
    assert sorted(rows) == [("grid", "第一网格"), ("grid", "第二网格")]  # nothing visited yet: 0 %
    visit_record(worker=staff, target=world.household2)  # grid 2 is done
    assert _rows(client, world, kind="grid") == [("grid", "第一网格")]
    page = client.get(reverse("reports:risk-list", args=[world.village.pk]), {"kind": "grid"}).content.decode()
    assert reverse("visits:grid-outstanding", args=[world.grid1.pk]) in page and "低于 60%" in page


# --- Order, filters, paging -----------------------------------------------------------------------------


def test_most_urgent_first_and_filters(client, world, staff, midmonth_passed):
    client.force_login(staff)
    _old(world.household1)
    _old(world.household2)
    case = make_case(world, staff, grid=world.grid2)
    Case.objects.filter(pk=case.pk).update(state_since=timezone.now() - datetime.timedelta(days=10))
    kinds = [kind for kind, _what in _rows(client, world)]
    assert kinds == ["case", "key_overdue", "household", "household", "grid", "grid"]
    assert {what for _k, what in _rows(client, world, grid=world.grid2.pk)} == {
        f"{case.number} · 排水沟纠纷",
        "张庄2号（0002）",
        "第二网格",
    }
    assert [k for k, _w in _rows(client, world, kind="household", grid=world.grid1.pk)] == ["household"]
    # A grid of another village is not a choice: the filter says so and filters nothing.
    response = client.get(reverse("reports:risk-list", args=[world.village.pk]), {"grid": world.other_grid.pk})
    assert response.status_code == 200 and response.context["filter"]["form"].errors
    assert len(response.context["page"].object_list) == 6


def test_the_list_is_paged(client, world, staff, monkeypatch):
    from reports import views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    client.force_login(staff)
    _old(world.household1)
    _old(world.household2)
    url = reverse("reports:risk-list", args=[world.village.pk])
    first = client.get(url, {"kind": "household"})
    assert first.context["page"].paginator.count == 2 and len(first.context["page"].object_list) == 2
    both = client.get(url)
    assert both.context["page"].paginator.num_pages == 2
    assert "kind=household&amp;page=2" not in first.content.decode()
    assert "page=2" in both.content.decode()


def _add(world, staff, start: int, stop: int) -> None:
    """Risk rows ``start`` to ``stop``: old households never visited and cases past their limit, both grids."""
    for i in range(start, stop):
        if i % 2:
            _old(make_household([world.micro1, world.micro2][i % 4 // 2], world.group1, f"1{i:03}", f"新村{i}号"))
        else:
            case = make_case(world, staff, grid=[world.grid1, world.grid2][i % 4 // 2])
            Case.objects.filter(pk=case.pk).update(state_since=timezone.now() - datetime.timedelta(days=10))


def test_query_count_is_the_same_for_3_and_30_rows(client, world, staff, midmonth_passed, django_assert_num_queries):
    client.force_login(staff)
    visit_record(worker=staff, target=world.key_person1)  # key persons: no row; both grids are behind (2 rows)
    url = reverse("reports:risk-list", args=[world.village.pk])
    _add(world, staff, 0, 1)
    client.get(url)  # the kept coverage counted afresh once
    # session, user, scope, village, grids, key persons with their visit facts, case time limits, cases
    # near their limit, households not visited, reminder policy, kept coverage, unread inbox count
    with django_assert_num_queries(12):
        response = client.get(url)
    assert len(response.context["rows"]) == 3
    _add(world, staff, 1, 28)
    client.get(url)
    with django_assert_num_queries(12):
        response = client.get(url)
    assert len(response.context["rows"]) == 30


# --- Who sees it --------------------------------------------------------------------------------------


def test_the_town_is_told_to_use_its_counts(client, world, town, worker, outsider):
    url = reverse("reports:risk-list", args=[world.village.pk])
    client.force_login(town)
    response = client.get(url)
    assert response.status_code == 403
    for person in (worker, outsider):
        client.force_login(person)
        assert client.get(url).status_code == 404


def test_the_town_sees_counts_per_village_and_no_names(client, world, staff, town):
    _old(world.household1)
    case = make_case(world, staff)
    Case.objects.filter(pk=case.pk).update(state_since=timezone.now() - datetime.timedelta(days=10))
    client.force_login(town)
    response = client.get(reverse("reports:town-risks"))
    page = response.content.decode()
    assert response.status_code == 200
    # The key person's name, their household's address and number never reach the town's page.
    for private in ("张三", "张庄1号", ID1):
        assert private not in page
    village = next(v for v in response.context["villages"] if v.pk == world.village.pk)
    assert village.risks["key_overdue"] == 1 and village.risks["household"] == 1
    assert village.risks["case"] == 1 and village.risks["case_red"] == 1
    assert f"{reverse('disputes:case-list')}?village={world.village.pk}&amp;overdue=true" in page
    other = next(v for v in response.context["villages"] if v.pk == world.other_village.pk)
    assert sum(other.risks.values()) == 0
    home = client.get(reverse("reports:town-home")).content.decode()
    assert reverse("reports:town-risks") in home


def test_the_overview_card_links_into_the_list(client, world, staff, town):
    url = reverse("reports:village-overview", args=[world.village.pk])
    link = reverse("reports:risk-list", args=[world.village.pk]) + "?kind=key_overdue"
    client.force_login(staff)
    assert link in client.get(url).content.decode()
    client.force_login(town)
    assert reverse("reports:risk-list", args=[world.village.pk]) not in client.get(url).content.decode()


def test_the_lists_speak_english_when_asked(client, world, staff, town):
    client.force_login(staff)
    url = reverse("reports:risk-list", args=[world.village.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Risk list" in page and "days overdue" in page
    client.force_login(town)
    page = client.get(reverse("reports:town-risks"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Risks by village" in page and "Of which overdue" in page
