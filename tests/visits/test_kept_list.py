"""The work list's content kept under the grids' marks (visits/kept_list.py): after every kind of write the
page shows what a fresh count shows; the kept page is read in six queries; the key separates what differs
(the address and its query, the language, the grid); without the cache the page is counted."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grids.models import MicroGrid, NaturalVillage, VillagerGroup
from residents import services as registry
from residents.codes import Relation
from residents.models import Household, KeyPerson, KeyPlace, Resident
from tests.conftest import make_household, make_resident
from tests.visits.test_live_coverage import _import_one_household
from visits import kept_list, live, services, views
from visits.models import Outcome, Visit

WORK_LIST = "/field/"
ID4 = "110101201001011237"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _main(client, url=WORK_LIST) -> str:
    """The page between the layout's header and footer (the footer's form carries a new CSRF token)."""
    page = client.get(url).content.decode()
    return CSRF.sub("", page[page.index("<main") : page.index("</main>")])


def _fresh(client, monkeypatch, url=WORK_LIST) -> str:
    with monkeypatch.context() as m:
        m.setattr(kept_list, "read", lambda key: None)
        m.setattr(kept_list, "keep", lambda key, parts, **kwargs: None)
        m.setattr(kept_list, "read_frame", lambda key: None)
        m.setattr(kept_list, "keep_frame", lambda key, frame, **kwargs: None)
        return _main(client, url)


def _rename(model, pk, **values):
    row = model.objects.get(pk=pk)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()


def test_the_kept_list_follows_every_kind_of_write(client, world, worker, staff, monkeypatch):
    client.force_login(worker)
    newcomer = make_household(world.micro1, world.group1, "0009", "张庄9号")
    writes = [
        ("a household visited", lambda: services.visit_record(worker=worker, target=world.household1)),
        ("a key place visited", lambda: services.visit_record(worker=worker, target=world.key_place1)),
        ("a key person visited", lambda: services.visit_record(worker=worker, target=world.key_person1)),
        (
            "an attempt",
            lambda: services.visit_record(
                worker=worker, target=newcomer, outcome=Outcome.NOT_POSSIBLE, reason="unreachable"
            ),
        ),
        ("a head of household named", lambda: make_resident(newcomer, "赵六", ID4, relation=Relation.HEAD)),
        ("a resident renamed", lambda: _rename(Resident, world.resident1.pk, name="张三丰")),
        ("an address corrected", lambda: _rename(Household, newcomer.pk, address="张庄10号")),
        ("a micro-grid renamed", lambda: _rename(MicroGrid, world.micro1.pk, name="东片")),
        ("a natural village renamed", lambda: _rename(NaturalVillage, world.group1.natural_village_id, name="新张庄")),
        ("a group's natural village", lambda: _rename(VillagerGroup, world.group1.pk, natural_village=None)),
        (
            "a key place added",
            lambda: KeyPlace.objects.create(
                village=world.village, grid=world.grid1, micro_grid=world.micro1, type="rental", name="新场所"
            ),
        ),
        (
            "a key person listed",
            lambda: KeyPerson.objects.create(
                resident=Resident.objects.get(name="赵六"), category="released", listed_from=timezone.localdate()
            ),
        ),
        (
            "a household moved in",
            lambda: registry.household_move(by=staff, household=world.household2, to=world.micro1),
        ),
        ("a visit deleted", lambda: Visit.objects.filter(household=world.household1).delete()),
        ("a household archived", lambda: registry.household_archive(by=staff, household=newcomer)),
        ("households imported in bulk", lambda: _import_one_household(world, staff)),
    ]
    before = _main(client)
    changed = 0
    for name, write in writes:
        assert _main(client) == before  # kept: read back as it was
        write()
        after = _main(client)
        assert after == _fresh(client, monkeypatch), name
        changed += after != before
        before = after
    assert changed >= len(writes) - 1, "almost every write changes the page"


def test_a_kept_list_is_six_queries(client, world, worker, django_assert_num_queries):
    client.force_login(worker)
    counted = _main(client)
    # session, user, scope; the grids' marks; the town's tasks; the unread inbox
    with django_assert_num_queries(6):
        assert _main(client) == counted


def test_the_key_tells_apart_the_address_the_language_and_the_grid(client, world, worker, colleague, monkeypatch):
    make_household(world.micro1, world.group1, "0103", "李庄3号")
    client.force_login(worker)
    micro = _main(client)
    assert _main(client, f"{WORK_LIST}?by=natural") == _fresh(client, monkeypatch, f"{WORK_LIST}?by=natural") != micro
    assert _main(client, f"{WORK_LIST}?q=李庄") == _fresh(client, monkeypatch, f"{WORK_LIST}?q=李庄") != micro
    client.post(reverse("set_language"), {"language": "en", "next": WORK_LIST})
    english = _main(client)
    assert english == _fresh(client, monkeypatch) != micro
    assert "Visited" in english or "visited" in english
    client.post(reverse("set_language"), {"language": "zh-hans", "next": WORK_LIST})
    client.force_login(colleague)  # grid 2: another mark, other households
    assert _main(client) == _fresh(client, monkeypatch)
    assert "张庄2号" in _main(client) and "张庄2号" not in micro


def test_a_write_without_a_signal_is_seen_after_forget(client, world, worker):
    """The generator and a restore write without signals; they drop the marks (live.forget), and the rows
    made again carry new stamps, so nothing kept under the old ones is read."""
    client.force_login(worker)
    assert "张庄1号" in _main(client)
    Household.objects.filter(pk=world.household1.pk).update(address=Concat(F("address"), Value("之一")))
    assert "张庄1号之一" not in _main(client)  # no signal: the mark did not move (why forget exists)
    live.forget()
    assert "张庄1号之一" in _main(client)


def test_without_the_cache_the_page_is_counted(client, world, worker, monkeypatch):
    client.force_login(worker)
    counted = _main(client)

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    services.visit_record(worker=worker, target=world.household1)
    page = _main(client)
    assert page != counted and "已走访" in page


@pytest.mark.parametrize("grid_count", [1, 2])
def test_each_grid_of_a_worker_has_its_mark(client, world, worker, grid_count):
    """A worker of two grids: a write in either moves the key."""
    from grids.models import Role
    from tests.conftest import assign

    if grid_count == 2:
        assign(worker, Role.GRID_WORKER, world.grid2)
    client.force_login(worker)
    before = _main(client)
    services.visit_record(worker=worker, target=world.household2 if grid_count == 2 else world.household1)
    assert _main(client) != before


def test_the_towns_tasks_are_read_for_each_request(client, world, worker, staff, town):
    """The tasks sit inside the kept content but are not kept: a task started, or its items ticked, shows at
    once, with no mark moved."""
    from tests.towntasks.test_pages import _started
    from towntasks.models import TaskItem

    client.force_login(worker)
    before = client.get(WORK_LIST).content.decode()
    assert "town-tasks" not in before
    _task, target = _started(world, staff, town)
    page = client.get(WORK_LIST).content.decode()
    assert 'id="town-tasks"' in page and "还有 1 户待排查" in page
    item = TaskItem.objects.get(target=target, household=world.household1)
    client.post(reverse("towntasks:item-tick", args=[item.pk]), {"state": "done"})
    assert "town-tasks" not in client.get(WORK_LIST).content.decode()


def test_the_nightly_warming_keeps_each_workers_list_for_the_morning(client, world, worker, colleague):
    """The first opening of the day reads the list counted at night: six queries, the same page."""
    from visits import tasks

    assert tasks.work_lists_warm() == 2  # the worker (grid 1) and the colleague (grid 2)
    client.force_login(worker)
    with CaptureQueriesContext(connection) as first:
        warmed = _main(client)
    assert len(first.captured_queries) == 6
    assert "张庄1号" in warmed
    services.visit_record(worker=worker, target=world.household1)
    assert _main(client) != warmed  # the mark moved: counted again


# --- After a new visit to a household: counted from the kept frame ------------------------------------


def _visits_and_marks(grid_id):
    from visits.models import LiveCoverage

    row = LiveCoverage.objects.get(grid_id=grid_id, month=timezone.localdate().replace(day=1))
    return row.changes, row.household_visits


def test_only_a_new_visit_to_a_household_counts_as_one(world, worker):
    """``household_visits`` counts the changes a new household visit made; every other write only ``changes``:
    a key person's or key place's visit, a visit edited or deleted, the household itself."""
    grid = world.grid1.pk
    live.marks([grid], timezone.localdate().replace(day=1))
    changes, household_visits = _visits_and_marks(grid)

    def counted() -> tuple[int, int]:
        now = _visits_and_marks(grid)
        return now[0] - changes, now[1] - household_visits

    visit, _ = services.visit_record(worker=worker, target=world.household1)
    assert counted() == (1, 1)
    services.visit_record(worker=worker, target=world.key_person1)
    services.visit_record(worker=worker, target=world.key_place1)
    assert counted() == (3, 1)
    visit.note = "补记"
    visit.save()
    visit.delete()
    _rename(Household, world.household1.pk, address="张庄1号甲")
    assert counted() == (6, 1)


def test_after_a_household_visit_the_list_is_counted_from_its_frame(
    client, world, worker, monkeypatch, django_assert_num_queries
):
    """Done, an attempt, an attempt after another, done after an attempt: each shown as a fresh count shows
    it, from the kept frame: the month's figures and the page's visits read again (8 queries, not 11)."""
    newcomer = make_household(world.micro1, world.group1, "0009", "张庄9号")
    client.force_login(worker)
    _main(client)
    today = timezone.localdate()
    earlier = today.replace(day=1)
    visits = [
        lambda: services.visit_record(worker=worker, target=world.household1),
        lambda: services.visit_record(
            worker=worker, target=newcomer, outcome=Outcome.NOT_POSSIBLE, reason="unreachable", visited_on=today
        ),
        lambda: services.visit_record(
            worker=worker, target=newcomer, outcome=Outcome.NOT_POSSIBLE, reason="refused", visited_on=earlier
        ),
        lambda: services.visit_record(worker=worker, target=newcomer),
    ]
    counted = []
    monkeypatch.setattr(views, "_work_list_frame", _counting(counted, views._work_list_frame))
    for n, visit in enumerate(visits):
        before = _main(client)
        visit()
        with django_assert_num_queries(8):
            after = _main(client)
        # The third, an attempt earlier in the month than the one shown, leaves the page as it was.
        assert (after != before) == (n != 2 or today.day == 1)
        assert after == _fresh(client, monkeypatch)
    assert counted == [True] * len(visits)  # only by the fresh counts above: the frames were read back
    page = _main(client)
    assert "未能走访" not in page.split("张庄9号")[1].split("</li>")[0]  # done after the attempts


def _counting(calls, count):
    def wrapped(*args, **kwargs):
        calls.append(True)
        return count(*args, **kwargs)

    return wrapped


def test_the_attempt_shown_is_the_months_latest(client, world, worker, monkeypatch):
    """Read again for the page, a household's attempts give the latest by day (then by recording), as the
    frame's count does."""
    client.force_login(worker)
    _main(client)
    today = timezone.localdate()
    services.visit_record(
        worker=worker, target=world.household1, outcome=Outcome.NOT_POSSIBLE, reason="refused", visited_on=today
    )
    services.visit_record(
        worker=worker,
        target=world.household1,
        outcome=Outcome.NOT_POSSIBLE,
        reason="unreachable",
        visited_on=today.replace(day=1),
    )
    page = _main(client)
    assert page == _fresh(client, monkeypatch)
    # On the 1st both are of one day: the one recorded later is the latest.
    latest, other = ("拒访", "失联") if today.day > 1 else ("失联", "拒访")
    row = page.split("张庄1号</strong>")[1].split("</li>")[0]
    assert latest in row and other not in row


def test_a_frame_that_cannot_be_read_is_counted_again(client, world, worker, monkeypatch):
    client.force_login(worker)
    _main(client)
    real_get = cache.get

    def get(key, *args, **kwargs):
        if key.startswith("worklist-frame:"):
            raise ValueError("unpickling failed")
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", get)
    services.visit_record(worker=worker, target=world.household1)
    page = _main(client)
    assert "已走访" in page
    assert page == _fresh(client, monkeypatch)


def test_the_frames_key_holds_the_code_that_counts_it(rf, world, worker, monkeypatch):
    """A deploy that changes the code counting the frame (or the classes it holds) reads none kept before."""
    request = rf.get(WORK_LIST)
    month, today = timezone.localdate().replace(day=1), timezone.localdate()
    content, frame = kept_list.keys(request, [world.grid1.pk], month, today)
    monkeypatch.setattr(kept_list, "_code_signature", lambda: "another")
    content_now, frame_now = kept_list.keys(request, [world.grid1.pk], month, today)
    assert content_now == content and frame_now != frame
