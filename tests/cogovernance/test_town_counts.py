"""The town's side-by-side co-governance counts: who may open it, what it counts, the town home's link, and
queries that do not grow with villages."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cogovernance import selectors
from cogovernance.models import (
    AdoptedBy,
    DocumentKind,
    DocumentVersion,
    Project,
    ProjectKind,
    Stage,
    VillageDocument,
)
from grids.models import Village
from tests.cogovernance.conftest import propose, to_stage


def _project(village, by, *, kind=ProjectKind.LIGHTING, quantity=187, budget=200000, spent=0, started_on, done_on=None):
    return Project.objects.create(
        village=village,
        title="路灯",
        kind=kind,
        quantity=quantity,
        unit="盏",
        budget=budget,
        spent=spent,
        started_on=started_on,
        done_on=done_on,
        created_by=by,
    )


def _document(village, by, title, copies):
    doc = VillageDocument.objects.create(village=village, kind=DocumentKind.CONVENTION, title=title, created_by=by)
    DocumentVersion.objects.create(
        document=doc,
        number=1,
        text="第一条",
        adopted_on=datetime.date(2025, 3, 1),
        adopted_by=AdoptedBy.VILLAGERS_MEETING,
        copies=copies,
        recorded_by=by,
    )
    return doc


@pytest.mark.parametrize(("who", "expected"), [("town", 200), ("staff", 403), ("worker", 403), ("outsider", 403)])
def test_only_the_town_office_opens_it(client, world, town, staff, worker, outsider, who, expected):
    client.force_login({"town": town, "staff": staff, "worker": worker, "outsider": outsider}[who])
    assert client.get(reverse("cogovernance:town-counts")).status_code == expected


def test_the_admin_opens_it(admin_client, world):
    assert admin_client.get(reverse("cogovernance:town-counts")).status_code == 200


def test_counts_per_village(world, staff, outsider):
    today = timezone.localdate()
    year = today.year
    open_one = propose(world.village, staff, title="修路")
    public = to_stage(propose(world.village, staff, title="公示中"), Stage.PUBLISHED, staff, publish_on=today)
    closed = to_stage(
        propose(world.village, staff), Stage.CLOSED, staff, publish_on=today - datetime.timedelta(days=70)
    )
    _project(world.village, staff, started_on=today.replace(month=1, day=1), done_on=today, spent=200000)
    _project(
        world.village,
        staff,
        kind=ProjectKind.SQUARE,
        quantity=1,
        budget=50000,
        started_on=today.replace(month=1, day=1),
    )
    _project(world.village, staff, started_on=datetime.date(year - 1, 6, 1))  # last year's: not counted
    _document(world.village, staff, "村庄清洁公约", 1000)
    doc = _document(world.village, staff, "村社公路管护村规民约", 1000)
    DocumentVersion.objects.create(
        document=doc,
        number=2,
        text="修订",
        adopted_on=datetime.date(2026, 1, 5),
        adopted_by=AdoptedBy.REPRESENTATIVES,
        copies=200,
        recorded_by=staff,
    )
    counts = selectors.town_counts([world.village.pk, world.other_village.pk], year, today=today)
    one = counts[world.village.pk]
    assert (one.open, one.in_publicity) == (2, 1), (open_one, public)
    assert one.resolved == (1 if closed.resolved_on.year == year else 0)
    assert one.closed == (1 if closed.closed_on.year == year else 0)
    assert (one.projects, one.projects_done, one.lights) == (2, 1, 187)
    assert one.budget == Decimal(250000) and one.spent == Decimal(200000)
    assert (one.documents, one.copies) == (2, 2200)
    assert counts[world.other_village.pk] == selectors.VillageCounts()


def test_publicity_is_the_seven_days_from_publication(world, staff):
    today = timezone.localdate()
    for days_ago, title in ((6, "第七天"), (7, "已过")):
        to_stage(
            propose(world.village, staff, title=title),
            Stage.PUBLISHED,
            staff,
            publish_on=today - datetime.timedelta(days=days_ago),
        )
    assert selectors.town_counts([world.village.pk], today=today)[world.village.pk].in_publicity == 1


def test_the_page_shows_counts_and_the_chart(client, world, town, staff):
    today = timezone.localdate()
    _project(world.village, staff, started_on=today.replace(month=1, day=1), spent=1000)
    _document(world.village, staff, "村庄清洁公约", 1000)
    client.force_login(town)
    response = client.get(reverse("cogovernance:town-counts") + "?figure=lights")
    page = response.content.decode()
    row = page.split(f'data-village="{world.village.pk}"')[1].split("</tr>")[0]
    assert 'data-figure="lights">187<' in row and 'data-figure="copies">1000<' in row
    chart = json.loads(page.split('id="cogov-counts-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"] == ["一村", "二村"] and chart["values"] == [187, 0]
    assert client.get(reverse("cogovernance:town-counts") + "?figure=nonsense").context["figure"] == "open"


def test_the_town_home_links_to_it(client, world, town):
    client.force_login(town)
    assert reverse("cogovernance:town-counts") in client.get(reverse("reports:town-home")).content.decode()


def _grow(world, n, staff):
    today = timezone.localdate()
    for i in range(Village.objects.filter(town=world.town).count(), n):
        village = Village.objects.create(town=world.town, name=f"村{i:02d}")
        propose(village, staff, title=f"议题{i}")
        _project(village, staff, started_on=today.replace(month=1, day=1))
        _document(village, staff, f"公约{i}", 10)


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_villages(client, world, town, staff, django_assert_num_queries):
    client.force_login(town)
    url = reverse("cogovernance:town-counts")
    _grow(world, 2, staff)
    small = _queries(client, url)
    _grow(world, 10, staff)
    assert _queries(client, url) == small
    # session, user, scope, the villages, deliberations, projects, documents, unread inbox
    with django_assert_num_queries(8):
        client.get(url)


def test_town_counts_is_three_queries(world, django_assert_num_queries):
    with django_assert_num_queries(3):
        selectors.town_counts([world.village.pk, world.other_village.pk])
