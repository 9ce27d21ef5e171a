"""Demo co-governance (docs/cogovernance.md), as the seeds tell it (docs/sources.md).

Village B (河西村, seed 003 二(一)): the street lights — 召开民主协商议事会，投资20余万元，架设187盏路灯 — taken
through every step: research (a questionnaire, a site visit, a visit to households), approval by the
village's 党总支, the publicity week, a deliberation meeting with 政协委员, villager representatives and the
departments, the resolution, three progress notes totalling 200,000 元, closed; its project (lighting, 187
盏). Its rules: 《村庄清洁公约》 and 《村社公路管护村规民约》 (完善…印发村规民约1000余份: 1,000 copies of each), and
the 村规民约.

Village A (新庄村, seed 000 §5 and §6): 新建8处文体广场 — eight squares, one project each (the seed counts
places, built over the recent years, each in its own natural village) — and the sewage network of 3 natural
villages (3个自然村污水管网已投入使用, one project over the three); its 村规民约 (立好村规民约). Two topics in
progress for the staff login to find: one published yesterday (in its publicity week) and one the 村党委
sent back, with its reason.

The seeds put the street lights and the two 公约 in the grid-governance report (seed 003, village B), the
squares and the sewage in the model village's (seed 000, village A); the demo keeps them where the seeds
put them. Every date is relative to today; the deliberations move through the services (the same state
table as the pages), then their timeline's times are set to the days the steps happened. Idempotent: a
village that has deliberations is left as it is.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from cogovernance import services
from cogovernance.models import (
    AdoptedBy,
    Deliberation,
    DeliberationEvent,
    DeliberationMeeting,
    DocumentKind,
    DocumentVersion,
    Progress,
    Project,
    ProjectKind,
    Research,
    ResearchKind,
    Stage,
    VillageDocument,
)
from grids.models import NaturalVillage, Role, User, Village

LIGHTS_VILLAGE = "河西村"  # seed 003 二(一)
SQUARES_VILLAGE = "新庄村"  # seed 000 §5
LIGHTS_TITLE = "村主干道安装路灯"
LIGHTS = 187
LIGHTS_COST = Decimal(200000)
LIGHTS_PAYMENTS = [Decimal(80000), Decimal(70000), Decimal(50000)]  # progress notes, totalling 200,000 元
SQUARES = 8
SEWAGE_VILLAGES = 3
COPIES = 1000

CLEAN_TEXT = """《村庄清洁公约》
第一条 全体村民自觉维护村庄环境卫生，做到房前屋后无垃圾、无杂物、无污水。
第二条 生活垃圾分类投放到指定垃圾桶，不乱倒、不焚烧；建筑垃圾自行清运到指定地点。
第三条 畜禽圈养，粪便及时清理，不散放、不污染道路和水源。
第四条 不向沟渠、池塘倾倒垃圾和污水，爱护公共保洁设施。
第五条 每月最后一个周六为村庄清洁日，各户参加本社的集中清扫。
第六条 各社长负责本社的检查评比，评比结果在村务公开栏公布，纳入“文明户”评选。"""

ROAD_TEXT = """《村社公路管护村规民约》
第一条 村社公路是全体村民的共同财产，人人有责任爱护。
第二条 不在公路上晾晒粮食、堆放柴草和建材，不占道经营。
第三条 超载车辆不得驶入村社公路；因施工损坏路面的，由责任人负责修复。
第四条 路肩、边沟由沿线农户分段管护，保持畅通；发现路面损坏及时告知社长或网格员。
第五条 公路两侧不得私搭乱建、挖沟取土。
第六条 各社每季度组织一次道路清扫和边沟清理，社员按户出工。"""

RULES_TEXT = """村规民约
一、遵守国家法律法规，维护社会稳定，不参与赌博、封建迷信和非法集会。
二、邻里和睦，互谅互让，发生纠纷先找网格员、调解委员会调解，不打架斗殴、不聚众闹事。
三、孝敬老人，关爱儿童，夫妻平等，反对家庭暴力。
四、移风易俗，红白喜事从简办理，不大操大办、不攀比。
五、爱护公共设施，保护耕地、林木和水利设施，禁止焚烧秸秆。
六、积极参加村民会议和协商议事，村里的大事大家商量着办。
七、违反本村规民约的，由村民委员会批评教育，并取消当年评先评优资格。"""


def seed_cogovernance(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    b = Village.objects.filter(name=LIGHTS_VILLAGE, archived_at=None).first()
    if b is not None and not Deliberation.objects.filter(village=b).exists():
        with transaction.atomic():
            _seed_lights_village(b, today)
    a = Village.objects.filter(name=SQUARES_VILLAGE, archived_at=None).first()
    if a is not None and not Deliberation.objects.filter(village=a).exists():
        with transaction.atomic():
            _seed_squares_village(a, today)


def _staff(village: Village) -> User:
    return (
        User.objects.filter(assignments__role=Role.VILLAGE_STAFF, assignments__village=village).order_by("pk").first()
    )


def _top_organisation(village: Village):
    """The village's top Party organisation (村党委, 党总支): read through the app registry, since this app
    does not import the Party app (docs/architecture.md)."""
    organisation = apps.get_model("party", "PartyOrganisation")
    return organisation.objects.filter(village=village, parent__isnull=True, archived_at=None).order_by("pk").first()


def _ago(today: datetime.date, days: int) -> datetime.date:
    return today - datetime.timedelta(days=days)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _propose(village, by, title, summary, proposer, day, **fields) -> Deliberation:
    d = services.deliberation_save(
        by=by,
        deliberation=Deliberation(village=village, title=title, summary=summary, proposer=proposer, **fields),
    )
    Deliberation.objects.filter(pk=d.pk).update(created_at=_at(day))
    return d


def _date_timeline(d: Deliberation, days: dict[str, datetime.date]) -> None:
    """Set the timeline's times to the days the steps happened (the services stamp them now)."""
    for event in DeliberationEvent.objects.filter(deliberation=d):
        day = days.get(event.to_stage)
        if day is not None:
            DeliberationEvent.objects.filter(pk=event.pk).update(at=_at(day))


