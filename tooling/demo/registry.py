"""Demo registry: households, residents, key persons and key places for both demo villages.

Figures (from the source documents, docs/sources.md): village A 1,832 households, 5,616 registered
residents of whom 4,743 live there; village B 731 households, 2,241 people. Households are spread over
the grids so that some grids fall outside the 300–500 household rule (from the grid-governance
experience report, 网格化治理经验材料) and the overview flags them. Names and ID
numbers are fake but valid (GB 11643 check digit), generated from a fixed seed: every run gives the
same people. Bulk inserts keep the whole thing to a few seconds.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction

from grids.models import Grid, MicroGrid, Role, Village
from residents import idnumber
from residents.codes import Education, Marriage, Political, Relation
from residents.models import (
    Attention,
    CorrectionType,
    Household,
    KeyCategory,
    KeyPerson,
    KeyPersonResponsible,
    KeyPlace,
    LivingStatus,
    PlaceType,
    Registration,
    Resident,
    ResponsibleRole,
    Tag,
    Treatment,
)

# Real GB/T 2260 codes (python-stdnum's list, docs/sources.md [D1]) so the demo's numbers pass the check:
# the demo town lies in 灌云县 (连云港市, 江苏省); migrants hold a county code of their registration's prefecture.
REGION = "320723"
MIGRANT_REGIONS = {"安徽省阜阳市": "341204", "河南省周口市": "411623", "四川省达州市": "511722"}
DEMO_REGIONS = frozenset({REGION, *MIGRANT_REGIONS.values()})
TODAY = datetime.date(2026, 11, 1)  # fixed: ages and dates do not drift between runs

_SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高梁郑罗宋谢唐韩曹许邓萧冯曾程蔡彭潘袁于董余苏叶吕魏蒋田杜丁沈姜范江傅钟卢汪戴崔任陆廖姚方金邱夏谭韦贾邹石熊孟秦阎薛侯雷白龙段郝孔邵史毛常万顾赖武康贺严尹钱施牛洪龚"
_MALE_GIVEN = [
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "斌",
    "超",
    "明",
    "刚",
    "平",
    "辉",
    "鹏",
    "华",
    "飞",
    "建国",
    "建华",
    "志强",
    "国庆",
    "德明",
    "卫东",
    "立新",
    "海涛",
    "文斌",
    "家豪",
    "子轩",
    "浩然",
    "宇航",
    "俊杰",
]
_FEMALE_GIVEN = [
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "娟",
    "霞",
    "燕",
    "玲",
    "桂兰",
    "秀英",
    "玉兰",
    "春花",
    "红梅",
    "金凤",
    "海燕",
    "美玲",
    "丽华",
    "晓燕",
    "雨涵",
    "欣怡",
    "梓涵",
    "诗琪",
    "思雨",
]


@dataclass
class VillagePlan:
    name: str
    grid_households: list[int]  # households per grid, in grid order
    residents: int  # registered residents
    living_here: int
    migrants: int = 0
    key_persons: dict[str, int] = field(default_factory=dict)


PLANS = [
    VillagePlan(
        name="新庄村",
        # 1,832 households over 6 grids; grids 5 and 6 are below 300 households, so the rule's flag shows.
        grid_households=[420, 385, 360, 315, 202, 150],
        residents=5616,
        living_here=4743,
        migrants=36,
        key_persons={
            KeyCategory.CORRECTIONS: 4,
            KeyCategory.RELEASED: 6,
            KeyCategory.MENTAL: 9,
            KeyCategory.DRUG: 3,
            KeyCategory.YOUTH: 5,
            KeyCategory.LEFT_BEHIND_ELDERLY: 14,
            KeyCategory.LEFT_BEHIND_WOMAN: 4,
            KeyCategory.LEFT_BEHIND_CHILD: 7,
        },
    ),
    VillagePlan(
        name="河西村",
        grid_households=[366, 365],
        residents=2241,
        living_here=1902,
        key_persons={
            KeyCategory.CORRECTIONS: 1,
            KeyCategory.RELEASED: 2,
            KeyCategory.MENTAL: 4,
            KeyCategory.DRUG: 1,
            KeyCategory.YOUTH: 2,
            KeyCategory.LEFT_BEHIND_ELDERLY: 6,
            KeyCategory.LEFT_BEHIND_WOMAN: 2,
            KeyCategory.LEFT_BEHIND_CHILD: 3,
        },
    ),
]


def household_sizes(households: int, people: int) -> list[int]:
    """Deterministic household sizes (1–6) adding up to exactly ``people``."""
    pattern = [3, 2, 4, 3, 1, 3, 5, 2, 3, 4, 2, 6, 3, 1, 4]
    sizes = [pattern[i % len(pattern)] for i in range(households)]
    diff = people - sum(sizes)
    i = 0
    while diff:
        step = 1 if diff > 0 else -1
        if 1 <= sizes[i % households] + step <= 6:
            sizes[i % households] += step
            diff -= step
        i += 7  # spread the adjustment across the village
    return sizes


class IdFactory:
    """Valid, unique ID numbers for given birth dates and genders."""

    def __init__(self):
        self.used: set[str] = set()

    def make(self, birth: datetime.date, male: bool, rng: random.Random) -> str:
        while True:
            seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
            first17 = f"{REGION}{birth:%Y%m%d}{seq:03d}"
            if first17 not in self.used:
                self.used.add(first17)
                return first17 + idnumber.check_character(first17)


def random_name(rng: random.Random, male: bool, surname: str | None = None) -> str:
    given = rng.choice(_MALE_GIVEN if male else _FEMALE_GIVEN)
    return (surname or rng.choice(_SURNAMES)) + given


def birth_date_at(rng: random.Random, age: int) -> datetime.date:
    return TODAY.replace(year=TODAY.year - age) - datetime.timedelta(days=rng.randrange(0, 365))


def family_members(rng: random.Random, size: int, ids: IdFactory) -> Iterator[dict]:
    """A plausible family: head, spouse, children, perhaps a parent."""
    surname = rng.choice(_SURNAMES)
    head_age = rng.randrange(32, 78)
    head_male = rng.random() < 0.85
    yield {"relation": Relation.HEAD, "age": head_age, "male": head_male, "surname": surname}
    roles = []
    if size >= 2:
        roles.append((Relation.SPOUSE, head_age + rng.randrange(-4, 4), not head_male, None))
    if size >= 5 and head_age < 60:
        roles.append((Relation.PARENT, head_age + rng.randrange(24, 32), rng.random() < 0.5, None))
    while len(roles) < size - 1:
        male = rng.random() < 0.5
        child_age = max(0, head_age - rng.randrange(22, 34))
        roles.append((Relation.SON if male else Relation.DAUGHTER, child_age, male, surname))
    for relation, age, male, family_name in roles[: size - 1]:
        yield {"relation": relation, "age": max(0, min(age, 99)), "male": male, "surname": family_name}


@transaction.atomic
def seed_registry() -> None:
    rng = random.Random(20261101)  # noqa: S311 (demo data, not security)
    ids = IdFactory()
    for plan in PLANS:
        village = Village.objects.get(name=plan.name, archived_at=None)
        if Household.objects.filter(village=village).exists():
            continue  # already seeded: idempotent
        _seed_village(village, plan, rng, ids)


def _seed_village(village: Village, plan: VillagePlan, rng: random.Random, ids: IdFactory) -> None:
    grids = list(Grid.objects.filter(village=village, archived_at=None).order_by("number"))
    micro_by_grid = {g.pk: list(g.micro_grids.filter(archived_at=None).order_by("number")) for g in grids}
    groups = list(village.villager_groups.filter(archived_at=None).order_by("number"))
    tags = {t.code: t for t in Tag.objects.all()}
    sizes = household_sizes(sum(plan.grid_households), plan.residents)

    households: list[Household] = []
    number = 0
    for grid, count in zip(grids, plan.grid_households, strict=True):
        micros = micro_by_grid[grid.pk]
        for i in range(count):
            number += 1
            micro = micros[i * len(micros) // count]
            group = groups[(number - 1) * len(groups) // sum(plan.grid_households)]
            households.append(
                Household(
                    village=village,
                    grid=grid,
                    micro_grid=micro,
                    villager_group=group,
                    natural_village=group.natural_village,
                    number=f"{number:04d}",
                    address=f"{group.natural_village.name if group.natural_village else group.name}{number}号",
                    phone=f"13{rng.randrange(0, 10**9):09d}",
                )
            )
    Household.objects.bulk_create(households, batch_size=1000)
    households = list(Household.objects.filter(village=village).order_by("number"))

    residents: list[Resident] = []
    for household, size in zip(households, sizes, strict=True):
        for member in family_members(rng, size, ids):
            birth = birth_date_at(rng, member["age"])
            number_ = ids.make(birth, member["male"], rng)
            resident = Resident(
                village=village,
                household=household,
                relation=member["relation"],
                name=random_name(rng, member["male"], member["surname"]),
                phone=f"15{rng.randrange(0, 10**9):09d}" if member["age"] >= 16 else "",
                political=Political.CPC_MEMBER if rng.random() < 0.04 else Political.MASSES,
                marriage=Marriage.MARRIED if member["age"] >= 24 else Marriage.UNMARRIED,
                education=rng.choice(list(Education.values)),
                hukou_place=f"{village.name}",
                current_address=household.address,
            )
            resident.set_id_number(number_)
            residents.append(resident)
    # Who lives away (外出): working-age members first, deterministically, until the village's documented figure holds.
    away_needed = plan.residents - plan.living_here
    for resident in sorted(residents, key=lambda r: (abs(r.age_on(TODAY) - 30), r.household.number, r.name)):
        if away_needed == 0:
            break
        resident.lives_here = False
        resident.away_place = rng.choice(["苏州", "上海", "南京", "杭州", "深圳", "无锡"]) + "务工"
        resident.away_since = datetime.date(2026 - rng.randrange(0, 5), rng.randrange(1, 13), 1)
        away_needed -= 1
    Resident.objects.bulk_create(residents, batch_size=1000)

    _living_status_and_tags(village, tags, rng)
    if plan.migrants:
        _migrants(village, plan.migrants, rng, ids)
    _key_persons(village, plan, rng)
    _key_places(village, grids, micro_by_grid, rng)
    _wechat_group(village)


def _wechat_group(village: Village) -> None:
    """Most households have someone in their grid's WeChat group (seed 000: at least one per household):
    an adult with a phone who lives here, else anyone with a phone. A random source of its own, so the
    registry's other draws stay as they were."""
    rng = random.Random(f"wechat-{village.name}")  # noqa: S311 (demo data, not security)
    changed = []
    for household in Household.objects.filter(village=village).prefetch_related("members"):
        with_phone = [m for m in household.members.all() if m.phone]
        if not with_phone or rng.random() > 0.88:
            continue
        here = [m for m in with_phone if m.lives_here]
        household.in_wechat_group = True
        household.wechat_member = min(here or with_phone, key=lambda m: (abs(m.age_on(TODAY) - 40), m.pk))
        changed.append(household)
    Household.objects.bulk_update(changed, ["in_wechat_group", "wechat_member"], batch_size=1000)


