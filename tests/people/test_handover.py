"""The handover when a grid worker leaves (README, "Handover when a grid worker leaves"): the grid, the open
cases and the key-person teams pass to the successor (or the village staff) in one step; the month's
coverage stays what it was; the leaver's rights end at once."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEntry
from disputes import services as case_services
from disputes.models import CaseEvent, State, Tier
from grids.models import Assignment, Role
from messaging.models import Notice
from people.handover import grid_hand_over
from people.models import Handover
from residents.models import KeyPersonResponsible, ResponsibleRole
from tests.conftest import assign, make_case, make_household, make_user
from visits import due, summary
from visits.services import visit_record

HANDOVER = "people:handover"
# The handover page: session, user, scope, the assignment, its successors, the plan (households, key persons
# and their visits, key places, cases, teams), the history, the layout's menus. Pinned at 3 and 30 households.
QUERIES = 17


@pytest.fixture
def successor(world):
    return make_user("successor", world.village, full_name="接替人丙", phone="13800000003")


@pytest.fixture
def work(world, worker, staff):
    """The leaver's month in grid 1: one household visited, one left; a case they handle; a team they are on."""
    left = make_household(world.micro1, world.group1, "0003", "张庄3号")
    visit_record(worker=worker, target=world.household1, visited_on=timezone.localdate())
    case = make_case(world, staff)
    case = case_services.case_accept(case=case, by=staff, version=case.version, tier=Tier.GROUP)
    case = case_services.case_assign(case=case, by=staff, version=case.version, assignee=worker)
    closed_elsewhere = make_case(world, staff, title="已驳回的事")
    case_services.case_reject(case=closed_elsewhere, by=staff, version=closed_elsewhere.version, note="不属实")
    team = KeyPersonResponsible.objects.create(
        key_person=world.key_person1, role=ResponsibleRole.GRID_WORKER, user=worker, name="网格员甲"
    )
    return {"left": left, "case": case, "team": team}


def _figures(world):
    month = due.month_start(timezone.localdate())
    grids = [world.grid1.pk, world.grid2.pk]
    kept = summary.coverage_for(grids, month)
    counted = due.coverage_by_grid(grids, month)
    village = summary.village_totals([world.village.pk], month)[world.village.pk]
    as_tuple = lambda c: tuple(getattr(c, name) for name in due.FIGURES)  # noqa: E731
    return {
        "kept": {g: as_tuple(c) for g, c in kept.items()},
        "counted": {g: as_tuple(c) for g, c in counted.items()},
        "village": as_tuple(village),
    }


def _device(worker) -> dict:
    client = Client()
    client.force_login(worker)
    response = client.get(reverse("visits:offline-manifest"), {"urls": "0"})
    assert response.status_code == 200
    return json.loads(response.content)


def _wipe(device) -> bool:
    response = Client().get(
        reverse("visits:device-check"),
        {"user": device["user"], "since": device["now"]},
        HTTP_X_FIELD_DEVICE=device["device"],
    )
    assert response.status_code == 200
    return json.loads(response.content)["wipe"]


def _me(token) -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api.get("/api/v1/me/").status_code


def test_the_page_shows_what_will_move(client, world, worker, staff, work):
    client.force_login(staff)
    response = client.get(reverse(HANDOVER, args=[worker.assignments.get().pk]))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [h.pk for h in plan.households_left] == [work["left"].pk]
    assert [c.pk for c in plan.cases] == [work["case"].pk]
    assert plan.key_person_ids == [world.key_person1.pk]
    page = response.content.decode()
    for shown in ("张庄3号", work["case"].title, world.resident1.name):
        assert shown in page
    assert "张庄1号" not in page  # visited this month: nothing left to hand over there


