"""The village profile pages (docs/scorecard.md, "The village profile pages"): who sees and changes what, the
income's one row per year, the chart drawn from the rows, archive, and a constant number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from grids import services
from grids.models import FacilityKind, Role, ServiceFacility, VillageHonour, VillageIncome
from tests.conftest import assign, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(world):
    user = make_user("member", world.village, full_name="党员")
    assign(user, Role.PARTY_MEMBER, world.village)
    return user


def _income(world, staff, year, amount):
    return services.income_save(
        by=staff, income=VillageIncome(village=world.village, year=year, amount=Decimal(amount))
    )


@pytest.mark.parametrize(
    "persona,status", [("staff", 200), ("town", 200), ("worker", 404), ("colleague", 404), ("outsider", 404)]
)
def test_profile_page_per_persona(client, world, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("grids:village-profile", args=[world.village.pk])).status_code == status


def test_party_member_login_gets_404(client, world, member):
    client.force_login(member)
    assert client.get(reverse("grids:village-profile", args=[world.village.pk])).status_code == 404
    assert client.get(reverse("grids:income-new", args=[world.village.pk])).status_code == 404


def test_town_reads_but_may_not_change(client, world, staff, town):
    income = _income(world, staff, 2025, "12.5")
    client.force_login(town)
    page = client.get(reverse("grids:village-profile", args=[world.village.pk]))
    assert "12.50" in page.content.decode()
    assert reverse("grids:income-edit", args=[income.pk]) not in page.content.decode()
    assert client.get(reverse("grids:income-edit", args=[income.pk])).status_code == 403
    assert (
        client.post(reverse("grids:village-profile-edit", args=[world.village.pk]), {"location": "x"}).status_code
        == 403
    )


def test_staff_edits_location_area_industries(client, world, staff):
    client.force_login(staff)
    url = reverse("grids:village-profile-edit", args=[world.village.pk])
    response = client.post(url, {"location": "位于镇区西部", "area_km2": "3.25", "industries": "五金、水产养殖"})
    assert response.status_code == 302
    world.village.refresh_from_db()
    assert (world.village.location, world.village.area_km2, world.village.industries) == (
        "位于镇区西部",
        Decimal("3.25"),
        "五金、水产养殖",
    )
    assert AuditEntry.objects.filter(model="grids.village", object_id=str(world.village.pk)).exists()


def test_negative_area_is_a_field_error(client, world, staff):
    client.force_login(staff)
    url = reverse("grids:village-profile-edit", args=[world.village.pk])
    response = client.post(url, {"location": "", "area_km2": "-1", "industries": ""})
    assert response.status_code == 400
    assert "area_km2" in response.context["form"].errors


def test_second_income_for_a_year_is_a_field_error(client, world, staff):
    _income(world, staff, 2025, "10")
    client.force_login(staff)
    response = client.post(
        reverse("grids:income-new", args=[world.village.pk]), {"year": "2025", "amount": "11", "note": ""}
    )
    assert response.status_code == 400
    assert "2025 年的集体收入已登记" in " ".join(response.context["form"].errors["year"])
    assert VillageIncome.objects.filter(village=world.village).count() == 1


def test_income_edit_keeps_its_own_year(client, world, staff):
    income = _income(world, staff, 2025, "10")
    client.force_login(staff)
    response = client.post(reverse("grids:income-edit", args=[income.pk]), {"year": "2025", "amount": "13.4"})
    assert response.status_code == 302
    income.refresh_from_db()
    assert income.amount == Decimal("13.40")


@pytest.mark.parametrize("amount", ["-3", "abc", ""])
def test_bad_income_amount(client, world, staff, amount):
    client.force_login(staff)
    response = client.post(reverse("grids:income-new", args=[world.village.pk]), {"year": "2025", "amount": amount})
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    assert not VillageIncome.objects.exists()


def test_chart_bars_follow_the_amounts(client, world, staff):
    _income(world, staff, 2023, "10")
    _income(world, staff, 2024, "20")
    _income(world, staff, 2025, "40")
    client.force_login(staff)
    chart = client.get(reverse("grids:village-profile", args=[world.village.pk])).context["chart"]
    assert [b["year"] for b in chart["bars"]] == [2023, 2024, 2025]
    heights = [b["h"] for b in chart["bars"]]
    assert heights[2] == pytest.approx(2 * heights[1]) == pytest.approx(4 * heights[0])


def test_honour_add_edit_archive(client, world, staff):
    client.force_login(staff)
    response = client.post(
        reverse("grids:honour-new", args=[world.village.pk]),
        {"title": "省级文明村", "year": "2024", "awarded_by": "省文明委"},
    )
    assert response.status_code == 302
    honour = VillageHonour.objects.get()
    client.post(
        reverse("grids:honour-edit", args=[honour.pk]),
        {"title": "省级文明村镇", "year": "2024", "awarded_by": "省文明委"},
    )
    honour.refresh_from_db()
    assert honour.title == "省级文明村镇"
    client.post(reverse("grids:honour-archive", args=[honour.pk]))
    honour.refresh_from_db()
    assert honour.is_archived
    page = client.get(reverse("grids:village-profile", args=[world.village.pk]))
    assert page.context["honours"] == []
    assert client.get(reverse("grids:honour-edit", args=[honour.pk])).status_code == 403


def test_bad_honour_year(client, world, staff):
    client.force_login(staff)
    response = client.post(
        reverse("grids:honour-new", args=[world.village.pk]), {"title": "x", "year": "3500", "awarded_by": "y"}
    )
    assert response.status_code == 400
    assert "year" in response.context["form"].errors


def test_facilities_by_kind_add_and_archive(client, world, staff):
    client.force_login(staff)
    url = reverse("grids:facility-new", args=[world.village.pk])
    assert client.post(url, {"kind": FacilityKind.POLICE_ROOM, "name": "", "place": "村部一楼"}).status_code == 302
    assert client.post(url, {"kind": FacilityKind.LIBRARY, "name": "农家书屋", "area_m2": "60"}).status_code == 302
    assert client.post(url, {"kind": "nope"}).status_code == 400
    page = client.get(reverse("grids:village-profile", args=[world.village.pk]))
    labels = [label for label, _rows in page.context["facility_kinds"]]
    assert labels == ["警务室", "农家书屋"]
    room = ServiceFacility.objects.get(kind=FacilityKind.POLICE_ROOM)
    client.post(reverse("grids:facility-archive", args=[room.pk]))
    page = client.get(reverse("grids:village-profile", args=[world.village.pk]))
    assert [label for label, _rows in page.context["facility_kinds"]] == ["农家书屋"]


def test_other_village_rows_are_404(client, world, staff, outsider):
    income = _income(world, staff, 2025, "10")
    client.force_login(outsider)
    assert client.get(reverse("grids:income-edit", args=[income.pk])).status_code == 404


@pytest.mark.parametrize("n", [2, 20])
def test_profile_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    for i in range(n):
        _income(world, staff, 2000 + i, str(i + 1))
        services.honour_save(
            by=staff, honour=VillageHonour(village=world.village, title=f"荣誉{i}", year=2020, awarded_by="县")
        )
        services.facility_save(
            by=staff, facility=ServiceFacility(village=world.village, kind=FacilityKind.OTHER, name=f"阵地{i}")
        )
    client.force_login(staff)
    url = reverse("grids:village-profile", args=[world.village.pk])
    client.get(url)
    # session, user, scope, the village; incomes, honours, facilities; the inbox count.
    with django_assert_num_queries(QUERIES_PROFILE):
        assert client.get(url).status_code == 200


QUERIES_PROFILE = 8
