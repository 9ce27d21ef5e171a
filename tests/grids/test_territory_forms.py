"""Village staff keep grids, micro-grids and assignments; bad input gets a Chinese message and saves nothing."""

import datetime

from django.urls import reverse
from django.utils import timezone

from grids.models import Assignment, Grid, MicroGrid, Role


def test_staff_creates_a_grid(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("grids:grid-create", args=[world.village.pk]), {"number": 3, "name": "第三网格"})
    assert response.status_code == 302
    assert Grid.objects.filter(village=world.village, name="第三网格").exists()


def test_duplicate_grid_name_in_a_village_is_refused(client, world, staff):
    client.force_login(staff)
    response = client.post(
        reverse("grids:grid-create", args=[world.village.pk]), {"number": 9, "name": "第一网格", "note": "重复"}
    )
    assert response.status_code == 200
    assert "本村已有名为“第一网格”的网格。" in response.content.decode()
    assert Grid.objects.filter(village=world.village, name="第一网格").count() == 1
    assert response.context["form"]["note"].value() == "重复"  # the form keeps what was typed


def test_same_grid_name_in_another_village_is_fine(client, world, outsider):
    client.force_login(outsider)
    client.post(reverse("grids:grid-create", args=[world.other_village.pk]), {"number": 2, "name": "第二网格"})
    assert Grid.objects.filter(village=world.other_village, name="第二网格").exists()


def test_archived_grid_name_can_be_reused(client, world, staff):
    client.force_login(staff)
    MicroGrid.objects.filter(grid=world.grid2).update(archived_at="2026-01-01T00:00Z")
    assert client.post(reverse("grids:grid-archive", args=[world.grid2.pk])).status_code == 302
    client.post(reverse("grids:grid-create", args=[world.village.pk]), {"number": 2, "name": "第二网格"})
    assert Grid.objects.filter(village=world.village, name="第二网格").count() == 2


def test_micro_grid_in_a_grid_of_another_village_is_refused(client, world, staff):
    client.force_login(staff)
    response = client.post(
        reverse("grids:microgrid-create", args=[world.village.pk]),
        {"grid": world.other_grid.pk, "number": 5, "name": "越界微网格"},
    )
    assert response.status_code == 200
    assert "请选择本村的网格；所选项不存在或不属于本村。" in response.content.decode()
    assert not MicroGrid.objects.filter(name="越界微网格").exists()


def test_moving_a_micro_grid_to_another_village_is_refused(client, world, staff):
    client.force_login(staff)
    response = client.post(
        reverse("grids:microgrid-update", args=[world.micro1.pk]),
        {"grid": world.other_grid.pk, "number": 1, "name": "1a"},
    )
    assert response.status_code == 200
    world.micro1.refresh_from_db()
    assert world.micro1.grid == world.grid1


def test_assignment_ending_before_it_starts_is_refused(client, world, staff, worker):
    client.force_login(staff)
    before = Assignment.objects.count()
    response = client.post(
        reverse("grids:assignment-create", args=[world.village.pk]),
        {
            "user": worker.pk,
            "role": Role.GRID_WORKER,
            "grid": world.grid2.pk,
            "start": "2026-05-10",
            "end": "2026-05-01",
        },
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in response.content.decode()
    assert Assignment.objects.count() == before


def test_assignment_of_a_person_of_another_village_is_refused(client, world, staff, outsider):
    client.force_login(staff)
    response = client.post(
        reverse("grids:assignment-create", args=[world.village.pk]),
        {"user": outsider.pk, "role": Role.GRID_WORKER, "grid": world.grid1.pk, "start": "2026-05-10"},
    )
    assert response.status_code == 200
    assert "请选择本村的人员" in response.content.decode()
    assert not outsider.assignments.filter(role=Role.GRID_WORKER).exists()


def test_grid_worker_role_needs_a_grid(client, world, staff, worker):
    client.force_login(staff)
    response = client.post(
        reverse("grids:assignment-create", args=[world.village.pk]),
        {"user": worker.pk, "role": Role.GRID_WORKER, "start": "2026-05-10"},
    )
    assert "请为该岗位选择网格。" in response.content.decode()


def test_reassigning_a_grid_keeps_who_covered_it_when(client, world, staff, worker, colleague):
    client.force_login(staff)
    response = client.post(
        reverse("grids:assignment-create", args=[world.village.pk]),
        {"user": colleague.pk, "role": Role.GRID_WORKER, "grid": world.grid1.pk, "start": "2026-06-01"},
    )
    assert response.status_code == 302
    history = list(
        Assignment.objects.filter(grid=world.grid1).order_by("start").values_list("user__username", "start", "end")
    )
    assert history == [
        ("worker", datetime.date(2025, 1, 1), datetime.date(2026, 5, 31)),
        ("colleague", datetime.date(2026, 6, 1), None),
    ]
    page = client.get(reverse("grids:grid-detail", args=[world.grid1.pk])).content.decode()
    assert "2026-05-31" in page and "网格员甲" in page and "网格员乙" in page


def test_ending_an_assignment(client, world, staff, worker):
    client.force_login(staff)
    assignment = worker.assignments.get()
    response = client.post(reverse("grids:assignment-end", args=[assignment.pk]), {"end": "2024-01-01"})
    assert "最后在岗日期不能早于今天" in response.content.decode()  # more: test_assignment_end.py
    last_day = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(reverse("grids:assignment-end", args=[assignment.pk]), {"end": last_day.isoformat()})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.end == last_day


def test_archiving_a_grid_with_micro_grids_is_refused(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("grids:grid-archive", args=[world.grid1.pk]), follow=True)
    assert "该网格下还有未归档的微网格" in response.content.decode()
    world.grid1.refresh_from_db()
    assert not world.grid1.is_archived


def test_a_micro_grid_with_households_is_not_archived(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("grids:microgrid-archive", args=[world.micro1.pk]), follow=True)
    assert "该微网格内还有在用的户" in response.content.decode()
    world.micro1.refresh_from_db()
    assert not world.micro1.is_archived


def test_archiving_keeps_history(client, world, staff, liaison):
    from residents import services as registry

    spare = MicroGrid.objects.create(grid=world.grid1, number=2, name="1b")
    registry.household_move(by=staff, household=world.household1, to=spare)
    world.key_place1.micro_grid = spare
    world.key_place1.save()
    client.force_login(staff)
    assert client.post(reverse("grids:microgrid-archive", args=[world.micro1.pk])).status_code == 302
    world.micro1.refresh_from_db()
    assert world.micro1.is_archived
    assignment = liaison.assignments.get()
    assert assignment.end is not None  # ended, not deleted
    assert MicroGrid.objects.filter(pk=world.micro1.pk).exists()


def test_town_office_reads_but_cannot_change(client, world, town):
    client.force_login(town)
    response = client.post(reverse("grids:grid-create", args=[world.village.pk]), {"number": 3, "name": "第三网格"})
    assert response.status_code == 403
    assert not Grid.objects.filter(name="第三网格").exists()


def test_outsider_posting_to_another_village_gets_404(client, world, outsider):
    client.force_login(outsider)
    response = client.post(reverse("grids:grid-update", args=[world.grid1.pk]), {"number": 1, "name": "改名"})
    assert response.status_code == 404
    world.grid1.refresh_from_db()
    assert world.grid1.name == "第一网格"
