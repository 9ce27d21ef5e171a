"""Demo 德治/法治 (docs/civility.md), as the seeds tell it (docs/sources.md).

Village B (河西村, seed 003 二(二)(三)(五)(六)): 培养8名“法律明白人” — eight residents trained by the 县司法局 and
the 镇司法所, one of them also on the mediation team where it has a 法律明白人; 组建理论宣讲、学法用法、环境整治和
学雷锋4支新时代文明志愿服务分队, with members; this year 理论宣讲17场、“八五”普法宣传20场、文明实践活动45场, twenty
youth activities for 86 young people, 环境卫生整治活动20余次, the 爱心理发员 who cut the hair of 26 elderly
people and one 营养配餐技术培训 for 48; 好邻居、好媳妇、好婆婆、“文明家庭”“最美家庭”… 累计推荐评选各级先锋模范20余人,
each with points for the 巾帼家美积分超市, whose shelf and ledger (awards and redemptions) go through the
services, so every balance equals its entries' sum.

Village A (新庄村) gets a smaller set. Every date is relative to today and in the past. Idempotent: a village
that has activities is left as it is.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from civility import services
from civility.models import (
    Activity,
    ActivityKind,
    EntryKind,
    Honour,
    LegalAdvisor,
    ModelSelection,
    StockItem,
    VolunteerTeam,
)
from grids.models import Role, User, Village
from residents.models import Household, Resident

SEED_VILLAGE = "河西村"  # seed 003
SMALL_VILLAGE = "新庄村"

ADVISORS = 8
TEAMS = [  # name, focus, members
    ("理论宣讲分队", "政策宣讲", 8),
    ("学法用法分队", "学法用法", 7),
    ("环境整治分队", "环境整治", 10),
    ("学雷锋分队", "学雷锋", 9),
]
# kind: (count, title, organiser, participants per activity)
ACTIVITIES = {
    ActivityKind.LEGAL: (20, "“八五”普法宣传", "学法用法分队", 40),
    ActivityKind.TALK: (17, "理论宣讲", "理论宣讲分队", 35),
    ActivityKind.CIVILISATION: (45, "新时代文明实践活动", "村新时代文明实践站", 30),
    ActivityKind.CLEANUP: (22, "环境卫生整治", "环境整治分队", 25),
}
YOUTH_ACTIVITIES = 20
YOUTH = 86  # young people in the twenty youth activities, in total
HAIRCUTS = 26  # 为独居老人、五保老人理发剃须26人
NUTRITION_TRAINED = 48  # 营养配餐技术培训1场，受益群众48人
SELECTIONS = [
    (Honour.GOOD_NEIGHBOUR, 5),
    (Honour.GOOD_DAUGHTER_IN_LAW, 4),
    (Honour.GOOD_MOTHER_IN_LAW, 4),
    (Honour.CIVILISED_HOUSEHOLD, 3),
    (Honour.MOST_BEAUTIFUL_FAMILY, 3),
    (Honour.CLEAN_HOUSEHOLD, 3),
    (Honour.MORAL_MODEL, 1),
]  # 23 in all: 累计推荐评选各级先锋模范20余人
SELECTION_POINTS = {Honour.MORAL_MODEL: 100, Honour.MOST_BEAUTIFUL_FAMILY: 80, Honour.CIVILISED_HOUSEHOLD: 60}
SHELF = [("洗衣液", 20, 40), ("食用油（5升）", 60, 20), ("大米（10斤）", 40, 30), ("毛巾", 10, 60), ("洗洁精", 15, 50)]
REASONS = {
    Honour.GOOD_NEIGHBOUR: "邻里有事主动帮忙，常年照顾隔壁独居老人。",
    Honour.GOOD_DAUGHTER_IN_LAW: "孝敬公婆，照顾卧病在床的婆婆多年。",
    Honour.GOOD_MOTHER_IN_LAW: "待儿媳如亲生女儿，家庭和睦。",
    Honour.CIVILISED_HOUSEHOLD: "遵守村规民约，移风易俗，红白喜事从简。",
    Honour.MOST_BEAUTIFUL_FAMILY: "家风好，子女勤学上进，热心公益。",
    Honour.CLEAN_HOUSEHOLD: "房前屋后干净整洁，垃圾分类投放，带动本社环境整治。",
    Honour.MORAL_MODEL: "见义勇为，救起落水儿童。",
}


def seed_civility(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    b = Village.objects.filter(name=SEED_VILLAGE, archived_at=None).first()
    if b is not None and not Activity.objects.filter(village=b).exists():
        with transaction.atomic():
            _seed_village(b, today, scale=1)
    a = Village.objects.filter(name=SMALL_VILLAGE, archived_at=None).first()
    if a is not None and not Activity.objects.filter(village=a).exists():
        with transaction.atomic():
            _seed_village(a, today, scale=4)


def _staff(village: Village) -> User:
    return (
        User.objects.filter(assignments__role=Role.VILLAGE_STAFF, assignments__village=village).order_by("pk").first()
    )


def _day(today: datetime.date, i: int, n: int) -> datetime.date:
    """The i-th of n days spread over this year before today (yesterday at the latest)."""
    span = max((today - datetime.date(today.year, 1, 1)).days - 1, 1)
    return today - datetime.timedelta(days=1 + (i * span) // max(n, 1))


def _seed_village(village: Village, today: datetime.date, *, scale: int) -> None:
    by = _staff(village)
    adults = list(
        Resident.objects.filter(
            village=village,
            archived_at=None,
            household__isnull=False,
            birth_date__lte=today - datetime.timedelta(days=365 * 25),
            birth_date__gte=today - datetime.timedelta(days=365 * 65),
        ).order_by("pk")
    )
    # 法律明白人: one also on the mediation team when it has a 法律明白人 (read through the app registry).
    mediator = (
        apps.get_model("disputes", "Mediator")
        .objects.filter(village=village, type="legal_aware", archived_at=None)
        .order_by("pk")
        .first()
    )
    named = [r for r in adults if mediator is not None and r.name == mediator.name]
    advisors = (named + [r for r in adults if r not in named])[: max(ADVISORS // scale, 2)]
    for i, resident in enumerate(advisors):
        services.advisor_save(
            by=by,
            advisor=LegalAdvisor(
                village=village,
                resident=resident,
                trained_on=today - datetime.timedelta(days=400 - 30 * i),
                trained_by="县司法局" if i % 2 == 0 else "镇司法所",
                mediator=mediator if i == 0 else None,
            ),
        )
    # Volunteer teams and their members (not the advisors).
    pool = [r for r in adults if r not in advisors]
    teams, start = [], 0
    for name, focus, members in TEAMS[: max(len(TEAMS) // scale, 2)]:
        team = services.team_save(
            by=by,
            team=VolunteerTeam(
                village=village,
                name=name,
                focus=focus,
                leader=pool[start].name if len(pool) > start else "",
                founded_on=today - datetime.timedelta(days=700),
            ),
        )
        for resident in pool[start : start + members]:
            services.team_member_add(
                by=by, team=team, resident=resident, joined_on=today - datetime.timedelta(days=600)
            )
        start += members
        teams.append(team)
    team_by_name = {t.name: t for t in teams}
    # This year's activities.
    places = ["村新时代文明实践站", "村党群服务中心", "村文化广场", "村小学"]
    for kind, (count, title, organiser, participants) in ACTIVITIES.items():
        n = max(count // scale, 1)
        team = team_by_name.get(organiser)
        for i in range(n):
            _activity(
                by,
                village,
                kind=kind,
                title=f"{title}（第{i + 1}场）",
                held_on=_day(today, i, n),
                organiser=organiser,
                place=places[i % len(places)],
                participants=participants + i % 7,
                teams=[team] if team else [],
            )
    n = max(YOUTH_ACTIVITIES // scale, 1)
    youth = YOUTH // scale
    for i in range(n):
        _activity(
            by,
            village,
            kind=ActivityKind.YOUTH,
            title=f"青少年假期实践（第{i + 1}场）",
            held_on=_day(today, i, n),
            organiser="村团支部",
            place="村新时代文明实践站",
            participants=youth // n + (1 if i < youth % n else 0),
        )
    _activity(
        by,
        village,
        kind=ActivityKind.CARE,
        title="爱心理发进家门",
        held_on=_day(today, 3, 10),
        organiser="学雷锋分队",
        place="独居老人、五保老人家中",
        participants=4,
        beneficiaries=HAIRCUTS // scale,
        summary="爱心理发员上门为独居老人、五保老人理发剃须。",
        teams=[team_by_name["学雷锋分队"]] if "学雷锋分队" in team_by_name else [],
    )
    _activity(
        by,
        village,
        kind=ActivityKind.TRAINING,
        title="营养配餐技术培训",
        held_on=_day(today, 5, 10),
        organiser="镇妇联",
        place="村党群服务中心",
        participants=NUTRITION_TRAINED // scale,
        beneficiaries=NUTRITION_TRAINED // scale,
        summary="邀请专业技术人员理论授课和实际操作。",
    )
    # Model people and households, with points.
    households = list(Household.objects.filter(village=village, archived_at=None).order_by("pk"))
    residents = [r for r in adults if r.household_id]
    k = 0
    for honour, count in SELECTIONS:
        for _ in range(max(count // scale, 1)):
            person = honour in (Honour.GOOD_NEIGHBOUR, Honour.GOOD_DAUGHTER_IN_LAW, Honour.GOOD_MOTHER_IN_LAW)
            services.selection_save(
                by=by,
                selection=ModelSelection(
                    village=village,
                    year=today.year if k % 3 else today.year - 1,
                    honour=honour,
                    resident=residents[-1 - k] if person else None,
                    household=None if person else households[k * 3 % len(households)],
                    reason=REASONS[honour],
                    selected_on=today - datetime.timedelta(days=20 + 15 * k),
                    points=SELECTION_POINTS.get(honour, 50),
                ),
            )
            k += 1
    # The shelf, awards for the clean-ups, and redemptions.
    items = []
    for name, points, stock in SHELF[: max(len(SHELF) // scale, 2)]:
        items.append(services.stock_save(by=by, item=StockItem(village=village, name=name, points=points), add=stock))
    cleanup = Activity.objects.filter(village=village, kind=ActivityKind.CLEANUP).order_by("held_on").first()
    for household in households[: 12 // scale]:
        services.award(
            household=household,
            points=10,
            kind=EntryKind.ACTIVITY,
            reason="参加环境卫生整治",
            by=by,
            activity=cleanup,
        )
    accounts = apps.get_model("civility", "PointsAccount").objects.filter(village=village).order_by("pk")
    for i, account in enumerate(accounts):
        if i % 2:
            continue
        item = items[i % len(items)]
        if account.balance >= item.points:
            services.redeem(household=account.household, item=item, quantity=1, by=by)


def _activity(by, village, *, teams=(), **fields) -> Activity:
    return services.activity_save(
        by=by, activity=Activity(village=village, **fields), teams=list(teams) if teams else None
    )
