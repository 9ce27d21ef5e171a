"""The town tasks API (towntasks/api.py): the village reports through it and the town accepts; a stale
version is a 409 with nothing saved; the list is the same number of queries for 2 and 20 rows; the schema
names the endpoints."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.towntasks.conftest import issue, target_of
from towntasks import services
from towntasks.models import ReportKind, Stage, TaskVillage

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(personas):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def client_for(persona: str) -> APIClient:
        client = APIClient()
        token, _created = Token.objects.get_or_create(user=personas[persona])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


def test_report_then_accept_through_the_api(api, world, staff, town):
    task = issue(world, town, kind=ReportKind.FIGURES, villages=[world.village])
    target = target_of(task, world.village)
    url = lambda verb: reverse(f"api:town-task-{verb}", args=[target.pk])  # noqa: E731
    assert api("staff").post(url("sign"), {"version": 1}, format="json").status_code == 200
    assert api("staff").post(url("start"), {"version": 2}, format="json").status_code == 200
    missing = api("staff").post(url("report"), {"version": 3, "feedback": "完成"}, format="json")
    assert missing.status_code == 400 and "figures" in missing.json()["fields"]
    done = api("staff").post(
        url("report"), {"version": 3, "feedback": "完成", "figures": [["排查户数", "2"]]}, format="json"
    )
    assert done.status_code == 200 and done.json()["state"] == Stage.REPORTED
    stale = api("town").post(url("accept"), {"version": 3}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "towntask_changed"
    assert TaskVillage.objects.get(pk=target.pk).state == Stage.REPORTED
    accepted = api("town").post(url("accept"), {"version": 4}, format="json")
    assert accepted.status_code == 200 and accepted.json()["state"] == Stage.ACCEPTED
    assert [e["to_state"] for e in accepted.json()["events"]] == [
        "issued",
        "signed",
        "in_progress",
        "reported",
        "accepted",
    ]


def test_a_worker_finds_no_town_tasks(api, world, staff, town, worker):
    task = issue(world, town)
    services.target_sign(target=target_of(task, world.village), by=staff)
    assert api("worker").get(reverse("api:town-task-list")).json()["count"] == 0


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["town", "staff"])
def test_the_list_is_the_same_queries_for_2_and_20(api, world, town, who):
    client = api(who)
    for i in range(2):
        issue(world, town, title=f"任务{i}", kind=ReportKind.TEXT)
    small = _count(client, reverse("api:town-task-list"))
    for i in range(18):
        issue(world, town, title=f"任务{i}", kind=ReportKind.TEXT)
    assert _count(client, reverse("api:town-task-list")) == small


def test_the_schema_names_the_endpoints(client, world, staff):
    client.force_login(staff)
    schema = client.get(reverse("api-schema")).content.decode()
    assert "/api/v1/town-tasks/{id}/report/" in schema and "/api/v1/town-tasks/{id}/return/" in schema