def _living_status_and_tags(village: Village, tags: dict[str, Tag], rng: random.Random) -> None:
    through = Household.tags.through
    links = []
    for household in Household.objects.filter(village=village).prefetch_related("members"):
        members = list(household.members.all())
        if members and not any(m.lives_here for m in members):
            household.living_status = LivingStatus.AWAY
            household.save(update_fields=["living_status"])
        if any(m.political == Political.CPC_MEMBER for m in members):
            links.append(through(household_id=household.pk, tag_id=tags["party"].pk))
        roll = rng.random()
        if roll < 0.03:
            links.append(through(household_id=household.pk, tag_id=tags["dibao"].pk))
        elif roll < 0.04:
            links.append(through(household_id=household.pk, tag_id=tags["wubao"].pk))
        if len(members) == 1 and members[0].age_on(TODAY) >= 70:
            links.append(through(household_id=household.pk, tag_id=tags["elderly_alone"].pk))
    through.objects.bulk_create(links, batch_size=1000)


def _migrants(village: Village, count: int, rng: random.Random, ids: IdFactory) -> None:
    """Incoming migrants (流动人口): registered in the village, living in rented rooms."""
    for i in range(count):
        male = i % 3 != 0
        birth = birth_date_at(rng, rng.randrange(20, 50))
        resident = Resident(
            village=village,
            name=random_name(rng, male),
            registration=Registration.MIGRANT,
            inflow_reason=rng.choice(["务工", "经商", "投靠亲友"]),
            registered_on=datetime.date(2026, rng.randrange(1, 11), rng.randrange(1, 28)),
            document_expires=datetime.date(2027, rng.randrange(1, 13), 1),
            hukou_place=rng.choice(list(MIGRANT_REGIONS)),
            current_address=f"{village.name}出租屋",
            phone=f"18{rng.randrange(0, 10**9):09d}",
            occupation=rng.choice(["纺织工", "五金工", "养殖工"]),
        )
        # Migrants' ID numbers come from their home region.
        first17 = f"{MIGRANT_REGIONS[resident.hukou_place]}{birth:%Y%m%d}{(rng.randrange(0, 500) * 2 + (1 if male else 0)):03d}"
        ids.used.add(first17)
        resident.set_id_number(first17 + idnumber.check_character(first17))
        resident.save()


