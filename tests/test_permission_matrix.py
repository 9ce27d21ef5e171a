"""Every URL pattern × {anonymous, each persona}: the expected outcome of a GET.

The list of URL names comes from the URLconf itself: a new URL that is not in MATRIX fails
``test_every_url_is_in_the_matrix``, so no page can be added without saying who may open it.
Outcomes: "login" (redirect to the login page), or an HTTP status.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The world and personas built once for this module (thousands of tests start from them).
from tests.shared_world import *  # noqa: F403

PERSONAS = ["anonymous", "worker", "colleague", "staff", "town", "outsider"]

# Admin pages are Django's own; they are covered as one family through their index (system admin only).
SKIP_NAMESPACES = {"admin"}
# The REST API has its own matrix (every method, JSON errors): tests/api/test_api_matrix.py.
SKIP_NAMESPACES |= {"api"}


def _expect(anonymous="login", **by_persona) -> dict[str, str | int]:
    expected = {"anonymous": anonymous, **by_persona}
    missing = set(PERSONAS) - set(expected)
    assert not missing, f"matrix row lacks {missing}"
    return expected


# Kwargs are built from the test world: (world, users) -> dict.
Kw = Callable[[object, dict], dict]
NONE: Kw = lambda w, u: {}  # noqa: E731
VILLAGE: Kw = lambda w, u: {"pk": w.village.pk}  # noqa: E731
GRID1: Kw = lambda w, u: {"pk": w.grid1.pk}  # noqa: E731
MICRO1: Kw = lambda w, u: {"pk": w.micro1.pk}  # noqa: E731
WORKER_ASSIGNMENT: Kw = lambda w, u: {"pk": u["worker"].assignments.get().pk}  # noqa: E731
HOUSEHOLD1: Kw = lambda w, u: {"pk": w.household1.pk}  # noqa: E731
RESIDENT1: Kw = lambda w, u: {"pk": w.resident1.pk}  # noqa: E731
KEY_PERSON1: Kw = lambda w, u: {"pk": w.key_person1.pk}  # noqa: E731
KEY_PLACE1: Kw = lambda w, u: {"pk": w.key_place1.pk}  # noqa: E731


def IMPORT_JOB(w, u) -> dict:
    from django.core.files.base import ContentFile

    from residents import excel
    from residents.models import ImportJob

    job = ImportJob(village=w.village, created_by=u["staff"], kind="households", filename="x.xlsx", status="planned")
    job.file.save("x.xlsx", ContentFile(excel.template("households")), save=True)
    return {"pk": job.pk}


TEMPLATE: Kw = lambda w, u: {"kind": "households"}  # noqa: E731


def CASE1(w, u) -> dict:
    """A new dispute in grid 1, reported by the village staff (so the worker sees it through the grid)."""
    from tests.conftest import make_case

    return {"pk": make_case(w, u["staff"]).pk}


def CASE1_ACT(w, u) -> dict:
    return {**CASE1(w, u), "action": "accept"}


def CASE1_PHOTO(w, u) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import make_case, png_bytes

    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    case = make_case(w, u["staff"], photos=[photo])
    return {"pk": case.pk, "photo": case.attachments.get().pk}


def CASE1_AGREED(w, u) -> dict:
    """A dispute resolved with an agreement (it has a printable agreement)."""
    from disputes import services
    from tests.conftest import make_case

    staff = u["staff"]
    case = make_case(w, staff)
    case = services.case_accept(case=case, by=staff, version=case.version, tier=2)
    case = services.case_assign(case=case, by=staff, version=case.version, assignee=staff)
    case = services.case_resolve(
        case=case, by=staff, version=case.version, outcome="agreement", resolution="达成一致", agreement_text="一、…"
    )
    return {"pk": case.pk}


def MEDIATOR1(w, u) -> dict:
    from disputes.models import Mediator

    return {"pk": Mediator.objects.create(village=w.village, name="老党员甲", type="party_veteran").pk}


VISIT_HOUSEHOLD1: Kw = lambda w, u: {"subject": "household", "pk": w.household1.pk}  # noqa: E731


def REPORT1(w, u) -> dict:
    """The village's report of last month, submitted (so the town may review it)."""
    from django.utils import timezone

    from reports import services
    from visits import due

    staff = u["staff"]
    report = services.report_open(village=w.village, month=due.previous_month(timezone.localdate()), by=staff)
    report = services.report_save(report=report, by=staff, revision=report.revision, work_done="走访", next_plan="培训")
    return {"pk": services.report_submit(report=report, by=staff, revision=report.revision).pk}


