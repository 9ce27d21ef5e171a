"""The demo town's department login (docs/departments.md): ``dept`` answers for 丁店镇司法所, with one case the
town assigned to it in progress (signed for, one handling note). Idempotent like the rest of the demo."""

from __future__ import annotations

import datetime

from django.utils import timezone

from disputes import services
from disputes.departments import departments_for_town
from disputes.models import Case, DepartmentMember, PartyRole
from grids.models import Role, Town, Village
from grids.services import holders
from residents.models import Household

DEPT_USERNAME = "dept"
DEPT_CASE_TITLE = "宅基地边界纠纷（镇司法所承办）"


def seed_department_login(seeder, town: Town, assigned_from: datetime.date):
    justice = next(d for d in departments_for_town(town) if d.name == "司法所")
    user = seeder.user(DEPT_USERNAME, village=None, full_name="司法所·周明")
    if not DepartmentMember.objects.filter(user=user, department=justice).exists():
        services.department_member_add(by=None, user=user, department=justice, start=assigned_from)
    return user, justice


def seed_department_case(*, town: Town, village_name: str, user, justice, now: datetime.datetime | None = None) -> None:
    village = Village.objects.filter(town=town, name=village_name).first()
    if village is None or Case.objects.filter(village=village, title=DEPT_CASE_TITLE).exists():
        return
    now = now or timezone.now()
    grid = village.grids.active().order_by("number").first()
    worker = holders(Role.GRID_WORKER, grid)[0]
    office = holders(Role.TOWN_OFFICE, town)[0]
    households = list(Household.objects.active().filter(grid=grid).order_by("pk")[:2])
    heads = [h.members.active().order_by("relation").first() for h in households]
    parties = [
        services.PartyInput(role=role, resident=resident)
        for role, resident in zip((PartyRole.APPLICANT, PartyRole.RESPONDENT), heads, strict=False)
        if resident is not None
    ]
    at = now - datetime.timedelta(days=3)
    case = services.case_report(
        by=worker,
        village=village,
        grid=grid,
        kind="dispute",
        category="dispute.homestead",
        title=DEPT_CASE_TITLE,
        description="两户因翻建房屋的宅基地边界发生争执，多次争吵，已有推搡，村里调解未成，双方要求依法确权。",
        people_involved=8,
        major=True,
        parties=parties,
        reported_at=at,
    )
    case = services.case_accept(
        case=case, by=office, version=case.version, note="镇综治中心受理。", at=at + datetime.timedelta(hours=3)
    )
    case = services.case_assign(
        case=case,
        by=office,
        version=case.version,
        department=justice,
        note="请司法所依法调处，涉及确权的请自然资源所配合。",
        at=at + datetime.timedelta(hours=4),
    )
    case = services.case_sign(case=case, by=user, at=at + datetime.timedelta(days=1))
    services.case_dept_note(
        case=case,
        by=user,
        note="已电话联系双方当事人，约定下周到现场查看边界并召集协调会。",
        at=at + datetime.timedelta(days=1, hours=2),
    )
