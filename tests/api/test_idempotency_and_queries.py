"""Idempotent creation over the API, and list endpoints whose query count does not grow with rows."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from disputes.models import Case
from tests.conftest import make_case, make_household
from visits import services as visit_services
from visits.models import Visit


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("api:visit-list", lambda w: {"household": w.household1.pk}),
        (
            "api:case-list",
            lambda w: {
                "kind": "hazard",
                "category": "hazard.fire",
                "title": "充电",
                "description": "楼道",
                "grid": w.grid1.pk,
            },
        ),
    ],
)
def test_same_key_twice_returns_the_first_answer_and_another_body_is_409(api, world, worker, route, body):
    client, key, model = api("worker"), str(uuid.uuid4()), Visit if "visit" in route else Case
    first = client.post(reverse(route), body(world), format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(reverse(route), body(world), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replay"] == "true"
    assert model.objects.count() == 1
    other = client.post(reverse(route), {**body(world), "note": "另一次"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert other.status_code == 409 and other.json()["code"] == "conflict"
    assert model.objects.count() == 1


def test_a_refused_request_does_not_burn_its_key(api, world, worker):
    client, key = api("worker"), str(uuid.uuid4())
    assert client.post(reverse("api:visit-list"), {}, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 400
    ok = client.post(
        reverse("api:visit-list"), {"household": world.household1.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert ok.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_make_one_row(world, worker):
    token = Token.objects.create(user=worker)
    key = str(uuid.uuid4())
    barrier = threading.Barrier(3)
    statuses = []

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        try:
            barrier.wait()
            r = client.post(
                reverse("api:visit-list"), {"household": world.household1.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key
            )
            statuses.append(r.status_code)
        finally:
            connection.close()  # this thread's own connection: the test database can be dropped at the end

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201, 201, 201]
    assert Visit.objects.count() == 1


# --- Query counts: 3 rows vs 30 ------------------------------------------------------------------------


def _grow(world, personas, n):
    staff, worker = personas["staff"], personas["worker"]
    from residents.models import Household

    for i in range(Household.objects.filter(grid=world.grid1).count(), n):
        household = make_household(world.micro1, world.group1, f"Q{i:03d}", f"张庄{i}号")
        visit_services.visit_record(worker=worker, target=household)
        make_case(world, staff, title=f"案件{i}", household=household)


LISTS = [
    ("staff", "api:village-list"),
    ("staff", "api:grid-list"),
    ("staff", "api:micro-grid-list"),
    ("staff", "api:household-list"),
    ("staff", "api:resident-list"),
    ("staff", "api:key-person-list"),
    ("staff", "api:key-place-list"),
    ("worker", "api:visit-list"),
    ("staff", "api:case-list"),
    ("town", "api:case-list"),
    ("staff", "api:report-list"),
    ("worker", "api-work-list"),
    ("worker", "api:notice-list"),
    ("staff", "api:assignment-list"),
    ("staff", "api:mediator-list"),
]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("persona", "route"), LISTS)
def test_list_endpoints_query_count_does_not_grow(api, world, personas, persona, route):
    client = api(persona)
    url = reverse(route)
    _grow(world, personas, 3)
    small = _count(client, url)
    _grow(world, personas, 30)
    assert _count(client, url) == small
