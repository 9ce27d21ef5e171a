"""Town tasks on the pages (docs/towntasks.md): the town hands a checklist task down to all its villages;
the village signs and starts; each worker's phone shows only their own grids' households; the progress per
village is what was ticked; a tick is not a visit (coverage unchanged); the visit page offers the household's
open item; the lists stay a fixed number of queries whatever the rows; bad input is a 400 with nothing saved."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from grids.models import Village
from residents.models import Household
from tests.towntasks.conftest import issue, target_of
from towntasks import selectors, services
from towntasks.models import ItemState, ReportKind, Stage, Task, TaskItem, TaskVillage
from visits import due, live

pytestmark = pytest.mark.django_db


def _more_households(world, n: int, grid=None) -> None:
    grid = grid or world.grid1
    micro = world.micro1 if grid == world.grid1 else world.micro2
    Household.objects.bulk_create(
        [
            Household(
                village=world.village,
                grid=grid,
                micro_grid=micro,
                villager_group=world.group1,
                number=f"T{grid.pk}-{i:04d}",
                address=f"禁烧路{i}号",
            )
            for i in range(n)
        ]
    )


def _started(world, staff, town, *, villages=None):
    task = issue(world, town, villages=villages)
    target = services.target_sign(target=target_of(task, world.village), by=staff)
    return task, services.target_start(target=target, by=staff)


def test_the_town_hands_a_checklist_down_to_all_its_villages(client, world, town):
    Village.objects.create(town=world.town, name="三村")
    client.force_login(town)
    deadline = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = client.post(
        reverse("towntasks:task-new"),
        {
            "title": "秸秆禁烧巡查",
            "instructions": "逐户宣传，查看房前屋后。",
            "deadline": deadline,
            "report_kind": ReportKind.CHECKLIST,
            "all_villages": "on",
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("towntasks:task-detail", args=[task.pk])
    assert TaskVillage.objects.filter(task=task, state=Stage.ISSUED).count() == 3
    page = client.get(reverse("towntasks:task-detail", args=[task.pk]))
    assert page.status_code == 200 and page.content.decode().count('data-state="issued"') == 3


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": "", "deadline": "2099-01-01", "report_kind": "text", "all_villages": "on"}, "title"),
        ({"title": "x", "deadline": "2000-01-01", "report_kind": "text", "all_villages": "on"}, "deadline"),
        ({"title": "x", "deadline": "bad", "report_kind": "text", "all_villages": "on"}, "deadline"),
        ({"title": "x", "deadline": "2099-01-01", "report_kind": "nope", "all_villages": "on"}, "report_kind"),
        ({"title": "x", "deadline": "2099-01-01", "report_kind": "text"}, "villages"),
        ({"title": "x", "deadline": "2099-01-01", "report_kind": "text", "villages": ["999999999"]}, "villages"),
    ],
)
def test_bad_input_on_the_new_task_is_a_400_with_nothing_saved(client, world, town, data, field):
    client.force_login(town)
    response = client.post(reverse("towntasks:task-new"), {"instructions": "要求", **data})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Task.objects.exists()


def test_a_village_of_another_town_cannot_be_posted(client, world, town):
    from grids.models import Town

    elsewhere = Village.objects.create(town=Town.objects.create(name="别镇"), name="外村")
    client.force_login(town)
    response = client.post(
        reverse("towntasks:task-new"),
        {
            "title": "x",
            "instructions": "y",
            "deadline": "2099-01-01",
            "report_kind": "text",
            "villages": [elsewhere.pk],
        },
    )
    assert response.status_code == 400 and not Task.objects.exists()


def test_each_worker_sees_only_their_own_grids_households(client, world, staff, town, worker, colleague):
    _more_households(world, 3, world.grid1)
    _more_households(world, 2, world.grid2)
    _task, target = _started(world, staff, town)
    mine = {t.target_id: t for t in selectors.open_items_for(worker)}
    theirs = {t.target_id: t for t in selectors.open_items_for(colleague)}
    assert (mine[target.pk].open, mine[target.pk].total) == (4, 4)  # household 1 and three more in grid 1
    assert (theirs[target.pk].open, theirs[target.pk].total) == (3, 3)
    client.force_login(worker)
    page = client.get(reverse("towntasks:field-checklist", args=[target.pk]), {"show": "all"})
    shown = {i.household.grid_id for i in page.context["page"].object_list}
    assert shown == {world.grid1.pk}
    # The work list shows the task beside the month's visits.
    work = client.get(reverse("visits:work-list")).content.decode()
    assert "秸秆禁烧巡查" in work and reverse("towntasks:field-checklist", args=[target.pk]) in work
    # Another grid's item: the worker cannot tick it (404), and nothing is saved.
    other = TaskItem.objects.get(target=target, household=world.household2)
    response = client.post(reverse("towntasks:item-tick", args=[other.pk]), {"state": "done"})
    assert response.status_code == 404
    assert TaskItem.objects.get(pk=other.pk).state == ItemState.OPEN


def test_ticks_make_the_progress_per_village_and_do_not_count_as_visits(client, world, staff, town, worker, outsider):
    _more_households(world, 4, world.grid1)
    task, target = _started(world, staff, town)
    services.target_sign(target=target_of(task, world.other_village), by=outsider)
    month = due.month_start(timezone.localdate())
    before = due.coverage_by_grid([world.grid1.pk], month)[world.grid1.pk]
    live_before = live.coverage_now([world.grid1.pk])[world.grid1.pk]
    client.force_login(worker)
    items = list(TaskItem.objects.filter(target=target, grid=world.grid1).order_by("pk")[:3])
    for n, item in enumerate(items):
        state = "na" if n == 2 else "done"
        response = client.post(
            reverse("towntasks:item-tick", args=[item.pk]), {"state": state, "note": "无人居住" if n == 2 else ""}
        )
        assert response.status_code == 302
    ticked = TaskItem.objects.get(pk=items[0].pk)
    assert (ticked.state, ticked.done_by, ticked.done_at is not None) == (ItemState.DONE, worker, True)
    after = due.coverage_by_grid([world.grid1.pk], month)[world.grid1.pk]
    assert (after.households_done, after.done) == (before.households_done, before.done)
    assert live.coverage_now([world.grid1.pk])[world.grid1.pk].done == live_before.done
    rows = {t.village_id: t for t in selectors.task_targets(Task.objects.get(pk=task.pk))}
    assert (rows[world.village.pk].progress.ticked, rows[world.village.pk].progress.total) == (3, 6)
    assert rows[world.village.pk].progress.not_applicable == 1
    assert (rows[world.other_village.pk].progress.ticked, rows[world.other_village.pk].progress.total) == (0, 1)
    client.force_login(town)
    page = client.get(reverse("towntasks:task-detail", args=[task.pk])).content.decode()
    assert 'data-items="3/6"' in page and 'data-items="0/1"' in page


def test_not_applicable_needs_a_reason(client, world, staff, town, worker):
    _task, target = _started(world, staff, town)
    item = TaskItem.objects.get(target=target, household=world.household1)
    client.force_login(worker)
    client.post(reverse("towntasks:item-tick", args=[item.pk]), {"state": "na"})
    assert TaskItem.objects.get(pk=item.pk).state == ItemState.OPEN


def test_no_tick_before_the_village_starts_or_after_it_reports(world, staff, town, worker):
    task = issue(world, town)
    target = services.target_sign(target=target_of(task, world.village), by=staff)
    item = TaskItem.objects.get(target=target, household=world.household1)
    assert selectors.open_items_for(worker) == []
    with pytest.raises(ValidationError):
        services.item_tick(item=item, by=worker, state=ItemState.DONE)
    assert TaskItem.objects.get(pk=item.pk).state == ItemState.OPEN


def test_the_visit_page_offers_the_households_open_item(client, world, staff, town, worker):
    _task, target = _started(world, staff, town)
    item = TaskItem.objects.get(target=target, household=world.household1)
    client.force_login(worker)
    url = reverse("visits:visit-new", args=["household", world.household1.pk])
    page = client.get(url).content.decode()
    assert reverse("towntasks:item-tick", args=[item.pk]) in page and "顺便排查" in page
    response = client.post(reverse("towntasks:item-tick", args=[item.pk]), {"state": "done", "next": url})
    assert response["Location"] == url
    assert reverse("towntasks:item-tick", args=[item.pk]) not in client.get(url).content.decode()


def test_the_village_reports_and_the_town_accepts(client, world, staff, town):
    task = issue(world, town, kind=ReportKind.FIGURES, villages=[world.village])
    target = services.target_start(
        target=services.target_sign(target=target_of(task, world.village), by=staff), by=staff
    )
    client.force_login(staff)
    bad = client.post(reverse("towntasks:target-report", args=[target.pk]), {"feedback": "完成", "figures": "无冒号"})
    assert bad.status_code == 400 and "figures" in bad.context["form"].errors
    assert TaskVillage.objects.get(pk=target.pk).state == Stage.IN_PROGRESS
    ok = client.post(
        reverse("towntasks:target-report", args=[target.pk]),
        {"feedback": "全村已排查", "figures": "排查户数：2", "version": target.version},
    )
    assert ok.status_code == 302
    client.force_login(town)
    page = client.get(reverse("towntasks:target-detail", args=[target.pk])).content.decode()
    assert "排查户数" in page and reverse("towntasks:target-accept", args=[target.pk]) in page
    assert client.post(reverse("towntasks:target-accept", args=[target.pk])).status_code == 302
    assert TaskVillage.objects.get(pk=target.pk).state == Stage.ACCEPTED


def _queries(client, url, django_assert_num_queries=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _tasks(world, town, n: int) -> None:
    for i in range(n):
        issue(world, town, title=f"任务{i}", kind=ReportKind.TEXT)


@pytest.mark.parametrize(
    "who, url",
    [
        ("town", lambda w: reverse("towntasks:task-list")),
        ("staff", lambda w: reverse("towntasks:village-list", args=[w.village.pk])),
    ],
)
def test_the_lists_are_the_same_queries_for_2_and_20_rows(client, world, personas, who, url):
    client.force_login(personas[who])
    _tasks(world, personas["town"], 2)
    small = _queries(client, url(world))
    _tasks(world, personas["town"], 18)
    assert _queries(client, url(world)) == small


def test_the_task_page_is_the_same_queries_for_2_and_20_households(client, world, staff, town):
    task, _target = _started(world, staff, town)
    client.force_login(town)
    url = reverse("towntasks:task-detail", args=[task.pk])
    small = _queries(client, url)
    _more_households(world, 18)
    task2, _t2 = _started(world, staff, town)
    assert _queries(client, reverse("towntasks:task-detail", args=[task2.pk])) == small


def test_the_phone_lists_are_the_same_queries_for_2_and_20_households(client, world, staff, town, worker):
    _task, target = _started(world, staff, town)
    client.force_login(worker)
    small = (
        _queries(client, reverse("towntasks:field-list")),
        _queries(client, reverse("towntasks:field-checklist", args=[target.pk])),
    )
    _more_households(world, 19)
    _task2, target2 = _started(world, staff, town)
    big = (
        _queries(client, reverse("towntasks:field-list")),
        _queries(client, reverse("towntasks:field-checklist", args=[target2.pk])),
    )
    assert big == small


def test_the_town_list_query_budget(client, world, town, django_assert_num_queries):
    _tasks(world, town, 3)
    client.force_login(town)
    # session, user, scope; the page's ids (id-first paging, core/pages.py; fewer than a page: no count) and its rows with
    # their villages' counts; the staff layout's unread inbox
    with django_assert_num_queries(6):
        client.get(reverse("towntasks:task-list"), {"q": "任务", "state": "open", "overdue": "no"})


def test_the_filters(client, world, town, staff):
    late = issue(world, town, title="已超期", kind=ReportKind.TEXT)
    Task.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    issue(world, town, title="未超期", kind=ReportKind.TEXT)
    client.force_login(town)
    page = client.get(reverse("towntasks:task-list"), {"overdue": "yes"})
    assert [t.title for t in page.context["page"].object_list] == ["已超期"]
    page = client.get(reverse("towntasks:task-list"), {"q": "未超"})
    assert [t.title for t in page.context["page"].object_list] == ["未超期"]
    client.force_login(staff)
    page = client.get(reverse("towntasks:village-list", args=[world.village.pk]), {"overdue": "yes"})
    assert [t.task.title for t in page.context["page"].object_list] == ["已超期"]
    bad = client.get(reverse("towntasks:task-list"), {"state": "zzz"})
    assert bad.status_code in (200, 403)


def test_a_tick_with_a_photo_and_a_file_that_is_no_photo(client, world, staff, town, worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import png_bytes

    _task, target = _started(world, staff, town)
    item = TaskItem.objects.get(target=target, household=world.household1)
    client.force_login(worker)
    url = reverse("towntasks:item-tick", args=[item.pk])
    client.post(url, {"state": "done", "photo": SimpleUploadedFile("x.png", b"not an image")})
    assert TaskItem.objects.get(pk=item.pk).state == ItemState.OPEN
    client.post(url, {"state": "done", "photo": SimpleUploadedFile("p.png", png_bytes((80, 60), exif_gps=True))})
    ticked = TaskItem.objects.get(pk=item.pk)
    assert ticked.state == ItemState.DONE and ticked.photo
    photo = client.get(reverse("towntasks:item-photo", args=[item.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
