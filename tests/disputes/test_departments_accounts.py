"""The town office keeps its departments' people (docs/departments.md; README, "Accounts"): a new login for
someone of one of its departments, shown once; the account pages then keep it; the membership ends."""

from __future__ import annotations

from django.urls import reverse

from disputes.models import Case, DepartmentMember
from grids import access
from grids.models import Assignment, Role, User
from tests.disputes.departments_world import department_user, town_case

PAGE = "people:department-people"


def _post(client, dw, department, **extra):
    data = {"department": department.pk, "full_name": "司法所乙", "phone": "13800138001", "username": "sfs2"}
    return client.post(reverse(PAGE), data | extra)


def test_the_town_office_creates_a_department_login(client, world, dw, town, staff):
    client.force_login(town)
    response = _post(client, dw, dw.justice)
    assert response.status_code == 200 and response.context["password"]
    account = User.objects.get(username="sfs2")
    assert account.home_village is None and account.must_change_password
    assert DepartmentMember.objects.get(user=account).department == dw.justice
    assert Assignment.objects.get(user=account).role == Role.DEPARTMENT
    # The new login sees the cases of its department, and the town office keeps its account.
    case = town_case(world, staff, town, dw.justice)
    assert list(Case.objects.visible_to(account).values_list("pk", flat=True)) == [case.pk]
    assert access.may_manage_account(town, account)
    assert client.get(reverse("people:account-detail", args=[account.pk])).status_code == 200


def test_another_towns_department_is_a_field_error(client, dw, town):
    client.force_login(town)
    response = _post(client, dw, dw.far_justice)
    assert response.status_code == 400 and "department" in response.context["form"].errors
    assert not User.objects.filter(username="sfs2").exists()


def test_bad_input_is_told_and_nothing_is_saved(client, dw, town, worker):
    client.force_login(town)
    response = _post(client, dw, dw.justice, phone="123", username=worker.username)
    assert response.status_code == 400
    form = response.context["form"]
    assert "phone" in form.errors and "username" in form.errors
    assert not DepartmentMember.objects.exists()


def test_the_page_is_the_town_offices(client, personas, dw):
    for name in ("staff", "worker", "outsider"):
        client.force_login(personas[name])
        assert client.get(reverse(PAGE)).status_code == 403
    client.force_login(department_user(dw.justice))
    assert client.get(reverse(PAGE)).status_code == 403


def test_the_list_searches_and_shows_current_people(client, dw, town):
    person = department_user(dw.justice)
    client.force_login(town)
    page = client.get(reverse(PAGE) + "?q=司法所甲")
    rows = list(page.context["page"].object_list)
    assert [d.pk for d in rows] == [dw.justice.pk] and [m.user_id for m in rows[0].current_members] == [person.pk]
    assert dw.far_justice.pk not in {d.pk for d in client.get(reverse(PAGE)).context["page"].object_list}


def test_ending_a_membership_closes_the_login(client, world, dw, town, staff):
    person = department_user(dw.justice)
    member = DepartmentMember.objects.get(user=person)
    client.force_login(dw.far_office)  # another town's office: its departments are not these (404)
    assert client.post(reverse("people:department-member-end", args=[member.pk])).status_code == 404
    assert DepartmentMember.objects.get(pk=member.pk).end is None
    client.force_login(town)
    assert client.post(reverse("people:department-member-end", args=[member.pk])).status_code == 302
    member.refresh_from_db()
    assert member.end is not None
    assert Assignment.objects.get(user=person).end == member.end


def test_the_department_list_query_count_does_not_grow(client, dw, town, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    department_user(dw.justice, "a1", "甲一")
    client.force_login(town)
    client.get(reverse(PAGE))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(PAGE))
    for i in range(10):
        department_user(dw.police if i % 2 else dw.justice, f"b{i}", f"乙{i}")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse(PAGE))
