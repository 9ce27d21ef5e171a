"""The demo's department login (docs/departments.md): ``dept`` of 丁店镇司法所 with the demo password lands on
its cases, one of them assigned to it and in progress; a second run adds nothing."""

from __future__ import annotations

from django.urls import reverse

from disputes.models import Case, CaseEvent, DepartmentMember, State
from tests.demo_state import seed_demo
from tooling import demo
from tooling.demo.departments import DEPT_CASE_TITLE


def test_the_demo_department_login(client, db, settings):
    settings.DEBUG = True  # as `make run` serves it: the demo accounts keep the shared demo password
    seed_demo()  # the run's copy of the demo (tests/demo_state.py)
    member = DepartmentMember.objects.select_related("department__town").get(user__username="dept")
    assert (member.department.name, member.department.town.name) == ("司法所", demo.TOWN_NAME)
    case = Case.objects.get(title=DEPT_CASE_TITLE)
    assert (case.state, case.department_id) == (State.HANDLING, member.department_id) and case.signed_at
    assert CaseEvent.objects.filter(case=case, action="dept_note").exists()

    response = client.post(reverse("login"), {"username": "dept", "password": settings.DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("disputes:department-cases")
    assert case.number in response.content.decode()

    before = (Case.objects.count(), CaseEvent.objects.count(), DepartmentMember.objects.count())
    accounts = demo.seed()
    assert (Case.objects.count(), CaseEvent.objects.count(), DepartmentMember.objects.count()) == before
    assert "dept" in [a.username for a in accounts]  # printed by `make run` among the demo logins
