"""The county's shape and its territory: towns, villages, natural villages, villager groups, grids,
micro-grids, and the people who work them (a town-office account per town, a village-staff account
per village, a grid worker per grid, with their assignments) and each village's mediation team.

Sizes scale linearly with the number of residents from a county of a million residents (the size
``make bench`` times the pages at; per million residents: 300,000 households, 15 towns, 200 villages,
3,000 grids, 50,000 key persons, 60,000 cases a year). Households per grid follow the spread of the
demo's grids (the demo villages' documented figures); micro-grids per grid and households per villager
group follow the demo's village A (the model village's acceptance report, 示范村验收汇报: docs/sources.md).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import make_password

from disputes.models import Mediator, MediatorType
from grids.models import Assignment, Grid, MicroGrid, NaturalVillage, Role, Town, User, Village, VillagerGroup
from tooling.demo import cn_number
from tooling.demo.registry import PLANS, random_name

from .writer import Writer

PER_MILLION = {"households": 300_000, "towns": 15, "villages": 200, "grids": 3_000}
KEY_PERSON_SHARE = 0.05  # of residents
CASES_PER_RESIDENT_YEAR = 0.06
MIN_GRIDS_PER_VILLAGE = 3
# The demo's village A: 1,832 households in 69 villager groups, 69 groups in 32 natural villages,
# 22 micro-grids over 6 grids.
HOUSEHOLDS_PER_GROUP = 1832 / 69
GROUPS_PER_NATURAL_VILLAGE = 69 / 32
MICRO_GRIDS_PER_GRID = (3, 4, 4)
# The demo's grids, in households: their spread around the mean is the county's.
DEMO_GRID_HOUSEHOLDS = [h for plan in PLANS for h in plan.grid_households]

_PLACE_CHARS = "东西南北新青白金石龙凤桃柳杨梅松竹兰山河湖塘岗桥圩湾庄集林泉溪丰安平福兴和"
_SETTLEMENT = "庄湾圩营岗桥店集"
_MEDIATOR_TYPES = [
    MediatorType.DEPUTY,
    MediatorType.RETIRED_CADRE,
    MediatorType.PARTY_VETERAN,
    MediatorType.LEGAL_ADVISER,
    MediatorType.LEGAL_AWARE,
    MediatorType.BUSINESS,
]


@dataclass(frozen=True)
class Shape:
    """How many of each thing a county of ``residents`` people has."""

    residents: int
    households: int
    towns: int
    villages: int
    grids: int
    key_persons: int
    cases: int

    @classmethod
    def of(cls, residents: int, months: int) -> Shape:
        def scaled(name: str) -> int:
            return round(residents * PER_MILLION[name] / 1_000_000)

        towns = max(1, scaled("towns"))
        villages = max(2, towns, scaled("villages"))
        return cls(
            residents=residents,
            households=max(1, scaled("households")),
            towns=towns,
            villages=villages,
            grids=max(MIN_GRIDS_PER_VILLAGE * villages, scaled("grids")),
            key_persons=round(residents * KEY_PERSON_SHARE),
            cases=round(residents * CASES_PER_RESIDENT_YEAR * months / 12),
        )


class HouseholdRef(NamedTuple):
    """A written household, as cases and visits need it."""

    id: int
    micro_id: int
    head_id: int
    head_name: str
    phone: str
    address: str


@dataclass
class GridPlan:
    id: int
    number: int
    village: VillagePlan
    households_planned: int
    micro_ids: list[int] = field(default_factory=list)
    worker_id: int = 0
    worker_name: str = ""
    households: list[HouseholdRef] = field(default_factory=list)  # filled by the registry
    key_places: list[tuple[int, int]] = field(default_factory=list)  # (id, micro-grid id)


@dataclass
class VillagePlan:
    id: int
    name: str
    town: TownPlan
    grids: list[GridPlan] = field(default_factory=list)
    groups: list[tuple[int, str]] = field(default_factory=list)  # (group id, its natural village's name)
    group_natural_ids: list[int] = field(default_factory=list)
    staff_id: int = 0
    staff_name: str = ""
    mediator_ids: list[int] = field(default_factory=list)

    @property
    def households_planned(self) -> int:
        return sum(g.households_planned for g in self.grids)


@dataclass
class TownPlan:
    id: int
    name: str
    office_id: int = 0
    office_name: str = ""
    villages: list[VillagePlan] = field(default_factory=list)
    departments: list[tuple[int, str]] = field(default_factory=list)  # (id, name): tooling/scale/departments.py
    department_user_ids: list[int] = field(default_factory=list)


@dataclass
class County:
    towns: list[TownPlan]

    @property
    def villages(self) -> list[VillagePlan]:
        return [v for t in self.towns for v in t.villages]

    @property
    def grids(self) -> list[GridPlan]:
        return [g for v in self.villages for g in v.grids]


def spread(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """``total`` split into whole parts proportional to ``weights`` (largest remainder), each at least
    ``minimum`` when the total allows it."""
    n = len(weights)
    floor = minimum if total >= minimum * n else 0
    rest = total - floor * n
    scale = rest / sum(weights)
    exact = [w * scale for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(n), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: rest - sum(parts)]:
        parts[i] += 1
    return [floor + p for p in parts]


def place_names(rng: random.Random, count: int, suffix: str) -> list[str]:
    """``count`` different two-character place names (东湖镇, 柳塘村…), in a seeded order."""
    pairs = [a + b for a in _PLACE_CHARS for b in _PLACE_CHARS if a != b]
    if count > len(pairs):
        raise ValueError(f"at most {len(pairs)} names")
    return [name + suffix for name in rng.sample(pairs, count)]


SIDES = ["东", "南", "西", "北"]
INDUSTRIES = ["水稻种植", "水产养殖", "床上用品", "五金加工", "苗木花卉", "乡村旅游", "畜禽养殖"]


def build(
    writer: Writer,
    rng: random.Random,
    shape: Shape,
    *,
    label: str,
    region: str,
    username_prefix: str,
    assigned_from: datetime.date,
) -> County:
    """Plan the territory, write it and its people, and return the plan (ids included) for the registry."""
    towns_t = writer.table(Town, ["id", "name", "code"])
    villages_t = writer.table(Village, ["id", "town_id", "name", "code", "area_km2", "location", "industries"])
    naturals_t = writer.table(NaturalVillage, ["id", "village_id", "name"])
    groups_t = writer.table(VillagerGroup, ["id", "village_id", "natural_village_id", "number", "name"])
    grids_t = writer.table(Grid, ["id", "village_id", "number", "name"])
    micros_t = writer.table(MicroGrid, ["id", "grid_id", "number", "name"])

    villages_per_town = spread(shape.villages, [rng.uniform(0.7, 1.3) for _ in range(shape.towns)], minimum=1)
    grids_per_village = spread(
        shape.grids, [rng.uniform(0.5, 1.5) for _ in range(shape.villages)], minimum=MIN_GRIDS_PER_VILLAGE
    )
    households_per_grid = spread(
        shape.households,
        [rng.choice(DEMO_GRID_HOUSEHOLDS) * rng.uniform(0.9, 1.1) for _ in range(shape.grids)],
        minimum=1,
    )
    county = County(towns=[])
    grid_sizes = iter(households_per_grid)
    village_grids = iter(grids_per_village)
    for t, (town_name, village_count) in enumerate(
        zip(place_names(rng, shape.towns, "镇"), villages_per_town, strict=True), start=1
    ):
        town = TownPlan(id=towns_t.new_id(), name=f"{label}·{town_name}")
        towns_t.add((town.id, town.name, f"{region}{t:03d}"))
        county.towns.append(town)
        for v, village_name in enumerate(place_names(rng, village_count, "村"), start=1):
            village = VillagePlan(id=villages_t.new_id(), name=village_name, town=town)
            area = Decimal(rng.randrange(400, 1600)) / 100
            # The profile's location and industries (docs/scorecard.md) from the village's number, not the rng, so
            # the rest of the county comes out as it did before they were written.
            location = f"位于{town_name}{SIDES[v % len(SIDES)]}部"
            industries = "、".join(INDUSTRIES[(t + v + k) % len(INDUSTRIES)] for k in range(1 + v % 3))
            villages_t.add((village.id, town.id, village_name, f"{region}{t:03d}{v:03d}", area, location, industries))
            town.villages.append(village)
            for g in range(1, next(village_grids) + 1):
                grid = GridPlan(id=grids_t.new_id(), number=g, village=village, households_planned=next(grid_sizes))
                grids_t.add((grid.id, village.id, g, f"第{cn_number(g)}网格"))
                for m in range(1, min(rng.choice(MICRO_GRIDS_PER_GRID), grid.households_planned) + 1):
                    micro_id = micros_t.new_id()
                    micros_t.add((micro_id, grid.id, m, f"微网格{g}-{m}"))
                    grid.micro_ids.append(micro_id)
                village.grids.append(grid)
            _groups(village, rng, naturals_t, groups_t)
    _people(writer, rng, county, username_prefix, assigned_from)
    _mediators(writer, rng, county)
    return county


def _groups(village: VillagePlan, rng: random.Random, naturals_t, groups_t) -> None:
    groups = max(1, round(village.households_planned / HOUSEHOLDS_PER_GROUP))
    naturals = max(1, round(groups / GROUPS_PER_NATURAL_VILLAGE))
    surnames = rng.sample(
        "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高梁郑罗宋谢唐韩曹许邓冯曾程蔡彭潘袁于董余苏叶吕魏蒋田杜丁沈姜范", 48
    )
    natural_rows = []
    for i in range(naturals):
        # Unique for up to 48 × 8 natural villages; a village has a few dozen at any size of county.
        name = surnames[i % len(surnames)] + _SETTLEMENT[i // len(surnames)]
        natural_rows.append((naturals_t.new_id(), name))
        naturals_t.add((natural_rows[-1][0], village.id, name))
    for n in range(1, groups + 1):
        natural_id, natural_name = natural_rows[(n - 1) * naturals // groups]
        group_id = groups_t.new_id()
        groups_t.add((group_id, village.id, natural_id, n, f"第{n}村民小组"))
        village.groups.append((group_id, natural_name))
        village.group_natural_ids.append(natural_id)


def _people(writer: Writer, rng: random.Random, county: County, prefix: str, assigned_from: datetime.date) -> None:
    """One account per post, all with the demo password: hashed once, the hash shared."""
    users_t = writer.table(
        User, ["id", "username", "password", "full_name", "phone", "home_village_id", "must_change_password"]
    )
    assignments_t = writer.table(Assignment, ["user_id", "role", "town_id", "village_id", "grid_id", "start"])
    password = make_password(settings.DEMO_PASSWORD)
    # As for the demo's accounts: outside DEBUG a password someone else chose must be changed first.
    must_change = not settings.DEBUG

    def account(username: str, village_id: int | None, full_name: str) -> int:
        user_id = users_t.new_id()
        users_t.add((user_id, username, password, full_name, f"13{rng.randrange(10**9):09d}", village_id, must_change))
        return user_id

    grid_number = village_number = 0
    for t, town in enumerate(county.towns, start=1):
        town.office_name = "镇综治办·" + random_name(rng, rng.random() < 0.6)
        town.office_id = account(f"{prefix}_town{t:02d}", None, town.office_name)
        assignments_t.add((town.office_id, Role.TOWN_OFFICE, town.id, None, None, assigned_from))
        for village in town.villages:
            village_number += 1
            village.staff_name = random_name(rng, rng.random() < 0.6)
            village.staff_id = account(f"{prefix}_staff{village_number:03d}", village.id, village.staff_name)
            assignments_t.add((village.staff_id, Role.VILLAGE_STAFF, None, village.id, None, assigned_from))
            for grid in village.grids:
                grid_number += 1
                grid.worker_name = random_name(rng, rng.random() < 0.5)
                grid.worker_id = account(f"{prefix}_worker{grid_number:04d}", village.id, grid.worker_name)
                assignments_t.add((grid.worker_id, Role.GRID_WORKER, None, None, grid.id, assigned_from))


def _mediators(writer: Writer, rng: random.Random, county: County) -> None:
    """Each village's multi-party mediation team (多元调解团, as in the demo's village A): four to six people."""
    mediators_t = writer.table(Mediator, ["id", "village_id", "name", "type", "phone"])
    for village in county.villages:
        for kind in rng.sample(_MEDIATOR_TYPES, rng.randint(4, 6)):
            mediator_id = mediators_t.new_id()
            mediators_t.add(
                (mediator_id, village.id, random_name(rng, rng.random() < 0.6), kind, f"13{rng.randrange(10**9):09d}")
            )
            village.mediator_ids.append(mediator_id)
