"""Who reports from the field and who is handed a case. Information officers (villager-group heads) help
the grid workers collect information: they report events from the phone in the grids where their group's
households live. The village staff assign a case from a menu that names each person's role and place,
the grid worker of the case's grid first."""

from __future__ import annotations

from django.urls import reverse

from disputes.models import Case, Source
from grids.models import Grid, Role
from tests.conftest import assign, make_user


def _officer(world):
    user = make_user("info1", world.village, full_name="信息员")
    assign(user, Role.INFO_OFFICER, world.group1)
    return user


def test_an_information_officer_reports_an_event_from_the_phone(client, world):
    officer = _officer(world)
    client.force_login(officer)
    home = client.get(reverse("visits:work-list"))
    assert reverse("disputes:field-case-new") in home.content.decode()
    page = client.get(reverse("disputes:field-case-new"))
    assert page.status_code == 200
    grids = set(page.context["form"].fields["grid"].queryset)
    assert grids == {h.grid for h in world.group1.households.all()} == {world.grid1, world.grid2}
    response = client.post(
        reverse("disputes:field-case-new"),
        {
            "kind": "dispute",
            "category": "dispute.neighbour",
            "description": "两户为宅基地边界争吵",
            "grid": world.grid1.pk,
            "people_involved": 2,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.reported_by, case.grid, case.source) == (officer, world.grid1, Source.INFO_OFFICER)
    assert client.get(reverse("disputes:field-cases")).status_code == 200


def test_an_information_officer_cannot_report_in_another_grid(client, world):
    officer = _officer(world)
    other = Grid.objects.create(village=world.village, number=9, name="第九网格")
    client.force_login(officer)
    data = {"kind": "dispute", "category": "dispute.neighbour", "description": "x", "grid": other.pk}
    response = client.post(reverse("disputes:field-case-new"), {**data, "people_involved": 2})
    assert response.status_code == 200 and not Case.objects.exists()


def test_a_grid_worker_still_reports_as_a_grid_worker(client, world, worker):
    client.force_login(worker)
    client.post(
        reverse("disputes:field-case-new"),
        {
            "kind": "dispute",
            "category": "dispute.neighbour",
            "description": "x",
            "grid": world.grid1.pk,
            "people_involved": 2,
        },
    )
    assert Case.objects.get().source == Source.GRID_WORKER


def test_the_assign_menu_names_roles_and_places_and_puts_the_grids_worker_first(
    client, world, staff, worker, colleague
):
    from disputes import assignees, services
    from tests.conftest import make_case

    case = make_case(world, staff)  # a dispute in grid 1
    services.case_accept(case=case, by=staff, version=case.version, tier=1)
    case.refresh_from_db()
    choices = assignees.assignee_choices(case)
    labels = [label for _pk, label in choices]
    assert choices[0][0] == worker.pk and "网格员 · 第一网格" in labels[0]
    assert any("网格员 · 第二网格" in label for label in labels[1:])  # the colleague, further down
    assert any("村两委/综治专干" in label for label in labels)
    client.force_login(staff)
    page = client.get(reverse("disputes:case-detail", args=[case.pk])).content.decode()
    assert page.index("网格员 · 第一网格") < page.index("网格员 · 第二网格")
