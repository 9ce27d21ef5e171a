"""The Party API: the pages' scoping (party/rules.py), writes through the services, errors naming the field,
meetings recorded with their attendance exactly once, and list queries that do not grow with the rows."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from party import services
from party.models import Attendance, Meeting, PartyMember
from residents import idnumber
from residents.codes import Political
from tests.conftest import make_resident


def new_resident(world, name: str, n: int):
    first17 = f"32072319810{n % 9 + 1:1d}{n % 28 + 1:02d}{n % 1000:03d}"
    return make_resident(world.household2, name, first17 + idnumber.check_character(first17), relation="20")


def client_for(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def meeting_body(party, **over):
    return {
        "organisation": party.branch1.pk,
        "kind": "branch_committee",
        "held_on": timezone.localdate().isoformat(),
        "place": "党群服务中心",
        "topic": "学习《支部工作条例》",
        "present": [party.member1.pk],
        "absent": [{"member": party.member2.pk, "reason": "外出务工"}],
        **over,
    }


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_the_secretary_reads_their_villages_records_and_not_another(world, party, secretary):
    client = client_for(secretary)
    assert ids(client.get(reverse("api:party-member-list"))) == {party.member1.pk, party.member2.pk}
    orgs = ids(client.get(reverse("api:party-organisation-list")))
    assert party.branch1.pk in orgs and party.other_branch.pk not in orgs
    assert client.get(reverse("api:party-member-detail", args=[party.other_member.pk])).status_code == 404


def test_the_town_and_a_member_login_see_no_party_records(world, party, town, member_user):
    for user in (town, member_user):
        client = client_for(user)
        for route in ("api:party-organisation-list", "api:party-member-list", "api:meeting-list"):
            assert client.get(reverse(route)).json()["results"] == [], (user, route)
        response = client.get(reverse("api:party-member-detail", args=[party.member1.pk]))
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_meeting_is_recorded_with_its_attendance(world, party, secretary):
    response = client_for(secretary).post(reverse("api:meeting-list"), meeting_body(party), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["village"] == world.village.pk and body["late"] is False
    assert body["period"] == f"{timezone.localdate():%Y-%m}"
    assert sorted((a["member"], a["present"], a["absence_reason"]) for a in body["attendance"]) == sorted(
        [(party.member1.pk, True, ""), (party.member2.pk, False, "外出务工")]
    )
    assert Meeting.objects.get().recorded_by == secretary


def test_a_meeting_held_after_its_period_is_marked_late(world, party, staff):
    held = timezone.localdate()
    last_month = (held.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    body = meeting_body(party, period=last_month)
    response = client_for(staff).post(reverse("api:meeting-list"), body, format="json")
    assert response.status_code == 201 and response.json()["late"] is True


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"absent": [{"member": 0, "reason": "病"}]}, "absent"),
        ({"absent": [{"member": 10**9, "reason": "病"}]}, "attendance"),
        ({"absent": [{"member": "M2", "reason": "病"}]}, "absent"),
        ({"present": []}, "attendance"),
        ({"held_on": "2999-01-01"}, "held_on"),
        ({"period": "2026-13x"}, "period"),
        ({"kind": "picnic"}, "kind"),
    ],
)
def test_bad_meeting_input_is_a_400_naming_the_field_and_saves_nothing(world, party, staff, over, field):
    response = client_for(staff).post(reverse("api:meeting-list"), meeting_body(party, **over), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"], response.json()
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


def test_an_absence_without_reason_and_another_villages_member_are_refused(world, party, staff):
    client = client_for(staff)
    no_reason = meeting_body(party, absent=[{"member": party.member2.pk, "reason": " "}])
    response = client.post(reverse("api:meeting-list"), no_reason, format="json")
    assert response.status_code == 400 and "缺席原因" in response.json()["fields"]["attendance"][0]
    stranger = meeting_body(party, present=[party.member1.pk, party.other_member.pk], absent=[])
    response = client.post(reverse("api:meeting-list"), stranger, format="json")
    assert response.status_code == 400 and str(party.other_member.pk) in response.json()["fields"]["attendance"][0]
    # A member of the village but not of the branch: the service's rule.
    outside_branch = new_resident(world, "王五", 1)
    m3 = services.member_save(
        by=None,
        member=PartyMember(
            village=world.village, resident=outside_branch, branch=party.branch2, joined_on=datetime.date(2020, 1, 1)
        ),
    )
    response = client.post(reverse("api:meeting-list"), meeting_body(party, present=[m3.pk], absent=[]), format="json")
    assert response.status_code == 400 and "不是该组织的党员" in response.json()["fields"]["attendance"][0]
    assert not Meeting.objects.exists()


def test_recording_a_meeting_twice_with_one_key_makes_one(world, party, staff):
    client, key = client_for(staff), str(uuid.uuid4())
    first = client.post(reverse("api:meeting-list"), meeting_body(party), format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(reverse("api:meeting-list"), meeting_body(party), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Meeting.objects.count() == 1 and Attendance.objects.count() == 2


def test_another_villages_organisation_is_an_unknown_id(world, party, staff):
    body = meeting_body(party, organisation=party.other_branch.pk, present=[], absent=[], others_present=3)
    response = client_for(staff).post(reverse("api:meeting-list"), body, format="json")
    assert response.status_code == 400 and "organisation" in response.json()["fields"]


def test_a_member_is_added_through_the_service(world, party, secretary):
    resident = new_resident(world, "王五", 1)
    body = {"resident": resident.pk, "branch": party.branch1.pk, "group": party.group1.pk, "joined_on": "2015-07-01"}
    response = client_for(secretary).post(reverse("api:party-member-list"), body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["village"] == world.village.pk and response.json()["name"] == "王五"
    resident.refresh_from_db()
    assert resident.political == Political.CPC_MEMBER  # the registry follows the member's status


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (lambda w, p: {"resident": w.resident1.pk, "branch": p.branch1.pk, "joined_on": "2015-07-01"}, "resident"),
        (lambda w, p: {"resident": w.other_resident.pk, "branch": p.branch1.pk, "joined_on": "2015-07-01"}, "resident"),
        (lambda w, p: {"resident": "R", "branch": p.branch1.pk, "joined_on": "2015-07-01"}, "resident"),
        (lambda w, p: {"resident": None, "branch": p.top.pk, "joined_on": "2015-07-01"}, "resident"),
        (lambda w, p: {"resident": w.resident2.pk, "branch": p.top.pk, "joined_on": "2015-07-01"}, "branch"),
        (
            lambda w, p: {
                "resident": w.resident2.pk,
                "branch": p.branch2.pk,
                "group": p.group1.pk,
                "joined_on": "2015-07-01",
            },
            "group",
        ),
        (lambda w, p: {"resident": w.resident2.pk, "branch": p.branch1.pk, "joined_on": "2999-07-01"}, "joined_on"),
        (
            lambda w, p: {
                "resident": w.resident2.pk,
                "branch": p.branch1.pk,
                "joined_on": "2015-07-01",
                "floating": True,
            },
            "away_place",
        ),
    ],
)
def test_bad_member_input_is_a_400_naming_the_field(world, party, staff, body, field):
    PartyMember.objects.filter(resident=world.resident2).delete()
    before = PartyMember.objects.count()
    response = client_for(staff).post(reverse("api:party-member-list"), body(world, party), format="json")
    assert response.status_code == 400 and field in response.json()["fields"], response.json()
    assert PartyMember.objects.count() == before


def test_a_member_changed_through_the_api_changes_the_registry(world, party, staff):
    url = reverse("api:party-member-detail", args=[party.member1.pk])
    assert client_for(staff).patch(url, {"status": "probation"}, format="json").status_code == 200
    world.resident1.refresh_from_db()
    assert world.resident1.political == Political.CPC_PROBATIONARY


def test_a_second_top_organisation_is_refused(world, party, staff):
    body = {"village": world.village.pk, "kind": "committee", "name": "一村党委"}
    response = client_for(staff).post(reverse("api:party-organisation-list"), body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_a_branch_is_placed_on_a_grid_of_its_village_only(world, party, staff):
    client = client_for(staff)
    body = {"village": world.village.pk, "kind": "branch", "name": "二网格支部", "parent": party.top.pk}
    assert (
        client.post(
            reverse("api:party-organisation-list"), {**body, "grid": world.other_grid.pk}, format="json"
        ).status_code
        == 400
    )
    response = client.post(reverse("api:party-organisation-list"), {**body, "grid": world.grid2.pk}, format="json")
    assert response.status_code == 201 and response.json()["grid"] == world.grid2.pk
    body["committee"] = [staff.pk]
    response = client.post(reverse("api:party-organisation-list"), {**body, "name": "三支部"}, format="json")
    assert response.status_code == 201 and response.json()["committee"] == [staff.pk]


def _meetings(party, staff, n):
    day = datetime.date(2025, 1, 1)
    for i in range(n):
        meeting = Meeting(
            organisation=party.branch1,
            kind="branch_committee",
            held_on=day + datetime.timedelta(days=i * 30),
            place="党群服务中心",
            topic=f"第{i}次",
        )
        services.meeting_record(by=staff, meeting=meeting, present=[party.member1], absent={party.member2: "病"})


@pytest.mark.parametrize("route", ["api:meeting-list", "api:party-member-list", "api:party-organisation-list"])
def test_list_queries_do_not_grow_with_rows(world, party, staff, route):
    from party.models import OrgKind
    from tests.party.conftest import org

    client = client_for(staff)

    def count() -> int:
        client.get(reverse(route))  # warm: the token's user and the scope
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(route)).status_code == 200
        return len(queries)

    _meetings(party, staff, 2)
    few = count()
    _meetings(party, staff, 18)
    for i in range(18):
        org(world.village, OrgKind.GROUP, f"小组{i}", parent=party.branch2)
        resident = new_resident(world, f"成员{i}", 100 + i)
        services.member_save(
            by=None,
            member=PartyMember(
                village=world.village, resident=resident, branch=party.branch2, joined_on=datetime.date(2020, 1, 1)
            ),
        )
    assert count() == few
