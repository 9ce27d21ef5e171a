"""The profile and care pages are linked where people look for them: the village overview and the staff
menu for the village, the town office's home for the town's pages (docs/scorecard.md)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_village_overview_and_menu_link_profile_and_care(client, world, staff):
    client.force_login(staff)
    page = client.get(reverse("reports:village-overview", args=[world.village.pk])).content.decode()
    assert reverse("grids:village-profile", args=[world.village.pk]) in page
    assert reverse("people:worker-care", args=[world.village.pk]) in page
    care = client.get(reverse("people:worker-care", args=[world.village.pk])).content.decode()
    for name in ("people:village-trainings", "people:village-practices", "grids:village-profile"):
        assert reverse(name, args=[world.village.pk]) in care


def test_town_home_links_the_town_pages(client, world, town):
    client.force_login(town)
    page = client.get(reverse("reports:town-home")).content.decode()
    assert reverse("people:town-trainings") in page
    assert reverse("people:town-practices") in page


def test_grid_worker_menu_has_no_care_link(client, world, worker):
    client.force_login(worker)
    page = client.get(reverse("residents:household-list")).content.decode()
    assert reverse("people:worker-care", args=[world.village.pk]) not in page
