"""A department answers the cases the town assigned it (docs/departments.md): signs for them, records what it
did, resolves them (its feedback to the town) or hands them back. Every move it may make is made here; every
other is refused with nothing saved."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from disputes import services
from disputes.models import Case, CaseEvent, DepartmentMember, Policy, State, Tier
from disputes.workflow import ACTIONS, Actor
from grids import access
from grids.models import Assignment, Role
from messaging.models import Notice
from tests.conftest import make_case
from tests.disputes.departments_world import department_user, town_case


def test_a_department_login_holds_its_town_and_nothing_else(world, dw, dept_user):
    scope = access.scope_for(dept_user)
    assert scope.department_town_ids == {world.town.pk}
    assert not (scope.town_ids or scope.town_village_ids or scope.village_ids or scope.works_in_field)
    assert access.is_department_only(dept_user)
    assert not access.may_use_town_pages(dept_user) and not access.may_read_audit(dept_user)
    assert Assignment.objects.get(user=dept_user).role == Role.DEPARTMENT


def test_the_department_sees_exactly_the_cases_assigned_to_it(world, dw, dept_user, staff, town):
    mine = town_case(world, staff, town, dw.justice)
    police_case = town_case(world, staff, town, dw.police)
    village_case = make_case(world, staff)
    seen = set(Case.objects.visible_to(dept_user).values_list("pk", flat=True))
    assert seen == {mine.pk}
    assert police_case.pk not in seen and village_case.pk not in seen


def test_an_ended_membership_closes_the_door(world, dw, dept_user, staff, town):
    case = town_case(world, staff, town, dw.justice)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    DepartmentMember.objects.filter(user=dept_user).update(start=yesterday - datetime.timedelta(days=5))
    Assignment.objects.filter(user=dept_user).update(start=yesterday - datetime.timedelta(days=5))
    member = DepartmentMember.objects.get(user=dept_user)
    services.department_member_end(by=town, member=member, on=yesterday)
    fresh = type(dept_user).objects.get(pk=dept_user.pk)
    assert not Case.objects.visible_to(fresh).filter(pk=case.pk).exists()
    assert not access.scope_for(fresh).department_town_ids  # the town role ended with the last membership


def test_only_the_town_office_keeps_its_departments_people(world, dw, staff, town, worker):
    with pytest.raises(PermissionDenied):
        services.department_member_add(by=staff, user=worker, department=dw.justice)
    with pytest.raises(PermissionDenied):
        services.department_member_add(by=dw.far_office, user=worker, department=dw.justice)
    with pytest.raises(ValidationError):  # someone of a village is not made a department's login
        services.department_member_add(by=town, user=worker, department=dw.justice)
    assert not DepartmentMember.objects.exists()


def test_the_town_assigns_only_its_own_departments(world, dw, staff, town):
    case = make_case(world, staff, major=True)
    case = services.case_accept(case=case, by=town, version=case.version)
    with pytest.raises(ValidationError) as error:
        services.case_assign(case=case, by=town, version=case.version, department=dw.far_justice)
    assert "department" in error.value.message_dict
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_sign_note_resolve_then_the_town_closes(world, dw, dept_user, staff, town):
    case = town_case(world, staff, town, dw.justice)
    assert Notice.objects.filter(recipient=dept_user, title__contains="请签收").exists()
    actor = Actor(dept_user, case)
    assert actor.is_department and actor.may_sign()
    # Before signing: no note, no resolution.
    assert not actor.may_note() and not actor.may("resolve")
    with pytest.raises(PermissionDenied):
        services.case_dept_note(case=case, by=dept_user, note="已联系")
    case = services.case_sign(case=case, by=dept_user)
    assert case.signed_at is not None
    with pytest.raises(PermissionDenied):  # signed once
        services.case_sign(case=case, by=dept_user)
    case = services.case_dept_note(case=case, by=dept_user, note="电话联系双方，约定周五现场调解。")
    with pytest.raises(ValidationError):
        services.case_dept_note(case=case, by=dept_user, note="  ")
    case = services.case_resolve(
        case=case, by=dept_user, version=case.version, outcome="agreement", resolution="司法所主持调解，双方达成协议。"
    )
    assert (case.state, case.tier, case.department) == (State.RESOLVED, Tier.TOWN, dw.justice)
    # The town office hears of the department's feedback and sees it on the timeline.
    assert Notice.objects.filter(recipient=town, title__contains="职能部门").exists()
    notes = dict(CaseEvent.objects.visible_to(town).filter(case=case).values_list("action", "note"))
    assert notes["dept_note"] == "电话联系双方，约定周五现场调解。"
    assert notes["resolve"] == "司法所主持调解，双方达成协议。"
    # The return visit is the town's, not the department's.
    assert not Actor(dept_user, case).actions()
    case = services.case_feedback(case=case, by=town, version=case.version, note="已告知双方")
    case = services.case_close(case=case, by=town, version=case.version)
    assert case.state == State.CLOSED
    assert Case.objects.visible_to(dept_user).filter(pk=case.pk).exists()  # what it handled stays in its list


def test_the_department_hands_a_case_back_and_the_town_assigns_again(world, dw, dept_user, staff, town):
    case = town_case(world, staff, town, dw.justice)
    with pytest.raises(ValidationError):  # a reason is required
        services.case_dept_return(case=case, by=dept_user, version=case.version, note="")
    case = services.case_dept_return(case=case, by=dept_user, version=case.version, note="属治安案件，请交派出所。")
    assert (case.state, case.tier, case.department, case.signed_at) == (State.ACCEPTED, Tier.TOWN, None, None)
    assert not Case.objects.visible_to(dept_user).filter(pk=case.pk).exists()
    assert Notice.objects.filter(recipient=town, title__contains="退回镇综治中心").exists()
    case = services.case_assign(case=case, by=town, version=case.version, department=dw.police)
    assert case.department == dw.police


def test_a_reopened_case_is_signed_for_again(world, dw, dept_user, staff, town):
    case = town_case(world, staff, town, dw.justice)
    case = services.case_sign(case=case, by=dept_user)
    case = services.case_resolve(
        case=case, by=dept_user, version=case.version, outcome="no_agreement", resolution="未成"
    )
    case = services.case_feedback(case=case, by=town, version=case.version, note="已告知")
    case = services.case_reopen(case=case, by=town, version=case.version, note="当事人不满意")
    assert (case.state, case.department, case.signed_at) == (State.HANDLING, dw.justice, None)
    assert Actor(dept_user, case).may_sign()


STATE_MOVES = sorted(set(ACTIONS) - {"resolve", "dept_return"})


@pytest.mark.parametrize("name", STATE_MOVES)
def test_every_other_move_is_refused_with_nothing_saved(world, dw, dept_user, staff, town, name):
    case = town_case(world, staff, town, dw.justice)
    case = services.case_sign(case=case, by=dept_user)
    before = (case.state, case.version, CaseEvent.objects.filter(case=case).count())
    assert not Actor(dept_user, case).may(name)
    with pytest.raises(PermissionDenied):
        services.ACTION_SERVICES[name](case=case, by=dept_user, version=case.version, note="试试")
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version, CaseEvent.objects.filter(case=case).count()) == before


def test_no_mediation_record_team_or_photo_from_a_department(world, dw, dept_user, staff, town):
    case = town_case(world, staff, town, dw.justice)
    case = services.case_sign(case=case, by=dept_user)
    actor = Actor(dept_user, case)
    assert not (actor.may_record_session() or actor.may_set_mediators() or actor.may_attach())
    with pytest.raises(PermissionDenied):
        services.case_mediators_set(case=case, by=dept_user, mediators=[])


def test_another_department_of_the_town_cannot_act(world, dw, staff, town):
    case = town_case(world, staff, town, dw.justice)
    officer = department_user(dw.police, "police", "派出所甲")
    assert not Actor(officer, case).may_sign()
    with pytest.raises(PermissionDenied):
        services.case_sign(case=case, by=officer)
    with pytest.raises(PermissionDenied):
        services.case_dept_return(case=case, by=officer, version=case.version, note="不是我们的")
    assert Case.objects.get(pk=case.pk).state == State.HANDLING


def test_the_departments_stage_runs_on_the_towns_clock(world, dw, dept_user, staff, town):
    """The department's deadline is the town tier's limit from when the case reached the town (Policy)."""
    from disputes import deadlines

    case = town_case(world, staff, town, dw.justice)
    policy = Policy.current()
    deadline = deadlines.deadline_for(case, policy)
    assert deadline.clock == "handle"
    assert deadline.due_at == case.tier_since + datetime.timedelta(days=policy.tier3_days)
    overdue = deadlines.overdue(
        Case.objects.visible_to(dept_user), policy, now=deadline.due_at + datetime.timedelta(hours=1)
    )
    assert list(overdue.values_list("pk", flat=True)) == [case.pk]