def VISIT1_PHOTO(w, u) -> dict:
    """A household visit in grid 1 with a photo."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import png_bytes
    from visits import services

    photo = SimpleUploadedFile("v.png", png_bytes(), content_type="image/png")
    visit, _created = services.visit_record(worker=u["worker"], target=w.household1, photos=[photo])
    return {"pk": visit.pk, "photo": visit.photos.get().pk}


def _party(w):
    """The Party world of tests/party/conftest.py, built once per test (political affiliation: the village's
    staff and Party secretaries only)."""
    if not hasattr(w, "party"):
        from party.models import OrgKind
        from tests.party.conftest import member, org

        top = org(w.village, OrgKind.GENERAL_BRANCH, "一村党总支")
        branch1 = org(w.village, OrgKind.BRANCH, "第一网格党支部", parent=top, grid=w.grid1)
        w.party = SimpleNamespace(top=top, branch1=branch1, member1=member(w.village, w.resident1, branch1))
    return w.party


PARTY_BRANCH1: Kw = lambda w, u: {"pk": _party(w).branch1.pk}  # noqa: E731
PARTY_MEMBER1: Kw = lambda w, u: {"pk": _party(w).member1.pk}  # noqa: E731


def PARTY_VILLAGE(w, u) -> dict:
    _party(w)
    return {"pk": w.village.pk}


def PARTY_LINK1(w, u) -> dict:
    from party import services

    return {"pk": services.contact_link(by=u["staff"], member=_party(w).member1, household=w.household1).pk}


def PARTY_MEETING1(w, u) -> dict:
    from django.utils import timezone

    from party import services
    from party.models import Meeting

    p = _party(w)
    meeting = Meeting(
        organisation=p.branch1, kind="branch_committee", held_on=timezone.localdate(), place="村部", topic="学习"
    )
    return {"pk": services.meeting_record(by=u["staff"], meeting=meeting, present=[p.member1]).pk}


def PARTY_PHOTO1(w, u) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from party.models import MeetingPhoto
    from tests.conftest import png_bytes

    meeting = PARTY_MEETING1(w, u)["pk"]
    return {"pk": MeetingPhoto.objects.create(meeting_id=meeting, image=SimpleUploadedFile("p.png", png_bytes())).pk}


def _deliberation(w, u, stage: str = "proposed", *, research_file: bool = False):
    """A deliberation of village 1, proposed by its staff and taken along the main path to ``stage`` (published
    ten days ago, so every step the stage allows may be taken)."""
    from django.utils import timezone

    from tests.cogovernance.conftest import propose, to_stage

    d = propose(w.village, u["staff"])
    if research_file:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from cogovernance import services
        from cogovernance.models import Research

        research = Research(kind="interview", held_on=timezone.localdate(), count=3, summary="走访三户")
        upload = SimpleUploadedFile("记录.txt", "走访记录".encode(), content_type="text/plain")
        services.research_add(deliberation=d, by=u["staff"], research=research, files=[upload])
    return to_stage(d, stage, u["staff"], publish_on=timezone.localdate() - datetime.timedelta(days=10))


DELIB1: Kw = lambda w, u: {"pk": _deliberation(w, u).pk}  # noqa: E731
DELIB1_SUBMITTED: Kw = lambda w, u: {"pk": _deliberation(w, u, "submitted").pk}  # noqa: E731
DELIB1_PUBLISHED: Kw = lambda w, u: {"pk": _deliberation(w, u, "published").pk}  # noqa: E731
DELIB1_DELIBERATED: Kw = lambda w, u: {"pk": _deliberation(w, u, "deliberated").pk}  # noqa: E731
DELIB1_RESOLVED: Kw = lambda w, u: {"pk": _deliberation(w, u, "resolved").pk}  # noqa: E731
DELIB1_IMPLEMENTING: Kw = lambda w, u: {"pk": _deliberation(w, u, "implementing").pk}  # noqa: E731


def DELIB1_FILE(w, u) -> dict:
    from cogovernance.models import ResearchFile

    d = _deliberation(w, u, research_file=True)
    return {"pk": ResearchFile.objects.get(research__deliberation=d).pk}


def COGOV_PROJECT1(w, u) -> dict:
    """A project of village 1 (民生实事), entered directly by its staff."""
    import datetime

    from cogovernance import services
    from cogovernance.models import Project

    project = Project(village=w.village, title="安装路灯", budget=200000, started_on=datetime.date(2026, 3, 1))
    return {"pk": services.project_save(by=u["staff"], project=project).pk}


def COGOV_PROJECT_PHOTO1(w, u) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cogovernance.models import ProjectPhoto
    from tests.conftest import png_bytes

    project = COGOV_PROJECT1(w, u)["pk"]
    photo = ProjectPhoto.objects.create(
        project_id=project, image=SimpleUploadedFile("p.png", png_bytes()), uploaded_by=u["staff"]
    )
    return {"pk": photo.pk}


def CIV_ACTIVITY1(w, u) -> dict:
    """An activity of village 1 (德治/法治), recorded by its staff."""
    import datetime

    from civility import services
    from civility.models import Activity

    activity = Activity(
        village=w.village,
        kind="legal",
        title="宪法宣传日普法",
        held_on=datetime.date(2026, 12, 4),
        organiser="村委会",
        place="村文化广场",
        participants=40,
    )
    return {"pk": services.activity_save(by=u["staff"], activity=activity).pk}


def CIV_ACTIVITY_PHOTO1(w, u) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from civility.models import ActivityPhoto
    from tests.conftest import png_bytes

    photo = ActivityPhoto.objects.create(
        activity_id=CIV_ACTIVITY1(w, u)["pk"],
        image=SimpleUploadedFile("p.png", png_bytes()),
        uploaded_by=u["staff"],
    )
    return {"pk": photo.pk}


def CIV_TEAM1(w, u) -> dict:
    from civility import services
    from civility.models import VolunteerTeam

    return {"pk": services.team_save(by=u["staff"], team=VolunteerTeam(village=w.village, name="学雷锋志愿服务队")).pk}


def CIV_VOLUNTEER1(w, u) -> dict:
    from civility import services
    from civility.models import VolunteerTeam

    team = VolunteerTeam.objects.get(pk=CIV_TEAM1(w, u)["pk"])
    return {"pk": services.team_member_add(by=u["staff"], team=team, resident=w.resident1).pk}


def CIV_ADVISOR1(w, u) -> dict:
    import datetime

    from civility import services
    from civility.models import LegalAdvisor

    advisor = LegalAdvisor(
        village=w.village, resident=w.resident1, trained_on=datetime.date(2026, 3, 1), trained_by="县司法局"
    )
    return {"pk": services.advisor_save(by=u["staff"], advisor=advisor).pk}


def COGOV_DOCUMENT1(w, u) -> dict:
    """A village document of village 1 with its first adopted version (so it prints)."""
    import datetime

    from cogovernance import services
    from cogovernance.models import DocumentVersion, VillageDocument

    document = services.document_save(
        by=u["staff"], document=VillageDocument(village=w.village, kind="rules", title="村规民约")
    )
    version = DocumentVersion(text="第一条", adopted_on=datetime.date(2026, 1, 5), adopted_by="meeting", copies=1000)
    services.document_adopt(by=u["staff"], document=document, version=version)
    return {"pk": document.pk}


def WORKER_NOTICE(w, u) -> dict:
    from messaging.models import Notice

    return {"pk": Notice.objects.create(recipient=u["worker"], key="k", kind="case", title="t", url="/field/").pk}


def HANDOVER1(w, u) -> dict:
    """A second worker of grid 1 left, handed over to the village staff (the personas keep their places)."""
    from people.handover import grid_hand_over
    from tests.conftest import assign, make_user

    leaver = make_user("leaver", w.village)
    return {"pk": grid_hand_over(assignment=assign(leaver, "grid_worker", w.grid1), by=u["staff"], successor=None).pk}


# The village profile and grid-worker care (docs/scorecard.md).
def PROFILE_INCOME1(w, u) -> dict:
    from grids import services
    from grids.models import VillageIncome

    return {"pk": services.income_save(by=u["staff"], income=VillageIncome(village=w.village, year=2025, amount=10)).pk}


def PROFILE_HONOUR1(w, u) -> dict:
    from grids import services
    from grids.models import VillageHonour

    honour = VillageHonour(village=w.village, title="省级文明村", year=2024, awarded_by="省文明委")
    return {"pk": services.honour_save(by=u["staff"], honour=honour).pk}


def PROFILE_FACILITY1(w, u) -> dict:
    from grids import services
    from grids.models import ServiceFacility

    return {
        "pk": services.facility_save(by=u["staff"], facility=ServiceFacility(village=w.village, kind="police_room")).pk
    }


def CARE_INSURANCE1(w, u) -> dict:
    from people import services
    from people.models import WorkerInsurance

    policy = WorkerInsurance(
        village=w.village,
        worker=u["worker"],
        insurer="人保财险",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    return {"pk": services.insurance_save(by=u["staff"], insurance=policy).pk}


def CARE_PRACTICE1(w, u) -> dict:
    """A case the village reported, with a text file attached."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from people import services
    from people.models import GoodPractice

    practice = GoodPractice(
        village=w.village, kind="case", title="案例", body="正文", attachment=SimpleUploadedFile("a.txt", b"text")
    )
    return {"pk": services.practice_report(by=u["staff"], practice=practice).pk}


STAFF_EDIT_VILLAGE = _expect(worker=404, colleague=404, staff=200, town=403, outsider=404)
STAFF_EDIT_GRID1 = _expect(worker=403, colleague=404, staff=200, town=403, outsider=404)
SEEN_IN_GRID1 = _expect(worker=200, colleague=404, staff=200, town=200, outsider=404)
EVERYONE = _expect(worker=200, colleague=200, staff=200, town=200, outsider=200)
FIELD_ONLY = _expect(worker=200, colleague=200, staff=403, town=403, outsider=403)
FIELD_GRID1 = _expect(worker=200, colleague=404, staff=403, town=403, outsider=403)
# Imports change a village's registry: only its staff see them.
STAFF_ONLY = _expect(worker=404, colleague=404, staff=200, town=404, outsider=404)
POST_ONLY = _expect(worker=405, colleague=405, staff=405, town=405, outsider=405)
# Key persons are not the town office's to read (PIPL): it sees counts, not records.
KEY_PERSON_SEEN = _expect(worker=200, colleague=404, staff=200, town=404, outsider=404)
KEY_PERSON_EDIT = _expect(worker=403, colleague=404, staff=200, town=404, outsider=404)

# Monthly reports are the village staff's and the town office's, nobody else's.
REPORT_SEEN = _expect(worker=404, colleague=404, staff=200, town=200, outsider=404)
AUDIT_READERS = _expect(worker=404, colleague=404, staff=404, town=200, outsider=404)
TOWN_ONLY = _expect(worker=403, colleague=403, staff=403, town=200, outsider=403)
# Accounts are kept by a village's staff (their village's people) and the town office (its own staff); the
# worker's own account is not theirs to manage here (403), nor the town's or another village's (404).
ACCOUNT_KEEPERS = _expect(worker=403, colleague=403, staff=200, town=200, outsider=200)
WORKER_ACCOUNT_KEPT = _expect(worker=403, colleague=403, staff=200, town=404, outsider=404)
WORKER_ACCOUNT: Kw = lambda w, u: {"pk": u["worker"].pk}  # noqa: E731


