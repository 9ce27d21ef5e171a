"""The demo town: the two villages of the source documents (docs/sources.md), deterministic (same rows
every run) and idempotent (a second run adds nothing). Later features extend ``seed`` with households,
residents, visits, cases and reports.

Village A follows the model village's acceptance report (示范村验收汇报): 10.2 km², 32 natural villages,
69 villager groups, 6 grids, 22 micro-grids with 22 micro-grid liaisons. Village B follows the
grid-governance experience report (网格化治理经验材料): 9 villager groups, 2 grids with 2 grid workers,
9 information officers who are the group heads (社长). That report names no micro-grids; since a
household must sit in exactly one micro-grid, each of B's villager groups is one micro-grid of its grid
(groups 1–5 in grid 1, 6–9 in grid 2).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from audit import trail
from grids.models import (
    ROLE_PLACE_FIELD,
    Assignment,
    Grid,
    MicroGrid,
    NaturalVillage,
    Role,
    Town,
    User,
    Village,
    VillagerGroup,
)
from reports.scorecard import kept
from visits import live

from .care import seed_care
from .cases import seed_cases
from .civility import seed_civility
from .cogovernance import seed_cogovernance
from .departments import seed_department_case, seed_department_login
from .party import seed_party
from .profile import seed_profile
from .registry import seed_registry
from .reports import seed_reports
from .towntasks import seed_towntasks
from .visits import seed_visits

TOWN_NAME = "丁店镇"
VILLAGE_A = "新庄村"
VILLAGE_B = "河西村"
# Fixed, so every run gives the same rows; early enough that every assignment is current today.
ASSIGNED_FROM = datetime.date(2025, 1, 1)

_SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹"
_GIVEN = [
    "建国",
    "秀英",
    "志强",
    "桂兰",
    "海燕",
    "国庆",
    "红梅",
    "德明",
    "玉兰",
    "卫东",
    "春花",
    "永红",
    "金凤",
    "立新",
]
_NATURAL_SUFFIX = ["庄", "湾", "圩", "营"]
_CN_DIGITS = "一二三四五六七八九十"

# Micro-grids per grid in village A: 22 over 6 grids.
A_MICRO_GRIDS_PER_GRID = [4, 4, 4, 4, 3, 3]


def person_name(i: int) -> str:
    return _SURNAMES[i % len(_SURNAMES)] + _GIVEN[(i * 5 + i // len(_SURNAMES)) % len(_GIVEN)]


def cn_number(n: int) -> str:
    if n <= 10:
        return _CN_DIGITS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens - 1]) + "十" + (_CN_DIGITS[ones - 1] if ones else "")


@dataclass
class DemoAccount:
    username: str
    role: str
    home: str


@dataclass
class Seeder:
    password_hash: str
    accounts: list[DemoAccount]
    _name_counter: int = 0

    def user(self, username: str, *, village: Village | None, superuser: bool = False, full_name: str = "") -> User:
        if not full_name:
            self._name_counter += 1
            full_name = person_name(self._name_counter)
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "home_village": village,
                "password": self.password_hash,
                # The demo's shared password is the admin's choice: outside DEBUG its users must change it.
                "must_change_password": not settings.DEBUG,
                "is_superuser": superuser,
                "is_staff": superuser,
            },
        )
        return user

    @staticmethod
    def assign(user: User, role: Role, place) -> Assignment:
        field = ROLE_PLACE_FIELD[role]
        assignment, _ = Assignment.objects.get_or_create(
            user=user, role=role, **{field: place}, defaults={"start": ASSIGNED_FROM}
        )
        return assignment


@transaction.atomic
def seed(*, registry: bool = True) -> list[DemoAccount]:
    """Create the demo town (and, unless told not to, its registry); return the demo accounts to print.
    Demo data is nobody's action: it writes no audit entries."""
    with trail.suspended():
        accounts = _seed(registry=registry)
    kept.forget()  # some rows are written in bulk, with no signal: no scorecard value kept before is read
    live.forget()  # nor a grid's kept figures or work list (visits/kept_list.py)
    return accounts


