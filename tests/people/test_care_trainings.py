"""Trainings (docs/scorecard.md): the village's list holds its own and its town's; the town office's page its
town's. Attendees are chosen among the creator's grid workers; search, year, paging, export, query counts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grids.models import Grid, Role, Town, Village
from people import services
from people.models import Training
from tests.conftest import assign, make_user

pytestmark = pytest.mark.django_db
D = datetime.date
MAY_DAY = D(2026, 5, 1)


def training(by, town, village=None, title="网格员业务培训", held_on=MAY_DAY, attendees=()):
    t = Training(town=town, village=village, title=title, held_on=held_on, organiser="镇综治办", hours=Decimal("2.5"))
    return services.training_save(by=by, training=t, attendees=attendees)


@pytest.fixture
def far_worker(db):
    """A grid worker of another town."""
    far_town = Town.objects.create(name="远镇")
    far_village = Village.objects.create(town=far_town, name="远村")
    grid = Grid.objects.create(village=far_village, number=1, name="远一")
    user = make_user("far", far_village, full_name="外镇网格员")
    assign(user, Role.GRID_WORKER, grid)
    return user


@pytest.mark.parametrize(
    "persona,status", [("staff", 200), ("town", 200), ("worker", 404), ("colleague", 404), ("outsider", 404)]
)
def test_village_trainings_per_persona(client, world, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("people:village-trainings", args=[world.village.pk])).status_code == status


def test_village_list_holds_its_own_and_its_towns(client, world, staff, town, outsider, worker):
    mine = training(staff, world.town, world.village, title="村培训", attendees=[worker])
    towns = training(town, world.town, title="镇培训", attendees=[worker])
    training(outsider, world.town, world.other_village, title="外村培训")
    client.force_login(staff)
    page = client.get(reverse("people:village-trainings", args=[world.village.pk]))
    assert {t.pk for t in page.context["page"].object_list} == {mine.pk, towns.pk}
    client.force_login(town)
    page = client.get(reverse("people:town-trainings"))
    assert {t.title for t in page.context["page"].object_list} == {"村培训", "镇培训", "外村培训"}


def test_town_creates_a_town_training_with_its_workers(client, world, town, worker, colleague):
    client.force_login(town)
    response = client.post(
        reverse("people:town-training-new"),
        {
            "title": "全镇网格员培训",
            "held_on": "2026-04-01",
            "organiser": "镇综治办",
            "hours": "3",
            "attendees": [worker.pk, colleague.pk],
        },
    )
    assert response.status_code == 302
    t = Training.objects.get()
    assert t.village is None and t.town == world.town
    assert set(t.attendees.all()) == {worker, colleague}


def test_a_worker_of_another_town_is_a_field_error(client, world, town, far_worker):
    client.force_login(town)
    response = client.post(
        reverse("people:town-training-new"),
        {"title": "x", "held_on": "2026-04-01", "organiser": "镇", "hours": "1", "attendees": [far_worker.pk]},
    )
    assert response.status_code == 400
    assert "attendees" in response.context["form"].errors
    assert not Training.objects.exists()


def test_service_refuses_a_stranger_too(world, town, far_worker):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        training(town, world.town, attendees=[far_worker])
    assert "attendees" in error.value.error_dict
    assert not Training.objects.exists()


def test_village_staff_pick_only_their_workers(client, world, staff, worker, outsider):
    other_worker = make_user("ow", world.other_village, full_name="外村网格员")
    assign(other_worker, Role.GRID_WORKER, world.other_grid)
    client.force_login(staff)
    url = reverse("people:village-training-new", args=[world.village.pk])
    bad = client.post(
        url, {"title": "x", "held_on": "2026-04-01", "organiser": "村", "hours": "1", "attendees": [other_worker.pk]}
    )
    assert bad.status_code == 400
    good = client.post(
        url, {"title": "x", "held_on": "2026-04-01", "organiser": "村", "hours": "1", "attendees": [worker.pk]}
    )
    assert good.status_code == 302
    assert Training.objects.get().village == world.village


@pytest.mark.parametrize(
    "data,field",
    [
        ({"title": "", "held_on": "2026-04-01", "organiser": "村", "hours": "1"}, "title"),
        ({"title": "x", "held_on": "2999-04-01", "organiser": "村", "hours": "1"}, "held_on"),
        ({"title": "x", "held_on": "2026-04-01", "organiser": "村", "hours": "-1"}, "hours"),
        ({"title": "x", "held_on": "2026-04-01", "organiser": "村", "hours": "1", "attendees": ["abc"]}, "attendees"),
    ],
)
def test_bad_training(client, world, staff, data, field):
    client.force_login(staff)
    response = client.post(reverse("people:village-training-new", args=[world.village.pk]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_change_pages_403_for_readers(client, world, staff, town):
    client.force_login(town)
    assert client.get(reverse("people:village-training-new", args=[world.village.pk])).status_code == 403
    client.force_login(staff)
    assert client.get(reverse("people:town-training-new")).status_code == 403
    assert client.get(reverse("people:town-trainings")).status_code == 403


def test_search_and_year(client, world, staff, worker):
    training(staff, world.town, world.village, title="消防安全", held_on=D(2025, 6, 1), attendees=[worker])
    training(staff, world.town, world.village, title="矛盾调解", held_on=D(2026, 6, 1))
    client.force_login(staff)
    url = reverse("people:village-trainings", args=[world.village.pk])
    assert [t.title for t in client.get(url, {"year": "2025"}).context["page"].object_list] == ["消防安全"]
    assert [t.title for t in client.get(url, {"q": "网格员甲"}).context["page"].object_list] == ["消防安全"]
    assert client.get(url, {"year": "abc"}).status_code == 200


def test_export_reads_back(client, world, staff, worker, colleague):
    training(staff, world.town, world.village, title="消防安全", attendees=[worker, colleague])
    client.force_login(staff)
    response = client.get(reverse("people:village-trainings-export", args=[world.village.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == "消防安全"
    assert rows[1][5] == 2
    assert rows[1][6] == "网格员乙、网格员甲" or rows[1][6] == "网格员甲、网格员乙"


@pytest.mark.parametrize("n", [2, 20])
def test_list_query_count_is_constant(client, world, staff, worker, django_assert_num_queries, n):
    for i in range(n):
        training(staff, world.town, world.village, title=f"培训{i}", attendees=[worker])
    client.force_login(staff)
    url = reverse("people:village-trainings", args=[world.village.pk])
    client.get(url)
    # session, user, scope, the village; count, page ids, page rows with their attendee counts; the inbox
    # count.
    with django_assert_num_queries(QUERIES_TRAININGS):
        assert client.get(url).status_code == 200


QUERIES_TRAININGS = 7


def test_town_export_reads_back(client, world, town, staff, worker):
    training(town, world.town, title="全镇培训", attendees=[worker])
    training(staff, world.town, world.village, title="村培训")
    client.force_login(town)
    response = client.get(reverse("people:town-trainings-export"), {"held_by": "town"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [(r[1], r[3], r[5]) for r in rows[1:]] == [("全镇培训", "镇", 1)]


@pytest.mark.parametrize("n", [2, 20])
def test_town_list_query_count_is_constant(client, world, town, worker, django_assert_num_queries, n):
    for i in range(n):
        training(town, world.town, title=f"培训{i}", attendees=[worker])
    client.force_login(town)
    url = reverse("people:town-trainings")
    client.get(url)
    # session, user, scope, the town; count, page ids, page rows with their attendee counts; the inbox count.
    with django_assert_num_queries(QUERIES_TOWN_TRAININGS):
        assert client.get(url).status_code == 200


QUERIES_TOWN_TRAININGS = 7