def PUBLIC_NOTICE(w, u) -> dict:
    """An approved deliberation of village 1 (published for its week)."""
    from cogovernance.models import Stage
    from tests.cogovernance.conftest import propose, to_stage

    return {"token": to_stage(propose(w.village, u["staff"]), Stage.PUBLISHED, u["staff"]).public_token}


CIV_HOUSEHOLD1: Kw = lambda w, u: {"household": w.household1.pk}  # noqa: E731


def CIV_ITEM1(w, u) -> dict:
    """An item on village 1's points supermarket shelf."""
    from civility.models import StockItem

    return {"item": StockItem.objects.create(village=w.village, name="洗衣液", points=30, stock=5).pk}


NOT_A_MEMBER = _expect(worker=403, colleague=403, staff=403, town=403, outsider=403)


def DEPT_MEMBER1(w, u) -> dict:
    """Someone of the test town's 派出所 (docs/departments.md)."""
    from disputes.models import Department, DepartmentMember
    from tests.disputes.departments_world import department_user

    person = department_user(Department.objects.get(town=w.town, name="派出所"), "police1", "派出所甲")
    return {"pk": DepartmentMember.objects.get(user=person).pk}


# --- Town tasks (docs/towntasks.md) -------------------------------------------------------------------------


def _tt_task(w, u):
    """A checklist task from the town to both villages; village 1 has signed and started (its households'
    items made, in progress)."""
    from tests.towntasks.conftest import issue, target_of
    from towntasks import services

    task = issue(w, u["town"])
    target = services.target_sign(target=target_of(task, w.village), by=u["staff"])
    services.target_start(target=target, by=u["staff"])
    return task


def TT_TASK(w, u) -> dict:
    return {"pk": _tt_task(w, u).pk}


def TT_TARGET1(w, u) -> dict:
    return {"pk": _tt_task(w, u).targets.get(village=w.village).pk}


def TT_FILE(w, u) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from towntasks.models import TaskFile

    task = _tt_task(w, u)
    stored = TaskFile.objects.create(
        task=task, file=SimpleUploadedFile("notice.txt", b"notice"), name="notice.txt", uploaded_by=u["town"]
    )
    return {"pk": task.pk, "file": stored.pk}


def TT_PHOTO(w, u) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import png_bytes
    from towntasks.models import FeedbackPhoto

    target = _tt_task(w, u).targets.get(village=w.village)
    photo = FeedbackPhoto.objects.create(
        target=target, image=SimpleUploadedFile("p.png", png_bytes()), uploaded_by=u["staff"]
    )
    return {"pk": target.pk, "photo": photo.pk}


def TT_ITEM1(w, u) -> dict:
    """Household 1's item (grid 1)."""
    return {"pk": _tt_task(w, u).targets.get(village=w.village).items.get(household=w.household1).pk}


def TT_ITEM1_PHOTO(w, u) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import png_bytes
    from towntasks.models import TaskItem

    item = TaskItem.objects.get(pk=TT_ITEM1(w, u)["pk"])
    item.photo.save("p.png", SimpleUploadedFile("p.png", png_bytes()), save=True)
    return {"pk": item.pk}


# The village's staff of a village the task went to: a 403 on the town's pages, not a 404 (they know the task).
TT_TOWN_PAGE = _expect(worker=404, colleague=404, staff=403, town=200, outsider=403)
TT_TOWN_VERB = _expect(worker=404, colleague=404, staff=403, town=400, outsider=404)


