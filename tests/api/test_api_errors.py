"""The API's errors: every one is JSON in the documented shape (``{"code", "message", "fields"}``, see
``core.rest``), a 400 reads as plain text (never a Python repr), a bad request is never a 500, and a number
the database cannot hold is refused before it reaches the database."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_case

HUGE = 99999999999999999999  # past 2⁶³−1: no id column (bigint) or integer column holds it


def _json_error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["message"], body
    assert all(isinstance(m, str) for messages in body["fields"].values() for m in messages), body
    return body


@pytest.fixture
def handled_case(world, staff):
    """A dispute the village's staff accepted and took on: sessions may be recorded on it."""
    from disputes import services

    case = make_case(world, staff)
    case = services.case_accept(case=case, by=staff, version=case.version, tier=2)
    return services.case_assign(case=case, by=staff, version=case.version, assignee=staff)


@pytest.fixture
def member(world):
    from disputes.models import Mediator

    return Mediator.objects.create(village=world.village, name="老党员甲", type="party_veteran")


def _client(api, persona):
    client = api(persona)
    client.raise_request_exception = False  # a 500 is answered as in production, not raised in the test
    return client


SESSION = {"parties_present": "双方", "notes": "释法明理", "outcome": "adjourned"}


# --- The two 500s -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [SESSION, {**SESSION, "place": "调解室"}, {}], ids=["no date", "no date, a place", "empty"]
)
def test_the_town_recording_a_session_is_refused_before_its_body_is_read(api, world, town, handled_case, body):
    """The town oversees the village's cases but does not mediate them: a 403, whatever the body holds."""
    response = _client(api, "town").post(reverse("api:case-sessions", args=[handled_case.pk]), body, format="json")
    assert _json_error(response, 403)["code"] == "permission_denied"
    assert not handled_case.sessions.exists()


@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_a_session_without_date_or_place_is_held_today_in_the_mediation_room(api, world, handled_case, fmt):
    body = SESSION if fmt == "json" else {**SESSION, "place": ""}  # a form's empty field is a missing one
    response = _client(api, "staff").post(reverse("api:case-sessions", args=[handled_case.pk]), body, format=fmt)
    assert response.status_code == 201, response.content[:300]
    session = handled_case.sessions.get()
    assert session.held_on == timezone.localdate() and session.place == "村调解室"


def test_a_huge_mediator_id_is_a_400_that_never_reaches_the_database(api, world, handled_case, member):
    url = reverse("api:case-mediators", args=[handled_case.pk])
    with CaptureQueriesContext(connection) as queries:
        response = _client(api, "staff").post(url, {"mediators": [member.pk, HUGE]}, format="json")
    assert "mediators" in _json_error(response, 400)["fields"]
    assert not [q["sql"] for q in queries.captured_queries if str(HUGE) in q["sql"]]
    assert not handled_case.mediators.exists()


HUGE_REFERENCES = {
    # label: (persona, url name, uses the case's id, body)
    "session's mediators": ("staff", "api:case-sessions", True, {**SESSION, "mediators": [HUGE]}),
    "case's grid": ("staff", "api:case-list", False, {"grid": HUGE}),
    "case's household": ("staff", "api:case-list", False, {"household": HUGE}),
    "assignee": ("staff", "api:case-transition", True, {"action": "assign", "assignee": HUGE}),
    "department": ("staff", "api:case-transition", True, {"action": "assign", "department": HUGE}),
    "case's version": ("staff", "api:case-transition", True, {"action": "accept", "tier": 2, "version": HUGE}),
    "visited household": ("worker", "api:visit-list", False, {"household": HUGE}),
    "household's new micro-grid": ("staff", "api:household-move", "household", {"micro_grid": HUGE}),
    "resident's new household": ("staff", "api:resident-move", "resident", {"household": HUGE}),
    "grid's village": ("staff", "api:grid-list", False, {"village": HUGE, "number": 9, "name": "九"}),
    "key person's resident": ("staff", "api:key-person-list", False, {"resident": HUGE, "category": "released"}),
    "report's revision": ("staff", "api:report-sections", "report", {"revision": HUGE, "work_done": "走访"}),
}