def _key_persons(village: Village, plan: VillagePlan, rng: random.Random) -> None:
    from grids.models import Assignment

    staff = Assignment.objects.current().filter(role=Role.VILLAGE_STAFF, village=village).select_related("user").first()
    adults = list(
        Resident.objects.filter(village=village, household__isnull=False, lives_here=True).order_by(
            "household__number", "relation", "birth_date"
        )
    )
    rng.shuffle(adults)  # spread key persons over the whole village, the same way every run
    used: set[int] = set()

    def pick(min_age: int, max_age: int, male: bool | None = None) -> Resident:
        for r in adults:
            age = r.age_on(TODAY)
            if r.pk in used or not min_age <= age <= max_age:
                continue
            if male is not None and (r.gender == "1") != male:
                continue
            used.add(r.pk)
            return r
        raise RuntimeError("demo village too small for its key persons")

    ages = {
        KeyCategory.CORRECTIONS: (20, 55, True),
        KeyCategory.RELEASED: (25, 60, True),
        KeyCategory.MENTAL: (18, 70, None),
        KeyCategory.DRUG: (20, 50, True),
        KeyCategory.YOUTH: (12, 17, None),
        KeyCategory.LEFT_BEHIND_ELDERLY: (70, 99, None),
        KeyCategory.LEFT_BEHIND_WOMAN: (25, 55, False),
        KeyCategory.LEFT_BEHIND_CHILD: (0, 15, None),
    }
    for category, count in plan.key_persons.items():
        for i in range(count):
            lo, hi, male = ages[category]
            resident = pick(lo, hi, male)
            kp = KeyPerson(
                resident=resident,
                category=category,
                attention=[Attention.HIGH, Attention.MEDIUM, Attention.LOW][i % 3],
                listed_from=datetime.date(2025, 1 + i % 12, 1),
            )
            if category == KeyCategory.MENTAL:
                kp.risk_level = i % 6  # every level 0–5 appears
                kp.guardian_name = random_name(rng, True, resident.name[0])
                kp.guardian_phone = f"13{rng.randrange(0, 10**9):09d}"
                kp.treatment = [Treatment.HOME, Treatment.OUTPATIENT, Treatment.HOSPITAL][i % 3]
                kp.incident_history = kp.risk_level >= 4
                kp.attention = Attention.HIGH if kp.risk_level >= 3 else Attention.MEDIUM
            elif category == KeyCategory.CORRECTIONS:
                kp.correction_type = [CorrectionType.PROBATION, CorrectionType.PAROLE, CorrectionType.CONTROL][i % 3]
                kp.correction_start = datetime.date(2025, 6, 1)
                kp.correction_end = datetime.date(2027, 5, 31)
            elif category == KeyCategory.RELEASED:
                kp.release_date = datetime.date(2024 + i % 2, 3 + i, 15)
                kp.resettlement = ["已衔接，已安置就业", "已衔接，务农", "已衔接，待安置"][i % 3]
            elif category in {KeyCategory.LEFT_BEHIND_ELDERLY, KeyCategory.LEFT_BEHIND_CHILD}:
                kp.health = ["良好", "慢性病", "行动不便"][i % 3]
                kp.difficulties = ["无", "希望定期探望", "需要代办医保"][i % 3]
            kp.full_clean()
            kp.save()
            if staff:
                KeyPersonResponsible.objects.create(
                    key_person=kp, role=ResponsibleRole.CADRE, user=staff.user, name=str(staff.user)
                )
            if kp.needs_four_to_one_team:
                for role, name in [
                    (ResponsibleRole.DOCTOR, "精防医生" + random_name(rng, False)),
                    (ResponsibleRole.POLICE, "民警" + random_name(rng, True)),
                    (ResponsibleRole.GUARDIAN, kp.guardian_name),
                ]:
                    KeyPersonResponsible.objects.create(key_person=kp, role=role, name=name)


