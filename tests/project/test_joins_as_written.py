"""core.db.joins_as_written: statements that start from rows named by key are planned with their joins in the
order written (``SET LOCAL join_collapse_limit = 1`` sent in the same query string), for that statement alone
(docs/performance.md, "Planning a statement")."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.db import AS_WRITTEN, joins_as_written
from residents.models import Household

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")


def _setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        return cursor.fetchone()[0]


def _statements(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in ctx.captured_queries]


def test_the_household_and_case_pages_and_a_lists_rows_are_planned_as_written(transactional_db, world, staff, client):
    from disputes.models import Case

    default = _setting()
    client.force_login(staff)
    case = Case.objects.create(
        village=world.village, grid=world.grid1, household=world.household1, title="邻里纠纷", reported_by=staff
    )
    for url, starts in (
        # The household, and its visits panel's visits with their workers, key persons and cases.
        (
            reverse("residents:household-detail", args=[world.household1.pk]),
            ['SELECT "residents_household"."id"', 'SELECT "visits_visit"."id"'],
        ),
        (reverse("disputes:case-detail", args=[case.pk]), ['SELECT "disputes_case"."id"']),
        # The page's rows by their ids (their tags' names after, one join: planned as usual).
        (reverse("residents:household-list"), ['SELECT "residents_household"."id"']),
    ):
        status, statements = _statements(client, url)
        assert status == 200, url
        planned = [sql.removeprefix(AS_WRITTEN) for sql in statements if sql.startswith(AS_WRITTEN)]
        assert len(planned) == len(starts) and all(map(str.startswith, planned, starts)), (url, planned)
        assert _setting() == default  # held for that statement alone
    page = client.get(reverse("residents:household-detail", args=[world.household1.pk])).content.decode()
    assert world.household1.address in page and world.grid1.name in page


def test_the_rows_are_the_same_and_inside_a_transaction_nothing_is_added(transactional_db, world, staff):
    query = Household.objects.select_related("village", "grid", "micro_grid", "villager_group", "natural_village")
    with CaptureQueriesContext(connection) as ctx, joins_as_written():
        planned = query.get(pk=world.household1.pk)
    assert ctx.captured_queries[0]["sql"].startswith(AS_WRITTEN)
    plain = query.get(pk=world.household1.pk)
    assert (planned.village, planned.grid, planned.micro_grid, planned.villager_group, planned.natural_village) == (
        plain.village,
        plain.grid,
        plain.micro_grid,
        plain.villager_group,
        plain.natural_village,
    )
    # In a transaction SET LOCAL would hold until it ends, for every later statement: the statement goes as it is.
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx, joins_as_written():
        query.get(pk=world.household1.pk)
        assert _setting() != "1"
    assert not any(q["sql"].startswith(AS_WRITTEN) for q in ctx.captured_queries)


def test_the_registrys_pages_and_the_visit_form_read_their_row_as_written(
    transactional_db, world, staff, worker, client
):
    """The resident, key person and key place pages, and the field's visit form for a household and a key
    person: each reads its row and what it joins by key, planned as written, first among those so sent."""
    default = _setting()
    for user, url, start in (
        (staff, reverse("residents:resident-detail", args=[world.resident1.pk]), 'SELECT "residents_resident"."id"'),
        (
            staff,
            reverse("residents:keyperson-detail", args=[world.key_person1.pk]),
            'SELECT "residents_keyperson"."id"',
        ),
        (staff, reverse("residents:keyplace-detail", args=[world.key_place1.pk]), 'SELECT "residents_keyplace"."id"'),
        (
            worker,
            reverse("visits:visit-new", args=["household", world.household1.pk]),
            'SELECT "residents_household"."id"',
        ),
        (
            worker,
            reverse("visits:visit-new", args=["key_person", world.key_person1.pk]),
            'SELECT "residents_keyperson"."id"',
        ),
    ):
        client.force_login(user)
        status, statements = _statements(client, url)
        assert status == 200, url
        planned = [sql.removeprefix(AS_WRITTEN) for sql in statements if sql.startswith(AS_WRITTEN)]
        assert planned and planned[0].startswith(start), (url, planned[:1])
        assert _setting() == default