@pytest.mark.parametrize("label", HUGE_REFERENCES)
def test_every_number_past_the_databases_range_is_a_400_without_a_query_on_it(
    api, world, personas, handled_case, label
):
    from reports import services as reports
    from visits import due

    persona, name, target, body = HUGE_REFERENCES[label]
    new_case = {"kind": "hazard", "category": "hazard.fire", "title": "t", "description": "d", "grid": world.grid1.pk}
    if name == "api:case-list":
        body = {**new_case, **body}
    case = handled_case
    if name == "api:case-transition":  # a new case to accept, an accepted one to assign
        from disputes import services as cases

        case = make_case(world, personas["staff"])
        if body["action"] == "assign":
            case = cases.case_accept(case=case, by=personas["staff"], version=case.version, tier=2)
        body = {"version": case.version, **body}
        if "department" in body:
            body["assignee"] = personas["staff"].pk
    args = {
        True: [case.pk],
        False: [],
        "household": [world.household1.pk],
        "resident": [world.resident1.pk],
        "report": [
            reports.report_open(
                village=world.village, month=due.previous_month(timezone.localdate()), by=personas["staff"]
            ).pk
        ]
        if target == "report"
        else [],
    }[target]
    with CaptureQueriesContext(connection) as queries:
        response = _client(api, persona).post(reverse(name, args=args), body, format="json")
    field = next(key for key, value in body.items() if HUGE in (value if isinstance(value, list) else [value]))
    errors = _json_error(response, 400)["fields"]
    assert field in errors, errors
    assert not [q["sql"] for q in queries.captured_queries if str(HUGE) in q["sql"]]


def test_the_schema_tells_clients_the_range_of_an_id(client, db):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    mediators = schema["components"]["schemas"]["MediatorIdsRequest"]["properties"]["mediators"]["items"]
    assert mediators["maximum"] == 2**63 - 1 and mediators["minimum"] == 1


# --- Every error is JSON -------------------------------------------------------------------------------


BAD_REQUESTS = {
    # label: (method, url, request kwargs, status); {case} and {place} are the world's ids
    "an id with a dot": ("get", "/api/v1/residents/1.5/", {}, 404),
    "an id of letters": ("get", "/api/v1/cases/abc/", {}, 404),
    "an id of letters in an action": ("post", "/api/v1/cases/abc/sessions/", {"data": SESSION}, 404),
    "a tiny negative float for an id": ("get", "/api/v1/grids/-9.1e-276/", {}, 404),
    "no such endpoint": ("get", "/api/v1/nothing/", {}, 404),
    "no such version": ("get", "/api/v2/cases/", {}, 404),
    "no such method": ("delete", "/api/v1/cases/{case}/", {}, 405),
    "no such media type": ("post", "/api/v1/cases/", {"data": "x", "content_type": "text/plain"}, 415),
    "nothing acceptable": ("get", "/api/v1/cases/", {"HTTP_ACCEPT": "text/csv"}, 406),
    "malformed JSON": ("post", "/api/v1/cases/", {"data": "{bad", "content_type": "application/json"}, 400),
    "a list for a body": ("post", "/api/v1/grids/", {"data": "[null, null]", "content_type": "application/json"}, 400),
    "a list for a form's body": (
        "patch",
        "/api/v1/key-places/{place}/",
        {"data": "[null, null]", "content_type": "application/json"},
        400,
    ),
    "a number for a body": ("post", "/api/v1/assignments/", {"data": "7", "content_type": "application/json"}, 400),
    "a string for a body": (
        "post",
        "/api/v1/cases/{case}/mediators/",
        {"data": '"1"', "content_type": "application/json"},
        400,
    ),
}


@pytest.mark.parametrize("label", BAD_REQUESTS)
def test_every_api_error_is_json_in_the_documented_shape(api, world, staff, handled_case, label):
    method, url, kwargs, status = BAD_REQUESTS[label]
    url = url.format(case=handled_case.pk, place=world.key_place1.pk)
    kwargs = {"format": "json", **kwargs} if "data" in kwargs and "content_type" not in kwargs else kwargs
    _json_error(getattr(_client(api, "staff"), method)(url, **kwargs), status)


