"""An ID number registered in another village is refused without telling this village's staff that it is
registered there, nor where, nor whose (PIPL, docs/sources.md [L1]): they may not see the other village's
registry. A number already in their own village is named, with the resident: they can see it anyway."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from residents.models import Resident
from tests.conftest import ID1, ID3
from tests.residents.test_import_export import _rows, _upload, _workbook
from tests.residents.test_registry_rules import _resident_post

ELSEWHERE = "该身份证号码无法在本村登记，请联系镇综治办。"


def _tells_nothing(text: str, world) -> None:
    assert ELSEWHERE in text
    for leak in ("其他村", "已登记", "已在", world.other_village.name, world.other_resident.name):
        assert leak not in text, leak


@pytest.fixture
def api(staff):
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=staff)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_page_does_not_tell_the_number_is_registered_in_another_village(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("residents:resident-create", args=[world.village.pk]), _resident_post(id_number=ID3))
    assert response.status_code == 200
    _tells_nothing(response.content.decode(), world)
    assert not Resident.objects.filter(name="新居民").exists()


def test_changing_a_number_on_the_page_to_one_of_another_village_tells_nothing(client, world, staff):
    client.force_login(staff)
    resident = world.resident2
    data = _resident_post(name=resident.name, id_number=ID3, household="0002", relation="02")
    response = client.post(reverse("residents:resident-update", args=[resident.pk]), data)
    assert response.status_code == 200
    _tells_nothing(response.content.decode(), world)
    resident.refresh_from_db()
    assert resident.id_number != ID3


def test_the_api_does_not_tell_the_number_is_registered_in_another_village(api, world):
    response = api.post(
        reverse("api:resident-list"),
        {"household": world.household1.pk, "name": "新居民", "id_number": ID3, "relation": "20"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["fields"]["id_number"] == [ELSEWHERE]
    _tells_nothing(response.content.decode(), world)
    response = api.patch(reverse("api:resident-detail", args=[world.resident2.pk]), {"id_number": ID3}, format="json")
    assert response.status_code == 400 and response.json()["fields"]["id_number"] == [ELSEWHERE]
    assert not Resident.objects.filter(name="新居民").exists()
    assert Resident.objects.with_id_number(ID3).get() == world.other_resident


def test_the_api_still_names_a_duplicate_in_the_same_village(api, world):
    response = api.post(
        reverse("api:resident-list"),
        {"household": world.household1.pk, "name": "新居民", "id_number": ID1, "relation": "20"},
        format="json",
    )
    assert response.status_code == 400
    assert "已登记为本村居民“张三”" in response.json()["fields"]["id_number"][0]


def test_an_import_does_not_tell_the_number_is_registered_in_another_village(
    client, staff, world, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    rows = _rows(2)
    rows[1]["id_number"] = ID3
    job = _upload(client, world.village, _workbook(rows), capture=django_capture_on_commit_callbacks)
    assert job.summary["errors"] == [{"row": 3, "column": "身份证号码", "reason": ELSEWHERE}]
    page = client.get(reverse("residents:import-detail", args=[job.pk])).content.decode()
    _tells_nothing(page, world)