def _research(d, by, kind, day, count, summary) -> None:
    services.research_add(
        deliberation=d, by=by, research=Research(kind=kind, held_on=day, count=count, summary=summary)
    )


def _seed_lights_village(village: Village, today: datetime.date) -> None:
    by = _staff(village)
    proposed, approved, meeting_day = _ago(today, 200), _ago(today, 176), _ago(today, 172)
    publish_on = approved + datetime.timedelta(days=1)
    resolved_on = publish_on + datetime.timedelta(days=8)
    implementing = resolved_on + datetime.timedelta(days=5)
    notes = [implementing + datetime.timedelta(days=n) for n in (20, 50, 80)]
    closed_on = notes[-1] + datetime.timedelta(days=10)
    d = _propose(
        village,
        by,
        LIGHTS_TITLE,
        "村主干道和各社通社公路夜间没有照明，群众晚上出行、老人孩子走路不安全，多次在社员会上提出。"
        "拟沿主干道和通社公路架设太阳能路灯，所需资金争取上级项目资金和村集体经济共同解决。",
        "村民代表、各社社长",
        proposed,
    )
    d = services.deliberation_move(deliberation=d, to=Stage.RESEARCH, by=by, note="开展商前调研。")
    _research(
        d,
        by,
        ResearchKind.QUESTIONNAIRE,
        _ago(today, 195),
        326,
        "发放问卷 340 份，收回 326 份；312 户赞成安装路灯，多数希望优先安装主干道和学校、卫生室周边路段。",
    )
    _research(
        d,
        by,
        ResearchKind.SITE_VISIT,
        _ago(today, 190),
        6,
        "村“两委”与镇城建办、供电所人员实地察看主干道和九个社的通社公路，初步确定 187 个安装点位。",
    )
    _research(
        d,
        by,
        ResearchKind.INTERVIEW,
        _ago(today, 186),
        45,
        "走访沿线农户和老党员、新乡贤 45 人次，听取对点位、灯型和后期管护的意见。",
    )
    d = services.deliberation_move(deliberation=d, to=Stage.SUBMITTED, by=by, note="调研完成，报党总支审定。")
    d = services.deliberation_approve(
        deliberation=d,
        by=by,
        approved_on=approved,
        publish_on=publish_on,
        opinions_to="村委会办公室、村务公开栏意见箱，或向本社社长、网格员反映",
        party_organisation=_top_organisation(village),
        note="党总支委员会研究同意，公示一周。",
    )
    meeting = DeliberationMeeting(
        held_on=meeting_day,
        place="村党群服务中心会议室及主干道现场",
        cppcc_members=2,
        representatives=18,
        departments="镇城建办、镇供电所、镇交通运输所",
        department_people=4,
        residents=12,
        minutes="政协委员、村民代表和镇城建办、供电所、交通运输所人员先到主干道实地察看，再逐项协商："
        "安装太阳能路灯 187 盏，总投资约 20 万元；按调研确定的点位安装，学校、卫生室周边先装；"
        "建成后由各社分段管护，损坏及时报修。与会人员一致同意。",
    )
    d = services.deliberation_meeting(deliberation=d, by=by, meeting=meeting)
    d = services.deliberation_resolve(
        deliberation=d,
        by=by,
        resolution="沿村主干道和各社通社公路架设太阳能路灯 187 盏，投资 20 万元；施工单位公开比选，"
        "村务监督委员会全程监督；建成后纳入《村社公路管护村规民约》分段管护。",
        resolved_on=resolved_on,
    )
    d = services.deliberation_move(deliberation=d, to=Stage.IMPLEMENTING, by=by, note="组织施工。")
    texts = [
        "完成施工单位比选，主干道 80 盏路灯安装完毕。",
        "九个社通社公路路灯安装过半，累计安装 150 盏。",
        "187 盏路灯全部安装完毕并通过验收，夜间全部亮灯。",
    ]
    for day, text, spent in zip(notes, texts, LIGHTS_PAYMENTS, strict=True):
        services.progress_add(deliberation=d, by=by, progress=Progress(noted_on=day, text=text, spent=spent))
    d = services.deliberation_close(
        deliberation=d,
        by=by,
        note="187 盏路灯全部亮灯，支出 20 万元，村民夜间出行方便了。",
        closed_on=closed_on,
    )
    _date_timeline(
        d,
        {
            Stage.PROPOSED: proposed,
            Stage.RESEARCH: _ago(today, 196),
            Stage.SUBMITTED: _ago(today, 180),
            Stage.PUBLISHED: approved,
            Stage.DELIBERATED: meeting_day,
            Stage.RESOLVED: resolved_on,
            Stage.IMPLEMENTING: implementing,
            Stage.CLOSED: closed_on,
        },
    )
    Project.objects.create(
        village=village,
        title="村主干道及通社公路路灯",
        kind=ProjectKind.LIGHTING,
        description="沿村主干道和九个社的通社公路架设太阳能路灯。",
        quantity=LIGHTS,
        unit="盏",
        deliberation=d,
        budget=LIGHTS_COST,
        spent=sum(LIGHTS_PAYMENTS),
        started_on=implementing,
        done_on=notes[-1],
        created_by=by,
    )
    _document(village, by, DocumentKind.CONVENTION, "村庄清洁公约", CLEAN_TEXT, _ago(today, 300), COPIES)
    _document(village, by, DocumentKind.CONVENTION, "村社公路管护村规民约", ROAD_TEXT, _ago(today, 150), COPIES)
    _document(village, by, DocumentKind.RULES, "河西村村规民约", RULES_TEXT, _ago(today, 400), 800)