def test_a_worker_leaving_mid_month_hands_everything_to_the_successor(client, world, worker, staff, successor, work):
    leaver_assignment = worker.assignments.get()
    before = _figures(world)
    token = Token.objects.create(user=worker).key
    assert _me(token) == 200
    device = _device(worker)
    assert _wipe(device) is False
    field = Client()
    field.force_login(worker)
    assert field.get(reverse("visits:work-list")).status_code == 200

    client.force_login(staff)
    response = client.post(
        reverse(HANDOVER, args=[leaver_assignment.pk]), {"to": "successor", "successor": successor.pk}
    )
    handover = Handover.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("people:handover-detail", args=[handover.pk])

    today = timezone.localdate()
    leaver_assignment.refresh_from_db()
    assert leaver_assignment.end == today - datetime.timedelta(days=1)
    taken = Assignment.objects.get(user=successor)
    assert (taken.role, taken.grid, taken.start, taken.end) == (Role.GRID_WORKER, world.grid1, today, None)

    # The month's coverage: the same for each grid and the village, kept and freshly counted.
    assert _figures(world) == before

    # The successor's work list: what is left of the month in grid 1.
    mine = Client()
    mine.force_login(successor)
    page = mine.get(reverse("visits:work-list"))
    assert page.status_code == 200
    # The grid's month is the leaver's: its list may be the one kept from the leaver's last opening
    # (visits/kept_list.py), so the page is read, not its context.
    households = re.search(r"<h2 data-households-progress[^>]*>", page.content.decode()).group(0)
    assert 'data-done="1"' in households and f'data-open="{work["left"].pk}"' in households

    # The leaver's rights: token refused, session gone, phone wipes at its next contact.
    assert _me(token) == 401
    assert not Token.objects.filter(user=worker).exists()
    assert field.get(reverse("visits:work-list")).status_code == 302
    assert _wipe(device) is True

    # The open case passed on, with a line on its timeline; the closed one stays as it was.
    case = work["case"]
    case.refresh_from_db()
    assert (case.assignee, case.state, case.signed_at) == (successor, State.HANDLING, None)
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert (event.action, event.by, event.from_state, event.to_state) == (
        "hand_over",
        staff,
        State.HANDLING,
        State.HANDLING,
    )
    assert worker.full_name in event.note
    assert handover.cases == [case.pk]

    # The 四帮一 team names the successor.
    team = KeyPersonResponsible.objects.get(pk=work["team"].pk)
    assert (team.user, team.name, team.phone) == (successor, "接替人丙", "13800000003")
    assert not KeyPersonResponsible.objects.filter(user=worker).exists()

    # Notices: the successor and the village staff; the case's "please sign" too.
    told = Notice.objects.filter(kind="handover")
    assert set(told.values_list("recipient", flat=True)) == {successor.pk, staff.pk}
    assert Notice.objects.filter(recipient=successor, kind="case", title__contains=case.title).exists()

    entry = AuditEntry.objects.get(action=AuditAction.HANDOVER)
    assert entry.actor == staff and entry.village_id == world.village.pk
    assert entry.changes["successor"] == successor.pk and entry.changes["cases"] == [case.pk]
    assert entry.changes["key_persons"] == [world.key_person1.pk]

    # The grid's page lists the handover (read by its related name, grids/views.py grid_detail).
    grid_page = client.get(reverse("grids:grid-detail", args=[world.grid1.pk])).content.decode()
    assert reverse("people:handover-detail", args=[handover.pk]) in grid_page

    # The successor sees the record; the leaver no longer does.
    assert mine.get(reverse("people:handover-detail", args=[handover.pk])).status_code == 200
    field.force_login(worker)
    assert field.get(reverse("people:handover-detail", args=[handover.pk])).status_code == 404


