"""seed_demo's registry matches the source documents' figures (docs/sources.md), flags the grids outside the sizing rule, and is
idempotent."""

import pytest
from django.urls import reverse

from residents.models import Household, KeyCategory, KeyPerson, KeyPlace, Registration, Resident
from tooling import demo


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True  # as `make run` serves it: the demo accounts keep the shared demo password
    demo.seed()


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