def test_a_missing_page_under_the_api_speaks_the_requests_language(client, db):
    body = _json_error(client.get("/api/v1/nothing/", HTTP_ACCEPT_LANGUAGE="en"), 404)
    assert body == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_a_missing_page_outside_the_api_is_still_the_sites_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_is_json_too(rf):
    from governance import urls

    response = urls.handler500(rf.get("/api/v1/cases/"))
    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    assert set(json.loads(response.content)) == {"code", "message", "fields"}
    page = urls.handler500(rf.get("/cases/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


# --- A 400 reads as plain text ----------------------------------------------------------------------------


NEW_CASE = {"kind": "dispute", "category": "dispute.other", "title": "t", "description": "d"}
INVALID_BODIES = {
    # label: (persona, url name, on the case, body): nested and per-item errors, where Python reprs leaked out
    "mediators not ids": ("staff", "api:case-mediators", True, {"mediators": ["a", None]}),
    "mediators not a list": ("staff", "api:case-mediators", True, {"mediators": {"a": 1}}),
    "mediators out of range": ("staff", "api:case-mediators", True, {"mediators": [-1, 1.5, True]}),
    "session's mediators": ("staff", "api:case-sessions", True, {**SESSION, "mediators": ["x", None, 0]}),
    "parties": ("staff", "api:case-list", False, {**NEW_CASE, "parties": [{"role": "x"}, 5, {"name": ""}]}),
    "parties not a list": ("staff", "api:case-list", False, {**NEW_CASE, "parties": "甲"}),
    "references of the wrong type": ("staff", "api:case-list", False, {**NEW_CASE, "grid": [1], "household": {}}),
    "a transition": ("staff", "api:case-transition", True, {"action": "fly", "version": "one", "assignee": [1]}),
    "responsibles": ("staff", "api:key-person-list", False, {"category": "released", "responsibles": [5, {}]}),
    "photos not files": ("worker", "api:visit-list", False, {"photos": ["not a file"]}),
}


@pytest.mark.parametrize("label", INVALID_BODIES)
def test_a_400_never_shows_python_reprs(api, world, personas, handled_case, label):
    persona, name, on_case, body = INVALID_BODIES[label]
    if name == "api:case-list":
        body = {"grid": world.grid1.pk, **body}
    if name == "api:key-person-list":
        body = {"resident": world.resident2.pk, "listed_from": "2026-01-01", **body}
    if name == "api:visit-list":
        body = {"household": world.household1.pk, **body}
    url = reverse(name, args=[handled_case.pk] if on_case else [])
    response = _client(api, persona).post(url, body, format="json")
    error = _json_error(response, 400)
    text = response.content.decode()
    for repr_mark in ("ErrorDetail", "string=", "code=", "{'", "['", "{0:", "[{"):
        assert repr_mark not in text, (repr_mark, json.loads(text))
    assert error["message"].startswith("请求中有错误")


def test_a_nested_error_says_which_item_it_is_about(api, world, staff):
    body = {
        "kind": "dispute",
        "category": "dispute.other",
        "title": "t",
        "description": "d",
        "grid": world.grid1.pk,
        "parties": [{"role": "applicant", "name": "甲"}, {"role": "x", "name": "乙"}],
    }
    response = _client(api, "staff").post(reverse("api:case-list"), body, format="json")
    parties = _json_error(response, 400)["fields"]["parties"]
    assert len(parties) == 1 and parties[0].startswith("第2项 role："), parties


def test_a_malformed_body_is_told_in_chinese(api, world, staff):
    response = _client(api, "staff").post("/api/v1/cases/", "{bad", content_type="application/json")
    body = _json_error(response, 400)
    assert body["code"] == "invalid" and "JSON" in body["message"] and "Expecting" not in body["message"]


# --- The pages' forms behind the API ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "target", "body"),
    [
        ("api:grid-detail", "grid1", {"name": "一网格"}),
        ("api:micro-grid-detail", "micro1", {"name": "1甲"}),
        ("api:key-place-detail", "key_place1", {"name": "张三出租屋"}),
        ("api:key-person-detail", "key_person1", {"guardian_name": "张大哥"}),
    ],
)
def test_a_form_encoded_change_is_stored_as_sent_not_as_a_list(api, world, staff, url_name, target, body):
    """A PATCH keeps the fields it does not send; sent as a form, its values used to be stored as the
    text of a Python list (``['一网格']``) or to fail with a 500."""
    record = getattr(world, target)
    response = _client(api, "staff").patch(reverse(url_name, args=[record.pk]), body, format="multipart")
    assert response.status_code == 200, response.content[:300]
    record.refresh_from_db()
    for field, value in body.items():
        assert getattr(record, field) == value


@pytest.mark.parametrize(
    ("url_name", "args", "body", "field"),
    [
        ("api:assignment-end", "assignment", {"end": [None, None]}, "end"),
        ("api:assignment-end", "assignment", {"end": False}, "end"),
        ("api:key-person-detail", "key_person", {"listed_until": False, "risk_level": 0}, "listed_until"),
        ("api:key-place-detail", "place", {"name": 7, "address": True, "phone": 1.5}, "phone"),
        ("api:grid-detail", "grid", {"name": {"text": "一网格"}}, "name"),
        ("api:key-place-detail", "place", {"address": ["张庄", "1号"]}, "address"),
        ("api:grid-list", None, {"village": "village", "number": [9], "name": "九"}, "number"),
    ],
)
def test_a_list_an_object_or_a_wrong_scalar_where_the_form_wants_text_is_a_400(
    api, world, staff, worker, url_name, args, body, field
):
    from grids.models import Assignment

    ids = {
        "assignment": Assignment.objects.get(user=worker).pk,
        "grid": world.grid1.pk,
        "place": world.key_place1.pk,
        "key_person": world.key_person1.pk,
    }
    body = {k: (world.village.pk if v == "village" else v) for k, v in body.items()}
    url = reverse(url_name, args=[ids[args]] if args else [])
    client = _client(api, "staff")
    response = (client.post if args in (None, "assignment") else client.patch)(url, body, format="json")
    assert field in _json_error(response, 400)["fields"]


def test_a_key_persons_change_over_the_api_answers_the_changed_record(api, world, staff):
    url = reverse("api:key-person-detail", args=[world.key_person1.pk])
    response = _client(api, "staff").patch(url, {"guardian_name": "张大哥"}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["guardian_name"] == "张大哥" and response.json()["id_number_masked"]


@pytest.mark.parametrize("username", ["x" * 151, "x" * 300, "staff" + " " * 400, "sta\x00ff", "p\x00"])
def test_a_username_no_account_can_have_is_a_wrong_login_not_a_500(client, world, staff, username):
    from axes.models import AccessAttempt

    response = client.post(reverse("api-token"), {"username": username, "password": "p"})
    assert _json_error(response, 400)["code"] == "invalid"
    assert not AccessAttempt.objects.exists()  # no such account: nothing to lock


# --- Found by the schemathesis run ---------------------------------------------------------------------


def test_a_party_without_a_role_is_the_applicant_as_on_the_model(api, world, staff):
    body = {**NEW_CASE, "grid": world.grid1.pk, "parties": [{"name": "甲"}]}
    response = _client(api, "staff").post(reverse("api:case-list"), body, format="json")
    assert response.status_code == 201, response.content[:300]
    assert [p["role"] for p in response.json()["parties"]] == ["applicant"]


def test_a_second_micro_grid_of_the_same_name_is_a_400_not_a_500(api, world, staff):
    body = {"grid": world.grid1.pk, "number": 5, "name": world.micro1.name}
    response = _client(api, "staff").post(reverse("api:micro-grid-list"), body, format="json")
    assert "该网格下已有同名的微网格" in _json_error(response, 400)["fields"]["name"][0]
