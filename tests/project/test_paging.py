"""Lists paged id-first (core.pages.IdFirstPaginator): the page's ids, then their rows; the count asked for only
when the page read is full (a shorter page is the last one, and its rows say the count)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pages import IdFirstPaginator
from grids.models import Village
from residents.models import Household
from tests.conftest import make_household


def _households(world, n: int) -> None:
    for i in range(n):
        make_household(world.micro1, world.group1, f"PG{i:03}", f"一村{i}号")


def _made():
    return Household.objects.filter(number__startswith="PG")


def _page(per_page: int, number):
    paginator = IdFirstPaginator(_made().order_by("number"), per_page)
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.get_page(number)
        count = paginator.count
    return page, count, len(ctx.captured_queries)


@pytest.fixture
def twelve(world):
    _households(world, 12)


def test_a_short_first_page_knows_its_count_without_asking(twelve):
    page, count, queries = _page(20, 1)
    assert (count, len(page.object_list), page.paginator.num_pages, queries) == (12, 12, 1, 2)  # ids, rows


def test_a_full_page_asks_for_the_count(twelve):
    page, count, queries = _page(5, 1)
    assert (count, len(page.object_list), page.paginator.num_pages, queries) == (12, 5, 3, 3)  # ids, count, rows


def test_the_short_last_page_knows_the_count(twelve):
    page, count, queries = _page(5, 3)
    assert (count, [h.number for h in page.object_list], queries) == (12, ["PG010", "PG011"], 2)
    assert page.has_previous() and not page.has_next()


def test_a_page_full_to_the_end_still_counts(world):
    _households(world, 10)
    page, count, queries = _page(5, 2)
    assert (count, len(page.object_list), page.has_next(), queries) == (10, 5, False, 3)


@pytest.mark.parametrize(("asked", "shown"), [(9, 3), ("9", 3), (0, 3), (-1, 3), ("abc", 1), (None, 1), ("", 1)])
def test_pages_out_of_range_or_not_numbers_answer_as_django_does(twelve, asked, shown):
    page, count, _queries = _page(5, asked)
    assert (page.number, count) == (shown, 12)
    assert [h.number for h in page.object_list] == [h.number for h in _made().order_by("number")][
        (shown - 1) * 5 : shown * 5
    ]


def test_an_empty_list_has_one_empty_page(world):
    paginator = IdFirstPaginator(Village.objects.none(), 5)
    page = paginator.get_page(1)
    assert (page.number, list(page.object_list), paginator.count, paginator.num_pages) == (1, [], 0, 1)


def test_the_rows_keep_the_filters_and_leave_out_a_row_that_left_the_list_meanwhile(twelve, monkeypatch):
    # The ids and the rows are two statements, each seeing the database as it is then: a row that no longer
    # matches the list when its rows are read (erased, archived, out of scope) is not shown.
    listed = _made().filter(address__contains="号").select_related("grid").order_by("-number")
    paginator = IdFirstPaginator(listed, 5)
    checked = IdFirstPaginator.validate_number

    def meanwhile(self, number):  # between the ids and the rows
        Household.objects.filter(number="PG010").update(address="迁出")
        return checked(self, number)

    monkeypatch.setattr(IdFirstPaginator, "validate_number", meanwhile)
    with CaptureQueriesContext(connection) as statements:
        page = paginator.get_page(1)
    rows = statements.captured_queries[-1]["sql"]
    assert "LIKE" in rows and "ORDER BY" not in rows  # the order is the ids'
    assert [h.number for h in page.object_list] == ["PG011", "PG009", "PG008", "PG007"]
    assert page.object_list[0].grid.name == "第一网格"


def _searched_page(per_page: int, number, rows=None):
    paginator = IdFirstPaginator(
        rows if rows is not None else _made().order_by("number"), per_page, count_with_ids=True
    )
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.get_page(number)
        count = paginator.count
    return page, count, len(ctx.captured_queries)


def test_a_searched_full_page_counts_in_its_ids_statement(twelve):
    page, count, queries = _searched_page(5, 2)
    assert (count, [h.number for h in page.object_list], page.paginator.num_pages, queries) == (
        12,
        ["PG005", "PG006", "PG007", "PG008", "PG009"],
        3,
        2,  # the ids with the count, the rows
    )


@pytest.mark.parametrize(("asked", "shown"), [(9, 3), (0, 3), ("abc", 1)])
def test_a_searched_list_out_of_range_answers_as_django_does(twelve, asked, shown):
    page, count, _queries = _searched_page(5, asked)
    assert (page.number, count) == (shown, 12)


def test_a_searched_distinct_list_counts_its_rows_once(twelve, world):
    # Two joined rows per household (the village's two grids' names match), made one by DISTINCT: counted
    # apart, since a count over the window would count the joined rows.
    rows = _made().filter(village__grids__name__contains="网格").distinct().order_by("number")
    page, count, queries = _searched_page(5, 1, rows)
    assert (count, len(page.object_list), queries) == (12, 5, 3)


def test_the_list_pages_count_with_the_ids_only_when_searched(client, world, staff):
    _households(world, 60)
    client.force_login(staff)
    for query, counted_apart in (("", True), ("?q=一村", False)):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/households/" + query).status_code == 200
        counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
        assert any('"residents_household"' in sql for sql in counts) is counted_apart, query


@pytest.mark.parametrize(
    "url",
    [
        lambda w: "/key-persons/",
        lambda w: f"/villages/{w.village.pk}/party/members/",
        lambda w: f"/villages/{w.village.pk}/civility/points/",
        lambda w: "/cases/",
    ],
)
def test_lists_in_an_order_no_index_gives_count_with_their_ids(client, world, staff, monkeypatch, url):
    """The key persons (by the resident's name), the Party members (by branch and name), the points ledger (by
    balance) and the cases (by deadline): their ids statement reads every row of the list whatever the page,
    so the count is taken in it (``paginate(..., reads_all=True)``), searched or not."""
    from django.urls import resolve

    asked = []
    made = IdFirstPaginator.__init__

    def spy(self, *args, count_with_ids=False, **kwargs):
        asked.append(count_with_ids)
        made(self, *args, count_with_ids=count_with_ids, **kwargs)

    monkeypatch.setattr(IdFirstPaginator, "__init__", spy)
    client.force_login(staff)
    path = url(world)
    assert resolve(path)  # the list's own address
    assert client.get(path).status_code == 200
    assert asked == [True]
