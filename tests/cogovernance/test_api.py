"""The co-governance API (cogovernance/api.py): the pages' scoping (staff keep, the town reads, grid workers
find nothing), a deliberation proposed and taken through every step over the API, the resolution refused
with 409 ``publicity_not_over`` and nothing saved, invalid moves a 400, a stale version a 409, projects
and village documents, and list query counts that do not grow with the rows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cogovernance import services
from cogovernance.models import Deliberation, DeliberationEvent, DocumentVersion, Project, Stage, VillageDocument
from party.models import OrgKind
from tests.cogovernance.conftest import D, propose, to_stage
from tests.party.conftest import org

pytestmark = pytest.mark.django_db

LIST = reverse("api:deliberation-list")


def detail(d) -> str:
    return reverse("api:deliberation-detail", args=[d.pk])


def move(d) -> str:
    return reverse("api:deliberation-transition", args=[d.pk])


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


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
    """A topic in each village."""
    return propose(world.village, staff), propose(world.other_village, outsider, title="修路")


def test_each_persona_sees_what_the_pages_show(api, two):
    mine, theirs = two
    assert ids(api("staff").get(LIST)) == {mine.pk}
    assert ids(api("town").get(LIST)) == {mine.pk, theirs.pk}
    assert ids(api("outsider").get(LIST)) == {theirs.pk}
    assert ids(api("worker").get(LIST)) == set() and ids(api("colleague").get(LIST)) == set()
    assert api("worker").get(detail(mine)).status_code == 404
    assert api("outsider").get(detail(mine)).status_code == 404
    assert api("anonymous").get(LIST).status_code == 401
    body = api("town").get(detail(mine)).json()
    assert body["stage"] == "proposed" and body["events"][0]["to_stage"] == "proposed"


def test_the_list_filters_by_stage_grid_and_search(api, world, staff):
    a = propose(world.village, staff, title="安装路灯", grid=world.grid1)
    b = to_stage(propose(world.village, staff, title="硬化道路"), Stage.SUBMITTED, staff)
    client = api("staff")
    assert ids(client.get(LIST, {"stage": "submitted"})) == {b.pk}
    assert ids(client.get(LIST, {"grid": world.grid1.pk})) == {a.pk}
    assert ids(client.get(LIST, {"q": "道路"})) == {b.pk}
    assert client.get(LIST, {"stage": "nonsense"}).status_code == 400


def test_the_town_reads_and_may_not_write(api, world, two):
    mine, _theirs = two
    town = api("town")
    body = {"village": world.village.pk, "title": "t", "summary": "s", "proposer": "p"}
    refused = town.post(LIST, body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert town.patch(detail(mine), {"title": "改"}, format="json").status_code == 403
    assert town.post(move(mine), {"to": "research", "version": 1}, format="json").status_code == 403
    assert Deliberation.objects.filter(village=world.village).count() == 1
    assert Deliberation.objects.get(pk=mine.pk).stage == Stage.PROPOSED


def test_a_worker_cannot_propose(api, world):
    body = {"village": world.village.pk, "title": "t", "summary": "s", "proposer": "p"}
    response = api("worker").post(LIST, body, format="json")
    assert response.status_code == 400 and "village" in response.json()["fields"]


def test_a_topic_is_proposed_edited_and_taken_through_every_step(api, world, staff):
    top = org(world.village, OrgKind.GENERAL_BRANCH, "一村党总支")
    client = api("staff")
    publish = timezone.localdate() - datetime.timedelta(days=20)
    body = {
        "village": world.village.pk,
        "title": "安装路灯",
        "summary": "主干道夜间无照明。",
        "proposer": "村民代表",
        "grid": world.grid1.pk,
    }
    created = client.post(LIST, body, format="json")
    assert created.status_code == 201, created.content
    d = created.json()
    assert d["stage"] == "proposed" and d["public_url"] is None and d["created_by"]
    edited = client.patch(
        reverse("api:deliberation-detail", args=[d["id"]]), {"title": "安装太阳能路灯"}, format="json"
    )
    assert edited.status_code == 200 and edited.json()["title"] == "安装太阳能路灯"
    url = reverse("api:deliberation-transition", args=[d["id"]])

    def step(**data):
        nonlocal d
        response = client.post(url, {"version": d["version"], **data}, format="json")
        assert response.status_code == 200, response.content
        d = response.json()
        return d

    assert step(to="research")["stage"] == "research"
    assert step(to="submitted")["stage"] == "submitted"
    assert step(to="returned", note="补充问卷")["stage"] == "returned"
    assert step(to="submitted")["stage"] == "submitted"
    step(
        to="published",
        approved_on=(publish - datetime.timedelta(days=1)).isoformat(),
        publish_on=publish.isoformat(),
        opinions_to="村委会办公室",
        party_organisation=top.pk,
    )
    assert d["stage"] == "published" and d["party_organisation"] == top.pk
    assert d["publicity_ends"] == (publish + datetime.timedelta(days=6)).isoformat()
    assert d["public_url"] == reverse("cogovernance:public-notice", args=[Deliberation.objects.get().public_token])
    step(
        to="deliberated",
        held_on=(publish + datetime.timedelta(days=2)).isoformat(),
        place="村委会议室",
        representatives=15,
        cppcc_members=2,
        minutes="逐项协商。",
    )
    assert d["meeting"]["representatives"] == 15
    assert step(to="resolved", resolution="安装路灯 187 盏。")["resolution"] == "安装路灯 187 盏。"
    assert step(to="implementing")["stage"] == "implementing"
    assert step(to="closed", note="全部完工。")["closed_on"] == timezone.localdate().isoformat()
    assert [e["to_stage"] for e in d["events"]] == [
        "proposed",
        "research",
        "submitted",
        "returned",
        "submitted",
        "published",
        "deliberated",
        "resolved",
        "implementing",
        "closed",
    ]
    frozen = client.patch(reverse("api:deliberation-detail", args=[d["id"]]), {"title": "再改"}, format="json")
    assert frozen.status_code == 400 and Deliberation.objects.get().title == "安装太阳能路灯"


def test_a_resolution_inside_the_publicity_week_is_a_409_and_saves_nothing(api, world, staff):
    publish = timezone.localdate() - datetime.timedelta(days=3)
    d = to_stage(propose(world.village, staff), Stage.DELIBERATED, staff, publish_on=publish)
    events = DeliberationEvent.objects.count()
    response = api("staff").post(
        move(d), {"to": "resolved", "version": d.version, "resolution": "安装路灯 187 盏。"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert (
        body["code"] == "publicity_not_over" and (publish + datetime.timedelta(days=7)).isoformat() in body["message"]
    )
    fresh = Deliberation.objects.get(pk=d.pk)
    assert (fresh.stage, fresh.version, fresh.resolution, fresh.resolved_on) == (Stage.DELIBERATED, d.version, "", None)
    assert DeliberationEvent.objects.count() == events


def test_an_invalid_move_is_a_400_with_a_message(api, world, staff):
    d = propose(world.village, staff)
    response = api("staff").post(move(d), {"to": "resolved", "version": d.version, "resolution": "x"}, format="json")
    assert response.status_code == 400 and "不能变为" in response.json()["message"]
    response = api("staff").post(move(d), {"to": "closed", "version": d.version, "note": "x"}, format="json")
    assert response.status_code == 400
    response = api("staff").post(move(d), {"to": "nowhere", "version": d.version}, format="json")
    assert response.status_code == 400 and "to" in response.json()["fields"]
    d = to_stage(d, Stage.SUBMITTED, staff)
    no_reason = api("staff").post(move(d), {"to": "returned", "version": d.version}, format="json")
    assert no_reason.status_code == 400 and "note" in no_reason.json()["fields"]
    no_date = api("staff").post(
        move(to_stage(d, Stage.PUBLISHED, staff)), {"to": "deliberated", "version": d.version + 1}, format="json"
    )
    assert no_date.status_code == 400 and "held_on" in no_date.json()["fields"]
    assert Deliberation.objects.get(pk=d.pk).stage == Stage.PUBLISHED


def test_a_stale_version_is_a_409(api, world, staff):
    d = propose(world.village, staff)
    services.deliberation_move(deliberation=d, to=Stage.RESEARCH, by=staff)
    response = api("staff").post(move(d), {"to": "submitted", "version": d.version}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "deliberation_changed"
    zero = api("staff").post(move(d), {"to": "submitted", "version": 0}, format="json")
    assert zero.status_code == 409 and Deliberation.objects.get(pk=d.pk).stage == Stage.RESEARCH


def test_another_villages_organisation_is_refused(api, world, staff):
    theirs = org(world.other_village, OrgKind.GENERAL_BRANCH, "二村党总支")
    d = to_stage(propose(world.village, staff), Stage.SUBMITTED, staff)
    response = api("staff").post(
        move(d),
        {"to": "published", "version": d.version, "opinions_to": "村委会", "party_organisation": theirs.pk},
        format="json",
    )
    assert response.status_code == 400 and "party_organisation" in response.json()["fields"]
    assert Deliberation.objects.get(pk=d.pk).stage == Stage.SUBMITTED


def test_places_of_another_village_are_refused(api, world, staff):
    body = {"village": world.village.pk, "title": "t", "summary": "s", "proposer": "p", "grid": world.other_grid.pk}
    assert api("staff").post(LIST, body, format="json").status_code == 400
    assert not Deliberation.objects.exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_list_queries_do_not_grow_with_rows(api, world, staff, rows, django_assert_num_queries):
    for n in range(rows):
        propose(world.village, staff, title=f"议题{n}")
    client = api("staff")
    client.get(LIST)  # warm the token user's scope
    # the token with its user, the scope (assignments), the filter's villages, the count, the page
    with django_assert_num_queries(5):
        assert len(client.get(LIST, {"page_size": 50}).json()["results"]) == rows


# --- Projects ----------------------------------------------------------------------------------------------


def project_body(world, **over):
    return {
        "village": world.village.pk,
        "title": "路灯亮化",
        "kind": "lighting",
        "quantity": 187,
        "unit": "盏",
        "budget": "200000.00",
        "started_on": "2026-01-05",
        **over,
    }


def test_projects_are_created_updated_and_scoped(api, world, staff):
    from grids.models import NaturalVillage

    natural = NaturalVillage.objects.get(village=world.village)
    client = api("staff")
    created = client.post(
        reverse("api:project-list"), project_body(world, natural_villages=[natural.pk]), format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["natural_villages"] == [natural.pk]
    url = reverse("api:project-detail", args=[pk])
    updated = client.patch(url, {"spent": "150000.00", "done_on": "2026-03-01"}, format="json")
    assert updated.status_code == 200 and updated.json()["spent"] == "150000.00"
    assert api("town").get(url).status_code == 200
    assert api("town").patch(url, {"unit": "个"}, format="json").status_code == 403
    assert api("worker").get(url).status_code == 404 and ids(api("worker").get(reverse("api:project-list"))) == set()
    assert api("outsider").get(url).status_code == 404
    assert client.delete(url).status_code == 405


def test_a_project_in_another_villages_natural_village_is_refused(api, world, staff):
    from grids.models import NaturalVillage

    theirs = NaturalVillage.objects.create(village=world.other_village, name="李庄")
    response = api("staff").post(
        reverse("api:project-list"), project_body(world, natural_villages=[theirs.pk]), format="json"
    )
    assert response.status_code == 400 and "natural_villages" in response.json()["fields"]
    bad = api("staff").post(
        reverse("api:project-list"), project_body(world, done_on="2025-01-01"), format="json"
    )  # done before it started
    assert bad.status_code == 400 and not Project.objects.exists()


# --- Village documents -------------------------------------------------------------------------------------


def test_a_document_is_created_and_versions_adopted(api, world, staff):
    client = api("staff")
    created = client.post(
        reverse("api:village-document-list"),
        {"village": world.village.pk, "kind": "rules", "title": "村规民约"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["current_text"] is None
    pk = created.json()["id"]
    adopt = reverse("api:village-document-adopt", args=[pk])
    first = {"text": "第一条 爱护公物。", "adopted_on": "2025-01-05", "adopted_by": "meeting", "copies": 1000}
    assert client.post(adopt, first, format="json").status_code == 201
    second = {**first, "text": "第一条 爱护公物，保护环境。", "adopted_on": "2026-01-05"}
    body = client.post(adopt, second, format="json").json()
    assert body["current_text"] == "第一条 爱护公物，保护环境。" and [v["number"] for v in body["versions"]] == [2, 1]
    earlier = {**first, "adopted_on": "2024-01-01"}
    refused = client.post(adopt, earlier, format="json")
    assert refused.status_code == 400 and "adopted_on" in refused.json()["fields"]
    assert api("town").post(adopt, first, format="json").status_code == 403
    assert api("worker").post(adopt, first, format="json").status_code == 404
    assert DocumentVersion.objects.count() == 2
    twice = client.post(
        reverse("api:village-document-list"),
        {"village": world.village.pk, "kind": "rules", "title": "村规民约"},
        format="json",
    )
    assert twice.status_code == 400 and VillageDocument.objects.count() == 1


@pytest.mark.parametrize("rows", [3, 30])
def test_project_and_document_lists_do_not_grow_with_rows(api, world, staff, rows, django_assert_num_queries):
    for n in range(rows):
        p = Project(village=world.village, title=f"项目{n}", budget=1, started_on=D(2026, 1, 1))
        services.project_save(by=staff, project=p)
        doc = services.document_save(
            by=staff, document=VillageDocument(village=world.village, kind="rules", title=f"公约{n}")
        )
        services.document_adopt(
            by=staff,
            document=doc,
            version=DocumentVersion(text="正文", adopted_on=D(2026, 1, 1), adopted_by="meeting"),
        )
    client = api("staff")
    client.get(reverse("api:project-list"))
    # the token, the scope, the filter's villages, the count, the page, its natural villages, its photos
    with django_assert_num_queries(7):
        assert len(client.get(reverse("api:project-list"), {"page_size": 50}).json()["results"]) == rows
    # the token, the scope, the count, the page, the versions with who recorded them
    with django_assert_num_queries(5):
        assert len(client.get(reverse("api:village-document-list"), {"page_size": 50}).json()["results"]) == rows
