"""The town's side-by-side 德治/法治 counts: who may open it, what it counts (an activity that is also a Party
meeting once), the town home's link, and queries that do not grow with villages."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civility import selectors, services
from civility.models import (
    ActivityKind,
    EntryKind,
    Honour,
    LegalAdvisor,
    ModelSelection,
    SetDate,
    StockItem,
    Volunteer,
    VolunteerTeam,
)
from grids.models import Village
from tests.civility.test_activities import make_activity, theme_day

D = datetime.date


def _this_year(month=3, day=1) -> datetime.date:
    return timezone.localdate().replace(month=month, day=day)


@pytest.mark.parametrize(("who", "expected"), [("town", 200), ("staff", 403), ("worker", 403), ("outsider", 403)])
def test_only_the_town_office_opens_it(client, world, town, staff, worker, outsider, who, expected):
    client.force_login({"town": town, "staff": staff, "worker": worker, "outsider": outsider}[who])
    assert client.get(reverse("civility:town-counts")).status_code == expected


def test_the_admin_opens_it(admin_client, world):
    assert admin_client.get(reverse("civility:town-counts")).status_code == 200


def _village_of_records(world, staff):
    year = timezone.localdate().year
    t = VolunteerTeam.objects.create(village=world.village, name="学雷锋志愿服务队")
    t2 = VolunteerTeam.objects.create(village=world.village, name="环境整治队")
    Volunteer.objects.create(team=t, resident=world.resident1)
    Volunteer.objects.create(team=t2, resident=world.resident1)  # the same person in two teams: one volunteer
    Volunteer.objects.create(team=t2, resident=world.resident2, left_on=_this_year(2))  # left: not counted
    make_activity(world.village, staff, title="普法", held_on=_this_year(), participants=40, teams=[t, t2])
    make_activity(
        world.village,
        staff,
        title="主题党日学宪法",
        held_on=_this_year(),
        participants=30,
        party_meeting=theme_day(world.village, staff),
        set_date=SetDate.objects.get(name="宪法宣传日"),  # seeded by a migration
    )
    make_activity(world.village, staff, title="清洁日", kind=ActivityKind.CLEANUP, held_on=_this_year(), participants=5)
    make_activity(world.village, staff, title="去年的", held_on=D(year - 1, 6, 1))  # last year: not counted
    LegalAdvisor.objects.create(
        village=world.village, resident=world.resident1, trained_on=_this_year(1, 5), trained_by="县司法局"
    )
    services.selection_save(
        by=staff,
        selection=ModelSelection(
            village=world.village,
            year=year,
            honour=Honour.CIVILISED_HOUSEHOLD,
            household=world.household1,
            reason="孝老爱亲",
            selected_on=_this_year(),
            points=50,
            created_by=staff,
        ),
    )
    services.award(household=world.household1, points=20, kind=EntryKind.RULE, reason="门前三包", by=staff)
    soap = StockItem.objects.create(village=world.village, name="洗衣液", points=30, stock=5)
    services.redeem(household=world.household1, item=soap, by=staff)


def test_counts_per_village(world, staff):
    _village_of_records(world, staff)
    counts = selectors.town_counts([world.village.pk, world.other_village.pk])
    one = counts[world.village.pk]
    assert one.activities == 3 and one.participants == 75  # the Party meeting's activity is one activity
    assert one.by_kind[ActivityKind.LEGAL] == 2 and one.by_kind[ActivityKind.CLEANUP] == 1
    assert one.set_dates == 1
    assert (one.teams, one.volunteers, one.advisors, one.selections) == (2, 1, 1, 1)
    assert (one.points_awarded, one.points_redeemed) == (70, 30)
    assert counts[world.other_village.pk] == selectors.VillageCounts()


def test_the_page_shows_counts_and_the_chart(client, world, town, staff):
    _village_of_records(world, staff)
    client.force_login(town)
    page = client.get(reverse("civility:town-counts") + "?figure=points_awarded").content.decode()
    row = page.split(f'data-village="{world.village.pk}"')[1].split("</tr>")[0]
    assert 'data-figure="activities">3<' in row and 'data-figure="volunteers">1<' in row
    chart = json.loads(page.split('id="civility-counts-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"] == ["一村", "二村"] and chart["values"] == [70, 0]
    assert "js/civility-counts.js" in page and "<script>" not in page
    response = client.get(reverse("civility:town-counts") + "?figure=cleanup")
    assert response.context["chart"]["values"] == [1, 0]
    assert client.get(reverse("civility:town-counts") + "?figure=nonsense").context["figure"] == "activities"


def test_the_town_home_links_to_it(client, world, town):
    client.force_login(town)
    assert reverse("civility:town-counts") in client.get(reverse("reports:town-home")).content.decode()


def _grow(world, n, staff):
    for i in range(Village.objects.filter(town=world.town).count(), n):
        village = Village.objects.create(town=world.town, name=f"村{i:02d}")
        make_activity(village, staff, title=f"活动{i}", held_on=_this_year())
        VolunteerTeam.objects.create(village=village, name=f"队{i}")


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_villages(client, world, town, staff, django_assert_num_queries):
    client.force_login(town)
    url = reverse("civility:town-counts")
    _grow(world, 2, staff)
    small = _queries(client, url)
    _grow(world, 10, staff)
    assert _queries(client, url) == small
    # session, user, scope, the villages, activities, teams, advisors, selections, points, unread inbox
    with django_assert_num_queries(10):
        client.get(url)


def test_town_counts_is_five_queries(world, django_assert_num_queries):
    with django_assert_num_queries(5):
        selectors.town_counts([world.village.pk, world.other_village.pk])
