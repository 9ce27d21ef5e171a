"""The civility API (civility/api.py): the pages' scoping (staff keep, the town reads and gets a 403 on
writes, grid workers and another village find nothing), activities, volunteer teams and model selections
created through the services, points awarded and redeemed (a refusal is a 400 with the service's message
and changes nothing), and list query counts that do not grow with the rows."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from civility import services
from civility.models import (
    Activity,
    EntryKind,
    ModelSelection,
    PointsAccount,
    PointsEntry,
    StockItem,
    Volunteer,
    VolunteerTeam,
)
from residents.models import Household
from tests.conftest import make_household

pytestmark = pytest.mark.django_db

ACTIVITIES = reverse("api:activity-list")
TEAMS = reverse("api:volunteer-team-list")
SELECTIONS = reverse("api:model-household-list")
POINTS = reverse("api:points-account-list")
AWARD = reverse("api:points-account-award")
REDEEM = reverse("api:points-account-redeem")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def activity(village, by, *, title="宪法宣传日普法", kind="legal", held_on=datetime.date(2026, 3, 5)) -> Activity:
    a = Activity(
        village=village, kind=kind, title=title, held_on=held_on, organiser="村委会", place="文化广场", participants=40
    )
    return services.activity_save(by=by, activity=a)


def shelf(village, name="洗衣液", points=30, stock=10) -> StockItem:
    return StockItem.objects.create(village=village, name=name, points=points, stock=stock)


@pytest.fixture
def api(personas):
    """An API client per persona, with that persona's token (tests/api/conftest.py)."""

    def client_for(persona: str) -> APIClient:
        client = APIClient()
        if persona != "anonymous":
            token, _created = Token.objects.get_or_create(user=personas[persona])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


@pytest.fixture
def two(world, staff, outsider):
    return activity(world.village, staff), activity(world.other_village, outsider, title="清洁日", kind="cleanup")


def test_each_persona_sees_what_the_pages_show(api, world, two, staff):
    mine, theirs = two
    assert ids(api("staff").get(ACTIVITIES)) == {mine.pk}
    assert ids(api("town").get(ACTIVITIES)) == {mine.pk, theirs.pk}
    assert ids(api("outsider").get(ACTIVITIES)) == {theirs.pk}
    assert ids(api("worker").get(ACTIVITIES)) == set() == ids(api("colleague").get(ACTIVITIES))
    assert api("worker").get(reverse("api:activity-detail", args=[mine.pk])).status_code == 404
    assert api("outsider").get(reverse("api:activity-detail", args=[mine.pk])).status_code == 404
    assert api("anonymous").get(ACTIVITIES).status_code == 401
    services.award(household=world.household1, points=5, kind=EntryKind.RULE, reason="门前三包", by=staff)
    account = PointsAccount.objects.get(household=world.household1)
    assert ids(api("staff").get(POINTS)) == {account.pk} == ids(api("town").get(POINTS))
    assert ids(api("worker").get(POINTS)) == set() == ids(api("outsider").get(POINTS))
    assert api("worker").get(reverse("api:points-account-detail", args=[account.pk])).status_code == 404


def test_the_activity_list_filters_by_kind_year_and_search(api, world, staff):
    a = activity(world.village, staff)
    b = activity(world.village, staff, title="反诈讲座", kind="anti_fraud", held_on=datetime.date(2025, 6, 1))
    client = api("staff")
    assert ids(client.get(ACTIVITIES, {"kind": "anti_fraud"})) == {b.pk}
    assert ids(client.get(ACTIVITIES, {"year": 2026})) == {a.pk}
    assert ids(client.get(ACTIVITIES, {"q": "反诈"})) == {b.pk}
    assert client.get(ACTIVITIES, {"kind": "nonsense"}).status_code == 400
    assert client.get(ACTIVITIES, {"year": 0}).status_code == 400  # no date has it: refused, never a 500


