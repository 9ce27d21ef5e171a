"""The Party app's verbs: the tree's shape, members and the registry, contact households with history,
meetings with attendance all-or-nothing, and a member's contacts exactly once."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from party import services
from party.models import (
    Attendance,
    Contact,
    ContactLink,
    Meeting,
    MeetingKind,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrganisation,
)
from residents.codes import Political
from tests.party.conftest import org

pytestmark = pytest.mark.django_db


def test_the_tree_keeps_its_shape(world, party):
    with pytest.raises(ValidationError):
        org(world.village, OrgKind.COMMITTEE, "第二个党委")  # one top organisation per village
    with pytest.raises(ValidationError):
        org(world.village, OrgKind.BRANCH, "又一个网格支部", parent=party.top, grid=world.grid1)  # one per grid
    with pytest.raises(ValidationError):
        org(world.village, OrgKind.GROUP, "无支部的小组", parent=party.top)
    with pytest.raises(ValidationError):
        org(world.village, OrgKind.BRANCH, "外村网格", parent=party.top, grid=world.other_grid)
    assert PartyOrganisation.objects.count() == 6


def test_archiving_is_refused_while_members_remain(world, party, staff):
    with pytest.raises(ValidationError):
        services.organisation_archive(by=staff, org=party.group1)
    services.organisation_archive(by=staff, org=party.branch2)
    assert PartyOrganisation.objects.get(pk=party.branch2.pk).is_archived


def test_the_registry_follows_the_member_status(world, party):
    world.resident1.refresh_from_db()
    world.resident2.refresh_from_db()
    assert world.resident1.political == Political.CPC_MEMBER
    assert world.resident2.political == Political.CPC_PROBATIONARY


def test_a_resident_is_a_member_once_and_of_their_own_village(world, party):
    twice = PartyMember(
        village=world.village, resident=world.resident1, branch=party.branch2, joined_on=datetime.date(2020, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.member_save(by=None, member=twice)
    outsider = PartyMember(
        village=world.village, resident=world.other_resident, branch=party.branch1, joined_on=datetime.date(2020, 1, 1)
    )
    with pytest.raises(ValidationError) as err:
        services.member_save(by=None, member=outsider)
    assert "resident" in err.value.message_dict
    wrong_group = PartyMember(
        village=world.village,
        resident=world.resident1,
        branch=party.branch2,
        group=party.group1,
        joined_on=datetime.date(2020, 1, 1),
    )
    with pytest.raises(ValidationError) as err:
        services.member_check(wrong_group)
    assert "group" in err.value.message_dict
    floating = party.member2
    floating.floating = True
    with pytest.raises(ValidationError) as err:
        services.member_save(by=None, member=floating)
    assert "away_place" in err.value.message_dict


def test_a_household_has_one_contact_member_at_a_time_and_history_is_kept(world, party):
    first = services.contact_link(
        by=None, member=party.member1, household=world.household2, on=datetime.date(2025, 1, 1)
    )
    again = services.contact_link(
        by=None, member=party.member1, household=world.household2, on=datetime.date(2025, 3, 1)
    )
    assert again.pk == first.pk
    second = services.contact_link(
        by=None, member=party.member2, household=world.household2, on=datetime.date(2025, 6, 1)
    )
    first.refresh_from_db()
    assert first.ended_on == datetime.date(2025, 5, 31)
    assert list(ContactLink.objects.current().filter(household=world.household2)) == [second]
    assert ContactLink.objects.filter(household=world.household2).count() == 2
    with pytest.raises(ValidationError):
        services.contact_link(by=None, member=party.member1, household=world.other_household)


def test_a_meeting_with_a_stranger_or_a_missing_reason_saves_nothing(world, party, staff):
    meeting = Meeting(
        organisation=party.branch1,
        kind=MeetingKind.BRANCH_COMMITTEE,
        held_on=datetime.date(2026, 3, 5),
        place="村部",
        topic="研究网格事项",
    )
    with pytest.raises(ValidationError) as err:
        services.meeting_record(by=staff, meeting=meeting, present=[party.member1, party.other_member])
    assert "attendance" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.meeting_record(by=staff, meeting=meeting, present=[party.member1], absent={party.member2: " "})
    assert "缺席原因" in err.value.message_dict["attendance"][0]
    assert Meeting.objects.count() == 0 and Attendance.objects.count() == 0
    future = Meeting(
        organisation=party.branch1,
        kind=MeetingKind.BRANCH_COMMITTEE,
        held_on=datetime.date.today() + datetime.timedelta(days=1),
        place="村部",
        topic="x",
    )
    with pytest.raises(ValidationError) as err:
        services.meeting_record(by=staff, meeting=future, present=[party.member1])
    assert "held_on" in err.value.message_dict
    done = services.meeting_record(
        by=staff, meeting=meeting, present=[party.member1], absent={party.member2: "外出务工"}
    )
    assert done.village_id == world.village.pk and done.period == "2026-03" and not done.late
    assert sorted(Attendance.objects.filter(meeting=done).values_list("present", flat=True)) == [False, True]


def test_the_village_top_meeting_takes_any_member_of_the_village(world, party, staff):
    meeting = Meeting(
        organisation=party.top,
        kind=MeetingKind.FIVE_LINKAGE,
        held_on=datetime.date(2026, 3, 5),
        place="村部",
        topic="五事联动",
    )
    done = services.meeting_record(by=staff, meeting=meeting, present=[party.member1, party.member2])
    assert done.attendance.count() == 2


def test_a_contact_counts_once_per_token_and_only_for_the_members_households(world, party, member_user):
    token = uuid.uuid4()
    first, created = services.contact_record(
        by=member_user, member=party.member1, household=world.household1, client_token=token
    )
    again, created_again = services.contact_record(
        by=member_user, member=party.member1, household=world.household1, client_token=token
    )
    assert created and not created_again and first.pk == again.pk
    with pytest.raises(ValidationError):
        services.contact_record(by=member_user, member=party.member1, household=world.household2)
    assert Contact.objects.count() == 1


def test_the_member_login_gets_the_field_role(world, party, member_user):
    from grids import access

    member_user.refresh_from_db()
    scope = access.scope_for(member_user)
    assert scope.member_village_ids == {world.village.pk}
    assert not scope.works_in_field and not scope.village_ids
    assert access.works_on_phone(member_user) and access.is_party_member_only(member_user)
    assert party.member1.status == MemberStatus.FULL
