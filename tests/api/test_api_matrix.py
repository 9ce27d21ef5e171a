"""Every API endpoint × method × persona: the expected status. Out of scope is a 404 (never a 403 that
would tell an outsider the object exists); read-only scope on a write is a 403; anonymous is a 401.
A route missing from the table fails ``test_every_api_route_is_in_the_matrix``."""

from __future__ import annotations

import datetime

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from tests.conftest import ID2

# The world and personas built once for this module (thousands of tests start from them).
from tests.shared_world import *  # noqa: F403
from tests.test_permission_matrix import (
    CASE1,
    HOUSEHOLD1,
    KEY_PERSON1,
    KEY_PLACE1,
    MEDIATOR1,
    REPORT1,
    RESIDENT1,
    TT_TARGET1,
    VILLAGE,
    WORKER_ASSIGNMENT,
    WORKER_NOTICE,
)

PERSONAS = ["anonymous", "worker", "colleague", "staff", "town", "outsider"]


def _e(anonymous=401, **kw):
    return {"anonymous": anonymous, **kw}


GRID1 = lambda w, u: {"pk": w.grid1.pk}  # noqa: E731
MICRO1 = lambda w, u: {"pk": w.micro1.pk}  # noqa: E731
NONE = lambda w, u: {}  # noqa: E731


def _party(w):
    """A general branch, a branch on grid 1 with a member (resident 1), in village 1 (tests/party/conftest.py)."""
    from party.models import OrgKind
    from tests.party.conftest import member, org

    top = org(w.village, OrgKind.GENERAL_BRANCH, "一村党总支")
    branch = org(w.village, OrgKind.BRANCH, "第一网格党支部", parent=top, grid=w.grid1)
    return top, branch, member(w.village, w.resident1, branch)


def PARTY_ORG1(w, u):
    return {"pk": _party(w)[1].pk}


def PARTY_MEMBER1(w, u):
    return {"pk": _party(w)[2].pk}


def MEETING1(w, u):
    from party import services
    from party.models import Meeting

    _top, branch, m = _party(w)
    meeting = Meeting(organisation=branch, kind="branch_committee", held_on=timezone.localdate(), place="党群服务中心")
    meeting.topic = "学习"
    return {"pk": services.meeting_record(by=u["staff"], meeting=meeting, present=[m]).pk}


def DELIBERATION1(w, u):
    """A topic proposed in village 1 by its staff (tests/cogovernance/conftest.py)."""
    from tests.cogovernance.conftest import propose

    return {"pk": propose(w.village, u["staff"]).pk}


def PROJECT1(w, u):
    from cogovernance import services
    from cogovernance.models import Project

    project = Project(
        village=w.village, title="路灯", kind="lighting", budget=200000, started_on=datetime.date(2026, 1, 5)
    )
    return {"pk": services.project_save(by=u["staff"], project=project).pk}


def DOCUMENT1(w, u):
    from cogovernance import services
    from cogovernance.models import VillageDocument

    document = VillageDocument(village=w.village, kind="rules", title="村规民约")
    return {"pk": services.document_save(by=u["staff"], document=document).pk}


def ACTIVITY1(w, u):
    from civility import services
    from civility.models import Activity

    a = Activity(
        village=w.village,
        kind="legal",
        title="宪法宣传日普法",
        held_on=datetime.date(2026, 3, 5),
        organiser="村委会",
        place="文化广场",
        participants=40,
    )
    return {"pk": services.activity_save(by=u["staff"], activity=a).pk}


def TEAM1(w, u):
    from civility import services
    from civility.models import VolunteerTeam

    return {"pk": services.team_save(by=u["staff"], team=VolunteerTeam(village=w.village, name="学雷锋志愿服务队")).pk}


def SELECTION1(w, u):
    from civility import services
    from civility.models import ModelSelection

    s = ModelSelection(
        village=w.village,
        year=2026,
        honour="civilised",
        household=w.household1,
        reason="孝老爱亲",
        selected_on=datetime.date(2026, 1, 5),
        points=10,
    )
    return {"pk": services.selection_save(by=u["staff"], selection=s).pk}


def POINTS1(w, u):
    from civility.models import PointsAccount

    SELECTION1(w, u)
    return {"pk": PointsAccount.objects.get(household=w.household1).pk}


