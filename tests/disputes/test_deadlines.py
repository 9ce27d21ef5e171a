"""Deadlines are computed when shown: across month ends, in SQL as in Python, and after the admin edits
the limits."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F

from disputes import deadlines
from disputes.models import Case, Policy, State
from tests.conftest import make_case

SH = ZoneInfo("Asia/Shanghai")


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SH)


@pytest.fixture
def policy(db) -> Policy:
    return Policy.current()


def _case(world, by, **fields) -> Case:
    case = make_case(world, by)
    Case.objects.filter(pk=case.pk).update(**fields)
    return Case.objects.get(pk=case.pk)


def test_accept_clock_runs_across_the_month_end(world, staff, policy):
    case = _case(world, staff, state=State.REPORTED, state_since=_at(2026, 1, 30, 23, 0))
    d = deadlines.deadline_for(case, policy, now=_at(2026, 2, 2, 22, 0))
    assert d.due_at == _at(2026, 2, 2, 23, 0)  # 3 days, over 31 January
    assert not d.overdue and d.colour == "orange"
    late = deadlines.deadline_for(case, policy, now=_at(2026, 2, 5, 23, 0))
    assert late.overdue and late.colour == "red" and late.text == "受理超期 3 天"


def test_handling_clock_is_the_tiers_and_runs_from_the_tier(world, staff, policy):
    case = _case(
        world,
        staff,
        state=State.HANDLING,
        tier=2,
        tier_since=_at(2026, 2, 15, 9, 0),
        state_since=_at(2026, 2, 20, 9, 0),
    )
    d = deadlines.deadline_for(case, policy, now=_at(2026, 3, 1, 9, 0))
    assert d.clock == "handle" and d.due_at == _at(2026, 3, 17, 9, 0)  # 30 days, across a 28-day February
    assert d.colour == "green"


def test_colours_follow_the_thresholds(world, staff, policy):
    start = _at(2026, 5, 1, 0, 0)
    case = _case(world, staff, state=State.HANDLING, tier=1, tier_since=start)  # 15 days
    colour = lambda days: deadlines.deadline_for(case, policy, now=start + datetime.timedelta(days=days)).colour  # noqa: E731
    assert [colour(1), colour(8), colour(12), colour(16)] == ["green", "yellow", "orange", "red"]


def test_closed_and_rejected_cases_have_no_clock(world, staff, policy):
    for state in (State.CLOSED, State.REJECTED):
        assert deadlines.deadline_for(_case(world, staff, state=state), policy) is None


def test_sql_and_python_agree_and_the_most_overdue_come_first(world, staff, policy):
    now = _at(2026, 7, 31, 12, 0)
    a = _case(world, staff, state=State.REPORTED, state_since=now - datetime.timedelta(days=10))  # 7 days late
    b = _case(world, staff, state=State.HANDLING, tier=1, tier_since=now - datetime.timedelta(days=16))  # 1 late
    c = _case(world, staff, state=State.FEEDBACK, resolved_at=now - datetime.timedelta(days=2))  # in time
    d = _case(world, staff, state=State.CLOSED)
    rows = list(deadlines.with_due(Case.objects.all(), policy).order_by(F("due_at").asc(nulls_last=True)))
    assert [r.pk for r in rows] == [a.pk, b.pk, c.pk, d.pk]
    for row in rows[:3]:
        assert row.due_at == deadlines.deadline_for(row, policy, now).due_at
    assert set(deadlines.overdue(Case.objects.all(), policy, now).values_list("pk", flat=True)) == {a.pk, b.pk}


def test_an_edit_by_the_admin_moves_every_open_deadline(world, staff, admin_client, policy):
    now_case = _case(
        world,
        staff,
        state=State.HANDLING,
        tier=2,
        tier_since=datetime.datetime.now(tz=SH) - datetime.timedelta(days=20),
    )
    assert not deadlines.overdue(Case.objects.filter(pk=now_case.pk), policy).exists()  # 20 of 30 days
    response = admin_client.post(
        f"/admin/disputes/policy/{policy.pk}/change/",
        {
            "accept_days": 3,
            "tier1_days": 15,
            "tier2_days": 10,
            "tier3_days": 60,
            "return_visit_days": 15,
            "yellow_left_percent": 50,
            "orange_left_percent": 25,
        },
    )
    assert response.status_code == 302
    assert deadlines.overdue(Case.objects.filter(pk=now_case.pk), Policy.current()).exists()  # now 10 days


def test_a_case_rebuilt_from_its_timeline_is_the_case_as_it_was_after_each_step(world, staff, worker, town, policy):
    """Every step of a long path (escalated, sent back, resolved, reopened, closed): the case rebuilt as of
    a moment after it has the state, tier and clocks the case itself had then, so its deadline is the same."""
    from disputes import services

    start = _at(2026, 3, 2, 9, 0)
    case = make_case(world, worker, reported_at=start)
    steps = [
        lambda c, at: services.case_accept(case=c, by=staff, version=c.version, tier=1, at=at),
        lambda c, at: services.case_assign(case=c, by=staff, version=c.version, assignee=worker, at=at),
        lambda c, at: services.case_escalate(case=c, by=worker, version=c.version, note="调解不成", at=at),
        lambda c, at: services.case_accept(case=c, by=staff, version=c.version, at=at),
        lambda c, at: services.case_escalate(case=c, by=staff, version=c.version, note="涉及多户", at=at),
        lambda c, at: services.case_send_back(case=c, by=town, version=c.version, note="请先组织调解", at=at),
        lambda c, at: services.case_assign(case=c, by=staff, version=c.version, assignee=worker, at=at),
        lambda c, at: services.case_resolve(
            case=c, by=worker, version=c.version, outcome="agreement", resolution="达成", at=at
        ),
        lambda c, at: services.case_feedback(case=c, by=worker, version=c.version, note="已告知", at=at),
        lambda c, at: services.case_reopen(case=c, by=staff, version=c.version, note="未履行", at=at),
        lambda c, at: services.case_resolve(
            case=c, by=worker, version=c.version, outcome="agreement", resolution="履行", at=at
        ),
        lambda c, at: services.case_feedback(case=c, by=worker, version=c.version, note="已告知", at=at),
        lambda c, at: services.case_close(case=c, by=staff, version=c.version, at=at),
    ]
    seen = [(start, Case.objects.get(pk=case.pk))]
    for n, step in enumerate(steps, start=1):
        case = step(case, start + datetime.timedelta(days=2 * n))
        seen.append((start + datetime.timedelta(days=2 * n), Case.objects.get(pk=case.pk)))
    for at, then in seen:
        moment = at + datetime.timedelta(days=1)
        rebuilt = deadlines.as_of(Case.objects.filter(pk=case.pk), moment).get()
        assert (rebuilt.state_then, rebuilt.tier_then, rebuilt.state_since_then, rebuilt.tier_since_then) == (
            then.state,
            then.tier,
            then.state_since,
            then.tier_since,
        ), then.state
        expected = deadlines.deadline_for(then, policy, now=moment)
        opened = deadlines.open_as_of(Case.objects.filter(pk=case.pk), policy, moment).first()
        if expected is None:
            assert opened is None
        else:
            assert (opened.due_at_then, opened.overdue_then) == (expected.due_at, expected.overdue)
    assert not deadlines.as_of(Case.objects.filter(pk=case.pk), start).exists()  # not yet reported


def test_the_deadlines_words_in_each_language_whatever_was_written_before(world, staff, policy):
    """A deadline's words are written once per language and figure (disputes.deadlines._text): the same case
    read in Chinese, then English, then Chinese again says each in its language; hours under a day."""
    from django.utils import translation

    case = _case(world, staff, state=State.REPORTED, state_since=_at(2026, 1, 30, 23, 0))
    late = deadlines.deadline_for(case, policy, now=_at(2026, 2, 5, 23, 0))
    soon = deadlines.deadline_for(case, policy, now=_at(2026, 2, 2, 20, 30))
    with translation.override("zh-hans"):
        first = (late.text, soon.text)
    with translation.override("en"):
        english = (late.text, soon.text)
    with translation.override("zh-hans"):
        again = (late.text, soon.text)
    assert first == again == ("受理超期 3 天", "受理剩余 2 小时")
    assert english == ("Accept: overdue by 3 day(s)", "Accept: 2 hour(s) left")
