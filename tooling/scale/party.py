"""The Party in a generated county (docs/party.md), in the demo's proportions (``tooling.demo.party``):
per village a 村党委 (100 members or more) or a 党总支, a branch on each grid ("一网格一党支部") with 2–4
Party groups; the members are the residents the registry shows as Party members (about 3 % of residents:
4 % of adults), so the registry and the roll agree; most members (not the floating ones) keep 3–8
households of their grid, and about a third of those were contacted this month; the meetings the rule
table asks over the months generated, most on time, a few late, a few missing, one branch in twenty
lagging (a quarter missed). No attendance rows: the pages timed at county scale count meetings, not who
came. Rows go through the writer (COPY), like the rest of the run.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from party import cadence
from party.models import (
    Contact,
    ContactLink,
    Level,
    Meeting,
    MeetingRule,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrganisation,
)
from tooling.demo import cn_number
from tooling.demo.party import PLACES, TOPICS

from .activity import Calendar
from .registry import Member
from .territory import County, VillagePlan
from .writer import Writer

FOUNDED = datetime.date(2021, 7, 1)
COMMITTEE_FROM = 100  # members from which a village has a 党委 rather than a 党总支


class Party:
    def __init__(self, writer: Writer, rng: random.Random, calendar: Calendar):
        self.rng = rng
        self.cal = calendar
        self.orgs_t = writer.table(
            PartyOrganisation, ["id", "village_id", "kind", "name", "parent_id", "grid_id", "founded_on"]
        )
        self.members_t = writer.table(
            PartyMember,
            [
                "id",
                "village_id",
                "resident_id",
                "branch_id",
                "group_id",
                "joined_on",
                "status",
                "floating",
                "away_place",
            ],
        )
        self.links_t = writer.table(
            ContactLink, ["id", "member_id", "household_id", "started_on", "ended_on", "created_by_id"]
        )
        self.contacts_t = writer.table(
            Contact, ["member_id", "household_id", "contacted_on", "note", "recorded_by_id", "recorded_at"]
        )
        self.meetings_t = writer.table(
            Meeting,
            [
                "village_id",
                "organisation_id",
                "kind",
                "held_on",
                "period",
                "late",
                "place",
                "topic",
                "others_present",
                "recorded_by_id",
                "recorded_at",
            ],
        )
        self.rules = [(r.kind, r.level, r.period) for r in MeetingRule.objects.filter(active=True).order_by("kind")]
        self.tops: dict[int, int] = {}  # village id → its 党委 or 党总支 (co-governance's approvals)

    def build(self, county: County, members: dict[int, list[Member]], tick: Callable[[int], None]) -> None:
        for n, village in enumerate(county.villages, start=1):
            self._village(village, members.get(village.id, []))
            if n % 20 == 0:
                tick(n)

    def _village(self, village: VillagePlan, people: list[Member]) -> None:
        rng, today = self.rng, self.cal.today
        top_id = self.orgs_t.new_id()
        top_kind = OrgKind.COMMITTEE if len(people) >= COMMITTEE_FROM else OrgKind.GENERAL_BRANCH
        top_name = f"{village.name}{'党委' if top_kind == OrgKind.COMMITTEE else '党总支'}"
        self.orgs_t.add((top_id, village.id, top_kind, top_name, None, None, FOUNDED))
        self.tops[village.id] = top_id
        orgs = [(top_id, top_kind, None)]  # (id, kind, the branch a group is under)
        branch_of_grid: dict[int, int] = {}
        groups_of_branch: dict[int, list[int]] = {}
        for grid in village.grids:
            branch_id = self.orgs_t.new_id()
            self.orgs_t.add(
                (
                    branch_id,
                    village.id,
                    OrgKind.BRANCH,
                    f"第{cn_number(grid.number)}网格党支部",
                    top_id,
                    grid.id,
                    FOUNDED,
                )
            )
            branch_of_grid[grid.id] = branch_id
            orgs.append((branch_id, OrgKind.BRANCH, None))
            groups_of_branch[branch_id] = []
            for k in range(1, rng.randint(2, 4) + 1):
                group_id = self.orgs_t.new_id()
                name = f"{cn_number(grid.number)}支部第{cn_number(k)}党小组"
                self.orgs_t.add((group_id, village.id, OrgKind.GROUP, name, branch_id, None, FOUNDED))
                groups_of_branch[branch_id].append(group_id)
                orgs.append((group_id, OrgKind.GROUP, branch_id))

        # Members, and the households they keep.
        free = {grid.id: [h.id for h in grid.households] for grid in village.grids}
        for pool in free.values():
            rng.shuffle(pool)
        staff = village.staff_id
        month_start = self.cal.months[-1]
        for person in people:
            member_id = self.members_t.new_id()
            branch_id = branch_of_grid[person.grid.id]
            probation = person.age < 45 and rng.random() < 0.03
            if probation:
                joined = today - datetime.timedelta(days=rng.randrange(30, 330))
            else:
                joined = today - datetime.timedelta(
                    days=365 * rng.randint(1, max(1, person.age - 20)) + rng.randrange(365)
                )
            self.members_t.add(
                (
                    member_id,
                    village.id,
                    person.id,
                    branch_id,
                    rng.choice(groups_of_branch[branch_id]),
                    joined,
                    MemberStatus.PROBATION if probation else MemberStatus.FULL,
                    not person.lives_here,
                    "" if person.lives_here else "外出务工",
                )
            )
            if not person.lives_here or rng.random() < 0.03:
                continue
            pool = free[person.grid.id]
            started = max(joined, self.cal.months[0])
            for _ in range(min(rng.randint(3, 8), len(pool))):
                household_id = pool.pop()
                self.links_t.add((self.links_t.new_id(), member_id, household_id, started, None, staff))
                if rng.random() < 0.35:
                    # One draw whatever the day of the month: the members after keep their households.
                    day = month_start + datetime.timedelta(days=int(rng.random() * today.day))
                    self.contacts_t.add((member_id, household_id, day, "", staff, self.cal.midnight[day]))

        # A year of meetings.
        first, lagging = self.cal.months[0], {}
        for org_id, kind, parent in orgs:
            lag = lagging.setdefault(parent or org_id, rng.random() < 0.05)
            for rule_kind, level, period in self.rules:
                if kind not in cadence.LEVEL_KINDS[Level(level)]:
                    continue
                for key in cadence.periods(period, first, today):
                    starts, ends = cadence.period_bounds(key)
                    held = _held_on(rng, starts, ends, today, lag)
                    if held is None:
                        continue
                    self.meetings_t.add(
                        (
                            village.id,
                            org_id,
                            rule_kind,
                            held,
                            key,
                            held > ends,
                            PLACES[kind],
                            rng.choice(TOPICS.get(rule_kind, ["其他会议"])),
                            rng.randint(2, 6) if kind == top_kind else 0,
                            staff,
                            self.cal.midnight.get(held, self.cal.now),
                        )
                    )


def _held_on(rng: random.Random, starts, ends, today, lagging: bool) -> datetime.date | None:
    """As the demo: most on time; a few late or missing; a lagging organisation misses a quarter."""
    roll = rng.random()
    missed, late = (0.25, 0.2) if lagging else (0.03, 0.04)
    if roll < missed:
        return None
    if roll < missed + late and ends < today:
        day = ends + datetime.timedelta(days=rng.randint(3, 20))
        return day if day <= today else None
    day = starts + datetime.timedelta(days=rng.randint(4, 24 if (ends - starts).days < 40 else 80))
    return day if day <= today else None
