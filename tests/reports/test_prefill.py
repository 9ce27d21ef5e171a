"""The monthly report's sections drafted from the month's records (reports/prefill.py, docs/scorecard.md
"Monthly report, pre-filled"): each source's sentence and its counts, the plain sentences of an empty month,
and the privacy attack (no person, party, note, phone, ID or address ever reaches the text)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from civility import services as civility_services
from civility.models import ActivityKind, EntryKind, SetDate, StockItem
from cogovernance.models import Project
from disputes import services as case_services
from disputes.models import Outcome, PartyRole, Policy, Tier
from grids.models import Village
from party.models import MeetingKind, OrgKind
from people.models import GoodPractice, PracticeKind, PracticeStatus
from reports import figures, prefill
from residents.codes import Relation
from residents.models import KeyCategory, KeyPerson
from tests.civility.test_activities import make_activity
from tests.conftest import make_case, make_resident
from tests.party.conftest import org
from visits import due
from visits import services as visit_services

TODAY = timezone.localdate()
THIS_MONTH = due.month_start(TODAY)
PREVIOUS = due.previous_month(TODAY)
NEXT = due.next_month(THIS_MONTH)


def _meeting(village, organisation, kind, by, topic="学习"):
    from party.models import Meeting

    return Meeting.objects.create(
        village=village,
        organisation=organisation,
        kind=kind,
        held_on=TODAY,
        period=f"{THIS_MONTH:%Y-%m}",
        place="村部",
        topic=topic,
        recorded_by=by,
    )


def _set_dates():
    """Only the test's own set dates: one of this month answered by a legal activity, one of this month of
    another kind nobody answered, one next month."""
    SetDate.objects.update(active=False)
    SetDate.objects.create(name="测试普法日", month=THIS_MONTH.month, day=1)
    SetDate.objects.create(name="测试反诈日", month=THIS_MONTH.month, day=1, kind=ActivityKind.ANTI_FRAUD)
    SetDate.objects.create(name="下月宣传日", month=NEXT.month, day=2)


@pytest.fixture
def month(world, worker, staff):
    """A hand-built month of the test village (tests/conftest.py: households 1 and 2, key person 1, key place
    1): two visits, three cases, two Party meetings, a project finished, two activities, points awarded and
    redeemed, two good practices, set dates."""
    _set_dates()
    # Visits: household 1 and the key place (grid 1); household 2 and the key person not visited.
    visit_services.visit_record(worker=worker, target=world.household1, visited_on=TODAY)
    visit_services.visit_record(worker=worker, target=world.key_place1, visited_on=TODAY)
    # Cases: a dispute accepted at the first tier and mediated to an agreement; a hazard reported today whose
    # accept limit falls on the 10th of next month; a hazard reported two months ago, never accepted (late).
    policy = Policy.current()
    policy.accept_days = (NEXT.replace(day=10) - TODAY).days
    policy.return_visit_days = 90
    policy.save()
    dispute = make_case(world, worker)
    dispute = case_services.case_accept(case=dispute, by=staff, version=dispute.version, tier=Tier.GROUP)
    dispute = case_services.case_assign(case=dispute, by=staff, version=dispute.version, assignee=worker)
    case_services.case_resolve(
        case=dispute, by=worker, version=dispute.version, outcome=Outcome.AGREEMENT, resolution="双方达成协议"
    )
    make_case(world, worker, kind="hazard", title="电线老化")
    make_case(world, worker, kind="hazard", title="危房", reported_at=timezone.now() - datetime.timedelta(days=62))
    # The Party: a branch founded on the first day of last month, which held its committee and its theme
    # day this month; last month's two monthly meetings were never held.
    branch = org(world.village, OrgKind.BRANCH, "第一支部", founded_on=PREVIOUS)
    _meeting(world.village, branch, MeetingKind.BRANCH_COMMITTEE, staff)
    _meeting(world.village, branch, MeetingKind.THEME_DAY, staff)
    # Co-governance: a project started and finished this month.
    Project.objects.create(
        village=world.village, title="村道硬化工程", budget=100, started_on=THIS_MONTH, done_on=TODAY, created_by=staff
    )
    # 德治/法治: a legal activity and a clean-up; 20 points awarded, 10 redeemed.
    make_activity(world.village, staff, title="宪法宣传进万家", held_on=TODAY, participants=40)
    make_activity(world.village, staff, title="清洁家园", kind=ActivityKind.CLEANUP, held_on=TODAY, participants=5)
    civility_services.award(household=world.household1, points=20, kind=EntryKind.RULE, reason="门前三包", by=staff)
    soap = StockItem.objects.create(village=world.village, name="洗衣液", points=10, stock=5)
    civility_services.redeem(household=world.household1, item=soap, by=staff)
    # Good practices: a method reported this month, a case reported and adopted, one of last month.
    for kind, title, status, on in (
        (PracticeKind.METHOD, "院坝议事工作法", PracticeStatus.REPORTED, TODAY),
        (PracticeKind.CASE, "邻里纠纷化解案例", PracticeStatus.ADOPTED, TODAY),
        (PracticeKind.METHOD, "上月的做法", PracticeStatus.REPORTED, PREVIOUS),
    ):
        GoodPractice.objects.create(
            village=world.village,
            kind=kind,
            title=title,
            body="正文",
            reported_on=on,
            reported_by=staff,
            status=status,
            adopted_on=TODAY if status == PracticeStatus.ADOPTED else None,
        )
    return world


def test_work_done_has_one_sentence_per_source_with_its_counts(month):
    text = prefill.draft(month.village, THIS_MONTH)["work_done"]
    lines = text.splitlines()
    assert len(lines) == 7, text  # visits, key persons, cases, Party, co-governance, activities, points
    # Due: 2 households + key person 1 + key place 1; done: household 1 and the key place.
    assert "应走访农户、重点人员和重点场所 4 户（人、处），已走访 2，覆盖率 50%" in lines[0]
    assert "农户 1/2 户" in lines[0] and "重点场所 1/1 处" in lines[0]
    assert "应走访重点人员 1 人，已按要求走访 0 人" in lines[1]
    assert "新登记 2 件（矛盾纠纷 1 件、安全隐患 1 件）" in lines[2]
    assert "受理 1 件" in lines[2] and "调处办结 1 件（一级：村组/网格员 1 件）" in lines[2]
    assert "调解达成协议 1 件" in lines[2] and "上报上级" not in lines[2]
    assert "召开党内会议 2 次（支部委员会 1 次、主题党日 1 次）" in lines[3]
    assert "民生实事项目开工 1 个" in lines[4] and "完工 1 个（《村道硬化工程》）" in lines[4]
    assert "开展活动 2 场，参与 45 人次" in lines[5]
    assert "普法宣传 1 场（40 人次）" in lines[5] and "环境整治 1 场（5 人次）" in lines[5]
    assert "《宪法宣传进万家》、《清洁家园》" in lines[5]
    assert "发放积分 20 分，村民兑换积分 10 分" in lines[6]


def test_problems_say_what_the_figures_show_is_lacking(month):
    text = prefill.draft(month.village, THIS_MONTH)["problems"]
    assert "还有 1 户农户未走访" in text
    assert "1 名重点人员超过走访周期" in text  # listed long ago, never visited
    assert "1 件矛盾纠纷、隐患或诉求超过办理时限" in text  # the hazard of two months ago
    # Last month's committee and theme day; the quarter's meetings too when last month ended a quarter.
    owed = 2 + (2 if PREVIOUS.month in (3, 6, 9, 12) else 0)
    assert f"未召开的党内会议 {owed} 次" in text
    assert "测试反诈日" in text and "测试普法日" not in text  # the legal activity answered its date


def test_a_set_date_still_ahead_in_the_month_is_no_problem_yet(month):
    SetDate.objects.filter(name="测试反诈日").update(day=28)
    early = prefill.draft(month.village, THIS_MONTH, today=THIS_MONTH.replace(day=27))["problems"]
    assert "测试反诈日" not in early
    late = prefill.draft(month.village, THIS_MONTH, today=THIS_MONTH.replace(day=28))["problems"]
    assert "测试反诈日" in late


def test_next_plan_counts_what_falls_due_next_month(month):
    text = prefill.draft(month.village, THIS_MONTH)["next_plan"]
    assert "下月应走访农户 2 户、重点人员 1 人、重点场所 1 处" in text
    # The branch's monthly committee and theme day, and its quarter's assembly and lecture (none held yet).
    assert "下月应召开党内会议 4 次（支部委员会 1 次、党员大会 1 次、党课 1 次、主题党日 1 次）" in text
    assert f"下月有 1 个宣传节点（下月宣传日（{NEXT.month}月2日））" in text
    assert "1 件在办事项的办理时限在下月到期" in text  # the hazard reported today, not the resolved dispute


def test_good_practices_list_this_months_titles(month):
    text = prefill.draft(month.village, THIS_MONTH)["good_practices"]
    assert "网格优秀工作法《院坝议事工作法》" in text and "网格优秀案例《邻里纠纷化解案例》" in text
    assert "其中《邻里纠纷化解案例》已被镇综治办采用" in text
    assert "上月的做法" not in text


def test_the_draft_reuses_the_figures_it_is_given(month, django_assert_num_queries):
    data = figures.compute(month.village, THIS_MONTH)
    # Activities, set dates, projects, practices, the Party's rules, organisations, meetings, the case
    # policy, the cases due next month: nothing the figures already counted.
    with django_assert_num_queries(9):
        prefill.draft(month.village, THIS_MONTH, data=data)


def test_an_empty_month_gives_the_plain_sentences(world):
    SetDate.objects.update(active=False)
    empty = Village.objects.create(town=world.town, name="空村")
    assert prefill.draft(empty, THIS_MONTH) == {
        "work_done": "本月系统中暂无工作记录，请根据实际情况填写。",
        "problems": "本月系统记录中未发现突出问题。",
        "next_plan": "下月系统中暂无到期事项，请根据实际情况填写。",
        "good_practices": "",
    }


def test_another_villages_records_do_not_count(month, outsider):
    text = prefill.draft(month.other_village, THIS_MONTH)
    assert "村道硬化工程" not in text["work_done"] and "院坝议事工作法" not in text["good_practices"]
    assert "党内会议" not in text["work_done"] + text["next_plan"]


# --- Privacy ----------------------------------------------------------------------------------------

PLANTED = [
    "欧阳秘密",
    "13912345678",
    "130102198506150035",
    "11010519491231002X",
    "幸福路88号",
    "司马隐私",
    "诸葛保密",
    "东方机密",
]


def test_no_person_party_note_phone_id_or_address_reaches_the_text(month, worker, staff):
    """Plant distinctive names in a key person, a case's parties, a visit's note, a case's title and
    description, a meeting's topic and a household's address; none may appear in any section."""
    resident = make_resident(month.household2, "欧阳秘密", "130102198506150035", relation=Relation.SPOUSE)
    KeyPerson.objects.create(
        resident=resident, category=KeyCategory.RELEASED, guardian_name="司马隐私", listed_from=PREVIOUS
    )
    month.household2.address = "幸福路88号"
    month.household2.save(update_fields=["address"])
    visit_services.visit_record(worker=worker, target=month.household1, note="与诸葛保密谈话，电话13912345678")
    make_case(
        world := month,
        worker,
        title="东方机密与欧阳秘密纠纷",
        description="司马隐私 11010519491231002X 住幸福路88号",
        parties=[
            case_services.PartyInput(role=PartyRole.APPLICANT, name="东方机密", phone="13912345678"),
            case_services.PartyInput(role=PartyRole.RESPONDENT, resident=resident),
        ],
    )
    branch = org(world.village, OrgKind.BRANCH, "第二支部", founded_on=PREVIOUS)
    _meeting(world.village, branch, MeetingKind.GROUP_MEETING, staff, topic="帮扶欧阳秘密")
    drafted = prefill.draft(world.village, THIS_MONTH)
    assert "新登记 3 件" in drafted["work_done"]  # the planted case was counted
    text = "\n".join(drafted.values())
    for planted in [*PLANTED, month.resident1.name, month.resident2.name, worker.full_name, staff.full_name]:
        assert planted not in text, planted
