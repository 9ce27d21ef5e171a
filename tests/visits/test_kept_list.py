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
from visits import kept_list, live, services
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
