"""The Party world on top of the test world (tests/conftest.py): village 1 has a general branch with a branch
on grid 1 (two groups) and a branch not on a grid; two members; the second village has its own branch.

- ``secretary``: secretary of branch 1 (a member with a login and no other role)
- ``member_user``: member 1's login (Role.PARTY_MEMBER on village 1), linked to household 1
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from grids.models import Role
from party import services
from party.models import MemberStatus, OrgKind, PartyMember, PartyOrganisation
from tests.conftest import assign, make_user

FOUNDED = datetime.date(2024, 1, 1)


@dataclass
class PartyWorld:
    top: PartyOrganisation
    branch1: PartyOrganisation
    branch2: PartyOrganisation
    group1: PartyOrganisation
    group2: PartyOrganisation
    other_branch: PartyOrganisation
    member1: PartyMember
    member2: PartyMember
    other_member: PartyMember


def org(village, kind, name, *, parent=None, grid=None, founded_on=FOUNDED, secretary=None) -> PartyOrganisation:
    o = PartyOrganisation(
        village=village, kind=kind, name=name, parent=parent, grid=grid, founded_on=founded_on, secretary=secretary
    )
    return services.organisation_save(by=None, org=o)


def member(village, resident, branch, *, group=None, joined_on=datetime.date(2010, 7, 1), status=MemberStatus.FULL):
    m = PartyMember(village=village, resident=resident, branch=branch, group=group, joined_on=joined_on, status=status)
    return services.member_save(by=None, member=m)


@pytest.fixture
def party(world) -> PartyWorld:
    top = org(world.village, OrgKind.GENERAL_BRANCH, "一村党总支")
    branch1 = org(world.village, OrgKind.BRANCH, "第一网格党支部", parent=top, grid=world.grid1)
    branch2 = org(world.village, OrgKind.BRANCH, "产业党支部", parent=top)
    group1 = org(world.village, OrgKind.GROUP, "第一党小组", parent=branch1)
    group2 = org(world.village, OrgKind.GROUP, "第二党小组", parent=branch1)
    other_branch = org(world.other_village, OrgKind.BRANCH, "二村党支部")
    member1 = member(world.village, world.resident1, branch1, group=group1)
    member2 = member(world.village, world.resident2, branch1, group=group2, status=MemberStatus.PROBATION)
    other_member = member(world.other_village, world.other_resident, other_branch)
    return PartyWorld(top, branch1, branch2, group1, group2, other_branch, member1, member2, other_member)


@pytest.fixture
def secretary(world, party):
    user = make_user("secretary", world.village, full_name="支部书记")
    assign(user, Role.PARTY_MEMBER, world.village)
    party.branch1.secretary = user
    party.branch1.save(update_fields=["secretary"])
    return user


@pytest.fixture
def member_user(world, party):
    user = make_user("member", world.village, full_name="党员甲")
    services.member_login_grant(by=None, member=party.member1, user=user, start=datetime.date(2024, 1, 1))
    services.contact_link(by=None, member=party.member1, household=world.household1, on=datetime.date(2024, 1, 1))
    return user
