"""Registry pages: the query count does not grow with the rows (3 rows vs 30 rows)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from residents.codes import Relation
from residents.models import KeyCategory, KeyPerson, KeyPlace, PlaceType
from tests.conftest import SINCE, make_household, make_resident

_counter = iter(range(10_000, 99_999))


def _id_number() -> str:
    from residents.idnumber import check_character

    first17 = f"320723199001{next(_counter) % 28 + 1:02d}{next(_counter) % 1000:03d}"
    return first17 + check_character(first17)


def _grow(world, households: int) -> None:
    """Grow grid 1 to `households` households, each with a head, a key person and a key place."""
    existing = world.grid1.households.count()
    for n in range(existing, households):
        household = make_household(world.micro1, world.group1, f"9{n:04d}", f"新村{n}号")
        head = make_resident(household, f"户主{n}", _unique_id(), relation=Relation.HEAD)
        KeyPerson.objects.create(resident=head, category=KeyCategory.LEFT_BEHIND_ELDERLY, listed_from=SINCE)
        KeyPlace.objects.create(
            village=world.village, grid=world.grid1, type=PlaceType.RENTAL, name=f"出租房{n}", address="x"
        )


_used: set[str] = set()


def _unique_id() -> str:
    while True:
        number = _id_number()
        if number not in _used:
            _used.add(number)
            return number


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("staff", lambda w: reverse("residents:household-list")),
        ("staff", lambda w: reverse("residents:household-list") + "?q=户主"),
        ("staff", lambda w: reverse("residents:resident-list")),
        ("staff", lambda w: reverse("residents:keyperson-list")),
        ("staff", lambda w: reverse("residents:keyplace-list")),
        ("town", lambda w: reverse("residents:household-list")),
        ("worker", lambda w: reverse("residents:field-household-list")),
        ("worker", lambda w: reverse("residents:field-household-list") + "?q=户主"),
        ("staff", lambda w: reverse("residents:household-detail", args=[w.household1.pk])),
        ("staff", lambda w: reverse("reports:village-overview", args=[w.village.pk])),
    ],
)
def test_query_count_does_not_grow_with_rows(client, world, personas, persona, url):
    client.force_login(personas[persona])
    _grow(world, 3)
    small = _queries(client, url(world))
    _grow(world, 30)
    assert _queries(client, url(world)) == small


def test_household_list_query_budget(client, world, staff, django_assert_num_queries):
    _grow(world, 30)
    client.force_login(staff)
    # session, user, scope, villages in scope (one village: no village filter),
    # the village a new household goes to, the page's ids, then its households (head and member count
    # as subqueries), their tags, filter choices: the village's grids, micro-grids and villager groups in
    # one statement (grids/filters.py), tags; unread inbox
    with django_assert_num_queries(11):  # the session is read, not written (core/sessions.py)
        client.get(reverse("residents:household-list"))


def test_tags_listed_per_row_and_not_read_where_not_shown(client, world, staff, worker):
    """The staff's household list shows each row's tags (read once for the page, as a list per row); the
    phone's household list, which shows none, does not read them."""
    from residents.models import Tag

    low = Tag.objects.create(code="t-low", name="测试低保", order=1)
    poor = Tag.objects.create(code="t-poor", name="测试脱贫", order=2)
    world.household1.tags.add(low, poor)
    world.household2.tags.add(poor)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as staff_list:
        page = client.get(reverse("residents:household-list")).content.decode()
    first, second = (next(row for row in page.split("<tr") if f">{n}</a>" in row) for n in ("0001", "0002"))
    assert '<span class="tag">测试低保</span><span class="tag">测试脱贫</span>' in first
    assert '<span class="tag">测试脱贫</span>' in second and "测试低保" not in second
    assert sum("_tags" in q["sql"] for q in staff_list.captured_queries) == 1
    client.force_login(worker)
    with CaptureQueriesContext(connection) as field_list:
        assert client.get(reverse("residents:field-household-list")).status_code == 200
    assert not any("_tags" in q["sql"] for q in field_list.captured_queries)


def test_whether_a_household_may_be_changed_is_answered_from_the_scope(client, world, personas, admin_user):
    """The phone's household page offers its correction by ``access.may_change_at``, equal to
    ``Household.objects.changeable_by`` for every persona and household; neither household page asks the
    database for it (the staff page's actions go by the village's staff, ``can_manage``)."""
    from grids import access
    from residents.models import Household

    households = [world.household1, world.household2, world.other_household]
    for user in [*personas.values(), admin_user]:
        changeable = set(Household.objects.changeable_by(user).values_list("pk", flat=True))
        for household in households:
            answer = access.may_change_at(user, village_id=household.village_id, grid_id=household.grid_id)
            assert answer == (household.pk in changeable), (user.username, household.pk)
    for persona, name in (("worker", "residents:field-household-detail"), ("staff", "residents:household-detail")):
        client.force_login(personas[persona])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name, args=[world.household1.pk])).status_code == 200
        assert not any(q["sql"].startswith("SELECT 1 AS") for q in ctx.captured_queries), persona
    client.force_login(personas["worker"])
    page = client.get(reverse("residents:field-household-detail", args=[world.household1.pk])).content.decode()
    assert reverse("residents:field-household-edit", args=[world.household1.pk]) in page