def test_without_a_successor_the_village_staff_carry_the_work(client, world, worker, staff, work):
    leaver_assignment = worker.assignments.get()
    before = _figures(world)
    token = Token.objects.create(user=worker).key
    device = _device(worker)
    client.force_login(staff)
    response = client.post(reverse(HANDOVER, args=[leaver_assignment.pk]), {"to": "staff"})
    assert response.status_code == 302
    leaver_assignment.refresh_from_db()
    assert leaver_assignment.end == timezone.localdate() - datetime.timedelta(days=1)
    assert not Assignment.objects.current().filter(grid=world.grid1, role=Role.GRID_WORKER).exists()
    assert _figures(world) == before
    assert _me(token) == 401
    assert _wipe(device) is True
    work["case"].refresh_from_db()
    assert work["case"].assignee == staff
    assert KeyPersonResponsible.objects.get(pk=work["team"].pk).user == staff
    handover = Handover.objects.get()
    assert (handover.successor, handover.carrier, handover.by) == (None, staff, staff)
    assert AuditEntry.objects.filter(action=AuditAction.HANDOVER, object_id=str(handover.pk)).exists()
    assert Notice.objects.filter(kind="handover", recipient=staff).exists()


def test_a_leaver_who_keeps_another_grid_keeps_their_rights_and_that_grids_work(world, worker, staff, successor):
    assign(worker, Role.GRID_WORKER, world.grid2)
    token = Token.objects.create(user=worker).key
    other_case = make_case(world, staff, grid=world.grid2)
    other_case = case_services.case_accept(case=other_case, by=staff, version=other_case.version, tier=Tier.GROUP)
    other_case = case_services.case_assign(case=other_case, by=staff, version=other_case.version, assignee=worker)
    grid_hand_over(assignment=worker.assignments.get(grid=world.grid1), by=staff, successor=successor)
    assert _me(token) == 200
    other_case.refresh_from_db()
    assert other_case.assignee == worker


def test_bad_input_keeps_the_form_with_a_message(client, world, worker, staff, outsider):
    client.force_login(staff)
    url = reverse(HANDOVER, args=[worker.assignments.get().pk])
    response = client.post(url, {"to": "successor"})
    assert response.status_code == 200
    assert "请选择接替人" in response.content.decode()
    response = client.post(url, {"to": "successor", "successor": outsider.pk})
    assert response.status_code == 200 and response.context["form"].errors["successor"]
    response = client.post(url, {"to": "successor", "successor": worker.pk})  # the leaver is not offered
    assert response.status_code == 200 and response.context["form"].errors["successor"]
    response = client.post(url, {"to": "nowhere"})
    assert response.status_code == 200 and response.context["form"].errors["to"]
    assert not Handover.objects.exists()
    assert worker.assignments.get().end is None


def test_a_stale_page_gets_a_message(client, world, worker, staff, successor):
    assignment = worker.assignments.get()
    client.force_login(staff)
    url = reverse(HANDOVER, args=[assignment.pk])
    assert client.post(url, {"to": "staff"}).status_code == 302
    # The same page posted again (another tab, a double click): the assignment is over already.
    response = client.post(url, {"to": "successor", "successor": successor.pk}, follow=True)
    assert response.status_code == 200
    assert "无需" in response.content.decode()
    assert Handover.objects.count() == 1 and not Assignment.objects.filter(user=successor).exists()


def test_the_service_refuses_an_assignment_ended_meanwhile(world, worker, staff, successor):
    from django.core.exceptions import ValidationError

    assignment = worker.assignments.get()
    stale = Assignment.objects.get(pk=assignment.pk)
    Assignment.objects.filter(pk=assignment.pk).update(end=timezone.localdate() - datetime.timedelta(days=2))
    with pytest.raises(ValidationError):
        grid_hand_over(assignment=stale, by=staff, successor=successor)
    assert not Handover.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("colleague", 404), ("worker", 403), ("town", 403)])
def test_only_the_villages_staff_hand_over(client, world, personas, successor, persona, status):
    assignment = personas["worker"].assignments.get()
    client.force_login(personas[persona])
    url = reverse(HANDOVER, args=[assignment.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"to": "successor", "successor": successor.pk}).status_code == status
    assert not Handover.objects.exists()
    assert Assignment.objects.get(pk=assignment.pk).end is None