def _seed(*, registry: bool) -> list[DemoAccount]:
    seeder = Seeder(password_hash=make_password(settings.DEMO_PASSWORD), accounts=[])
    town, _ = Town.objects.get_or_create(name=TOWN_NAME, archived_at=None)

    seeder.user("admin", village=None, superuser=True, full_name="系统管理员")
    seeder.accounts.append(DemoAccount("admin", "系统管理员", "/admin/"))

    town_user = seeder.user("town", village=None, full_name="镇综治办·" + person_name(0))
    seeder.assign(town_user, Role.TOWN_OFFICE, town)
    seeder.accounts.append(DemoAccount("town", "镇综治办", "/town/"))
    dept_user, justice = seed_department_login(seeder, town, ASSIGNED_FROM)
    seeder.accounts.append(DemoAccount("dept", f"{TOWN_NAME}司法所（职能部门）", "/department/cases/"))

    village_a = _seed_village_a(seeder, town)
    seed_profile(village_a)  # the 汇报材料's profile paragraph (docs/scorecard.md)
    _seed_village_b(seeder, town)
    if registry:
        seed_registry()
        seed_cases()
        seed_department_case(town=town, village_name=VILLAGE_A, user=dept_user, justice=justice)
        seed_visits()
        seed_party(seeder)  # before the reports, whose frozen months may count the Party's figures
        seed_cogovernance()  # after the Party (its organisations approve the topics), before the reports
        seed_civility()  # after the cases (its 法律明白人 may sit on the mediation team)
        seed_care()  # grid-worker care: insurance, health checks, trainings, good practices (seed 000)
        seed_towntasks()  # after the registry: a checklist task's households
        seed_reports()
    return seeder.accounts


def _seed_village_a(seeder: Seeder, town: Town) -> Village:
    village, _ = Village.objects.get_or_create(
        town=town, name=VILLAGE_A, archived_at=None, defaults={"area_km2": Decimal("10.20")}
    )
    naturals = []
    for i in range(32):
        name = _SURNAMES[i] + _NATURAL_SUFFIX[i % len(_NATURAL_SUFFIX)]
        nv, _ = NaturalVillage.objects.get_or_create(village=village, name=name, archived_at=None)
        naturals.append(nv)
    for n in range(1, 70):
        VillagerGroup.objects.get_or_create(
            village=village,
            number=n,
            archived_at=None,
            defaults={"name": f"第{n}村民小组", "natural_village": naturals[(n - 1) * len(naturals) // 69]},
        )

    staff = seeder.user("staff", village=village)
    seeder.assign(staff, Role.VILLAGE_STAFF, village)
    seeder.accounts.append(DemoAccount("staff", f"{VILLAGE_A}村干部（综治专干）", "村概况"))

    micro_number = 0
    for g, micro_count in enumerate(A_MICRO_GRIDS_PER_GRID, start=1):
        grid, _ = Grid.objects.get_or_create(
            village=village, name=f"第{cn_number(g)}网格", archived_at=None, defaults={"number": g}
        )
        username = "worker" if g == 1 else f"a_worker{g}"
        worker = seeder.user(username, village=village)
        seeder.assign(worker, Role.GRID_WORKER, grid)
        if g == 1:
            seeder.accounts.append(DemoAccount("worker", f"{VILLAGE_A}第一网格网格员", "/field/"))
        for m in range(1, micro_count + 1):
            micro_number += 1
            micro, _ = MicroGrid.objects.get_or_create(
                grid=grid, name=f"微网格{g}-{m}", archived_at=None, defaults={"number": m}
            )
            liaison = seeder.user(f"a_liaison{micro_number:02d}", village=village)
            seeder.assign(liaison, Role.LIAISON, micro)
    return village


def _seed_village_b(seeder: Seeder, town: Town) -> Village:
    village, _ = Village.objects.get_or_create(town=town, name=VILLAGE_B, archived_at=None)
    staff = seeder.user("staff_b", village=village)
    seeder.assign(staff, Role.VILLAGE_STAFF, village)
    seeder.accounts.append(DemoAccount("staff_b", f"{VILLAGE_B}村干部", "村概况"))

    grids = []
    for g in (1, 2):
        grid, _ = Grid.objects.get_or_create(
            village=village, name=f"第{cn_number(g)}网格", archived_at=None, defaults={"number": g}
        )
        worker = seeder.user(f"b_worker{g}", village=village)
        seeder.assign(worker, Role.GRID_WORKER, grid)
        grids.append(grid)
    for n in range(1, 10):
        group, _ = VillagerGroup.objects.get_or_create(
            village=village, number=n, archived_at=None, defaults={"name": f"{cn_number(n)}社"}
        )
        head = seeder.user(f"b_info{n}", village=village)  # the 社长 is the information officer
        seeder.assign(head, Role.INFO_OFFICER, group)
        grid = grids[0] if n <= 5 else grids[1]
        MicroGrid.objects.get_or_create(
            grid=grid, name=f"{cn_number(n)}社微网格", archived_at=None, defaults={"number": n}
        )
    return village
