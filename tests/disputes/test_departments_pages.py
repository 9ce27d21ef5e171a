"""A department's pages (docs/departments.md): its case list and the case page, and the attack: a department's
login reaches nothing else — no household, resident, key person, visit, report, other case, export or API row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from disputes import services
from disputes.models import Case, CaseEvent, State
from tests.conftest import make_case
from tests.disputes.departments_world import department_user, town_case

LIST = "disputes:department-cases"


def test_a_department_login_lands_on_its_cases(client, dept_user):
    client.force_login(dept_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse(LIST)


def test_the_list_shows_its_own_cases_only(client, world, dw, dept_user, staff, town):
    mine = town_case(world, staff, town, dw.justice, title="宅基地边界纠纷")
    police = town_case(world, staff, town, dw.police, title="治安纠纷")
    client.force_login(dept_user)
    page = client.get(reverse(LIST)).content.decode()
    assert mine.number in page and police.number not in page
    assert "未签收" in page
    # The menu is the department's: no registry links.
    assert f'href="{reverse("residents:household-list")}"' not in page
    assert f'href="{reverse("disputes:case-list")}"' not in page


def test_search_and_filters(client, world, dw, dept_user, staff, town):
    land = town_case(world, staff, town, dw.justice, title="宅基地边界纠纷")
    debt = town_case(world, staff, town, dw.justice, title="借款纠纷")
    services.case_sign(case=debt, by=dept_user)
    client.force_login(dept_user)

    def numbers(query: str) -> set[str]:
        response = client.get(reverse(LIST) + query)
        assert response.status_code == 200
        return {c.number for c in response.context["page"].object_list}

    assert numbers("?q=宅基地") == {land.number}
    assert numbers(f"?q={debt.number}") == {debt.number}
    assert numbers("?signed=no") == {land.number}
    assert numbers("?signed=yes") == {debt.number}
    assert numbers("?overdue=true") == set()
    assert numbers("?state=handling") == {land.number, debt.number}
    assert client.get(reverse(LIST) + "?state=nonsense").status_code == 200  # a bad filter value is ignored


@pytest.mark.parametrize("persona", ["staff", "town", "worker"])
def test_the_list_is_for_departments(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse(LIST)).status_code == 403


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_query_count_does_not_grow(client, world, dw, dept_user, staff, town, django_assert_num_queries):
    for _ in range(2):
        town_case(world, staff, town, dw.justice)
    client.force_login(dept_user)
    client.get(reverse(LIST))
    small = _queries(client, reverse(LIST))
    for _ in range(18):
        town_case(world, staff, town, dw.justice)
    assert Case.objects.visible_to(dept_user).count() == 20
    assert _queries(client, reverse(LIST)) == small
    # session, user, scope, time limits, paginator count, the page's ids, its cases (village, department
    # joined); unread inbox
    with django_assert_num_queries(small):
        client.get(reverse(LIST) + "?q=纠纷&signed=no&overdue=false")


def test_the_case_page_sign_note_resolve(client, world, dw, dept_user, staff, town):
    case = town_case(world, staff, town, dw.justice)
    client.force_login(dept_user)
    url = reverse("disputes:case-detail", args=[case.pk])
    page = client.get(url).content.decode()
    assert "请签收" in page and reverse("disputes:case-dept-note", args=[case.pk]) not in page
    assert client.post(reverse("disputes:case-sign", args=[case.pk])).status_code == 302
    page = client.get(url).content.decode()
    assert reverse("disputes:case-dept-note", args=[case.pk]) in page
    assert reverse("disputes:case-act", args=[case.pk, "dept_return"]) in page
    assert reverse("disputes:case-act", args=[case.pk, "accept"]) not in page
    case.refresh_from_db()
    # An empty note: 400 with the message, nothing saved.
    response = client.post(
        reverse("disputes:case-dept-note", args=[case.pk]), {"dept_note-version": case.version, "dept_note-note": ""}
    )
    assert response.status_code == 400 and not CaseEvent.objects.filter(case=case, action="dept_note").exists()
    response = client.post(
        reverse("disputes:case-dept-note", args=[case.pk]),
        {"dept_note-version": case.version, "dept_note-note": "现场查看，约谈双方。"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    response = client.post(
        reverse("disputes:case-act", args=[case.pk, "resolve"]),
        {"resolve-version": case.version, "resolve-outcome": "agreement", "resolve-resolution": "双方签订协议。"},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.RESOLVED
    # The town reads the department's feedback on the case's timeline.
    client.force_login(town)
    page = client.get(url).content.decode()
    assert "现场查看，约谈双方。" in page and "双方签订协议。" in page and "部门处置记录" in page


def test_the_town_office_is_offered_its_own_towns_departments_only(client, world, dw, staff, town):
    case = make_case(world, staff, major=True)
    case = services.case_accept(case=case, by=town, version=case.version)
    client.force_login(town)
    page = client.get(reverse("disputes:case-detail", args=[case.pk]))
    choices = {pk for pk, _label in page.context["action_forms"][0][1].fields["department"].choices if pk}
    assert dw.justice.pk in {int(str(c)) for c in choices} and dw.far_justice.pk not in {int(str(c)) for c in choices}
    response = client.post(
        reverse("disputes:case-act", args=[case.pk, "assign"]),
        {"assign-version": case.version, "assign-department": dw.far_justice.pk},
    )
    assert response.status_code == 400
    assert "department" in response.context["action_forms"][0][1].errors
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_a_department_never_sees_the_household_of_its_case(client, world, dw, dept_user, staff, town):
    case = town_case(world, staff, town, dw.justice, household=world.household1)
    client.force_login(dept_user)
    response = client.get(reverse("disputes:case-detail", args=[case.pk]))
    assert response.status_code == 200 and response.context["household"] is None
    assert world.household1.address not in response.content.decode()


# --- The attack ------------------------------------------------------------------------------------------


def test_a_department_login_reaches_nothing_else(client, world, dw, dept_user, staff, town, worker):
    from visits import services as visit_services

    mine = town_case(world, staff, town, dw.justice)
    police_case = town_case(world, staff, town, dw.police)
    village_case = make_case(world, staff)
    far_case = make_case(world, dw.far_office, grid=dw.far_grid, major=True)
    visit, _created = visit_services.visit_record(worker=worker, target=world.household1)
    client.force_login(dept_user)

    for name, args in [
        ("residents:household-detail", [world.household1.pk]),
        ("residents:resident-detail", [world.resident1.pk]),
        ("residents:keyperson-detail", [world.key_person1.pk]),
        ("residents:keyplace-detail", [world.key_place1.pk]),
        ("residents:field-household-detail", [world.household1.pk]),
        ("disputes:case-detail", [police_case.pk]),
        ("disputes:case-detail", [village_case.pk]),
        ("disputes:case-detail", [far_case.pk]),
        ("disputes:case-record", [police_case.pk]),
        ("reports:village-overview", [world.village.pk]),
        ("reports:report-list", [world.village.pk]),
        ("disputes:mediator-list", [world.village.pk]),
        ("grids:grid-detail", [world.grid1.pk]),
        ("visits:visit-new", ["household", world.household1.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code in (403, 404), name
    for name in [
        "disputes:case-list",
        "disputes:case-export",
        "disputes:town-desk",
        "reports:town-home",
        "reports:town-dashboard",
        "visits:coverage",
        "visits:work-list",
        "disputes:field-cases",
        "audit:audit-list",
        "people:account-list",
    ]:
        assert client.get(reverse(name)).status_code in (403, 404), name
    # Lists and exports of the registry answer, empty; a search finds nothing.
    names = [world.resident1.name, world.resident2.name, world.household1.address, world.key_person1.resident.name]
    for name in [
        "residents:household-list",
        "residents:resident-list",
        "residents:keyperson-list",
        "residents:keyplace-list",
    ]:
        response = client.get(reverse(name) + "?q=张")
        assert response.status_code in (200, 403, 404), name
        if response.status_code == 200:
            assert not list(response.context["page"].object_list), name
            assert not any(n in response.content.decode() for n in names), name
    for name in ["residents:household-export", "residents:resident-export", "residents:keyperson-export"]:
        response = client.get(reverse(name))
        assert response.status_code in (200, 403, 404), name
        if response.status_code == 200:
            import io

            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(response.content)).active
            assert sheet.max_row <= 1, name  # the header only

    # The API: every list is empty but its own cases; another's case is a 404.
    api = APIClient()
    token, _ = Token.objects.get_or_create(user=dept_user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    for route in [
        "households",
        "residents",
        "key-persons",
        "key-places",
        "visits",
        "mediators",
        "villages",
        "grids",
        "micro-grids",
        "assignments",
        "party-members",
        "reports",
        "deliberations",
        "activities",
    ]:
        response = api.get(f"/api/v1/{route}/")
        assert response.status_code in (200, 403, 404), route
        if response.status_code == 200:
            body = response.json()
            rows = body["results"] if isinstance(body, dict) and "results" in body else body
            assert rows == [], route
    cases = api.get("/api/v1/cases/").json()
    rows = cases["results"] if isinstance(cases, dict) else cases
    assert [c["id"] for c in rows] == [mine.pk]
    for other in (police_case, village_case, far_case):
        assert api.get(f"/api/v1/cases/{other.pk}/").status_code == 404
    assert api.get(f"/api/v1/visits/{visit.pk}/").status_code == 404
    # Acting on another department's case through the API: 404, nothing saved.
    response = api.post(f"/api/v1/cases/{police_case.pk}/sign/")
    assert response.status_code == 404 and Case.objects.get(pk=police_case.pk).signed_at is None


def test_another_departments_person_gets_a_404(client, world, dw, staff, town):
    case = town_case(world, staff, town, dw.justice)
    officer = department_user(dw.police, "police", "派出所甲")
    client.force_login(officer)
    assert client.get(reverse("disputes:case-detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("disputes:case-sign", args=[case.pk])).status_code == 404
