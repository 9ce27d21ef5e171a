"""A list's chosen ordering pages without repeating or skipping a row (ties keep one order, the newest
record first), and an ordering that names no field keeps the list's own order (grids.filters.StableOrdering)."""

from __future__ import annotations

import warnings

import pytest
from django.core.paginator import UnorderedObjectListWarning
from django.utils import timezone

from disputes.models import Case
from tests.conftest import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world, personas):
    made = [make_case(world, personas["staff"], title=f"纠纷{n}") for n in range(3)]
    # Reported at the same moment: a tie for ?ordering=reported.
    Case.objects.filter(pk__in=[c.pk for c in made]).update(reported_at=timezone.now())
    return made


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_a_tie_is_broken_by_the_newest_record_first(api, cases, personas):
    from disputes import deadlines
    from disputes.filters import CaseFilter
    from disputes.models import Policy

    # Which of the tied rows PostgreSQL returns first is otherwise up to its sort: asked for explicitly.
    cases_due = deadlines.with_due(Case.objects.all(), Policy.current())
    for chosen in ("reported", "-reported", "due", "number"):
        filterset = CaseFilter({"ordering": chosen}, queryset=cases_due, user=personas["staff"])
        assert filterset.qs.query.order_by[-1] == "-pk", chosen
    newest_first = [c.number for c in sorted(cases, key=lambda c: -c.pk)]
    assert _numbers(api("staff").get("/api/v1/cases/", {"ordering": "reported"})) == newest_first
    assert _numbers(api("staff").get("/api/v1/cases/", {"ordering": "-reported"})) == newest_first


def test_an_ordering_naming_no_field_keeps_the_lists_own_order(api, cases):
    client = api("staff")
    own = _numbers(client.get("/api/v1/cases/"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)  # Django warns when paging an unordered list
        assert _numbers(client.get("/api/v1/cases/", {"ordering": ","})) == own
