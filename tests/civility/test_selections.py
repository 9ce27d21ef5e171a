"""Model selections' pages (docs/civility.md): registered through services.selection_save (the points to the
household with it), a household or a resident of the village only, the list's filters and export, the town
reads but may not register."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from civility import services
from civility.models import EntryKind, Honour, ModelSelection, PointsEntry

pytestmark = pytest.mark.django_db


def form(**extra) -> dict:
    return {
        "year": 2026,
        "honour": Honour.CIVILISED_HOUSEHOLD,
        "household_number": "0001",
        "resident_name": "",
        "selected_on": "2026-03-08",
        "points": 100,
        "reason": "邻里和睦，门前整洁",
        **extra,
    }


def new_url(world) -> str:
    return reverse("civility:selection-new", kwargs={"pk": world.village.pk})


def test_a_household_selection_awards_its_points(client, world, staff):
    client.force_login(staff)
    response = client.post(new_url(world), form())
    assert response.status_code == 302
    s = ModelSelection.objects.get()
    assert (s.village, s.household, s.resident, s.created_by) == (world.village, world.household1, None, staff)
    entry = PointsEntry.objects.get()
    assert (entry.account.household, entry.points, entry.kind, entry.selection) == (
        world.household1,
        100,
        EntryKind.SELECTION,
        s,
    )
    assert services.balance_of(world.household1) == 100


def test_a_persons_selection_awards_their_household(client, world, staff):
    client.force_login(staff)
    response = client.post(
        new_url(world), form(honour=Honour.GOOD_DAUGHTER_IN_LAW, household_number="0002", resident_name="李四")
    )
    assert response.status_code == 302
    s = ModelSelection.objects.get()
    assert (s.resident, s.household) == (world.resident2, None)
    assert services.balance_of(world.household2) == 100


@pytest.mark.parametrize(
    "bad, field_says",
    [
        ({"household_number": "9999"}, "没有户编号为“9999”"),
        ({"household_number": "0001", "resident_name": "李四"}, "没有名叫“李四”"),  # 李四 is of household 0002
        ({"year": 1800}, "年度"),
        ({"reason": ""}, 'name="reason"'),
    ],
)
def test_bad_input_keeps_the_form_and_saves_nothing(client, world, staff, bad, field_says):
    client.force_login(staff)
    response = client.post(new_url(world), form(**bad))
    assert response.status_code == 400
    page = response.content.decode()
    assert field_says in page and "field-error" in page
    assert 'value="2026-03-08"' in page  # the input kept
    assert not ModelSelection.objects.exists() and not PointsEntry.objects.exists()


def test_another_villages_household_is_not_found_by_its_number(client, world, staff):
    # Both villages have a household 0001: the form finds this village's one only.
    client.force_login(staff)
    client.post(new_url(world), form(household_number="0001", resident_name="王五"))  # 王五 is of village 2
    assert not ModelSelection.objects.exists()
    assert services.balance_of(world.other_household) == 0


def _select(world, staff, year, honour, household, reason="事迹"):
    return services.selection_save(
        by=staff,
        selection=ModelSelection(
            village=world.village,
            year=year,
            honour=honour,
            household=household,
            reason=reason,
            selected_on=datetime.date(year, 3, 1),
            points=10,
        ),
    )


def test_the_list_filters_by_year_honour_and_search_and_exports(client, world, staff, town):
    a = _select(world, staff, 2025, Honour.CIVILISED_HOUSEHOLD, world.household1, "门前三包做得好")
    b = _select(world, staff, 2026, Honour.MOST_BEAUTIFUL_FAMILY, world.household2, "孝老爱亲")
    client.force_login(town)  # the town office reads, exports, and may not register
    url = reverse("civility:selection-list", kwargs={"pk": world.village.pk})
    page = client.get(url).content.decode()
    assert f'data-selection="{a.pk}"' in page and f'data-selection="{b.pk}"' in page
    assert "登记评选" not in page
    page = client.get(url, {"year": 2026}).content.decode()
    assert f'data-selection="{a.pk}"' not in page and f'data-selection="{b.pk}"' in page
    page = client.get(url, {"honour": Honour.CIVILISED_HOUSEHOLD}).content.decode()
    assert f'data-selection="{a.pk}"' in page and f'data-selection="{b.pk}"' not in page
    page = client.get(url, {"q": "李四"}).content.decode()  # the head of household 0002
    assert f'data-selection="{a.pk}"' not in page and f'data-selection="{b.pk}"' in page
    assert client.get(url, {"year": "abc"}).status_code == 200  # a bad filter is the form's error, not a 500
    response = client.get(reverse("civility:selection-export", kwargs={"pk": world.village.pk}), {"year": 2025})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:3] == (2025, "文明户", "0001") and len(rows) == 2
    assert client.post(new_url(world), form()).status_code == 403
    assert ModelSelection.objects.count() == 2


@pytest.mark.parametrize("n", [2, 20])
def test_selection_list_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    for i in range(n):
        _select(world, staff, 2000 + i, Honour.GOOD_NEIGHBOUR, world.household1 if i % 2 else world.household2)
    client.force_login(staff)
    url = reverse("civility:selection-list", kwargs={"pk": world.village.pk})
    client.get(url)
    # session, user, scope, the village; count, page ids, page rows (household and person joined in); the
    # inbox count.
    with django_assert_num_queries(QUERIES_SELECTIONS):
        assert client.get(url).status_code == 200


QUERIES_SELECTIONS = 7
