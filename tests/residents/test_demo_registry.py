"""seed_demo's registry matches the source documents' figures (docs/sources.md), flags the grids outside the sizing rule, and is
idempotent."""

import pytest
from django.urls import reverse

from residents.models import Household, KeyCategory, KeyPerson, KeyPlace, Registration, Resident
from tests.demo_state import seed_demo
from tooling import demo


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True  # as `make run` serves it: the demo accounts keep the shared demo password
    seed_demo()  # seeded once per test process (tests/demo_state.py)


def _figures(village_name):
    registered = Resident.objects.active().filter(village__name=village_name, registration=Registration.REGISTERED)
    return (
        Household.objects.active().filter(village__name=village_name).count(),
        registered.count(),
        registered.filter(lives_here=True).count(),
    )


def test_seed_figures(seeded):
    assert _figures(demo.VILLAGE_A) == (1832, 5616, 4743)
    households, people, _living = _figures(demo.VILLAGE_B)
    assert (households, people) == (731, 2241)
    # every category, every risk level of mental-disorder patients
    assert set(KeyPerson.objects.values_list("category", flat=True)) == set(KeyCategory.values)
    assert set(KeyPerson.objects.filter(category=KeyCategory.MENTAL).values_list("risk_level", flat=True)) == {
        0, 1, 2, 3, 4, 5,
    }  # fmt: skip
    assert KeyPlace.objects.filter(type="rental", tenants__isnull=False).exists()
    assert Resident.objects.filter(registration=Registration.MIGRANT).count() == 36


def test_overview_totals_and_size_flags(seeded, client):
    from grids.models import User, Village

    client.force_login(User.objects.get(username="staff"))
    village = Village.objects.get(name=demo.VILLAGE_A)
    response = client.get(reverse("reports:village-overview", args=[village.pk]))
    assert response.context["totals"]["households"] == 1832
    assert response.context["totals"]["registered"] == 5616
    assert response.context["totals"]["living"] == 4743
    flagged = [g.name for g in response.context["grids"] if g.size_flag]
    assert flagged == ["第五网格", "第六网格"]  # 202 and 150 households: below 300


def test_registry_seed_is_idempotent(seeded):
    counts = (Household.objects.count(), Resident.objects.count(), KeyPerson.objects.count(), KeyPlace.objects.count())
    demo.seed()
    assert (
        Household.objects.count(),
        Resident.objects.count(),
        KeyPerson.objects.count(),
        KeyPlace.objects.count(),
    ) == counts


def _place(region: str) -> str:
    """Province and prefecture of a region code, as python-stdnum names them (安徽省阜阳市)."""
    from stdnum import numdb

    loc = numdb.get("cn/loc")
    province = dict(loc.info(region))[region[:2]]["province"]
    prefecture = dict(loc.info(region[:4] + "00"))[region[2:4] + "00"]["county"]
    return province + prefecture.split("]")[-1]


def test_id_numbers_are_real_and_match_where_people_come_from(seeded):
    """Villagers hold the demo county's code (灌云县, 320723); migrants a real code of the prefecture
    their household registration (户籍地) names."""
    from residents import idnumber

    migrants = 0
    for resident in Resident.objects.filter(village__name__in=[demo.VILLAGE_A, demo.VILLAGE_B]):
        number = idnumber.parse(resident.id_number).number
        if resident.registration == Registration.MIGRANT:
            migrants += 1
            assert _place(number[:6]) == resident.hukou_place, (number[:6], resident.hukou_place)
        else:
            assert number[:6] == "320723"
    assert migrants == 36
