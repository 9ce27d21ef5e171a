"""Case pages: scoping of lists, actions from the page, forms that keep input, exports, pinned queries."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import ExportRecord
from disputes import services
from disputes.models import Case, CaseEvent, State
from tests.conftest import ID2, make_case, png_bytes


@pytest.fixture
def cases(world, staff, outsider):
    """One case in each grid of the village and one in the other village (reported by their staff)."""
    return {
        "grid1": make_case(world, staff, title="一网格的案件"),
        "grid2": make_case(world, staff, grid=world.grid2, title="二网格的案件"),
        "other": make_case(world, outsider, grid=world.other_grid, title="外村的案件"),
    }


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("worker", {"grid1"}),
        ("colleague", {"grid2"}),
        ("staff", {"grid1", "grid2"}),
        ("town", {"grid1", "grid2", "other"}),
        ("outsider", {"other"}),
    ],
)
def test_case_list_shows_what_each_persona_may_see(client, personas, cases, persona, sees):
    client.force_login(personas[persona])
    page = client.get(reverse("disputes:case-list")).content.decode()
    shown = {key for key, case in cases.items() if f'data-case="{case.pk}"' in page}
    assert shown == sees


def test_outsider_gets_404_on_another_villages_case_and_its_actions(client, outsider, cases):
    client.force_login(outsider)
    pk = cases["grid1"].pk
    assert client.get(reverse("disputes:case-detail", args=[pk])).status_code == 404
    for action in ("accept", "reject", "escalate", "close"):
        assert client.post(reverse("disputes:case-act", args=[pk, action]), {}).status_code == 404
    assert client.get(reverse("disputes:case-record", args=[pk])).status_code == 404


def test_staff_accept_from_the_page_and_a_stale_page_is_told(client, staff, cases):
    client.force_login(staff)
    case = cases["grid1"]
    url = reverse("disputes:case-act", args=[case.pk, "accept"])
    response = client.post(url, {"accept-version": case.version, "accept-tier": 2})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED
    # The same form posted again (another tab, a double click): refused with a message, nothing applied.
    response = client.post(
        reverse("disputes:case-act", args=[case.pk, "reject"]),
        {"reject-version": case.version, "reject-note": "x"},
        follow=True,
    )
    assert response.status_code == 403  # an accepted case can no longer be rejected
    response = client.post(
        reverse("disputes:case-act", args=[case.pk, "assign"]),
        {"assign-version": case.version, "assign-assignee": staff.pk},
        follow=True,
    )
    assert "刚刚被别人处理过" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_an_invalid_action_form_keeps_its_input_and_says_what_is_wrong(client, staff, cases):
    client.force_login(staff)
    case = cases["grid1"]
    response = client.post(
        reverse("disputes:case-act", args=[case.pk, "reject"]), {"reject-version": case.version, "reject-note": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "这个字段是必填项" in page or "必填" in page
    assert '<details class="action action-reject" open>' in page
    assert Case.objects.get(pk=case.pk).state == State.REPORTED


def test_actions_shown_are_the_ones_allowed(client, personas, cases):
    case = cases["grid1"]
    client.force_login(personas["staff"])
    page = client.get(reverse("disputes:case-detail", args=[case.pk])).content.decode()
    assert "action-accept" in page and "action-reject" in page and "action-escalate" in page
    assert "action-close" not in page
    client.force_login(personas["worker"])
    page = client.get(reverse("disputes:case-detail", args=[case.pk])).content.decode()
    assert "action-accept" not in page and "case-actions" not in page


def test_staff_register_a_case_with_a_resident_and_an_outsider_as_parties(client, world, staff):
    client.force_login(staff)
    data = {
        "kind": "dispute",
        "category": "dispute.neighbour",
        "title": "排水沟",
        "description": "堵了",
        "occurred_on": "2026-01-05",
        "people_involved": 2,
        "grid": world.grid1.pk,
        "source": "walk_in",
        "party-TOTAL_FORMS": 3,
        "party-INITIAL_FORMS": 0,
        "party-0-role": "applicant",
        "party-0-id_number": ID2,
        "party-1-role": "respondent",
        "party-1-name": "外村老板",
        "party-1-phone": "13912345678",
        "party-2-role": "other",
    }
    response = client.post(reverse("disputes:case-create", args=[world.village.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    parties = {(p.role, p.name, p.resident_id) for p in case.parties.all()}
    assert parties == {("applicant", "李四", world.resident2.pk), ("respondent", "外村老板", None)}


def test_case_form_refuses_a_category_of_another_kind_and_keeps_the_input(client, world, staff):
    client.force_login(staff)
    data = {
        "kind": "hazard",
        "category": "dispute.neighbour",
        "title": "电动车充电",
        "description": "楼道",
        "occurred_on": "2026-01-05",
        "people_involved": 2,
        "grid": world.grid1.pk,
        "source": "walk_in",
        "party-TOTAL_FORMS": 1,
        "party-INITIAL_FORMS": 0,
        "party-0-role": "applicant",
        "party-0-id_number": "123",
    }
    response = client.post(reverse("disputes:case-create", args=[world.village.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "类别与类型不符" in page and "电动车充电" in page
    assert not Case.objects.exists()


def test_worker_reports_from_the_phone_with_a_photo(client, world, worker, staff):
    client.force_login(worker)
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    response = client.post(
        reverse("disputes:field-case-new"),
        {
            "kind": "hazard",
            "category": "hazard.fire",
            "description": "楼道里给电动车充电\n第二行",
            "grid": world.grid1.pk,
            "people_involved": 3,
            "photos": [photo],
            "household": world.household1.pk,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.reported_by, case.grid, case.household, case.title) == (
        worker,
        world.grid1,
        world.household1,
        "消防隐患：楼道里给电动车充电",
    )
    assert case.attachments.count() == 1
    assert client.get(reverse("disputes:field-cases")).content.decode().count(f"/cases/{case.pk}/") == 1


def test_worker_cannot_report_for_a_household_outside_their_grids(client, world, worker):
    client.force_login(worker)
    response = client.post(
        reverse("disputes:field-case-new"),
        {
            "kind": "hazard",
            "category": "hazard.fire",
            "description": "x",
            "grid": world.grid1.pk,
            "people_involved": 1,
            "household": world.household2.pk,
        },
    )
    assert response.status_code == 200 and not Case.objects.exists()


def test_town_desk_lists_escalated_and_major_cases_only(client, world, staff, town, cases):
    major = make_case(world, staff, major=True, title="重大群体纠纷")
    client.force_login(town)
    page = client.get(reverse("disputes:town-desk")).content.decode()
    assert f'data-case="{major.pk}"' in page
    assert f'data-case="{cases["grid1"].pk}"' not in page


def test_overdue_filter_and_order(client, world, staff):
    import datetime

    from django.utils import timezone

    late = make_case(world, staff, title="晚了")
    Case.objects.filter(pk=late.pk).update(state_since=timezone.now() - datetime.timedelta(days=9))
    fresh = make_case(world, staff, title="新的")
    client.force_login(staff)
    page = client.get(reverse("disputes:case-list")).content.decode()
    assert page.index(f'data-case="{late.pk}"') < page.index(f'data-case="{fresh.pk}"')
    assert "受理超期 6 天" in page
    page = client.get(reverse("disputes:case-list") + "?overdue=true").content.decode()
    assert f'data-case="{late.pk}"' in page and f'data-case="{fresh.pk}"' not in page
    overview = client.get(reverse("reports:village-overview", args=[world.village.pk])).content.decode()
    assert 'data-stat="cases-overdue"' in overview and "受理超期 6 天" in overview


def test_export_follows_the_filters_and_is_recorded(client, world, staff, cases):
    client.force_login(staff)
    response = client.get(reverse("disputes:case-export") + f"?grid={world.grid2.pk}")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:4] == ("编号", "类型", "类别", "事件名称")
    assert [r[3] for r in rows[1:]] == ["二网格的案件"]
    assert ExportRecord.objects.filter(user=staff, kind="cases", rows=1).exists()


def test_photo_is_served_only_through_the_case(client, world, worker, colleague):
    case = make_case(world, worker, photos=[SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")])
    url = reverse("disputes:case-photo", args=[case.pk, case.attachments.get().pk])
    client.force_login(worker)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.force_login(colleague)
    assert client.get(url).status_code == 404
    # A file gone from storage (a restore without the data folder) is a 404, not a 500.
    attachment = case.attachments.get()
    attachment.image.storage.delete(attachment.image.name)
    client.force_login(worker)
    assert client.get(url).status_code == 404


def test_printable_agreement_only_after_an_agreement(client, world, staff):
    case = make_case(world, staff)
    client.force_login(staff)
    assert client.get(reverse("disputes:case-agreement", args=[case.pk])).status_code == 404
    case = services.case_accept(case=case, by=staff, version=case.version, tier=2)
    case = services.case_assign(case=case, by=staff, version=case.version, assignee=staff)
    case = services.case_resolve(
        case=case,
        by=staff,
        version=case.version,
        outcome="agreement",
        resolution="互谅互让",
        agreement_text="一、疏通排水沟",
    )
    page = client.get(reverse("disputes:case-agreement", args=[case.pk])).content.decode()
    assert "人民调解协议书" in page and "一、疏通排水沟" in page and "print.css" in page


# --- Query counts ----------------------------------------------------------------------------------


def _grow_cases(world, by, n):
    for i in range(n - Case.objects.filter(village=world.village).count()):
        make_case(world, by, title=f"案件{i}", grid=world.grid1 if i % 2 else world.grid2)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("persona", "url", "count_query"),
    [
        ("staff", lambda w: reverse("disputes:case-list"), 0),
        ("staff", lambda w: reverse("disputes:case-list") + "?q=案件&overdue=false", 0),
        ("town", lambda w: reverse("disputes:town-desk"), 0),
        ("town", lambda w: reverse("reports:town-home"), 0),
        # 33 cases fill more than the phone's page of 30: the pager then asks for the count, which a list shorter
        # than a page knows without asking (core.pages.IdFirstPaginator).
        ("worker", lambda w: reverse("disputes:field-cases"), 1),
    ],
)
def test_case_lists_query_count_does_not_grow(client, world, personas, persona, url, count_query):
    staff = personas["staff"]
    _grow_cases(world, staff, 3)
    Case.objects.update(major=True, reported_by=personas["worker"])  # the town's desk and "my cases" list them
    client.force_login(personas[persona])
    client.get(url(world))  # the town's home keeps this month's coverage once counted (visits.live)
    small = _queries(client, url(world))
    _grow_cases(world, staff, 30)
    Case.objects.update(major=True, reported_by=personas["worker"])
    assert _queries(client, url(world)) == small + count_query
    _grow_cases(world, staff, 30)
    Case.objects.update(major=True, reported_by=personas["worker"])
    assert _queries(client, url(world)) == small + count_query


def test_case_list_query_budget(client, world, staff, django_assert_num_queries):
    _grow_cases(world, staff, 30)
    client.force_login(staff)
    # session, user, scope, villages in scope (one: no village filter), the village for "register",
    # time limits, the page's ids (fewer than a page: no count, core.pages), then its cases (place, assignee,
    # department joined), filter choices: grids; unread inbox
    with django_assert_num_queries(10):  # the session is read, not written (core/sessions.py)
        client.get(reverse("disputes:case-list"))


def test_a_case_list_longer_than_a_page_counts_in_its_ids_statement(client, world, staff):
    """Ordered by each case's computed deadline, the list's ids statement reads every case anyway: the count is
    taken in it (``count(*) OVER ()``), so a list longer than a page asks no statement more than a short one,
    and the pager says the whole count."""
    _grow_cases(world, staff, 30)
    client.force_login(staff)
    url = reverse("disputes:case-list")
    client.get(url)
    short = _queries(client, url)
    _grow_cases(world, staff, 53)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert len(ctx.captured_queries) == short
    assert not any("COUNT(*) AS" in q["sql"] and "disputes_case" in q["sql"] for q in ctx.captured_queries)
    assert "共 53 条，第 1–50 条" in response.content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert "共 53 条，第 51–53 条" in second


def test_case_page_query_count_does_not_grow_with_the_timeline(client, world, staff):
    case = make_case(world, staff)
    case = services.case_accept(case=case, by=staff, version=case.version, tier=2)
    case = services.case_assign(case=case, by=staff, version=case.version, assignee=staff)
    assert CaseEvent.objects.filter(case=case).count() == 3
    client.force_login(staff)
    url = reverse("disputes:case-detail", args=[case.pk])
    small = _queries(client, url)
    for i in range(27):
        CaseEvent.objects.create(
            case=case,
            by=staff,
            action="session",
            from_state=case.state,
            to_state=case.state,
            to_tier=case.tier,
            note=f"第{i}次",
        )
    assert CaseEvent.objects.filter(case=case).count() == 30
    assert _queries(client, url) == small


def test_the_case_page_reads_its_case_without_the_town(client, world, staff):
    """The case's statement joins what the page shows (village, grid, household, people, department), not the
    town: each relation more roughly doubles PostgreSQL's planning of a one-row read (3.1 → 1.9 ms at a million
    residents, docs/performance.md "Planning a statement"). The town's id is on the village."""
    case = make_case(world, staff)
    client.force_login(staff)
    client.get(reverse("disputes:case-detail", args=[case.pk]))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("disputes:case-detail", args=[case.pk])).status_code == 200
    read = next(
        q["sql"] for q in queries if q["sql"].startswith('SELECT "disputes_case"."id", "disputes_case"."number"')
    )
    assert 'JOIN "grids_village"' in read and 'JOIN "grids_town"' not in read
