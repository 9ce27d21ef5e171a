"""Demo cases: a year of disputes, hazards and requests in both villages, through the real services.

Each case follows a path (accept → assign → sign → mediate → resolve → feedback → return visit, with
escalations to the village and the town on some) at realistic intervals from its report. Steps that
would fall after now are not taken, so recent cases stop part-way: every state and tier is present,
and some cases are overdue because their next step is late. Deterministic paths (fixed random seed),
dates relative to today so the deadlines mean something; idempotent (a village with cases is skipped).
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from disputes import services
from disputes.models import Case, Kind, Mediator, MediatorType, Outcome, PartyRole, SessionOutcome, Source, Tier
from grids.models import Assignment, Role, Village
from grids.services import holders
from residents.models import Household

# (category, title, description) — what grid workers in villages like the demo's typically meet
# (the source documents: docs/sources.md).
TEMPLATES = [
    ("dispute.neighbour", "宅前排水沟堵塞引发邻里争吵", "两户共用排水沟被一方填堵，雨天积水倒灌，双方多次争吵。"),
    ("dispute.neighbour", "建房遮挡采光邻里纠纷", "一户翻建二层楼房，邻居认为遮挡采光，要求降低层高。"),
    ("dispute.family", "赡养老人费用分担纠纷", "三兄弟对母亲住院费用分担意见不一，老人无人照料。"),
    ("dispute.family", "夫妻感情不和家庭矛盾", "夫妻因外出务工收入分配长期争吵，一方回娘家。"),
    ("dispute.land", "承包地边界争议", "两户承包地相邻，界桩缺失，对一垄地的归属有争议。"),
    ("dispute.homestead", "宅基地界址纠纷", "老宅拆除重建时双方对院墙位置有争议。"),
    ("dispute.labour", "务工工资拖欠", "村民在本村床上用品厂务工，被拖欠三个月工资。"),
    ("dispute.contract", "苗木买卖货款纠纷", "苗木种植户与收购商对结算价格有争议，尾款未付。"),
    ("dispute.damage", "家禽啃食庄稼赔偿纠纷", "邻户散养鸭子多次进入稻田，要求赔偿损失。"),
    ("hazard.fire", "电动车楼道充电", "出租房租户在楼道内给电动车充电，存在火灾隐患。"),
    ("hazard.fire", "秸秆堆放靠近民房", "村民将秸秆堆放在房屋旁，距灶房不足两米。"),
    ("hazard.traffic", "村道急弯缺少警示标志", "村道急弯处无警示标志和反光镜，夜间多次发生险情。"),
    ("hazard.house", "独居老人房屋墙体开裂", "独居老人居住的老房墙体出现贯通裂缝，雨季有倒塌风险。"),
    ("hazard.water", "池塘边缺少防护栏", "村中池塘临路一侧无护栏、无警示牌，放学孩子常在附近玩耍。"),
    ("hazard.food", "流动摊贩无证售卖熟食", "集市流动摊贩售卖熟食，无健康证，卫生条件差。"),
    ("request.proxy", "代办高龄老人补贴", "80岁以上老人行动不便，请网格员代办高龄津贴申领。"),
    ("request.proxy", "代办医保参保缴费", "外出务工人员家属请求代办城乡居民医保缴费。"),
    ("request.policy", "咨询危房改造政策", "村民咨询农村危房改造补助条件和申请材料。"),
    ("request.hardship", "因病致困申请救助", "家庭成员患重病，医疗费用负担重，申请临时救助。"),
    ("request.infrastructure", "路灯损坏请求维修", "村组主干道三盏路灯损坏，夜间出行不便。"),
    ("request.environment", "垃圾收集点清运不及时", "垃圾收集点连续多日未清运，气味较大。"),
]

MEDIATORS = {
    "A": [
        ("曹守义", MediatorType.DEPUTY, "镇人大代表，熟悉土地政策"),
        ("周德明", MediatorType.BUSINESS, "床上用品厂负责人"),
        ("王立新", MediatorType.RETIRED_CADRE, "原村党支部书记"),
        ("李桂兰", MediatorType.PARTY_VETERAN, "老党员，擅长婚姻家庭调解"),
        ("陈律", MediatorType.LEGAL_ADVISER, "村法律顾问（律师事务所）"),
        ("赵永红", MediatorType.LEGAL_AWARE, "法律明白人"),
        ("孙国庆", MediatorType.CPPCC, "政协委员"),
        ("吴春花", MediatorType.LEGAL_AWARE, "法律明白人、妇女代表"),
    ],
    "B": [
        ("郭卫东", MediatorType.RETIRED_CADRE, "原村主任"),
        ("何玉兰", MediatorType.PARTY_VETERAN, "老党员"),
        ("马海燕", MediatorType.LEGAL_AWARE, "法律明白人"),
        ("罗志强", MediatorType.LEGAL_ADVISER, "村法律顾问"),
    ],
}

# Paths, by the final stage reached if time allows (steps after "now" are not taken).
PATHS = {
    "closed": ["accept1", "assign", "sign", "session", "resolve", "feedback", "close"],
    "closed_village": ["accept2", "assign", "sign", "session", "session", "resolve", "feedback", "close"],
    "reopened": [
        "accept1",
        "assign",
        "sign",
        "resolve",
        "feedback",
        "reopen",
        "session",
        "resolve",
        "feedback",
        "close",
    ],
    "escalated_village": [
        "accept1",
        "assign",
        "sign",
        "session",
        "escalate_worker",
        "accept",
        "assign",
        "sign",
        "session",
        "resolve",
        "feedback",
        "close",
    ],
    "escalated_town": [
        "accept2",
        "assign",
        "sign",
        "session",
        "escalate",
        "town_accept",
        "town_assign",
        "resolve",
        "feedback",
        "close",
    ],
    "sent_back": ["accept2", "assign", "escalate", "send_back", "assign", "sign", "resolve", "feedback", "close"],
    "major": ["town_accept", "town_assign", "resolve", "feedback", "close"],
    "rejected": ["reject"],
    "stuck_handling": ["accept1", "assign", "sign"],
    "stuck_feedback": ["accept1", "assign", "sign", "resolve", "feedback"],
    "unsigned": ["accept2", "assign"],
    "waiting": [],
}
WEIGHTS = {
    "closed": 30,
    "closed_village": 12,
    "reopened": 4,
    "escalated_village": 8,
    "escalated_town": 6,
    "sent_back": 3,
    "major": 3,
    "rejected": 3,
    "stuck_handling": 5,
    "stuck_feedback": 3,
    "unsigned": 3,
    "waiting": 2,
}
# Days between steps (min, max).
GAPS = {
    "accept1": (0.1, 1.5),
    "accept2": (0.1, 2),
    "accept": (0.2, 2),
    "town_accept": (0.2, 2),
    "reject": (0.2, 2),
    "assign": (0.05, 1),
    "town_assign": (0.1, 1),
    "sign": (0.05, 1),
    "session": (1, 8),
    "resolve": (1, 10),
    "escalate": (2, 10),
    "escalate_worker": (2, 8),
    "send_back": (1, 3),
    "feedback": (0.5, 4),
    "close": (2, 12),
    "reopen": (2, 10),
}


def seed_cases(now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    for key, name, count in (("A", "新庄村", 84), ("B", "河西村", 36)):
        village = Village.objects.filter(name=name).select_related("town").first()
        if village is None or Case.objects.filter(village=village).exists():
            continue
        _seed_village(village, MEDIATORS[key], count, random.Random(f"cases-{key}"), now)  # noqa: S311 (demo data)


@transaction.atomic
def _seed_village(village: Village, team, count: int, rng: random.Random, now: datetime.datetime) -> None:
    mediators = [
        Mediator.objects.get_or_create(village=village, name=name, defaults={"type": kind, "note": note})[0]
        for name, kind, note in team
    ]
    staff = holders(Role.VILLAGE_STAFF, village)[0]
    town = holders(Role.TOWN_OFFICE, village.town)[0]
    workers = {
        a.grid_id: a.user
        for a in Assignment.objects.current()
        .filter(role=Role.GRID_WORKER, grid__village=village)
        .select_related("user")
    }
    grids = [g for g in village.grids.active().order_by("number") if g.pk in workers]
    from disputes.models import Department

    departments = list(Department.objects.active().filter(town=village.town_id))  # the town's own (docs/departments.md)
    paths, weights = list(WEIGHTS), list(WEIGHTS.values())
    for i in range(count):
        # Older cases are more of them finished; the spread covers the last twelve months.
        days_ago = 365 * (1 - (i / count)) * rng.uniform(0.85, 1.0)
        reported_at = now - datetime.timedelta(days=days_ago, hours=rng.uniform(0, 8))
        grid = grids[i % len(grids)]
        path = rng.choices(paths, weights)[0]
        if i in (count - 3, count - 9):
            path = "major"  # a couple of recent major cases sit on the town's desk
        category, title, description = TEMPLATES[rng.randrange(len(TEMPLATES))]
        kind = category.split(".")[0]
        households = list(Household.objects.active().filter(grid=grid).order_by("pk")[:40])
        household = households[rng.randrange(len(households))] if households else None
        parties = _parties(rng, households, kind)
        case = services.case_report(
            by=workers[grid.pk] if rng.random() < 0.7 else staff,
            village=village,
            grid=grid,
            kind=kind,
            category=category,
            title=title,
            description=description,
            occurred_on=(reported_at - datetime.timedelta(days=rng.randint(0, 3))).date(),
            people_involved=rng.choice([2, 2, 3, 4, 6]) if path != "major" else rng.choice([12, 25, 40]),
            household=household,
            source=rng.choice([Source.GRID_WORKER, Source.GRID_WORKER, Source.VISIT, Source.WALK_IN, Source.PHONE]),
            major=path == "major",
            parties=parties,
            reported_at=reported_at,
        )
        steps = PATHS[path]
        if days_ago < 60:
            # Recent cases are still on their way: cut the path where its next step has not happened yet.
            steps = steps[: rng.randint(0, len(steps))]
        if i == count - 3:
            steps = []  # a major case just reported: waiting on the town's desk
        at = reported_at
        for step in steps:
            low, high = GAPS[step]
            at = at + datetime.timedelta(days=rng.uniform(low, high))
            if at >= now:
                break
            case = _step(
                case,
                step,
                at,
                rng,
                staff=staff,
                town=town,
                worker=workers[grid.pk],
                mediators=mediators,
                departments=departments,
            )


def _parties(rng: random.Random, households: list[Household], kind: str) -> list[services.PartyInput]:
    if not households:
        return []
    members = []
    for household in rng.sample(households, min(2, len(households))):
        head = household.members.active().order_by("relation").first()
        if head:
            members.append(head)
    parties = [services.PartyInput(role=PartyRole.APPLICANT, resident=members[0])] if members else []
    if kind == Kind.DISPUTE:
        if len(members) > 1 and rng.random() < 0.8:
            parties.append(services.PartyInput(role=PartyRole.RESPONDENT, resident=members[1]))
        else:
            parties.append(services.PartyInput(role=PartyRole.RESPONDENT, name="某苗木收购商", phone="13912345678"))
    return parties


def _step(case: Case, step: str, at, rng, *, staff, town, worker, mediators, departments) -> Case:
    v = case.version
    if step == "accept1":
        return services.case_accept(case=case, by=staff, version=v, tier=Tier.GROUP, at=at)
    if step == "accept2":
        return services.case_accept(case=case, by=staff, version=v, tier=Tier.VILLAGE, at=at)
    if step == "accept":
        return services.case_accept(case=case, by=staff, version=v, at=at)
    if step == "town_accept":
        return services.case_accept(case=case, by=town, version=v, note="镇综治中心受理，协调相关部门。", at=at)
    if step == "reject":
        return services.case_reject(
            case=case, by=staff, version=v, note="属于司法诉讼程序已受理的事项，不予受理。", at=at
        )
    if step == "assign":
        assignee = worker if case.tier == Tier.GROUP else staff
        team = rng.sample(mediators, 2) if case.kind == Kind.DISPUTE and case.tier == Tier.VILLAGE else []
        return services.case_assign(case=case, by=staff, version=v, assignee=assignee, mediators=team, at=at)
    if step == "town_assign":
        department = departments[rng.randrange(min(5, len(departments)))]
        return services.case_assign(case=case, by=town, version=v, department=department, assignee=town, at=at)
    if step == "sign":
        return services.case_sign(case=case, by=case.assignee, at=at)
    if step == "session":
        if case.kind == Kind.DISPUTE and case.state == "handling":
            by = case.assignee or staff
            services.case_session_add(
                case=case,
                by=by,
                held_on=at.date(),
                place="村调解室" if case.tier > Tier.GROUP else "当事人家中",
                parties_present="双方当事人",
                notes="听取双方陈述，释法明理，提出调解方案，双方表示回去考虑。",
                outcome=SessionOutcome.ADJOURNED,
                mediators=list(case.mediators.all()),
            )
            case.refresh_from_db()
        return case
    if step in {"escalate", "escalate_worker"}:
        by = worker if step == "escalate_worker" else staff
        note = (
            "村组调解未果，提请村调委会调处。"
            if case.tier == Tier.GROUP
            else "涉及多户，村内调处难度大，提请镇综治中心协调。"
        )
        return services.case_escalate(case=case, by=by, version=v, note=note, at=at)
    if step == "send_back":
        return services.case_send_back(
            case=case, by=town, version=v, note="请村调委会先组织双方调解，镇司法所予以指导。", at=at
        )
    if step == "resolve":
        by = town if case.tier == Tier.TOWN else (case.assignee or staff)
        if case.kind == Kind.DISPUTE:
            agreed = rng.random() < 0.85
            return services.case_resolve(
                case=case,
                by=by,
                version=v,
                at=at,
                outcome=Outcome.AGREEMENT if agreed else Outcome.NO_AGREEMENT,
                resolution="经调解，双方互谅互让达成一致。" if agreed else "双方分歧较大，告知可通过诉讼途径解决。",
                agreement_text="一、双方按约定履行；二、今后和睦相处，不再因此事发生争执。" if agreed else "",
            )
        return services.case_resolve(
            case=case, by=by, version=v, outcome=Outcome.DONE, at=at, resolution="已现场处置并落实整改，拍照留存。"
        )
    if step == "feedback":
        return services.case_feedback(case=case, by=staff, version=v, note="已电话告知当事人处理结果。", at=at)
    if step == "close":
        return services.case_close(case=case, by=staff, version=v, note="回访当事人，表示满意。", at=at)
    if step == "reopen":
        return services.case_reopen(
            case=case, by=staff, version=v, note="回访时当事人表示对方未履行，重新处置。", at=at
        )
    raise ValueError(step)