MATRIX: dict[str, tuple[Kw, dict]] = {
    "home": (NONE, _expect(worker=302, colleague=302, staff=302, town=302, outsider=302)),
    "login": (NONE, _expect(anonymous=200, worker=302, colleague=302, staff=302, town=302, outsider=302)),
    "logout": (NONE, _expect(anonymous=405, worker=405, colleague=405, staff=405, town=405, outsider=405)),
    "password_change": (NONE, EVERYONE),
    # Browsers ask for it before anyone logs in: sent to the static file.
    "favicon": (NONE, _expect(anonymous=302, worker=302, colleague=302, staff=302, town=302, outsider=302)),
    "set_language": (NONE, _expect(anonymous=302, worker=302, colleague=302, staff=302, town=302, outsider=302)),
    "reports:town-home": (NONE, _expect(worker=403, colleague=403, staff=403, town=200, outsider=403)),
    "visits:work-list": (NONE, FIELD_ONLY),
    "visits:queue": (NONE, FIELD_ONLY),
    "visits:offline-manifest": (NONE, FIELD_ONLY),
    # Asked without a session by a phone whose session is gone, with its device key: a bare GET is a 400
    # (no person, no time), a wrong key a 403 (tests/visits/test_device_wipe.py).
    "visits:device-check": (
        NONE,
        _expect(anonymous=400, worker=400, colleague=400, staff=400, town=400, outsider=400),
    ),
    # The service worker and the web app manifest hold no data: the same file for everyone.
    "visits:service-worker": (
        NONE,
        _expect(anonymous=200, worker=200, colleague=200, staff=200, town=200, outsider=200),
    ),
    "visits:web-manifest": (NONE, _expect(anonymous=200, worker=200, colleague=200, staff=200, town=200, outsider=200)),
    # The one public page: a deliberation's publicity notice behind its unguessable link, the same for
    # everyone, logged in or not (tests/cogovernance/test_public.py).
    "cogovernance:public-notice": (
        PUBLIC_NOTICE,
        _expect(anonymous=200, worker=200, colleague=200, staff=200, town=200, outsider=200),
    ),
    "grids:grid-create": (VILLAGE, STAFF_EDIT_VILLAGE),
    "grids:microgrid-create": (VILLAGE, STAFF_EDIT_VILLAGE),
    "grids:assignment-create": (VILLAGE, STAFF_EDIT_VILLAGE),
    "grids:grid-detail": (GRID1, _expect(worker=200, colleague=404, staff=200, town=200, outsider=404)),
    "grids:grid-update": (GRID1, STAFF_EDIT_GRID1),
    "grids:grid-archive": (GRID1, STAFF_EDIT_GRID1),
    "grids:microgrid-update": (MICRO1, STAFF_EDIT_GRID1),
    "grids:microgrid-archive": (MICRO1, STAFF_EDIT_GRID1),
    "grids:assignment-end": (WORKER_ASSIGNMENT, STAFF_EDIT_GRID1),
    "people:handover": (WORKER_ASSIGNMENT, STAFF_EDIT_GRID1),
    "people:handover-detail": (HANDOVER1, SEEN_IN_GRID1),
    "people:handover-hand-on": (HANDOVER1, POST_ONLY),
    "reports:village-overview": (VILLAGE, _expect(worker=404, colleague=404, staff=200, town=200, outsider=404)),
    # The risk list names key persons: the village's staff only; the town sees the village but has its counts.
    "reports:risk-list": (VILLAGE, _expect(worker=404, colleague=404, staff=200, town=403, outsider=404)),
    "residents:household-create": (VILLAGE, STAFF_EDIT_VILLAGE),
    "residents:resident-create": (VILLAGE, STAFF_EDIT_VILLAGE),
    "residents:keyplace-create": (VILLAGE, STAFF_EDIT_VILLAGE),
    "residents:household-list": (NONE, EVERYONE),
    "residents:household-detail": (HOUSEHOLD1, SEEN_IN_GRID1),
    "residents:household-update": (HOUSEHOLD1, STAFF_EDIT_GRID1),
    "residents:household-move": (HOUSEHOLD1, STAFF_EDIT_GRID1),
    "residents:household-archive": (HOUSEHOLD1, POST_ONLY),
    "residents:household-restore": (HOUSEHOLD1, POST_ONLY),
    "residents:resident-list": (NONE, EVERYONE),
    "residents:resident-detail": (RESIDENT1, SEEN_IN_GRID1),
    "residents:resident-update": (RESIDENT1, STAFF_EDIT_GRID1),
    "residents:resident-move": (RESIDENT1, STAFF_EDIT_GRID1),
    "residents:resident-archive": (RESIDENT1, POST_ONLY),
    "residents:resident-restore": (RESIDENT1, POST_ONLY),
    "residents:resident-id-number": (RESIDENT1, POST_ONLY),
    "residents:keyperson-create": (RESIDENT1, STAFF_EDIT_GRID1),
    "residents:keyperson-list": (NONE, EVERYONE),
    "residents:keyperson-detail": (KEY_PERSON1, KEY_PERSON_SEEN),
    "residents:keyperson-update": (KEY_PERSON1, KEY_PERSON_EDIT),
    "residents:keyplace-list": (NONE, EVERYONE),
    "residents:keyplace-detail": (KEY_PLACE1, SEEN_IN_GRID1),
    "residents:keyplace-update": (KEY_PLACE1, STAFF_EDIT_GRID1),
    "residents:keyplace-archive": (KEY_PLACE1, POST_ONLY),
    "residents:import-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "residents:import-detail": (IMPORT_JOB, STAFF_ONLY),
    "residents:import-apply": (IMPORT_JOB, POST_ONLY),
    "residents:import-cancel": (IMPORT_JOB, POST_ONLY),
    "residents:import-errors": (IMPORT_JOB, STAFF_ONLY),
    "residents:import-template": (TEMPLATE, EVERYONE),
    "residents:household-export": (NONE, EVERYONE),
    "residents:resident-export": (NONE, EVERYONE),
    "residents:keyperson-export": (NONE, EVERYONE),
    # A Party member's phone page (docs/party.md): for a login linked to a member record or holding the
    # member's role; none of these personas is one (tests/party/test_field.py has the member's own).
    "party:field-contacts": (NONE, NOT_A_MEMBER),
    "party:field-contact-record": (HOUSEHOLD1, POST_ONLY),
    "residents:keyplace-export": (NONE, EVERYONE),
    "residents:field-household-list": (NONE, FIELD_ONLY),
    "residents:field-household-detail": (HOUSEHOLD1, FIELD_GRID1),
    "residents:field-household-edit": (HOUSEHOLD1, FIELD_GRID1),
    "residents:field-household-wechat": (HOUSEHOLD1, POST_ONLY),
    "disputes:case-list": (NONE, EVERYONE),
    "disputes:case-export": (NONE, EVERYONE),
    "disputes:case-detail": (CASE1, SEEN_IN_GRID1),
    "disputes:case-act": (CASE1_ACT, POST_ONLY),
    "disputes:case-sign": (CASE1, POST_ONLY),
    "disputes:case-session-add": (CASE1, POST_ONLY),
    "disputes:case-mediators": (CASE1, POST_ONLY),
    "disputes:case-photo-add": (CASE1, POST_ONLY),
    "disputes:case-photo": (CASE1_PHOTO, SEEN_IN_GRID1),
    "disputes:case-agreement": (CASE1_AGREED, SEEN_IN_GRID1),
    "disputes:case-record": (CASE1, SEEN_IN_GRID1),
    "disputes:case-create": (VILLAGE, STAFF_EDIT_VILLAGE),
    "disputes:mediator-list": (VILLAGE, _expect(worker=404, colleague=404, staff=200, town=200, outsider=404)),
    "disputes:mediator-update": (MEDIATOR1, _expect(worker=404, colleague=404, staff=200, town=403, outsider=404)),
    "disputes:mediator-archive": (MEDIATOR1, POST_ONLY),
    "disputes:town-desk": (NONE, _expect(worker=403, colleague=403, staff=403, town=200, outsider=403)),
    "disputes:field-cases": (NONE, FIELD_ONLY),
    "disputes:field-case-new": (NONE, FIELD_ONLY),
    # A department's own list and note (docs/departments.md); none of these personas is a department's login
    # (the department persona is below: DEPARTMENT_ROW). Its people are kept by the town office.
    "disputes:department-cases": (NONE, NOT_A_MEMBER),
    "disputes:case-dept-note": (CASE1, POST_ONLY),
    "people:department-people": (NONE, TOWN_ONLY),
    "people:department-member-end": (DEPT_MEMBER1, POST_ONLY),
    "messaging:inbox": (NONE, EVERYONE),
    "messaging:inbox-read-all": (NONE, POST_ONLY),
    "reports:report-list": (VILLAGE, REPORT_SEEN),
    "reports:report-start": (VILLAGE, POST_ONLY),
    "reports:report-detail": (REPORT1, REPORT_SEEN),
    "reports:report-save": (REPORT1, POST_ONLY),
    "reports:report-review": (REPORT1, POST_ONLY),
    # Already submitted: the staff are sent back to the report; the town may not submit for a village.
    "reports:report-submit": (REPORT1, _expect(worker=404, colleague=404, staff=302, town=403, outsider=404)),
    "reports:report-export": (REPORT1, REPORT_SEEN),
    "reports:report-print": (REPORT1, REPORT_SEEN),
    "reports:town-reports": (NONE, TOWN_ONLY),
    "reports:town-risks": (NONE, TOWN_ONLY),
    "reports:town-dashboard": (NONE, TOWN_ONLY),
    "reports:town-dashboard-export": (NONE, TOWN_ONLY),
    # The 六好 scorecard (docs/scorecard.md): a village's for whoever sees its records; the comparison the town's.
    "reports:scorecard": (VILLAGE, REPORT_SEEN),
    "reports:town-scorecards": (NONE, TOWN_ONLY),
    "reports:town-scorecards-export": (NONE, TOWN_ONLY),
    # Counts per village only (docs/party.md, "Who sees what"); the village's own Party pages are elsewhere.
    "party:town-compliance": (NONE, TOWN_ONLY),
    # Counts per village only (docs/cogovernance.md, "Who sees what").
    "cogovernance:town-counts": (NONE, TOWN_ONLY),
    "civility:town-counts": (NONE, TOWN_ONLY),
    "visits:visit-new": (VISIT_HOUSEHOLD1, _expect(worker=200, colleague=404, staff=200, town=403, outsider=404)),
    "visits:visit-photo": (VISIT1_PHOTO, SEEN_IN_GRID1),
    "visits:coverage": (NONE, _expect(worker=403, colleague=403, staff=200, town=200, outsider=200)),
    "visits:grid-outstanding": (GRID1, SEEN_IN_GRID1),
    "messaging:notice-open": (WORKER_NOTICE, POST_ONLY),
    # The audit log: the town office (its town) and the system admin; nobody else knows it is there.
    "audit:audit-list": (NONE, AUDIT_READERS),
    "audit:audit-export": (NONE, AUDIT_READERS),
    "people:account-list": (NONE, ACCOUNT_KEEPERS),
    "people:account-create": (NONE, ACCOUNT_KEEPERS),
    "people:account-import": (NONE, ACCOUNT_KEEPERS),
    "people:account-import-template": (NONE, ACCOUNT_KEEPERS),
    "people:account-detail": (WORKER_ACCOUNT, WORKER_ACCOUNT_KEPT),
    "people:account-password": (WORKER_ACCOUNT, WORKER_ACCOUNT_KEPT),
    "people:account-deactivate": (WORKER_ACCOUNT, POST_ONLY),
    "people:account-reactivate": (WORKER_ACCOUNT, POST_ONLY),
    # The village's Party pages: its staff (and its Party secretaries: tests/party/test_pages.py); political
    # affiliation is personal, so the town office (compliance only, on its own page) gets a 404 like the rest.
    "party:overview": (PARTY_VILLAGE, STAFF_ONLY),
    "party:organisation-new": (PARTY_VILLAGE, STAFF_ONLY),
    "party:organisation-detail": (PARTY_BRANCH1, STAFF_ONLY),
    "party:organisation-edit": (PARTY_BRANCH1, STAFF_ONLY),
    "party:organisation-archive": (PARTY_BRANCH1, POST_ONLY),
    "party:member-list": (PARTY_VILLAGE, STAFF_ONLY),
    "party:member-new": (PARTY_VILLAGE, STAFF_ONLY),
    "party:member-export": (PARTY_VILLAGE, STAFF_ONLY),
    "party:member-import": (PARTY_VILLAGE, STAFF_ONLY),
    "party:member-detail": (PARTY_MEMBER1, STAFF_ONLY),
    "party:member-edit": (PARTY_MEMBER1, STAFF_ONLY),
    "party:member-link": (PARTY_MEMBER1, POST_ONLY),
    "party:member-login": (PARTY_MEMBER1, POST_ONLY),
    "party:link-end": (PARTY_LINK1, POST_ONLY),
    "party:meeting-list": (PARTY_VILLAGE, STAFF_ONLY),
    "party:meeting-new": (PARTY_VILLAGE, STAFF_ONLY),
    "party:meeting-detail": (PARTY_MEETING1, STAFF_ONLY),
    "party:meeting-photo": (PARTY_PHOTO1, STAFF_ONLY),
    # Co-governance (docs/cogovernance.md): the village's staff keep the deliberations, the town office reads
    # them (every change a 403), a grid worker or another village's staff get a 404.
    "cogovernance:deliberation-list": (VILLAGE, REPORT_SEEN),
    "cogovernance:deliberation-export": (VILLAGE, REPORT_SEEN),
    "cogovernance:deliberation-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "cogovernance:deliberation-detail": (DELIB1, REPORT_SEEN),
    "cogovernance:deliberation-notice": (DELIB1_PUBLISHED, REPORT_SEEN),
    "cogovernance:research-file": (DELIB1_FILE, REPORT_SEEN),
    "cogovernance:deliberation-edit": (DELIB1, STAFF_EDIT_VILLAGE),
    "cogovernance:deliberation-research": (DELIB1, STAFF_EDIT_VILLAGE),
    "cogovernance:deliberation-move": (DELIB1, POST_ONLY),
    "cogovernance:deliberation-approve": (DELIB1_SUBMITTED, STAFF_EDIT_VILLAGE),
    "cogovernance:deliberation-meeting": (DELIB1_PUBLISHED, STAFF_EDIT_VILLAGE),
    "cogovernance:deliberation-resolve": (DELIB1_DELIBERATED, STAFF_EDIT_VILLAGE),
    "cogovernance:deliberation-close": (DELIB1_RESOLVED, STAFF_EDIT_VILLAGE),
    "cogovernance:deliberation-progress": (DELIB1_IMPLEMENTING, STAFF_EDIT_VILLAGE),
    # Co-governance records (docs/cogovernance.md, "Who sees what"): the village's staff keep them, the town
    # office reads and exports (403 on the change pages), a grid worker and another village see nothing.
    "cogovernance:project-list": (VILLAGE, REPORT_SEEN),
    "cogovernance:project-export": (VILLAGE, REPORT_SEEN),
    "cogovernance:project-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "cogovernance:project-detail": (COGOV_PROJECT1, REPORT_SEEN),
    "cogovernance:project-edit": (COGOV_PROJECT1, STAFF_EDIT_VILLAGE),
    "cogovernance:project-photo": (COGOV_PROJECT_PHOTO1, REPORT_SEEN),
    "cogovernance:document-list": (VILLAGE, REPORT_SEEN),
    "cogovernance:document-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "cogovernance:document-detail": (COGOV_DOCUMENT1, REPORT_SEEN),
    "cogovernance:document-adopt": (COGOV_DOCUMENT1, STAFF_EDIT_VILLAGE),
    "cogovernance:document-print": (COGOV_DOCUMENT1, REPORT_SEEN),
    "cogovernance:document-archive": (COGOV_DOCUMENT1, POST_ONLY),
    # Guiding by example and by law (docs/civility.md): the village's staff keep the records, the town office
    # reads and exports (403 on the change pages), a grid worker and another village see nothing.
    "civility:activity-list": (VILLAGE, REPORT_SEEN),
    "civility:activity-export": (VILLAGE, REPORT_SEEN),
    "civility:activity-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "civility:activity-detail": (CIV_ACTIVITY1, REPORT_SEEN),
    "civility:activity-edit": (CIV_ACTIVITY1, STAFF_EDIT_VILLAGE),
    "civility:activity-photo": (CIV_ACTIVITY_PHOTO1, REPORT_SEEN),
    "civility:team-list": (VILLAGE, REPORT_SEEN),
    "civility:team-export": (VILLAGE, REPORT_SEEN),
    "civility:team-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "civility:team-detail": (CIV_TEAM1, REPORT_SEEN),
    "civility:team-member-add": (CIV_TEAM1, STAFF_EDIT_VILLAGE),
    "civility:team-member-leave": (CIV_VOLUNTEER1, POST_ONLY),
    "civility:advisor-list": (VILLAGE, REPORT_SEEN),
    "civility:advisor-export": (VILLAGE, REPORT_SEEN),
    "civility:advisor-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "civility:advisor-archive": (CIV_ADVISOR1, POST_ONLY),
    # The points supermarket (docs/civility.md): the counter and every change are the village staff's (the
    # town office a 403); the town reads the ledger, the shelf and the selections; the others see nothing.
    "civility:points-counter": (VILLAGE, STAFF_EDIT_VILLAGE),
    "civility:points-household": (CIV_HOUSEHOLD1, STAFF_EDIT_VILLAGE),
    "civility:points-redeem": (CIV_HOUSEHOLD1, POST_ONLY),
    "civility:points-ledger": (VILLAGE, REPORT_SEEN),
    "civility:points-export": (VILLAGE, REPORT_SEEN),
    "civility:points-household-ledger": (CIV_HOUSEHOLD1, REPORT_SEEN),
    "civility:points-award": (CIV_HOUSEHOLD1, STAFF_EDIT_VILLAGE),
    "civility:stock-list": (VILLAGE, REPORT_SEEN),
    "civility:stock-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "civility:stock-edit": (CIV_ITEM1, STAFF_EDIT_VILLAGE),
    "civility:stock-archive": (CIV_ITEM1, POST_ONLY),
    "civility:selection-list": (VILLAGE, REPORT_SEEN),
    "civility:selection-export": (VILLAGE, REPORT_SEEN),
    "civility:selection-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    # The village's 汇报材料 draft (docs/scorecard.md): its staff and the town office; not the field roles.
    "reports:governance-report-docx": (VILLAGE, REPORT_SEEN),
    "reports:governance-report": (VILLAGE, REPORT_SEEN),
    # Writing sections again from the month's records (docs/scorecard.md): the village's staff only; a submitted
    # report is not rewritten (back to it with a message).
    "reports:report-prefill": (REPORT1, POST_ONLY),
    # The village profile and grid-worker care (docs/scorecard.md): the village's staff keep them, the town
    # office reads (403 on change) and keeps the town's trainings and adopts practices; grid workers and other
    # villages get a 404.
    "grids:village-profile": (VILLAGE, REPORT_SEEN),
    "grids:village-profile-edit": (VILLAGE, STAFF_EDIT_VILLAGE),
    "grids:income-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "grids:income-edit": (PROFILE_INCOME1, STAFF_EDIT_VILLAGE),
    "grids:honour-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "grids:honour-edit": (PROFILE_HONOUR1, STAFF_EDIT_VILLAGE),
    "grids:honour-archive": (PROFILE_HONOUR1, STAFF_EDIT_VILLAGE),
    "grids:facility-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "grids:facility-edit": (PROFILE_FACILITY1, STAFF_EDIT_VILLAGE),
    "grids:facility-archive": (PROFILE_FACILITY1, STAFF_EDIT_VILLAGE),
    "people:worker-care": (VILLAGE, REPORT_SEEN),
    "people:worker-care-export": (VILLAGE, REPORT_SEEN),
    "people:worker-care-records": (VILLAGE, REPORT_SEEN),
    "people:insurance-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "people:insurance-edit": (CARE_INSURANCE1, STAFF_EDIT_VILLAGE),
    "people:health-check-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "people:village-trainings": (VILLAGE, REPORT_SEEN),
    "people:village-trainings-export": (VILLAGE, REPORT_SEEN),
    "people:village-training-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "people:town-trainings": (NONE, TOWN_ONLY),
    "people:town-trainings-export": (NONE, TOWN_ONLY),
    "people:town-training-new": (NONE, TOWN_ONLY),
    "people:village-practices": (VILLAGE, REPORT_SEEN),
    "people:practice-new": (VILLAGE, STAFF_EDIT_VILLAGE),
    "people:practice-detail": (CARE_PRACTICE1, REPORT_SEEN),
    "people:practice-attachment": (CARE_PRACTICE1, REPORT_SEEN),
    "people:practice-adopt": (CARE_PRACTICE1, _expect(worker=404, colleague=404, staff=403, town=200, outsider=404)),
    "people:town-practices": (NONE, TOWN_ONLY),
    # Town tasks (docs/towntasks.md): the town office hands down and accepts; the village signs, starts and
    # reports; the grid worker ticks the households of their own grids on the phone.
    "towntasks:task-list": (NONE, TOWN_ONLY),
    "towntasks:task-new": (NONE, TOWN_ONLY),
    "towntasks:task-detail": (TT_TASK, TT_TOWN_PAGE),
    "towntasks:task-file": (TT_FILE, _expect(worker=404, colleague=404, staff=200, town=200, outsider=200)),
    "towntasks:village-list": (VILLAGE, REPORT_SEEN),
    "towntasks:target-detail": (TT_TARGET1, REPORT_SEEN),
    "towntasks:target-sign": (TT_TARGET1, POST_ONLY),
    "towntasks:target-start": (TT_TARGET1, POST_ONLY),
    "towntasks:target-report": (TT_TARGET1, STAFF_EDIT_VILLAGE),
    "towntasks:target-accept": (TT_TARGET1, POST_ONLY),
    "towntasks:target-return": (TT_TARGET1, POST_ONLY),
    "towntasks:feedback-photo": (TT_PHOTO, REPORT_SEEN),
    "towntasks:field-list": (NONE, FIELD_ONLY),
    "towntasks:field-checklist": (TT_TARGET1, FIELD_ONLY),
    "towntasks:item-tick": (TT_ITEM1, POST_ONLY),
    "towntasks:item-photo": (TT_ITEM1_PHOTO, SEEN_IN_GRID1),
}