def test_an_activity_is_recorded_and_edited_with_its_teams(api, world, staff):
    team = services.team_save(by=staff, team=VolunteerTeam(village=world.village, name="学雷锋志愿服务队"))
    body = {
        "village": world.village.pk,
        "kind": "cleanup",
        "title": "环境整治",
        "held_on": "2026-03-01",
        "organiser": "村委会",
        "place": "张庄",
        "participants": 25,
        "teams": [team.pk],
        "residents": [world.resident1.pk],
    }
    created = api("staff").post(ACTIVITIES, body, format="json")
    assert created.status_code == 201, created.content
    a = Activity.objects.get(pk=created.json()["id"])
    assert list(a.teams.all()) == [team] and a.created_by == staff and created.json()["photos"] == 0
    edited = api("staff").patch(reverse("api:activity-detail", args=[a.pk]), {"participants": 30}, format="json")
    assert edited.status_code == 200 and edited.json()["participants"] == 30
    future = api("staff").post(ACTIVITIES, {**body, "held_on": "2999-01-01"}, format="json")
    assert future.status_code == 400 and "held_on" in future.json()["fields"]
    assert Activity.objects.count() == 1


def test_the_town_reads_and_may_not_write(api, world, two, staff):
    mine, _theirs = two
    town = api("town")
    body = {
        "village": world.village.pk,
        "kind": "legal",
        "title": "t",
        "held_on": "2026-03-01",
        "organiser": "o",
        "place": "p",
        "participants": 3,
    }
    assert town.post(ACTIVITIES, body, format="json").status_code == 403
    assert town.patch(reverse("api:activity-detail", args=[mine.pk]), {"title": "改"}, format="json").status_code == 403
    assert town.post(TEAMS, {"village": world.village.pk, "name": "队"}, format="json").status_code == 403
    selection = {
        "village": world.village.pk,
        "year": 2026,
        "honour": "civilised",
        "household": world.household1.pk,
        "reason": "r",
        "selected_on": "2026-01-05",
        "points": 10,
    }
    assert town.post(SELECTIONS, selection, format="json").status_code == 403
    award = {"household": world.household1.pk, "points": 5, "kind": "rule", "reason": "x"}
    refused = town.post(AWARD, award, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    soap = shelf(world.village)
    redeem = {"household": world.household1.pk, "item": soap.pk, "quantity": 1}
    assert town.post(REDEEM, redeem, format="json").status_code == 403
    assert Activity.objects.filter(village=world.village).count() == 1 and not PointsEntry.objects.exists()
    assert not VolunteerTeam.objects.exists() and not ModelSelection.objects.exists()


def test_a_team_shows_its_current_members(api, world, staff):
    team = services.team_save(by=staff, team=VolunteerTeam(village=world.village, name="巾帼志愿服务队"))
    services.team_member_add(by=staff, team=team, resident=world.resident1)
    gone = services.team_member_add(by=staff, team=team, resident=world.resident2)
    services.team_member_leave(by=staff, volunteer=gone)
    body = api("staff").get(reverse("api:volunteer-team-detail", args=[team.pk])).json()
    assert [m["resident"] for m in body["members"]] == [world.resident1.pk]
    created = api("staff").post(TEAMS, {"village": world.village.pk, "name": "平安志愿服务队"}, format="json")
    assert created.status_code == 201 and created.json()["members"] == []
    again = api("staff").post(TEAMS, {"village": world.village.pk, "name": "平安志愿服务队"}, format="json")
    assert again.status_code == 400 and VolunteerTeam.objects.count() == 2
    assert Volunteer.objects.count() == 2


def test_a_selection_carries_its_points_to_the_household(api, world):
    body = {
        "village": world.village.pk,
        "year": 2026,
        "honour": "five_good",
        "household": world.household1.pk,
        "reason": "孝老爱亲",
        "selected_on": "2026-01-05",
        "points": 50,
    }
    created = api("staff").post(SELECTIONS, body, format="json")
    assert created.status_code == 201, created.content
    assert services.balance_of(world.household1) == 50
    nobody = api("staff").post(SELECTIONS, {**body, "household": None}, format="json")
    assert nobody.status_code == 400 and ModelSelection.objects.count() == 1


def test_points_are_awarded_and_redeemed_and_a_refusal_changes_nothing(api, world):
    client = api("staff")
    awarded = client.post(
        AWARD, {"household": world.household1.pk, "points": 50, "kind": "rule", "reason": "门前三包"}, format="json"
    )
    assert awarded.status_code == 201, awarded.content
    assert awarded.json()["balance"] == 50 and awarded.json()["last_entries"][0]["points"] == 50
    soap = shelf(world.village, points=30, stock=5)
    body = {"household": world.household1.pk, "item": soap.pk, "quantity": 1, "client_token": "t1"}
    redeemed = client.post(REDEEM, body, format="json")
    assert redeemed.status_code == 201 and redeemed.json()["balance"] == 20
    assert client.post(REDEEM, body, format="json").json()["balance"] == 20  # the same token redeems once
    refused = client.post(REDEEM, {**body, "client_token": "t2"}, format="json")
    assert refused.status_code == 400 and "积分不足" in refused.json()["message"]
    assert services.balance_of(world.household1) == 20 and StockItem.objects.get(pk=soap.pk).stock == 4
    assert PointsEntry.objects.count() == 2
    wrong = client.post(AWARD, {"household": world.household1.pk, "points": 5, "kind": "redemption", "reason": "x"})
    assert wrong.status_code == 400
    account = PointsAccount.objects.get(household=world.household1)
    detail = client.get(reverse("api:points-account-detail", args=[account.pk])).json()
    assert [e["points"] for e in detail["last_entries"]] == [-30, 50]


def test_another_villages_household_is_no_household_to_award(api, world):
    response = api("outsider").post(
        AWARD, {"household": world.household1.pk, "points": 5, "kind": "rule", "reason": "x"}, format="json"
    )
    assert response.status_code == 400 and "household" in response.json()["fields"]
    assert not PointsEntry.objects.exists()


@pytest.mark.parametrize("url", [ACTIVITIES, TEAMS, SELECTIONS, POINTS])
def test_list_query_counts_do_not_grow_with_rows(api, world, staff, url):
    client = api("staff")
    team = services.team_save(by=staff, team=VolunteerTeam(village=world.village, name="队0"))

    def add(n: int) -> None:
        for i in range(n):
            a = activity(world.village, staff, title=f"活动{i}")
            services.activity_save(by=staff, activity=a, teams=[team], residents=[world.resident1])
            name = f"队{VolunteerTeam.objects.count()}"
            t = services.team_save(by=staff, team=VolunteerTeam(village=world.village, name=name))
            services.team_member_add(by=staff, team=t, resident=world.resident1)
            number = f"9{Household.objects.count():03d}"
            household = make_household(world.micro1, world.group1, number, f"张庄{number}号")
            selection = ModelSelection(
                village=world.village,
                year=2026,
                honour="civilised",
                household=household,
                reason="r",
                selected_on=datetime.date(2026, 1, 5),
                points=1,
            )
            services.selection_save(by=staff, selection=selection)

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and response.json()["count"] >= 2
    assert len(many) == len(few), [q["sql"] for q in many]


def test_an_activity_counts_as_its_villages_theme_day_only(api, world, staff):
    from tests.civility.test_activities import theme_day

    body = {
        "village": world.village.pk,
        "kind": "legal",
        "title": "宪法宣传日",
        "held_on": "2026-03-01",
        "organiser": "村委会",
        "place": "村部",
        "participants": 30,
    }
    ours = api("staff").post(ACTIVITIES, {**body, "party_meeting": theme_day(world.village, staff).pk}, format="json")
    assert ours.status_code == 201, ours.content
    theirs = theme_day(world.other_village, staff).pk
    refused = api("staff").post(ACTIVITIES, {**body, "party_meeting": theirs}, format="json")
    assert refused.status_code == 400 and "party_meeting" in refused.json()["fields"]
    assert Activity.objects.count() == 1