def _key_places(village: Village, grids: list[Grid], micro_by_grid: dict[int, list[MicroGrid]], rng) -> None:
    # Village A's industries, as its acceptance report lists them: bedding, outdoor goods, hardware,
    # aquaculture and nurseries.
    places = [
        (PlaceType.ENTERPRISE, "床上用品加工厂", "消防通道堆放杂物需定期检查"),
        (PlaceType.ENTERPRISE, "户外用品厂", ""),
        (PlaceType.ENTERPRISE, "五金加工点", "用电线路老化"),
        (PlaceType.RESERVOIR, "水产养殖塘", "汛期防溺水"),
        (PlaceType.ENTERPRISE, "苗木基地", ""),
        (PlaceType.SCHOOL_AREA, "村小学周边", "上下学交通安全"),
        (PlaceType.RELIGIOUS, "村东土地庙", ""),
        (PlaceType.CROWDED, "文体广场", "节假日人员密集"),
    ]
    migrants = list(Resident.objects.filter(village=village, registration=Registration.MIGRANT).order_by("pk"))
    for i, (kind, name, hazards) in enumerate(places):
        grid = grids[i % len(grids)]
        KeyPlace.objects.create(
            village=village,
            grid=grid,
            micro_grid=micro_by_grid[grid.pk][0],
            type=kind,
            name=f"{village.name}{name}",
            address=f"{village.name}{grid.name}",
            person_in_charge=random_name(rng, True),
            hazards=hazards,
        )
    # Rental housing (出租房屋): the owner is a villager, the tenants are the incoming migrants.
    owners = list(
        Resident.objects.filter(village=village, relation=Relation.HEAD).order_by("pk")[: max(1, len(migrants) // 6)]
    )
    for n, owner in enumerate(owners):
        household = owner.household
        place = KeyPlace.objects.create(
            village=village,
            grid=household.grid,
            micro_grid=household.micro_grid,
            type=PlaceType.RENTAL,
            name=f"{owner.name}出租房",
            address=household.address,
            person_in_charge=owner.name,
            owner=owner,
            hazards="电动车室内充电" if n % 2 else "",
        )
        place.tenants.set(migrants[n * 6 : (n + 1) * 6])