# What a POST does to the actions that only take POST (their GET row above is 405).
# Archive / restore / reveal for staff redirect (302) or show the page (200).
POST_MATRIX: dict[str, tuple[Kw, dict]] = {
    "party:field-contact-record": (HOUSEHOLD1, NOT_A_MEMBER),
    # The grid has no new worker yet: the staff are told so (a message, back to the record).
    "people:handover-hand-on": (HANDOVER1, STAFF_EDIT_GRID1 | {"staff": 302}),
    "logout": (NONE, _expect(anonymous=302, worker=302, colleague=302, staff=302, town=302, outsider=302)),
    "residents:household-archive": (HOUSEHOLD1, STAFF_EDIT_GRID1 | {"staff": 302}),
    # The WeChat tick: the grid's worker (an empty choice: back to the page with a message).
    "residents:field-household-wechat": (HOUSEHOLD1, FIELD_GRID1 | {"worker": 302}),
    "residents:household-restore": (HOUSEHOLD1, STAFF_EDIT_GRID1 | {"staff": 302}),
    "residents:resident-archive": (RESIDENT1, STAFF_EDIT_GRID1 | {"staff": 302}),
    "residents:resident-restore": (RESIDENT1, STAFF_EDIT_GRID1 | {"staff": 302}),
    "residents:resident-id-number": (RESIDENT1, STAFF_EDIT_GRID1),
    "residents:import-apply": (IMPORT_JOB, STAFF_ONLY | {"staff": 302}),
    "residents:import-cancel": (IMPORT_JOB, STAFF_ONLY | {"staff": 302}),
    "residents:keyplace-archive": (KEY_PLACE1, STAFF_EDIT_GRID1 | {"staff": 302}),
    # Accepting a new case is the village staff's (an empty form: 400 with the errors shown); the worker
    # and the town see the case but may not; the others do not see it at all.
    "disputes:case-act": (CASE1_ACT, _expect(worker=403, colleague=404, staff=400, town=403, outsider=404)),
    # Nobody signs or mediates a case that has not been handed to anyone yet.
    "disputes:case-sign": (CASE1, _expect(worker=403, colleague=404, staff=403, town=403, outsider=404)),
    "disputes:case-session-add": (CASE1, _expect(worker=403, colleague=404, staff=403, town=403, outsider=404)),
    # A handling note is a department's, on a case assigned to it: CASE1 is nobody's yet.
    "disputes:case-dept-note": (CASE1, _expect(worker=403, colleague=404, staff=403, town=403, outsider=404)),
    # The town office ends a membership of its own departments (302 back to the list); nobody else.
    "people:department-member-end": (DEPT_MEMBER1, TOWN_ONLY | {"town": 302}),
    "disputes:case-mediators": (CASE1, _expect(worker=403, colleague=404, staff=302, town=403, outsider=404)),
    # The grid's worker and the village may add photos (no file: 400); the town may not at tier 1.
    "disputes:case-photo-add": (CASE1, _expect(worker=400, colleague=404, staff=400, town=403, outsider=404)),
    "disputes:mediator-archive": (MEDIATOR1, _expect(worker=404, colleague=404, staff=302, town=403, outsider=404)),
    "messaging:inbox-read-all": (NONE, _expect(worker=302, colleague=302, staff=302, town=302, outsider=302)),
    "messaging:notice-open": (WORKER_NOTICE, _expect(worker=302, colleague=404, staff=404, town=404, outsider=404)),
    "reports:report-start": (VILLAGE, _expect(worker=404, colleague=404, staff=302, town=403, outsider=404)),
    # An empty form is refused with its errors (400) for those who may act; the others are told no.
    "reports:report-save": (REPORT1, _expect(worker=404, colleague=404, staff=400, town=403, outsider=404)),
    "reports:report-review": (REPORT1, _expect(worker=404, colleague=404, staff=403, town=400, outsider=404)),
    # Switching the worker's account off (302 back to it) or on (already on: 302 with the reason).
    "people:account-deactivate": (WORKER_ACCOUNT, WORKER_ACCOUNT_KEPT | {"staff": 302}),
    "people:account-reactivate": (WORKER_ACCOUNT, WORKER_ACCOUNT_KEPT | {"staff": 302}),
    # Back to the record with a message: branch 1 still has members (not archived), the link ended. No
    # household number or account given: the member's page again with the field's error (400).
    "party:organisation-archive": (PARTY_BRANCH1, STAFF_ONLY | {"staff": 302}),
    "party:member-link": (PARTY_MEMBER1, STAFF_ONLY | {"staff": 400}),
    "party:member-login": (PARTY_MEMBER1, STAFF_ONLY | {"staff": 400}),
    "party:link-end": (PARTY_LINK1, STAFF_ONLY | {"staff": 302}),
    # No action chosen: back to the topic with a message; the town reads but may not move it.
    "cogovernance:deliberation-move": (DELIB1, STAFF_EDIT_VILLAGE | {"staff": 302}),
    # Archived, back to the document with a message; the town office reads only.
    "cogovernance:document-archive": (COGOV_DOCUMENT1, STAFF_EDIT_VILLAGE | {"staff": 302}),
    # The member leaves / the advisor leaves the roster: back to the page with a message; the town reads only.
    "civility:team-member-leave": (CIV_VOLUNTEER1, STAFF_EDIT_VILLAGE | {"staff": 302}),
    "civility:advisor-archive": (CIV_ADVISOR1, STAFF_EDIT_VILLAGE | {"staff": 302}),
    # No item chosen: back to the household with a message; the town office reads but may not redeem.
    "civility:points-redeem": (CIV_HOUSEHOLD1, STAFF_EDIT_VILLAGE | {"staff": 302}),
    # Off the shelf, back to the list with a message.
    "civility:stock-archive": (CIV_ITEM1, STAFF_EDIT_VILLAGE | {"staff": 302}),
    "reports:report-prefill": (REPORT1, _expect(worker=404, colleague=404, staff=302, town=403, outsider=404)),
    # Town tasks: village 1's part is in progress, so signing or starting again is refused with the page
    # (400) for its staff and a 403 for the town office; accepting or returning it is the town's (refused:
    # not reported yet, 400) and a 403 for the village. The tick without a choice: back with a message.
    "towntasks:target-sign": (TT_TARGET1, STAFF_EDIT_VILLAGE | {"staff": 400}),
    "towntasks:target-start": (TT_TARGET1, STAFF_EDIT_VILLAGE | {"staff": 400}),
    "towntasks:target-accept": (TT_TARGET1, TT_TOWN_VERB),
    "towntasks:target-return": (TT_TARGET1, TT_TOWN_VERB),
    "towntasks:item-tick": (TT_ITEM1, _expect(worker=302, colleague=404, staff=302, town=403, outsider=404)),
}