def _document(village, by, kind, title, text, adopted_on, copies, *, adopted_by=AdoptedBy.VILLAGERS_MEETING):
    document = VillageDocument.objects.create(village=village, kind=kind, title=title, created_by=by)
    DocumentVersion.objects.create(
        document=document,
        number=1,
        text=text,
        adopted_on=adopted_on,
        adopted_by=adopted_by,
        adoption_note="经各社社长社员会议讨论，村民会议表决通过。",
        copies=copies,
        recorded_by=by,
    )
    return document


def _seed_squares_village(village: Village, today: datetime.date) -> None:
    by = _staff(village)
    naturals = list(NaturalVillage.objects.filter(village=village, archived_at=None).order_by("pk"))
    # 新建8处文体广场: one each, built over the last two years, in eight natural villages.
    for i in range(SQUARES):
        started = _ago(today, 700 - 80 * i)
        project = Project.objects.create(
            village=village,
            title=f"{naturals[i * 4].name}文体广场",
            kind=ProjectKind.SQUARE,
            description="硬化场地，安装健身器材、篮球架和宣传栏。",
            quantity=1,
            unit="处",
            budget=Decimal(120000 + 10000 * (i % 3)),
            spent=Decimal(118000 + 10000 * (i % 3)),
            started_on=started,
            done_on=started + datetime.timedelta(days=60),
            created_by=by,
        )
        project.natural_villages.set([naturals[i * 4]])
    sewage = Project.objects.create(
        village=village,
        title="三个自然村污水管网",
        kind=ProjectKind.SEWAGE,
        description="铺设污水管网，接入农户生活污水，建设一体化处理设施；同步清理黑臭水沟。",
        quantity=SEWAGE_VILLAGES,
        unit="个自然村",
        budget=Decimal(1500000),
        spent=Decimal(1460000),
        started_on=_ago(today, 420),
        done_on=_ago(today, 240),
        created_by=by,
    )
    sewage.natural_villages.set(naturals[1:4])
    _document(
        village,
        by,
        DocumentKind.RULES,
        "新庄村村规民约",
        RULES_TEXT,
        _ago(today, 500),
        1200,
        adopted_by=AdoptedBy.REPRESENTATIVES,
    )

    top = _top_organisation(village)
    # In its publicity week: approved the day before yesterday, published yesterday.
    d = _propose(
        village,
        by,
        "第三网格文体广场增设健身器材",
        "第三网格广场只有篮球架，老人和孩子没有活动器材；拟增设健身路径一套和儿童游乐设施。",
        "第三网格网格员",
        _ago(today, 25),
    )
    _research(d, by, ResearchKind.QUESTIONNAIRE, _ago(today, 20), 86, "收回问卷 86 份，79 户希望增设健身器材。")
    d = services.deliberation_move(deliberation=d, to=Stage.SUBMITTED, by=by, note="报村党委审定。")
    d = services.deliberation_approve(
        deliberation=d,
        by=by,
        approved_on=_ago(today, 2),
        publish_on=_ago(today, 1),
        opinions_to="村委会办公室、第三网格网格员",
        party_organisation=top,
    )
    _date_timeline(
        d, {Stage.PROPOSED: _ago(today, 25), Stage.SUBMITTED: _ago(today, 12), Stage.PUBLISHED: _ago(today, 2)}
    )
    # Sent back by the 村党委: the research did not ask those who would give up land.
    d = _propose(
        village,
        by,
        "村西组道路拓宽",
        "村西组道路仅 3 米宽，农用车会车困难；拟拓宽至 4.5 米。",
        "村民代表",
        _ago(today, 40),
    )
    d = services.deliberation_move(deliberation=d, to=Stage.SUBMITTED, by=by, note="报村党委审定。")
    d = services.deliberation_move(
        deliberation=d,
        to=Stage.RETURNED,
        by=by,
        note="调研不充分：拓宽要占用沿线农户的承包地，请先征求这些农户的意见并核实占地面积，再报审定。",
    )
    _date_timeline(
        d, {Stage.PROPOSED: _ago(today, 40), Stage.SUBMITTED: _ago(today, 30), Stage.RETURNED: _ago(today, 27)}
    )
