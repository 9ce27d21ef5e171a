"""Reaching every household (seed 000: the grid's WeChat group reaches "at least one person per
household"): the worker ticks it on the phone, the village overview and the monthly report show the
coverage per grid."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from reports import figures
from residents.codes import Relation
from residents.models import Household
from tests.conftest import make_resident


def _tick(client, household, value):
    return client.post(reverse("residents:field-household-wechat", args=[household.pk]), {"wechat": value})


def test_the_worker_ticks_who_of_the_household_is_in_the_group(client, world, worker):
    client.force_login(worker)
    page = client.get(reverse("residents:field-household-detail", args=[world.household1.pk])).content.decode()
    assert 'data-field="wechat">未入群' in page and "已入群：张三" in page

    response = _tick(client, world.household1, str(world.resident1.pk))
    assert response.status_code == 302
    world.household1.refresh_from_db()
    assert world.household1.in_wechat_group and world.household1.wechat_member == world.resident1
    page = client.get(reverse("residents:field-household-detail", args=[world.household1.pk])).content.decode()
    assert 'data-field="wechat">已入群（张三）' in page
    assert AuditEntry.objects.filter(model="residents.household", object_id=str(world.household1.pk)).exists()

    _tick(client, world.household1, "yes")  # someone, not said who
    world.household1.refresh_from_db()
    assert world.household1.in_wechat_group and world.household1.wechat_member is None
    _tick(client, world.household1, "no")
    world.household1.refresh_from_db()
    assert not world.household1.in_wechat_group and world.household1.wechat_member is None


def test_a_person_of_another_household_cannot_be_named_and_nothing_is_saved(client, world, worker):
    client.force_login(worker)
    response = _tick(client, world.household1, str(world.resident2.pk))  # 李四 lives in household 2
    assert response.status_code == 302
    world.household1.refresh_from_db()
    assert not world.household1.in_wechat_group and world.household1.wechat_member is None
    page = client.get(response.url).content.decode()
    assert "请从列表中选择入群情况" in page


def test_another_grids_household_is_not_found(client, world, worker):
    client.force_login(worker)  # grid 1's worker; household 2 lies in grid 2
    assert _tick(client, world.household2, "yes").status_code == 404
    world.household2.refresh_from_db()
    assert not world.household2.in_wechat_group


def test_the_staff_form_accepts_only_a_member_of_the_household(client, world, staff):
    client.force_login(staff)
    url = reverse("residents:household-update", args=[world.household1.pk])
    form = client.get(url).content.decode()
    assert 'name="wechat_member"' in form and "李四" not in form.split('name="wechat_member"')[1].split("</select>")[0]
    data = {
        "number": "0001",
        "villager_group": world.group1.pk,
        "address": "张庄1号",
        "living_status": world.household1.living_status,
        "wechat_member": world.resident2.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, saying what is wrong
    world.household1.refresh_from_db()
    assert world.household1.wechat_member is None
    data["wechat_member"] = world.resident1.pk
    assert client.post(url, data).status_code == 302
    world.household1.refresh_from_db()
    assert world.household1.in_wechat_group and world.household1.wechat_member == world.resident1


def test_coverage_per_grid_on_the_overview_and_in_the_monthly_report(client, world, staff, worker):
    extra = make_resident(world.household1, "张小三", "110101199003071233", relation=Relation.SON)
    Household.objects.filter(pk=world.household1.pk).update(in_wechat_group=True, wechat_member=extra)
    client.force_login(staff)
    page = client.get(reverse("reports:village-overview", args=[world.village.pk])).content.decode()
    grid1 = page.split(f'data-grid="{world.grid1.pk}"')[1].split("</tr>")[0]
    grid2 = page.split(f'data-grid="{world.grid2.pk}"')[1].split("</tr>")[0]
    assert '<td class="num" data-col="wechat">1 / 1<br><small class="muted">100%' in grid1
    assert '<td class="num" data-col="wechat">0 / 1<br><small class="muted">0%' in grid2
    assert 'data-total="wechat">1 / 2<br><small class="muted">50%' in page

    wechat = figures.compute(world.village, timezone.localdate())["registry"]["wechat"]
    assert wechat == {
        "households": 2,
        "reached": 1,
        "percent": 50,
        "grids": [
            {"grid": "第一网格", "households": 1, "reached": 1, "percent": 100},
            {"grid": "第二网格", "households": 1, "reached": 0, "percent": 0},
        ],
    }