def _url_names(patterns=None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIP_NAMESPACES:
                continue
            inner = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names |= _url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"URL pattern {entry.pattern} has no name: every page needs one for the matrix"
            if not entry.name.startswith("api-"):
                names.add(prefix + entry.name)
    return names


def test_every_url_is_in_the_matrix():
    in_urlconf = _url_names()
    assert in_urlconf - set(MATRIX) == set(), "URL patterns missing from the permission matrix"
    assert set(MATRIX) - in_urlconf == set(), "matrix rows for URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(client, world, personas, name, persona):
    kwargs_for, expected_by_persona = MATRIX[name]
    url = reverse(name, kwargs=kwargs_for(world, personas))
    if persona != "anonymous":
        client.force_login(personas[persona])
    response = client.get(url)
    expected = expected_by_persona[persona]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    else:
        assert response.status_code == expected, f"{persona} GET {url}"


def test_every_post_only_url_has_a_post_row():
    post_only = {name for name, (_kw, expected) in MATRIX.items() if expected["worker"] == 405}
    assert post_only == set(POST_MATRIX)


@pytest.mark.parametrize("name", sorted(POST_MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_post_matrix(client, world, personas, name, persona):
    kwargs_for, expected_by_persona = POST_MATRIX[name]
    url = reverse(name, kwargs=kwargs_for(world, personas))
    if persona != "anonymous":
        client.force_login(personas[persona])
    response = client.post(url)
    expected = expected_by_persona[persona]
    if expected == "login" or (name == "logout" and persona == "anonymous"):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, f"{persona} POST {url}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_is_for_the_system_admin_only(client, personas, persona):
    if persona != "anonymous":
        client.force_login(personas[persona])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_opens_for_the_system_admin(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200
    assert admin_client.get(reverse("admin:grids_grid_changelist")).status_code == 200


# --- The department persona (docs/departments.md) --------------------------------------------------------
#
# A department's login: 司法所 of the test town (Role.DEPARTMENT on the town and a current membership), nothing
# else. Its rows are kept apart from PERSONAS so the rows above stay as they are; every URL name of MATRIX and
# POST_MATRIX has its outcome here (``test_the_department_rows_cover_every_url``). It sees no case of the rows
# above (none is assigned to it): 404. Its 200s are its own list, the inbox, its password, the pages that hold
# no data (the public notice, the service worker, the manifest, the import template), and the registry's lists
# and exports, which answer empty as for a Party member's login (tests/disputes/test_departments_pages.py
# checks they hold no row). Its own case: ``DEPARTMENT_OWN`` below.

DEPARTMENT_GET: dict[str, int] = {
    **dict.fromkeys(
        [
            "cogovernance:public-notice",
            "disputes:department-cases",
            "messaging:inbox",
            "password_change",
            "residents:household-export",
            "residents:household-list",
            "residents:import-template",
            "residents:keyperson-export",
            "residents:keyperson-list",
            "residents:keyplace-export",
            "residents:keyplace-list",
            "residents:resident-export",
            "residents:resident-list",
            "visits:service-worker",
            "visits:web-manifest",
        ],
        200,
    ),
    **dict.fromkeys(
        [
            "favicon",
            "home",
            "login",
            "set_language",
        ],
        302,
    ),
    **dict.fromkeys(
        [
            "visits:device-check",
        ],
        400,
    ),
    **dict.fromkeys(
        [
            "civility:town-counts",
            "cogovernance:town-counts",
            "disputes:case-export",
            "disputes:case-list",
            "disputes:field-case-new",
            "disputes:field-cases",
            "disputes:town-desk",
            "party:field-contacts",
            "party:town-compliance",
            "people:account-create",
            "people:account-detail",
            "people:account-import",
            "people:account-import-template",
            "people:account-list",
            "people:account-password",
            "people:department-people",
            "people:town-practices",
            "people:town-training-new",
            "people:town-trainings",
            "people:town-trainings-export",
            "reports:town-dashboard",
            "reports:town-dashboard-export",
            "reports:town-home",
            "reports:town-reports",
            "reports:town-risks",
            "reports:town-scorecards",
            "reports:town-scorecards-export",
            "residents:field-household-detail",
            "residents:field-household-edit",
            "residents:field-household-list",
            "towntasks:field-checklist",
            "towntasks:field-list",
            "towntasks:task-list",
            "towntasks:task-new",
            "visits:coverage",
            "visits:offline-manifest",
            "visits:queue",
            "visits:work-list",
        ],
        403,
    ),
    **dict.fromkeys(
        [
            "audit:audit-export",
            "audit:audit-list",
            "civility:activity-detail",
            "civility:activity-edit",
            "civility:activity-export",
            "civility:activity-list",
            "civility:activity-new",
            "civility:activity-photo",
            "civility:advisor-export",
            "civility:advisor-list",
            "civility:advisor-new",
            "civility:points-award",
            "civility:points-counter",
            "civility:points-export",
            "civility:points-household",
            "civility:points-household-ledger",
            "civility:points-ledger",
            "civility:selection-export",
            "civility:selection-list",
            "civility:selection-new",
            "civility:stock-edit",
            "civility:stock-list",
            "civility:stock-new",
            "civility:team-detail",
            "civility:team-export",
            "civility:team-list",
            "civility:team-member-add",
            "civility:team-new",
            "cogovernance:deliberation-approve",
            "cogovernance:deliberation-close",
            "cogovernance:deliberation-detail",
            "cogovernance:deliberation-edit",
            "cogovernance:deliberation-export",
            "cogovernance:deliberation-list",
            "cogovernance:deliberation-meeting",
            "cogovernance:deliberation-new",
            "cogovernance:deliberation-notice",
            "cogovernance:deliberation-progress",
            "cogovernance:deliberation-research",
            "cogovernance:deliberation-resolve",
            "cogovernance:document-adopt",
            "cogovernance:document-detail",
            "cogovernance:document-list",
            "cogovernance:document-new",
            "cogovernance:document-print",
            "cogovernance:project-detail",
            "cogovernance:project-edit",
            "cogovernance:project-export",
            "cogovernance:project-list",
            "cogovernance:project-new",
            "cogovernance:project-photo",
            "cogovernance:research-file",
            "disputes:case-agreement",
            "disputes:case-create",
            "disputes:case-detail",
            "disputes:case-photo",
            "disputes:case-record",
            "disputes:mediator-list",
            "disputes:mediator-update",
            "grids:assignment-create",
            "grids:assignment-end",
            "grids:facility-archive",
            "grids:facility-edit",
            "grids:facility-new",
            "grids:grid-archive",
            "grids:grid-create",
            "grids:grid-detail",
            "grids:grid-update",
            "grids:honour-archive",
            "grids:honour-edit",
            "grids:honour-new",
            "grids:income-edit",
            "grids:income-new",
            "grids:microgrid-archive",
            "grids:microgrid-create",
            "grids:microgrid-update",
            "grids:village-profile",
            "grids:village-profile-edit",
            "party:meeting-detail",
            "party:meeting-list",
            "party:meeting-new",
            "party:meeting-photo",
            "party:member-detail",
            "party:member-edit",
            "party:member-export",
            "party:member-import",
            "party:member-list",
            "party:member-new",
            "party:organisation-detail",
            "party:organisation-edit",
            "party:organisation-new",
            "party:overview",
            "people:handover",
            "people:handover-detail",
            "people:health-check-new",
            "people:insurance-edit",
            "people:insurance-new",
            "people:practice-adopt",
            "people:practice-attachment",
            "people:practice-detail",
            "people:practice-new",
            "people:village-practices",
            "people:village-training-new",
            "people:village-trainings",
            "people:village-trainings-export",
            "people:worker-care",
            "people:worker-care-export",
            "people:worker-care-records",
            "reports:governance-report",
            "reports:governance-report-docx",
            "reports:report-detail",
            "reports:report-export",
            "reports:report-list",
            "reports:report-print",
            "reports:report-submit",
            "reports:risk-list",
            "reports:scorecard",
            "reports:village-overview",
            "residents:household-create",
            "residents:household-detail",
            "residents:household-move",
            "residents:household-update",
            "residents:import-detail",
            "residents:import-errors",
            "residents:import-new",
            "residents:keyperson-create",
            "residents:keyperson-detail",
            "residents:keyperson-update",
            "residents:keyplace-create",
            "residents:keyplace-detail",
            "residents:keyplace-update",
            "residents:resident-create",
            "residents:resident-detail",
            "residents:resident-move",
            "residents:resident-update",
            "towntasks:feedback-photo",
            "towntasks:item-photo",
            "towntasks:target-detail",
            "towntasks:target-report",
            "towntasks:task-detail",
            "towntasks:task-file",
            "towntasks:village-list",
            "visits:grid-outstanding",
            "visits:visit-new",
            "visits:visit-photo",
        ],
        404,
    ),
    **dict.fromkeys(
        [
            "civility:advisor-archive",
            "civility:points-redeem",
            "civility:stock-archive",
            "civility:team-member-leave",
            "cogovernance:deliberation-move",
            "cogovernance:document-archive",
            "disputes:case-act",
            "disputes:case-dept-note",
            "disputes:case-mediators",
            "disputes:case-photo-add",
            "disputes:case-session-add",
            "disputes:case-sign",
            "disputes:mediator-archive",
            "logout",
            "messaging:inbox-read-all",
            "messaging:notice-open",
            "party:field-contact-record",
            "party:link-end",
            "party:member-link",
            "party:member-login",
            "party:organisation-archive",
            "people:account-deactivate",
            "people:account-reactivate",
            "people:department-member-end",
            "people:handover-hand-on",
            "reports:report-prefill",
            "reports:report-review",
            "reports:report-save",
            "reports:report-start",
            "residents:field-household-wechat",
            "residents:household-archive",
            "residents:household-restore",
            "residents:import-apply",
            "residents:import-cancel",
            "residents:keyplace-archive",
            "residents:resident-archive",
            "residents:resident-id-number",
            "residents:resident-restore",
            "towntasks:item-tick",
            "towntasks:target-accept",
            "towntasks:target-return",
            "towntasks:target-sign",
            "towntasks:target-start",
        ],
        405,
    ),
}

DEPARTMENT_POST: dict[str, int] = {
    **dict.fromkeys(
        [
            "logout",
            "messaging:inbox-read-all",
        ],
        302,
    ),
    **dict.fromkeys(
        [
            "party:field-contact-record",
            "people:account-deactivate",
            "people:account-reactivate",
            "people:department-member-end",
            "residents:field-household-wechat",
        ],
        403,
    ),
    **dict.fromkeys(
        [
            "civility:advisor-archive",
            "civility:points-redeem",
            "civility:stock-archive",
            "civility:team-member-leave",
            "cogovernance:deliberation-move",
            "cogovernance:document-archive",
            "disputes:case-act",
            "disputes:case-dept-note",
            "disputes:case-mediators",
            "disputes:case-photo-add",
            "disputes:case-session-add",
            "disputes:case-sign",
            "disputes:mediator-archive",
            "messaging:notice-open",
            "party:link-end",
            "party:member-link",
            "party:member-login",
            "party:organisation-archive",
            "people:handover-hand-on",
            "reports:report-prefill",
            "reports:report-review",
            "reports:report-save",
            "reports:report-start",
            "residents:household-archive",
            "residents:household-restore",
            "residents:import-apply",
            "residents:import-cancel",
            "residents:keyplace-archive",
            "residents:resident-archive",
            "residents:resident-id-number",
            "residents:resident-restore",
            "towntasks:item-tick",
            "towntasks:target-accept",
            "towntasks:target-return",
            "towntasks:target-sign",
            "towntasks:target-start",
        ],
        404,
    ),
}


@pytest.fixture
def department_persona(world):
    from disputes.models import Department
    from tests.disputes.departments_world import department_user

    return department_user(Department.objects.get(town=world.town, name="司法所"), "dept", "司法所甲")


def test_the_department_rows_cover_every_url():
    assert set(DEPARTMENT_GET) == set(MATRIX)
    assert set(DEPARTMENT_POST) == set(POST_MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_department_persona_get(client, world, personas, department_persona, name):
    kwargs_for, _expected = MATRIX[name]
    url = reverse(name, kwargs=kwargs_for(world, personas))
    client.force_login(department_persona)
    assert client.get(url).status_code == DEPARTMENT_GET[name], f"department GET {url}"


@pytest.mark.parametrize("name", sorted(POST_MATRIX))
def test_department_persona_post(client, world, personas, department_persona, name):
    kwargs_for, _expected = POST_MATRIX[name]
    url = reverse(name, kwargs=kwargs_for(world, personas))
    client.force_login(department_persona)
    assert client.post(url).status_code == DEPARTMENT_POST[name], f"department POST {url}"


def DEPT_CASE(w, u) -> dict:
    """A major dispute of grid 1 the town assigned to 司法所 (the department persona's)."""
    from disputes.models import Department
    from tests.disputes.departments_world import town_case

    return {"pk": town_case(w, u["staff"], u["town"], Department.objects.get(town=w.town, name="司法所")).pk}


# Its own case: the page and the printable record; signing (back to the page); an empty note or action is a 400.
DEPARTMENT_OWN = [
    ("get", "disputes:case-detail", DEPT_CASE, 200),
    ("get", "disputes:case-record", DEPT_CASE, 200),
    ("post", "disputes:case-sign", DEPT_CASE, 302),
    ("post", "disputes:case-dept-note", DEPT_CASE, 403),  # not signed for yet
    ("post", "disputes:case-act", lambda w, u: {**DEPT_CASE(w, u), "action": "dept_return"}, 400),
    ("post", "disputes:case-act", lambda w, u: {**DEPT_CASE(w, u), "action": "resolve"}, 403),  # not signed
    ("post", "disputes:case-act", lambda w, u: {**DEPT_CASE(w, u), "action": "feedback"}, 403),
    ("post", "disputes:case-photo-add", DEPT_CASE, 403),
    ("post", "disputes:case-session-add", DEPT_CASE, 403),
    ("get", "disputes:case-agreement", DEPT_CASE, 404),  # no agreement yet
]


@pytest.mark.parametrize(("method", "name", "kwargs_for", "expected"), DEPARTMENT_OWN)
def test_department_persona_on_its_own_case(
    client, world, personas, department_persona, method, name, kwargs_for, expected
):
    url = reverse(name, kwargs=kwargs_for(world, personas))
    client.force_login(department_persona)
    assert getattr(client, method)(url).status_code == expected, f"department {method.upper()} {url}"