def VISIT1(w, u):
    from visits import services

    return {"pk": services.visit_record(worker=u["worker"], target=w.household1)[0].pk}


EVERYONE = _e(worker=200, colleague=200, staff=200, town=200, outsider=200)
SEEN_IN_GRID1 = _e(worker=200, colleague=404, staff=200, town=200, outsider=404)
REPORT_SEEN = _e(worker=404, colleague=404, staff=200, town=200, outsider=404)
# The worker's own assignment: seen by the worker, the village and the town; ended by the village only.
EXPECTED = {
    "ASSIGNMENT_SEEN": _e(worker=200, colleague=404, staff=200, town=200, outsider=404),
    "ASSIGNMENT_END": _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    "PARTY_RECORD": _e(worker=404, colleague=404, staff=200, town=404, outsider=404),
    # Co-governance records: the village's staff keep them, the town office reads them (a write is a 403),
    # grid workers find none (docs/cogovernance.md, "Who sees what").
    "COGOV_READ": _e(worker=404, colleague=404, staff=200, town=200, outsider=404),
    "COGOV_WRITE": _e(worker=404, colleague=404, staff=200, town=403, outsider=404),
    "COGOV_NEW": _e(worker=400, colleague=400, staff=201, town=403, outsider=400),
}

# (route name, method, kwargs, body, expected)
ROWS = [
    (
        "api-token",
        "post",
        NONE,
        {"username": "staff", "password": "wrong"},
        _e(400, worker=400, colleague=400, staff=400, town=400, outsider=400),
    ),
    ("api-token-revoke", "delete", NONE, None, _e(worker=204, colleague=204, staff=204, town=204, outsider=204)),
    ("api-me", "get", NONE, None, EVERYONE),
    ("api-work-list", "get", NONE, None, _e(worker=200, colleague=200, staff=403, town=403, outsider=403)),
    ("api-schema", "get", NONE, None, _e(200, worker=200, colleague=200, staff=200, town=200, outsider=200)),
    ("api-docs", "get", NONE, None, _e(200, worker=200, colleague=200, staff=200, town=200, outsider=200)),
    ("api:api-root", "get", NONE, None, EVERYONE),
    ("api:village-list", "get", NONE, None, EVERYONE),
    ("api:village-detail", "get", VILLAGE, None, _e(worker=404, colleague=404, staff=200, town=200, outsider=404)),
    ("api:grid-list", "get", NONE, None, EVERYONE),
    ("api:grid-list", "post", NONE, "GRID_NEW", _e(worker=400, colleague=400, staff=201, town=403, outsider=400)),
    ("api:grid-detail", "get", GRID1, None, SEEN_IN_GRID1),
    (
        "api:grid-detail",
        "patch",
        GRID1,
        {"name": "一网格"},
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:grid-detail",
        "put",
        GRID1,
        {"number": 1, "name": "一网格"},
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    # Grid 1 still has a micro-grid: archiving it is refused with the reason (400).
    ("api:grid-archive", "post", GRID1, None, _e(worker=403, colleague=404, staff=400, town=403, outsider=404)),
    ("api:micro-grid-list", "get", NONE, None, EVERYONE),
    (
        "api:micro-grid-list",
        "post",
        NONE,
        "MICRO_NEW",
        _e(worker=403, colleague=400, staff=201, town=403, outsider=400),
    ),
    ("api:micro-grid-detail", "get", MICRO1, None, SEEN_IN_GRID1),
    (
        "api:micro-grid-detail",
        "patch",
        MICRO1,
        {"name": "1甲"},
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:micro-grid-detail",
        "put",
        MICRO1,
        "MICRO_PUT",
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    # Micro-grid 1 still holds a household: refused with the reason.
    ("api:micro-grid-archive", "post", MICRO1, None, _e(worker=403, colleague=404, staff=400, town=403, outsider=404)),
    ("api:household-list", "get", NONE, None, EVERYONE),
    # Workers correct households but do not create them; another village's micro-grid is an unknown id.
    (
        "api:household-list",
        "post",
        NONE,
        "HOUSEHOLD_NEW",
        _e(worker=403, colleague=403, staff=201, town=403, outsider=400),
    ),
    ("api:household-detail", "get", HOUSEHOLD1, None, SEEN_IN_GRID1),
    (
        "api:household-detail",
        "patch",
        HOUSEHOLD1,
        {"phone": "13912345678"},
        _e(worker=200, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:household-detail",
        "put",
        HOUSEHOLD1,
        "HOUSEHOLD_PUT",
        _e(worker=200, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:household-move",
        "post",
        HOUSEHOLD1,
        "MOVE_HOUSEHOLD",
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:household-archive",
        "post",
        HOUSEHOLD1,
        None,
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:household-restore",
        "post",
        HOUSEHOLD1,
        None,
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    ("api:resident-list", "get", NONE, None, EVERYONE),
    (
        "api:resident-move",
        "post",
        RESIDENT1,
        "MOVE_RESIDENT",
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    ("api:resident-archive", "post", RESIDENT1, None, _e(worker=403, colleague=404, staff=200, town=403, outsider=404)),
    ("api:resident-restore", "post", RESIDENT1, None, _e(worker=403, colleague=404, staff=200, town=403, outsider=404)),
    (
        "api:resident-list",
        "post",
        NONE,
        "RESIDENT_NEW",
        _e(worker=403, colleague=400, staff=201, town=403, outsider=400),
    ),
    ("api:resident-detail", "get", RESIDENT1, None, SEEN_IN_GRID1),
    (
        "api:resident-detail",
        "patch",
        RESIDENT1,
        {"phone": "13912345678"},
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:resident-detail",
        "put",
        RESIDENT1,
        "RESIDENT_PUT",
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:resident-reveal-id-number",
        "post",
        RESIDENT1,
        None,
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    ("api:key-person-list", "get", NONE, None, EVERYONE),
    (
        "api:key-person-detail",
        "get",
        KEY_PERSON1,
        None,
        _e(worker=200, colleague=404, staff=200, town=404, outsider=404),
    ),
    ("api:key-place-list", "get", NONE, None, EVERYONE),
    ("api:key-place-list", "post", NONE, "PLACE_NEW", _e(worker=400, colleague=400, staff=201, town=403, outsider=400)),
    ("api:key-place-detail", "get", KEY_PLACE1, None, SEEN_IN_GRID1),
    (
        "api:key-place-detail",
        "patch",
        KEY_PLACE1,
        {"hazards": "电动车楼道充电"},
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:key-place-detail",
        "put",
        KEY_PLACE1,
        "PLACE_PUT",
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:key-place-archive",
        "post",
        KEY_PLACE1,
        None,
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:key-place-restore",
        "post",
        KEY_PLACE1,
        None,
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    ("api:assignment-list", "get", NONE, None, EVERYONE),
    (
        "api:assignment-list",
        "post",
        NONE,
        "ASSIGN_NEW",
        _e(worker=400, colleague=400, staff=201, town=403, outsider=400),
    ),
    ("api:assignment-detail", "get", WORKER_ASSIGNMENT, None, "ASSIGNMENT_SEEN"),
    ("api:assignment-end", "post", WORKER_ASSIGNMENT, "END", "ASSIGNMENT_END"),
    ("api:visit-list", "get", NONE, None, EVERYONE),
    ("api:visit-list", "post", NONE, "VISIT_NEW", _e(worker=201, colleague=400, staff=201, town=403, outsider=400)),
    ("api:visit-detail", "get", VISIT1, None, SEEN_IN_GRID1),
    ("api:case-list", "get", NONE, None, EVERYONE),
    ("api:case-list", "post", NONE, "CASE_NEW", _e(worker=201, colleague=400, staff=201, town=403, outsider=400)),
    ("api:case-detail", "get", CASE1, None, SEEN_IN_GRID1),
    ("api:case-transition", "post", CASE1, "ACCEPT", _e(worker=403, colleague=404, staff=200, town=403, outsider=404)),
    # Nobody has been handed the new case yet: nobody may sign for it.
    ("api:case-sign", "post", CASE1, None, _e(worker=403, colleague=404, staff=403, town=403, outsider=404)),
    # A new case is in no one's hands yet: no session; the village's staff set its mediators; the grid's
    # worker and the staff may add a photo (an empty upload is a 400).
    ("api:case-sessions", "post", CASE1, "SESSION", _e(worker=403, colleague=404, staff=403, town=403, outsider=404)),
    (
        "api:case-mediators",
        "post",
        CASE1,
        {"mediators": []},
        _e(worker=403, colleague=404, staff=200, town=403, outsider=404),
    ),
    ("api:case-photos", "post", CASE1, None, _e(worker=400, colleague=404, staff=400, town=403, outsider=404)),
    ("api:mediator-list", "get", NONE, None, EVERYONE),
    (
        "api:mediator-list",
        "post",
        NONE,
        "MEDIATOR_NEW",
        _e(worker=400, colleague=400, staff=201, town=403, outsider=400),
    ),
    ("api:mediator-detail", "get", MEDIATOR1, None, _e(worker=404, colleague=404, staff=200, town=200, outsider=404)),
    (
        "api:mediator-detail",
        "patch",
        MEDIATOR1,
        {"note": "擅长婚姻家庭"},
        _e(worker=404, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:mediator-detail",
        "put",
        MEDIATOR1,
        "MEDIATOR_PUT",
        _e(worker=404, colleague=404, staff=200, town=403, outsider=404),
    ),
    ("api:mediator-archive", "post", MEDIATOR1, None, _e(worker=404, colleague=404, staff=200, town=403, outsider=404)),
    # Party records: the village's staff (and its Party secretaries, tests/party/test_api.py); the town
    # office sees none of them (political affiliation, docs/party.md); another village's id is unknown.
    ("api:party-organisation-list", "get", NONE, None, EVERYONE),
    (
        "api:party-organisation-list",
        "post",
        NONE,
        "PARTY_ORG_NEW",
        _e(worker=400, colleague=400, staff=201, town=400, outsider=400),
    ),
    ("api:party-organisation-detail", "get", PARTY_ORG1, None, "PARTY_RECORD"),
    ("api:party-organisation-detail", "patch", PARTY_ORG1, {"name": "一网格党支部"}, "PARTY_RECORD"),
    ("api:party-member-list", "get", NONE, None, EVERYONE),
    (
        "api:party-member-list",
        "post",
        NONE,
        "PARTY_MEMBER_NEW",
        _e(worker=400, colleague=400, staff=201, town=400, outsider=400),
    ),
    ("api:party-member-detail", "get", PARTY_MEMBER1, None, "PARTY_RECORD"),
    ("api:party-member-detail", "patch", PARTY_MEMBER1, {"status": "probation"}, "PARTY_RECORD"),
    ("api:meeting-list", "get", NONE, None, EVERYONE),
    ("api:meeting-list", "post", NONE, "MEETING_NEW", _e(worker=400, colleague=400, staff=201, town=400, outsider=400)),
    ("api:meeting-detail", "get", MEETING1, None, "PARTY_RECORD"),
    ("api:deliberation-list", "get", NONE, None, EVERYONE),
    ("api:deliberation-list", "post", NONE, "DELIBERATION_NEW", "COGOV_NEW"),
    ("api:deliberation-detail", "get", DELIBERATION1, None, "COGOV_READ"),
    ("api:deliberation-detail", "patch", DELIBERATION1, {"title": "修路"}, "COGOV_WRITE"),
    ("api:deliberation-transition", "post", DELIBERATION1, {"to": "research", "version": 1}, "COGOV_WRITE"),
    ("api:project-list", "get", NONE, None, EVERYONE),
    ("api:project-list", "post", NONE, "PROJECT_NEW", "COGOV_NEW"),
    ("api:project-detail", "get", PROJECT1, None, "COGOV_READ"),
    ("api:project-detail", "patch", PROJECT1, {"quantity": 187, "unit": "盏"}, "COGOV_WRITE"),
    ("api:village-document-list", "get", NONE, None, EVERYONE),
    ("api:village-document-list", "post", NONE, "DOCUMENT_NEW", "COGOV_NEW"),
    ("api:village-document-detail", "get", DOCUMENT1, None, "COGOV_READ"),
    (
        "api:village-document-adopt",
        "post",
        DOCUMENT1,
        {"text": "第一条", "adopted_on": "2026-01-05", "adopted_by": "meeting"},
        _e(worker=404, colleague=404, staff=201, town=403, outsider=404),
    ),
    # 德治/法治 (docs/civility.md): the village's staff keep them, the town office reads (a write is a 403),
    # grid workers and another village find none; a household out of scope is no household to award.
    ("api:activity-list", "get", NONE, None, EVERYONE),
    ("api:activity-list", "post", NONE, "ACTIVITY_NEW", "COGOV_NEW"),
    ("api:activity-detail", "get", ACTIVITY1, None, "COGOV_READ"),
    ("api:activity-detail", "patch", ACTIVITY1, {"participants": 45}, "COGOV_WRITE"),
    ("api:volunteer-team-list", "get", NONE, None, EVERYONE),
    ("api:volunteer-team-list", "post", NONE, "TEAM_NEW", "COGOV_NEW"),
    ("api:volunteer-team-detail", "get", TEAM1, None, "COGOV_READ"),
    ("api:model-household-list", "get", NONE, None, EVERYONE),
    ("api:model-household-list", "post", NONE, "SELECTION_NEW", "COGOV_NEW"),
    ("api:model-household-detail", "get", SELECTION1, None, "COGOV_READ"),
    ("api:points-account-list", "get", NONE, None, EVERYONE),
    ("api:points-account-detail", "get", POINTS1, None, "COGOV_READ"),
    ("api:points-account-award", "post", NONE, "AWARD", "COGOV_NEW"),
    ("api:points-account-redeem", "post", NONE, "REDEEM", "COGOV_NEW"),
    # Town tasks (docs/towntasks.md): village 1's part is in progress (version 3). The village's staff may
    # report it (signing or starting again is refused: 400); accepting or returning it is the town office's
    # (refused, not reported yet: 400); the other side gets a 403, grid workers and village 2 a 404.
    ("api:town-task-list", "get", NONE, None, EVERYONE),
    ("api:town-task-detail", "get", TT_TARGET1, None, REPORT_SEEN),
    (
        "api:town-task-sign",
        "post",
        TT_TARGET1,
        {"version": 3},
        _e(worker=404, colleague=404, staff=400, town=403, outsider=404),
    ),
    (
        "api:town-task-start",
        "post",
        TT_TARGET1,
        {"version": 3},
        _e(worker=404, colleague=404, staff=400, town=403, outsider=404),
    ),
    (
        "api:town-task-report",
        "post",
        TT_TARGET1,
        {"version": 3, "feedback": "已逐户排查"},
        _e(worker=404, colleague=404, staff=200, town=403, outsider=404),
    ),
    (
        "api:town-task-accept",
        "post",
        TT_TARGET1,
        {"version": 3},
        _e(worker=404, colleague=404, staff=403, town=400, outsider=404),
    ),
    (
        "api:town-task-return",
        "post",
        TT_TARGET1,
        {"version": 3, "note": "补充照片"},
        _e(worker=404, colleague=404, staff=403, town=400, outsider=404),
    ),
    ("api:notice-list", "get", NONE, None, EVERYONE),
    ("api:notice-detail", "get", WORKER_NOTICE, None, _e(worker=200, colleague=404, staff=404, town=404, outsider=404)),
    ("api:notice-read", "post", WORKER_NOTICE, None, _e(worker=200, colleague=404, staff=404, town=404, outsider=404)),
    ("api:report-list", "get", NONE, None, EVERYONE),
    # The 六好 scorecard: a list scoped like the reports (grid workers and another village's staff find
    # none of village 1's; tests/reports/test_scorecard_pages.py).
    ("api:scorecard-list", "get", NONE, None, EVERYONE),
    (
        "api:report-sections",
        "post",
        REPORT1,
        "REVISION",
        _e(worker=404, colleague=404, staff=400, town=403, outsider=404),
    ),
    ("api:report-detail", "get", REPORT1, None, REPORT_SEEN),
    (
        "api:report-submit",
        "post",
        REPORT1,
        {"revision": 1},
        _e(worker=404, colleague=404, staff=400, town=403, outsider=404),
    ),
    (
        "api:report-approve",
        "post",
        REPORT1,
        "REVISION",
        _e(worker=404, colleague=404, staff=403, town=200, outsider=404),
    ),
    ("api:report-return", "post", REPORT1, "RETURN", _e(worker=404, colleague=404, staff=403, town=200, outsider=404)),
]


def _body(name, w, u, kwargs):
    from reports.models import MonthlyReport

    if name == "HOUSEHOLD_NEW":
        return {"micro_grid": w.micro1.pk, "villager_group": w.group1.pk, "number": "0100", "address": "张庄100号"}
    if name == "HOUSEHOLD_PUT":
        return {"micro_grid": w.micro1.pk, "villager_group": w.group1.pk, "number": "0001", "address": "张庄1号之一"}
    if name == "RESIDENT_NEW":
        return {"household": w.household1.pk, "name": "新成员", "id_number": "110105200001010016", "relation": "20"}
    if name == "RESIDENT_PUT":
        return {"household": w.household1.pk, "name": "张三丰", "relation": "02"}
    if name == "GRID_NEW":
        return {"village": w.village.pk, "number": 9, "name": "第九网格"}
    if name == "MICRO_NEW":
        return {"grid": w.grid1.pk, "number": 9, "name": "1九"}
    if name == "MICRO_PUT":
        return {"grid": w.grid1.pk, "number": 1, "name": "1甲"}
    if name == "SESSION":
        return {
            "held_on": "2026-01-05",
            "place": "调解室",
            "parties_present": "双方",
            "notes": "…",
            "outcome": "adjourned",
        }
    if name == "MEDIATOR_NEW":
        return {"village": w.village.pk, "name": "老党员乙", "type": "party_veteran"}
    if name == "MEDIATOR_PUT":
        return {"village": w.village.pk, "name": "老党员甲", "type": "party_veteran", "phone": "13912345678"}
    if name == "KP_NEW":
        return {
            "resident": w.resident2.pk,
            "category": "released",
            "listed_from": "2026-01-01",
            "responsibles": [{"role": "cadre", "name": "村干部甲"}],
        }
    if name == "KP_PUT":
        return {
            "category": "mental",
            "listed_from": "2025-01-01",
            "risk_level": 3,
            "responsibles": [{"role": r, "name": f"{r}人"} for r in ("cadre", "doctor", "police", "guardian")],
        }
    if name == "PLACE_NEW":
        return {
            "village": w.village.pk,
            "type": w.key_place1.type,
            "name": "李四出租房",
            "grid": w.grid1.pk,
            "address": "张庄2号",
        }
    if name == "PLACE_PUT":
        return {"type": w.key_place1.type, "name": "张三出租房", "grid": w.grid1.pk, "address": "张庄1号"}
    if name == "ASSIGN_NEW":
        return {
            "village": w.village.pk,
            "user": u["colleague"].pk,
            "role": "liaison",
            "micro_grid": w.micro2.pk,
            "start": "2026-01-01",
        }
    if name == "END":
        # A last day from today on: the past is refused (tests/grids/test_assignment_end.py).
        return {"end": (timezone.localdate() + datetime.timedelta(days=30)).isoformat()}
    if name == "MOVE_HOUSEHOLD":
        return {"micro_grid": w.micro2.pk, "note": "搬家"}
    if name == "MOVE_RESIDENT":
        return {"household": w.household2.pk, "relation": "10"}
    if name == "PARTY_ORG_NEW":
        return {"village": w.village.pk, "kind": "general", "name": "一村党总支", "founded_on": "2024-01-01"}
    if name in {"PARTY_MEMBER_NEW", "MEETING_NEW"}:
        _top, branch, m = _party(w)
        if name == "MEETING_NEW":
            return {
                "organisation": branch.pk,
                "kind": "branch_committee",
                "held_on": timezone.localdate().isoformat(),
                "place": "党群服务中心",
                "topic": "学习",
                "present": [m.pk],
            }
        return {"resident": w.resident2.pk, "branch": branch.pk, "joined_on": "2015-07-01"}
    if name == "DELIBERATION_NEW":
        return {"village": w.village.pk, "title": "安装路灯", "summary": "夜间无照明。", "proposer": "村民代表"}
    if name == "PROJECT_NEW":
        return {
            "village": w.village.pk,
            "title": "路灯",
            "kind": "lighting",
            "budget": "200000",
            "started_on": "2026-01-05",
        }
    if name == "DOCUMENT_NEW":
        return {"village": w.village.pk, "kind": "convention", "title": "村庄清洁公约"}
    if name == "ACTIVITY_NEW":
        return {
            "village": w.village.pk,
            "kind": "cleanup",
            "title": "环境整治",
            "held_on": "2026-03-01",
            "organiser": "村委会",
            "place": "张庄",
            "participants": 25,
        }
    if name == "TEAM_NEW":
        return {"village": w.village.pk, "name": "巾帼志愿服务队"}
    if name == "SELECTION_NEW":
        return {
            "village": w.village.pk,
            "year": 2026,
            "honour": "five_good",
            "household": w.household1.pk,
            "reason": "孝老爱亲",
            "selected_on": "2026-01-05",
            "points": 20,
        }
    if name == "AWARD":
        return {"household": w.household1.pk, "points": 5, "kind": "rule", "reason": "门前三包"}
    if name == "REDEEM":
        from civility.models import StockItem

        SELECTION1(w, u)  # 10 points on household 1
        soap = StockItem.objects.create(village=w.village, name="肥皂", points=5, stock=3)
        return {"household": w.household1.pk, "item": soap.pk, "quantity": 1}
    if name == "VISIT_NEW":
        return {"household": w.household1.pk}
    if name == "CASE_NEW":
        return {
            "kind": "hazard",
            "category": "hazard.fire",
            "title": "电动车充电",
            "description": "楼道充电",
            "grid": w.grid1.pk,
        }
    if name == "ACCEPT":
        from disputes.models import Case

        return {"action": "accept", "version": Case.objects.get(pk=kwargs["pk"]).version, "tier": 2}
    if name in {"REVISION", "RETURN"}:
        body = {"revision": MonthlyReport.objects.get(pk=kwargs["pk"]).revision}
        return body | ({"comment": "请补充"} if name == "RETURN" else {})
    return name


def _api_route_names() -> set[str]:
    from django.urls import URLPattern, URLResolver

    names = set()

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
            elif (
                isinstance(entry, URLPattern)
                and entry.name
                and (prefix == "api:" or entry.name.startswith("api-"))
                and "format" not in str(entry.pattern)
            ):
                names.add(prefix + entry.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_api_route_is_in_the_matrix():
    assert _api_route_names() == {row[0] for row in ROWS}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "method", "kwargs_for", "body", "expected"), ROWS, ids=[f"{r[0]} {r[1]}" for r in ROWS]
)
def test_api_matrix(api, world, personas, name, method, kwargs_for, body, expected, persona):
    kwargs = kwargs_for(world, personas)
    url = reverse(name, kwargs=kwargs)
    data = _body(body, world, personas, kwargs) if isinstance(body, str) else body
    response = getattr(api(persona), method)(url, data, format="json")
    expected = EXPECTED.get(expected, expected) if isinstance(expected, str) else expected
    assert response.status_code == expected[persona], (persona, method, url, getattr(response, "data", None))
    if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
        assert {"code", "message"} <= set(response.json())


def test_an_invalid_id_number_is_a_400_naming_the_field(api, world, staff):
    response = api("staff").post(
        reverse("api:resident-list"),
        {"household": world.household1.pk, "name": "甲", "id_number": "110105200001010014"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "id_number" in body["fields"] and "校验位" in body["fields"]["id_number"][0]


def test_errors_speak_the_requests_language(api, world, staff):
    response = api("staff").get(reverse("api:household-detail", args=[999999]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404 and response.json()["message"] == "Not found."


def test_a_reference_to_another_village_is_refused_like_a_missing_one(api, world, staff):
    response = api("staff").post(
        reverse("api:case-list"),
        {"kind": "hazard", "category": "hazard.fire", "title": "t", "description": "d", "grid": world.other_grid.pk},
        format="json",
    )
    assert response.status_code == 400 and "grid" in response.json()["fields"]


def test_a_full_id_number_is_recorded_when_revealed(api, world, staff):
    from residents.models import IdNumberDisclosure

    response = api("staff").post(reverse("api:resident-reveal-id-number", args=[world.resident2.pk]))
    assert response.json() == {"id_number": ID2}
    assert IdNumberDisclosure.objects.filter(viewer=staff, resident=world.resident2).count() == 1
    listed = api("staff").get(reverse("api:resident-detail", args=[world.resident2.pk])).json()
    assert ID2 not in str(listed) and listed["id_number_masked"].startswith("4405")


def test_token_login_and_revocation(world, staff):
    from rest_framework.test import APIClient

    from tests.conftest import PASSWORD

    client = APIClient()
    token = client.post(reverse("api-token"), {"username": "staff", "password": PASSWORD}, format="json").json()[
        "token"
    ]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(reverse("api-me")).json()["roles"][0]["role"] == "village_staff"
    assert client.delete(reverse("api-token-revoke")).status_code == 204
    assert client.get(reverse("api-me")).status_code == 401


def test_the_docs_load_their_scripts_from_the_app_not_a_cdn(client, db):
    page = client.get(reverse("api-docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()


def test_a_report_is_written_submitted_returned_and_approved_over_the_api(api, world, staff, town):
    from django.utils import timezone

    from reports import services
    from visits import due

    report = services.report_open(village=world.village, month=due.previous_month(timezone.localdate()), by=staff)
    url = lambda name: reverse(f"api:report-{name}", args=[report.pk])  # noqa: E731
    body = (
        api("staff")
        .post(url("sections"), {"revision": report.revision, "work_done": "走访", "next_plan": "培训"}, format="json")
        .json()
    )
    body = api("staff").post(url("submit"), {"revision": body["revision"]}, format="json").json()
    assert body["state"] == "submitted" and body["versions"][0]["number"] == 1
    stale = api("town").post(url("approve"), {"revision": body["revision"] - 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "report_changed"
    body = (
        api("town")
        .post(url("return"), {"revision": body["revision"], "sections": {"next_plan": "具体些"}}, format="json")
        .json()
    )
    assert body["state"] == "returned"
    body = api("staff").post(url("submit"), {"revision": body["revision"]}, format="json").json()
    body = api("town").post(url("approve"), {"revision": body["revision"]}, format="json").json()
    assert body["state"] == "approved" and len(body["versions"]) == 2


def test_a_case_is_assigned_and_signed_for_over_the_api(api, world, staff, worker):
    from tests.conftest import make_case

    case = make_case(world, staff)
    act = lambda who, data: api(who).post(reverse("api:case-transition", args=[case.pk]), data, format="json")  # noqa: E731
    body = act("staff", {"action": "accept", "version": case.version, "tier": 1}).json()
    body = act("staff", {"action": "assign", "version": body["version"], "assignee": worker.pk}).json()
    assert body["state"] == "handling" and body["signed_at"] is None
    signed = api("worker").post(reverse("api:case-sign", args=[case.pk])).json()
    assert signed["signed_at"] and [e["action"] for e in signed["events"]][-1] == "sign"
    refused = act("worker", {"action": "close", "version": signed["version"]})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"


def test_a_level_3_patient_needs_the_whole_team_over_the_api_too(api, world, staff):
    response = api("staff").patch(
        reverse("api:key-person-detail", args=[world.key_person1.pk]),
        {"responsibles": [{"role": "cadre", "name": "村干部甲"}]},
        format="json",
    )
    assert response.status_code == 400 and "四帮一" in response.json()["fields"]["responsibles"][0]
    assert world.key_person1.responsibles.count() == 0  # nothing half-saved


def test_a_photo_and_a_mediation_session_over_the_api(api, world, staff, worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from disputes import services
    from disputes.models import Mediator
    from tests.conftest import make_case, png_bytes

    case = make_case(world, staff)
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    response = api("worker").post(reverse("api:case-photos", args=[case.pk]), {"image": photo}, format="multipart")
    assert response.status_code == 201 and case.attachments.count() == 1
    member = Mediator.objects.create(village=world.village, name="老党员甲", type="party_veteran")
    case = services.case_accept(case=case, by=staff, version=case.version, tier=2)
    services.case_assign(case=case, by=staff, version=case.version, assignee=staff)
    body = {
        "held_on": "2026-01-05",
        "place": "调解室",
        "mediators": [member.pk],
        "parties_present": "双方",
        "notes": "释法明理",
        "outcome": "adjourned",
    }
    response = api("staff").post(reverse("api:case-sessions", args=[case.pk]), body, format="json")
    assert response.status_code == 201 and case.sessions.get().mediators.get() == member


def test_a_visit_with_a_photo_over_the_api(api, world, worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import png_bytes

    photo = SimpleUploadedFile("v.png", png_bytes(), content_type="image/png")
    response = api("worker").post(
        reverse("api:visit-list"), {"household": world.household1.pk, "photos": [photo]}, format="multipart"
    )
    assert response.status_code == 201
    from visits.models import Visit

    assert Visit.objects.get().photos.count() == 1
