"""The registry of a generated county: households, residents (with valid, encrypted ID numbers), household
tags, key persons with the people responsible for them, and key places.

Families, names, ages and ID numbers are made the way the demo makes them (``tooling.demo.registry``):
3.3 residents per household, about one in six living away for work, 4 % Party members. Key persons are
5 % of residents, spread over the categories in the proportions of the demo villages' lists, each picked
among the residents of the right age and sex.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from stdnum import numdb

from residents import idnumber
from residents.cadence import cadence_for
from residents.codes import Education, Gender, Marriage, Political
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
    Resident,
    ResponsibleRole,
    Tag,
    Treatment,
)
from tooling.demo.registry import PLANS, TODAY, birth_date_at, family_members, household_sizes, random_name

from .territory import KEY_PERSON_SHARE, County, GridPlan, HouseholdRef, VillagePlan
from .writer import Writer

# Ages are counted on the demo's fixed day, so the same size gives the same people whatever the date.
REFERENCE = TODAY
# Of residents aged 18–45: about one resident in six lives away (demo village A: 4,743 of 5,616 live there).
AWAY_SHARE = 0.37
AWAY_PLACES = ["苏州", "上海", "南京", "杭州", "深圳", "无锡", "合肥", "宁波"]
_EDUCATION = list(Education.values)

# Who may be listed in each category: (youngest, oldest, male / female / either), as in the demo.
CATEGORY_AGES = {
    KeyCategory.CORRECTIONS: (20, 55, True),
    KeyCategory.RELEASED: (25, 60, True),
    KeyCategory.MENTAL: (18, 70, None),
    KeyCategory.DRUG: (20, 50, True),
    KeyCategory.YOUTH: (12, 17, None),
    KeyCategory.LEFT_BEHIND_ELDERLY: (70, 99, None),
    KeyCategory.LEFT_BEHIND_WOMAN: (25, 55, False),
    KeyCategory.LEFT_BEHIND_CHILD: (0, 15, None),
}
# How many of each: the two demo villages' lists together.
CATEGORY_WEIGHTS = [sum(plan.key_persons.get(c, 0) for plan in PLANS) for c in CATEGORY_AGES]
# 危险性评估 levels 0–5: most patients stable; about a quarter at level 3 or above (四帮一, monthly twice).
RISK_WEIGHTS = [30, 25, 20, 12, 8, 5]

# (type, weight, names, possible hazards); rental housing is the most common key place of a grid.
PLACE_KINDS = [
    (PlaceType.RENTAL, 40, [], ["电动车室内充电", "", ""]),
    (
        PlaceType.ENTERPRISE,
        20,
        ["床上用品加工厂", "户外用品厂", "五金加工点", "苗木基地", "农机合作社"],
        ["消防通道堆放杂物需定期检查", "用电线路老化", ""],
    ),
    (PlaceType.SCHOOL_AREA, 8, ["村小学周边", "幼儿园周边"], ["上下学交通安全"]),
    (PlaceType.HAZMAT, 3, ["加油站", "液化气供应点"], ["危化品储存需定期检查"]),
    (PlaceType.RESERVOIR, 8, ["水产养殖塘", "小型水库", "地质灾害隐患点"], ["汛期防溺水", "汛期巡查"]),
    (PlaceType.RELIGIOUS, 5, ["土地庙", "祠堂"], [""]),
    (PlaceType.CROWDED, 11, ["文体广场", "农贸市场", "村卫生室"], ["节假日人员密集", ""]),
    (PlaceType.OTHER, 5, ["变电箱", "村道桥梁"], [""]),
]
PLACE_WEIGHTS = [kind[1] for kind in PLACE_KINDS]
PLACES_PER_GRID = (1, 5)  # the demo's village A has 14 key places in 6 grids


# A county name in python-stdnum's list (docs/sources.md [D1]) with the years it was in use: "[-2010]崇文区",
# "[1997-]通州区", "[-1991]东郊区,[1992-]东丽区". One that ended is a former name of the code.
_ENDED = re.compile(r"\[\d*-\d+\]")


def county_codes(provinces: Iterable[str]) -> list[str]:
    """The current county-level region codes (GB/T 2260) of some provinces, in code order: real codes a
    generated county's residents hold, not a prefecture's own code (…00) nor its "市辖区" (…01)."""
    loc = numdb.get("cn/loc")
    wanted = set(provinces)
    codes = []
    for code in sorted(idnumber.region_codes()):
        if code[:2] not in wanted or code.endswith("00"):
            continue
        names = dict(loc.info(code)).get(code[2:], {}).get("county", "").split(",")
        current = [name for name in names if name and not _ENDED.match(name)]
        if current and not any(name.endswith("市辖区") for name in current):
            codes.append(code)
    return codes


class IdNumbers:
    """Valid ID numbers (GB 11643), unique without remembering them: the sequence is a counter per birth
    date and sex (odd for men), as a police station hands them out, in the county's real region code
    (GB/T 2260), then its neighbours' when a day and sex run out of the 499 numbers of a code.

    The county's code is a seeded choice among about a thousand, and each run's counters start at a seeded
    ``offset`` among the 499, so two sizes in one database practically never share numbers: they would have
    to draw the same county and overlapping counters (if they did, the unique ``id_hash`` would refuse the
    run, and the run writes nothing; another ``--seed`` draws again)."""

    def __init__(self, regions: Callable[[int], str], offset: int = 0):
        self.regions = regions
        self.offset = offset
        self.counters: dict[tuple[datetime.date, bool], int] = {}

    def make(self, birth: datetime.date, male: bool) -> str:
        k = self.counters.get((birth, male), 0)
        self.counters[birth, male] = k + 1
        n = self.offset + k
        region = self.regions(n // 499)  # 499 numbers per day and sex in a region, then the next region
        seq = 2 * (n % 499) + (1 if male else 2)
        first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
        return first17 + idnumber.check_character(first17)


class Member(NamedTuple):
    """A resident as the rest of the run needs them (tags, key persons)."""

    id: int
    age: int
    male: bool
    lives_here: bool
    name: str
    political: str
    phone: str
    grid: GridPlan
    micro_id: int


@dataclass(slots=True)
class KeyPersonPlan:
    """What the visit generator needs of a key person."""

    id: int
    grid: GridPlan
    micro_id: int
    listed_from: datetime.date
    listed_until: datetime.date | None
    per_month: int
    interval_days: int


class Registry:
    """Writes the registry village by village and keeps what visits and cases need of it."""

    def __init__(self, writer: Writer, rng: random.Random, ids: IdNumbers, window: tuple[datetime.date, datetime.date]):
        self.rng = rng
        self.ids = ids
        self.window_start, self.today = window
        self.key_persons: list[KeyPersonPlan] = []
        # Per village: the residents shown as Party members (the Party's roll: tooling/scale/party.py).
        self.party_members: dict[int, list[Member]] = {}
        self.households_t = writer.table(
            Household,
            [
                "id",
                "village_id",
                "grid_id",
                "micro_grid_id",
                "villager_group_id",
                "natural_village_id",
                "number",
                "address",
                "phone",
                "living_status",
            ],
        )
        self.residents_t = writer.table(
            Resident,
            [
                "id",
                "village_id",
                "household_id",
                "relation",
                "name",
                "id_cipher",
                "id_hash",
                "id_tail_hash",
                "gender",
                "birth_date",
                "phone",
                "political",
                "marriage",
                "education",
                "occupation",
                "hukou_place",
                "current_address",
                "lives_here",
                "away_place",
                "away_since",
            ],
        )
        self.tags_t = writer.table(Household.tags.through, ["household_id", "tag_id"])
        self.tags = dict(Tag.objects.values_list("code", "pk"))
        self.key_persons_t = writer.table(
            KeyPerson,
            [
                "id",
                "resident_id",
                "village_id",
                "category",
                "attention",
                "listed_from",
                "listed_until",
                "correction_type",
                "correction_start",
                "correction_end",
                "release_date",
                "resettlement",
                "risk_level",
                "guardian_name",
                "guardian_phone",
                "incident_history",
                "treatment",
                "health",
                "difficulties",
            ],
        )
        self.responsibles_t = writer.table(KeyPersonResponsible, ["key_person_id", "role", "user_id", "name"])
        self.places_t = writer.table(
            KeyPlace,
            [
                "id",
                "village_id",
                "grid_id",
                "micro_grid_id",
                "type",
                "name",
                "address",
                "person_in_charge",
                "phone",
                "hazards",
                "owner_id",
            ],
        )

    def build(self, county: County, residents: int, tick: Callable[[int], None]) -> None:
        sizes = iter(household_sizes(sum(g.households_planned for g in county.grids), residents))
        done = 0
        for village in county.villages:
            people = self._village(village, sizes)
            self.party_members[village.id] = [m for m in people if m.political == Political.CPC_MEMBER]
            self._key_persons(village, people)
            for grid in village.grids:
                self._key_places(village, grid)
            done += len(people)
            tick(done)

    # --- Households and residents -------------------------------------------------------------------

    def _village(self, village: VillagePlan, sizes) -> list[Member]:
        """Write the village's households and residents; return the residents, to choose key persons."""
        rng = self.rng
        total = village.households_planned
        people = []
        number = 0
        for grid in village.grids:
            micros = grid.micro_ids
            for i in range(grid.households_planned):
                number += 1
                household_id = self.households_t.new_id()
                micro_id = micros[i * len(micros) // grid.households_planned]
                group = (number - 1) * len(village.groups) // total
                group_id, natural_name = village.groups[group]
                address = f"{natural_name}{number}号"
                family = self._family(village, grid, household_id, micro_id, address, next(sizes))
                members = [member for _row, member in family]
                head = members[0]
                living = LivingStatus.RESIDENT if any(m.lives_here for m in members) else LivingStatus.AWAY
                phone = f"13{rng.randrange(10**9):09d}"
                self.households_t.add(
                    (
                        household_id,
                        village.id,
                        grid.id,
                        micro_id,
                        group_id,
                        village.group_natural_ids[group],
                        f"{number:04d}",
                        address,
                        phone,
                        living,
                    )
                )
                for row, _member in family:
                    self.residents_t.add(row)
                grid.households.append(
                    HouseholdRef(household_id, micro_id, head.id, head.name, head.phone or phone, address)
                )
                self._tags(household_id, members)
                people += members
        return people

    def _family(
        self, village: VillagePlan, grid: GridPlan, household_id: int, micro_id: int, address: str, size: int
    ) -> list[tuple[tuple, Member]]:
        """A plausible family (head, spouse, children, perhaps a parent): each member's row and summary."""
        rng = self.rng
        out = []
        for member in family_members(rng, size, None):
            age, male = member["age"], member["male"]
            birth = birth_date_at(rng, age)
            number = self.ids.make(birth, male)
            name = random_name(rng, male, member["surname"])
            phone = f"15{rng.randrange(10**9):09d}" if age >= 16 else ""
            political = Political.CPC_MEMBER if age >= 18 and rng.random() < 0.04 else Political.MASSES
            away = 18 <= age <= 45 and rng.random() < AWAY_SHARE
            if away:
                occupation = "务工"
                away_place = rng.choice(AWAY_PLACES) + "务工"
                away_since = datetime.date(REFERENCE.year - rng.randrange(0, 5), rng.randrange(1, 13), 1)
            else:
                occupation = "学生" if 6 <= age < 18 else ("务农" if age >= 18 else "")
                away_place, away_since = "", None
            resident_id = self.residents_t.new_id()
            row = (
                resident_id,
                village.id,
                household_id,
                member["relation"],
                name,
                idnumber.encrypt(number),
                idnumber.lookup_hash(number),
                idnumber.tail_hash(number),
                Gender.MALE if male else Gender.FEMALE,
                birth,
                phone,
                political,
                Marriage.MARRIED if age >= 24 else Marriage.UNMARRIED,
                rng.choice(_EDUCATION),
                occupation,
                village.name,
                address,
                not away,
                away_place,
                away_since,
            )
            out.append((row, Member(resident_id, age, male, not away, name, political, phone, grid, micro_id)))
        return out

    def _tags(self, household_id: int, members: list[Member]) -> None:
        """党员户 where a member is in the Party; 低保 3 %, 五保 1 %; 独居老人 for a lone member of 70+."""
        rng = self.rng
        codes = []
        if any(m.political == Political.CPC_MEMBER for m in members):
            codes.append("party")
        roll = rng.random()
        if roll < 0.03:
            codes.append("dibao")
        elif roll < 0.04:
            codes.append("wubao")
        if len(members) == 1 and members[0].age >= 70:
            codes.append("elderly_alone")
        for code in codes:
            if code in self.tags:
                self.tags_t.add((household_id, self.tags[code]))

    # --- Key persons and key places ---------------------------------------------------------------

    def _key_persons(self, village: VillagePlan, people: list[Member]) -> None:
        rng = self.rng
        categories = list(CATEGORY_AGES)
        # Per category, the residents living here who fit it, in a seeded order; a resident is listed once.
        queues = {}
        for category, (low, high, male) in CATEGORY_AGES.items():
            fits = [p for p in people if p.lives_here and low <= p.age <= high and (male is None or p.male == male)]
            rng.shuffle(fits)
            queues[category] = fits
        taken: set[int] = set()
        wanted = rng.choices(categories, CATEGORY_WEIGHTS, k=round(len(people) * KEY_PERSON_SHARE))
        for i, category in enumerate(wanted):
            queue = queues[category]
            while queue and queue[-1].id in taken:
                queue.pop()
            if not queue:
                continue  # a small village may run out of, say, left-behind elderly
            person = queue.pop()
            taken.add(person.id)
            self._key_person(village, category, i, person)

    def _key_person(self, village: VillagePlan, category: str, i: int, person: Member) -> None:
        rng = self.rng
        kp_id = self.key_persons_t.new_id()
        # Most were listed before the generated months; some during them; a few listings have ended.
        if rng.random() < 0.85:
            listed_from = self.window_start - datetime.timedelta(days=rng.randrange(30, 1500))
        else:
            listed_from = self.window_start + datetime.timedelta(
                days=rng.randrange((self.today - self.window_start).days + 1)
            )
        listed_until = listed_from + datetime.timedelta(days=rng.randrange(90, 720)) if rng.random() < 0.04 else None
        attention = [Attention.HIGH, Attention.MEDIUM, Attention.LOW][i % 3]
        correction = (CorrectionType.PROBATION, CorrectionType.PAROLE, CorrectionType.CONTROL)
        risk = guardian = guardian_phone = treatment = None
        corr_type, corr_start, corr_end, release, resettlement, health, difficulties = "", None, None, None, "", "", ""
        if category == KeyCategory.MENTAL:
            risk = rng.choices(range(6), RISK_WEIGHTS)[0]
            guardian = random_name(rng, True, person.name[0])
            guardian_phone = f"13{rng.randrange(10**9):09d}"
            treatment = rng.choice([Treatment.HOME, Treatment.OUTPATIENT, Treatment.HOSPITAL])
            attention = Attention.HIGH if risk >= 3 else Attention.MEDIUM
        elif category == KeyCategory.CORRECTIONS:
            corr_type = correction[i % 3]
            corr_start = listed_from
            corr_end = listed_from + datetime.timedelta(days=rng.randrange(365, 1100))
        elif category == KeyCategory.RELEASED:
            release = listed_from - datetime.timedelta(days=rng.randrange(0, 30))
            resettlement = rng.choice(["已衔接，已安置就业", "已衔接，务农", "已衔接，待安置"])
        elif category in {KeyCategory.LEFT_BEHIND_ELDERLY, KeyCategory.LEFT_BEHIND_CHILD}:
            health = rng.choice(["良好", "慢性病", "行动不便"])
            difficulties = rng.choice(["无", "希望定期探望", "需要代办医保"])
        self.key_persons_t.add(
            (
                kp_id,
                person.id,
                village.id,
                category,
                attention,
                listed_from,
                listed_until,
                corr_type,
                corr_start,
                corr_end,
                release,
                resettlement,
                risk,
                guardian or "",
                guardian_phone or "",
                risk is not None and risk >= 4,
                treatment or "",
                health,
                difficulties,
            )
        )
        self.responsibles_t.add((kp_id, ResponsibleRole.CADRE, village.staff_id, village.staff_name))
        if risk is not None and risk >= 3:
            # 四帮一 (as in the demo's village A): the psychiatric doctor, the community police officer and the guardian.
            self.responsibles_t.add((kp_id, ResponsibleRole.DOCTOR, None, "精防医生" + random_name(rng, False)))
            self.responsibles_t.add((kp_id, ResponsibleRole.POLICE, None, "民警" + random_name(rng, True)))
            self.responsibles_t.add((kp_id, ResponsibleRole.GUARDIAN, None, guardian))
        cadence = cadence_for(category, risk)
        self.key_persons.append(
            KeyPersonPlan(
                kp_id,
                person.grid,
                person.micro_id,
                listed_from,
                listed_until,
                cadence.visits_per_month,
                cadence.interval_days,
            )
        )

    def _key_places(self, village: VillagePlan, grid: GridPlan) -> None:
        rng = self.rng
        if not grid.households:
            return
        for _ in range(rng.randint(*PLACES_PER_GRID)):
            kind, _weight, names, hazards = rng.choices(PLACE_KINDS, PLACE_WEIGHTS)[0]
            place_id = self.places_t.new_id()
            if kind == PlaceType.RENTAL:
                # Rental housing (出租房屋): a villager's house; the owner is the household's head.
                home = rng.choice(grid.households)
                micro_id, name, address, owner_id = home.micro_id, home.head_name + "出租房", home.address, home.head_id
                in_charge, phone = home.head_name, home.phone
            else:
                micro_id, name = rng.choice(grid.micro_ids), village.name + rng.choice(names)
                address, owner_id = f"{village.name}第{grid.number}网格", None
                in_charge, phone = random_name(rng, True), f"13{rng.randrange(10**9):09d}"
            self.places_t.add(
                (
                    place_id,
                    village.id,
                    grid.id,
                    micro_id,
                    kind,
                    name,
                    address,
                    in_charge,
                    phone,
                    rng.choice(hazards),
                    owner_id,
                )
            )
            grid.key_places.append((place_id, micro_id))