def test_a_staff_member_cannot_hand_over_their_own_grid(client, world, staff, successor):
    own = assign(staff, Role.GRID_WORKER, world.grid2)
    client.force_login(staff)
    assert client.post(reverse(HANDOVER, args=[own.pk]), {"to": "staff"}).status_code == 403
    assert Assignment.objects.get(pk=own.pk).end is None


def test_only_grid_workers_are_handed_over(client, world, liaison, staff):
    client.force_login(staff)
    assert client.get(reverse(HANDOVER, args=[liaison.assignments.get().pk])).status_code == 404


def test_the_grid_page_offers_the_handover(client, world, worker, staff):
    client.force_login(staff)
    page = client.get(reverse("grids:grid-detail", args=[world.grid1.pk])).content.decode()
    assert reverse(HANDOVER, args=[worker.assignments.get().pk]) in page


def test_what_the_staff_carried_goes_on_to_the_next_worker(client, world, worker, staff, successor, work):
    client.force_login(staff)
    client.post(reverse(HANDOVER, args=[worker.assignments.get().pk]), {"to": "staff"})
    handover = Handover.objects.get()
    detail = reverse("people:handover-detail", args=[handover.pk])
    hand_on = reverse("people:handover-hand-on", args=[handover.pk])
    # No worker yet: a message, nothing moves.
    response = client.post(hand_on, follow=True)
    assert "还没有网格员" in response.content.decode()
    work["case"].refresh_from_db()
    assert work["case"].assignee == staff
    # The staff's own line on the same key person's team stays theirs.
    own = KeyPersonResponsible.objects.create(
        key_person=world.key_person1, role=ResponsibleRole.CADRE, user=staff, name="村干部"
    )
    from grids.services import assignment_create

    assignment_create(by=staff, user=successor, role=Role.GRID_WORKER, place=world.grid1, start=timezone.localdate())
    assert "确认转交" in client.get(detail).content.decode()
    assert client.post(hand_on).status_code == 302
    work["case"].refresh_from_db()
    assert work["case"].assignee == successor
    assert CaseEvent.objects.filter(case=work["case"], action="hand_over").count() == 2
    assert KeyPersonResponsible.objects.get(pk=work["team"].pk).user == successor
    assert KeyPersonResponsible.objects.get(pk=own.pk).user == staff
    handover.refresh_from_db()
    assert handover.handed_on_to == successor
    assert Notice.objects.filter(kind="handover", recipient=successor).exists()
    assert AuditEntry.objects.filter(action=AuditAction.HANDOVER, object_id=str(handover.pk)).count() == 2
    # Once: a second post changes nothing more.
    response = client.post(hand_on, follow=True)
    assert "无需再转交" in response.content.decode()


def test_an_assignment_that_began_today_is_handed_over_once(client, world, staff, successor):
    newcomer = make_user("newcomer", world.village)
    today = timezone.localdate()
    assignment = Assignment.objects.create(user=newcomer, role=Role.GRID_WORKER, grid=world.grid2, start=today)
    token = Token.objects.create(user=newcomer).key
    client.force_login(staff)
    url = reverse(HANDOVER, args=[assignment.pk])
    assert client.post(url, {"to": "staff"}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.end == today  # it cannot end before it began
    assert _me(token) == 401  # the rights end all the same
    response = client.post(url, {"to": "staff"}, follow=True)
    assert response.status_code == 200 and "无需" in response.content.decode()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        grid_hand_over(assignment=assignment, by=staff, successor=None)
    assert Handover.objects.count() == 1


@pytest.mark.parametrize("households", [3, 30])
def test_the_page_reads_a_fixed_number_of_queries(
    client, world, worker, staff, django_assert_max_num_queries, households
):
    for n in range(households):
        make_household(world.micro1, world.group1, f"1{n:03d}", f"张庄{100 + n}号")
    client.force_login(staff)
    url = reverse(HANDOVER, args=[worker.assignments.get().pk])
    client.get(url)  # the session and the kept coverage warmed up
    with django_assert_max_num_queries(QUERIES):
        assert client.get(url).status_code == 200
