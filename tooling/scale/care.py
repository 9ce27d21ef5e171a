"""The village profile and grid-worker care in a generated county (docs/scorecard.md), in the demo's shape
(``tooling.demo.care``): per village collective income for the three years before this one, two to four
honours, six to ten service facilities; per grid worker an accident policy (most in force today, some lapsed
last month), a health check (most this year); per town two town-held trainings a year (last year and this)
attended by most of the town's grid workers, one per village a year; per village zero to three good practices
a year, some adopted. The villages' location and industries are written with the territory
(tooling/scale/territory.py). Rows go through the writer (COPY), like the rest of the run.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from decimal import Decimal

from grids.models import FacilityKind, ServiceFacility, VillageHonour, VillageIncome
from people.models import GoodPractice, HealthCheck, PracticeKind, PracticeStatus, Training, WorkerInsurance

from .activity import Calendar
from .territory import County, TownPlan, VillagePlan
from .writer import Writer

HONOURS = [
    ("市级文明村", "市文明委"),
    ("县级平安村", "县委政法委"),
    ("省级卫生村", "省爱卫会"),
    ("县级先进基层党组织", "县委"),
    ("市级民主法治示范村", "市司法局"),
    ("县级美丽乡村示范村", "县政府"),
]
INSURERS = ["中国人民财产保险股份有限公司", "中国平安财产保险股份有限公司", "中国太平洋财产保险股份有限公司"]
INSTITUTIONS = ["镇卫生院", "县人民医院", "县中医院"]
PRACTICES = {
    PracticeKind.METHOD: ["网格“五步”走访法", "“一格一员一清单”工作法", "网格议事“三会”工作法"],
    PracticeKind.CASE: ["邻里纠纷化解案例", "独居老人关爱案例", "安全隐患排查案例"],
}


class Care:
    def __init__(self, writer: Writer, rng: random.Random, calendar: Calendar):
        self.rng, self.cal = rng, calendar
        self.incomes_t = writer.table(VillageIncome, ["village_id", "year", "amount", "note"])
        self.honours_t = writer.table(VillageHonour, ["village_id", "title", "year", "awarded_by"])
        self.facilities_t = writer.table(
            ServiceFacility, ["village_id", "kind", "name", "place", "opened_on", "area_m2"]
        )
        self.insurance_t = writer.table(
            WorkerInsurance,
            ["village_id", "worker_id", "kind", "insurer", "policy_number", "starts_on", "ends_on", "created_by_id"],
        )
        self.checks_t = writer.table(
            HealthCheck, ["village_id", "worker_id", "checked_on", "institution", "created_by_id"]
        )
        self.trainings_t = writer.table(
            Training, ["id", "town_id", "village_id", "title", "held_on", "organiser", "hours", "created_by_id"]
        )
        self.attendees_t = writer.table(Training.attendees.through, ["training_id", "user_id"])
        self.practices_t = writer.table(
            GoodPractice,
            [
                "village_id",
                "kind",
                "title",
                "body",
                "reported_on",
                "reported_by_id",
                "status",
                "adopted_on",
                "adopted_by_id",
                "town_note",
            ],
        )
        today = calendar.today
        self.years = [today.year - 1, today.year]

    def _day_in(self, year: int) -> datetime.date:
        """A day of ``year``, not after today."""
        today = self.cal.today
        first = datetime.date(year, 1, 1)
        last = min(datetime.date(year, 12, 31), today)
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    def build(self, county: County, tick: Callable[[int], None]) -> None:
        n = 0
        for town in county.towns:
            self._town(town)
            for village in town.villages:
                self._village(town, village)
                n += 1
                if n % 50 == 0:
                    tick(n)

    def _training(self, town: TownPlan, village: VillagePlan | None, title, held_on, by: int, workers: list[int]):
        t_id = self.trainings_t.new_id()
        organiser = f"{town.name}综治办" if village is None else f"{village.name}村委会"
        hours = Decimal(self.rng.choice([2, 3, 4])) if village is None else Decimal("1.5")
        self.trainings_t.add((t_id, town.id, village.id if village else None, title, held_on, organiser, hours, by))
        for w in workers:
            self.attendees_t.add((t_id, w))

    def _town(self, town: TownPlan) -> None:
        rng = self.rng
        workers = [g.worker_id for v in town.villages for g in v.grids if g.worker_id]
        for year in self.years:
            for title in ["网格员业务技能培训", "网格员矛盾纠纷排查化解培训"]:
                came = [w for w in workers if rng.random() < 0.85]
                self._training(town, None, title, self._day_in(year), town.office_id, came)

    def _village(self, town: TownPlan, village: VillagePlan) -> None:
        rng, today, staff = self.rng, self.cal.today, village.staff_id
        for year in range(today.year - 3, today.year):
            self.incomes_t.add((village.id, year, Decimal(rng.randrange(500, 30000)) / 100, ""))
        for title, by in rng.sample(HONOURS, rng.randint(2, 4)):
            self.honours_t.add((village.id, title, rng.randint(today.year - 8, today.year - 1), by))
        kinds = [k for k in FacilityKind.values if k != FacilityKind.OTHER]
        for kind in rng.sample(kinds, rng.randint(6, 10)):
            opened = today - datetime.timedelta(days=rng.randint(200, 3000))
            self.facilities_t.add((village.id, kind, "", "村部", opened, rng.randint(20, 300)))
        workers = [g.worker_id for g in village.grids if g.worker_id]
        for i, w in enumerate(workers):
            if rng.random() < 0.9:  # in force for this year
                starts, ends = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
            else:  # lapsed at the end of last month, not yet renewed
                ends = today.replace(day=1) - datetime.timedelta(days=1)
                starts = ends - datetime.timedelta(days=364)
            number = f"P{village.id:05d}{i:03d}{starts.year}"
            self.insurance_t.add((village.id, w, "人身意外险", rng.choice(INSURERS), number, starts, ends, staff))
            year = today.year if rng.random() < 0.85 else today.year - 1
            self.checks_t.add((village.id, w, self._day_in(year), rng.choice(INSTITUTIONS), staff))
        if workers:
            for year in self.years:
                self._training(town, village, "网格员走访实务", self._day_in(year), staff, workers)
        for year in self.years:
            for _ in range(rng.randint(0, 3)):
                kind = rng.choice(list(PRACTICES))
                reported = self._day_in(year)
                adopted = rng.random() < 0.4 and town.office_id
                self.practices_t.add(
                    (
                        village.id,
                        kind,
                        rng.choice(PRACTICES[kind]),
                        "做法与成效……",
                        reported,
                        staff,
                        PracticeStatus.ADOPTED if adopted else PracticeStatus.REPORTED,
                        reported if adopted else None,
                        town.office_id if adopted else None,
                        "在全镇推广。" if adopted else "",
                    )
                )
