"""The state machine: every pair of states, the action table, concurrent and stale changes."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from disputes import services
from disputes.models import Case, CaseEvent, State
from disputes.workflow import ACTIONS, TRANSITIONS
from tests.conftest import make_case

PAIRS = [(a, b) for a in State.values for b in State.values]


def _case_in(world, by, state: str) -> Case:
    case = make_case(world, by)
    Case.objects.filter(pk=case.pk).update(state=state)
    return Case.objects.select_related("village__town").get(pk=case.pk)


@pytest.mark.parametrize(("from_state", "to_state"), PAIRS)
def test_every_pair_of_states(world, staff, from_state, to_state):
    case = _case_in(world, staff, from_state)
    events_before = CaseEvent.objects.filter(case=case).count()
    allowed = to_state in TRANSITIONS[from_state]
    if allowed:
        moved = services.case_transition(case=case, to=to_state, by=staff, action="test", note="n")
        assert moved.state == to_state
        assert moved.version == case.version + 1
        assert CaseEvent.objects.filter(case=case).count() == events_before + 1
        event = CaseEvent.objects.filter(case=case).last()
        assert (event.from_state, event.to_state, event.by, event.note) == (from_state, to_state, staff, "n")
    else:
        with pytest.raises(services.InvalidTransition):
            services.case_transition(case=case, to=to_state, by=staff, action="test")
        fresh = Case.objects.get(pk=case.pk)
        assert (fresh.state, fresh.version) == (from_state, case.version)
        assert CaseEvent.objects.filter(case=case).count() == events_before


def test_every_action_is_an_edge_of_the_table_and_every_edge_has_an_action():
    edges = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    action_edges = {(source, action.target) for action in ACTIONS.values() for source in action.sources}
    assert action_edges <= edges
    assert edges <= action_edges


def test_refused_transition_says_what_and_why(world, staff):
    case = _case_in(world, staff, State.CLOSED)
    with pytest.raises(services.InvalidTransition) as caught:
        services.case_transition(case=case, to=State.HANDLING, by=staff, action="reopen")
    assert "已结案" in caught.value.messages[0] and "处置中" in caught.value.messages[0]


def test_a_stale_version_is_refused_and_nothing_is_half_applied(world, staff):
    case = make_case(world, staff)
    seen = case.version
    services.case_accept(case=case, by=staff, version=seen, tier=1)
    with pytest.raises(services.CaseChanged):
        # Someone acting on the page they opened before the accept: the case changed meanwhile.
        services.case_reject(case=case, by=staff, version=seen, note="重复上报")
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.state == State.ACCEPTED
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["report", "accept"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_exactly_one_wins(world, staff):
    case = make_case(world, staff)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def act(action):
        try:
            barrier.wait()
            if action == "accept":
                services.case_accept(case=case, by=staff, version=case.version, tier=2)
            else:
                services.case_reject(case=case, by=staff, version=case.version, note="不属于调解范围")
            results.append("won")
        except services.CaseChanged:
            results.append("told")
        finally:
            connection.close()  # this thread's own connection: the test database can be dropped at the end

    threads = [threading.Thread(target=act, args=(a,)) for a in ("accept", "reject")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["told", "won"]
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.state in {State.ACCEPTED, State.REJECTED}
    assert fresh.version == 2
    assert CaseEvent.objects.filter(case=case).exclude(action="report").count() == 1
