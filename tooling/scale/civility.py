"""德治/法治 in a generated county (docs/civility.md), in the demo's shape (``tooling.demo.civility``): per village
about a hundred activities in the last year across the kinds, two to four volunteer teams with members, five
to ten 法律明白人, ten to thirty model households and people, a shelf of goods and the points ledger — awards
for the selections and for activities, redemptions from the shelf — where each account's balance is the sum
of its entries and never goes below zero, and each item's stock what is left after its redemptions. Rows go
through the writer (COPY), like the rest of the run.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.utils import timezone

from civility.models import (
    Activity,
    ActivityKind,
    EntryKind,
    Honour,
    LegalAdvisor,
    ModelSelection,
    PointsAccount,
    PointsEntry,
    StockItem,
    Volunteer,
    VolunteerTeam,
)
from tooling.demo.civility import REASONS, SHELF, TEAMS

from .activity import Calendar
from .territory import County, VillagePlan
from .writer import Writer

# kind: (share of the year's activities, title, organiser, participants range)
KINDS = [
    (ActivityKind.LEGAL, 20, "“八五”普法宣传", "学法用法分队", (20, 60)),
    (ActivityKind.TALK, 17, "理论宣讲", "理论宣讲分队", (15, 50)),
    (ActivityKind.CIVILISATION, 35, "新时代文明实践活动", "村新时代文明实践站", (15, 60)),
    (ActivityKind.CLEANUP, 15, "环境卫生整治", "环境整治分队", (10, 40)),
    (ActivityKind.YOUTH, 8, "青少年实践活动", "村团支部", (3, 10)),
    (ActivityKind.CARE, 3, "关爱服务", "学雷锋分队", (3, 8)),
    (ActivityKind.TRAINING, 1, "技能培训", "镇妇联", (20, 60)),
    (ActivityKind.ANTI_FRAUD, 1, "反诈宣传", "村委会", (20, 80)),
]
HONOURS = list(REASONS)
PLACES = ["村新时代文明实践站", "村党群服务中心", "村文化广场", "村小学"]


class Civility:
    def __init__(self, writer: Writer, rng: random.Random, calendar: Calendar):
        self.rng, self.cal = rng, calendar
        self.teams_t = writer.table(VolunteerTeam, ["id", "village_id", "name", "focus", "leader", "founded_on"])
        self.volunteers_t = writer.table(Volunteer, ["team_id", "resident_id", "joined_on"])
        self.activities_t = writer.table(
            Activity,
            [
                "id",
                "village_id",
                "kind",
                "title",
                "held_on",
                "organiser",
                "place",
                "participants",
                "beneficiaries",
                "created_by_id",
            ],
        )
        self.activity_teams_t = writer.table(Activity.teams.through, ["activity_id", "volunteerteam_id"])
        self.advisors_t = writer.table(LegalAdvisor, ["village_id", "resident_id", "trained_on", "trained_by"])
        self.selections_t = writer.table(
            ModelSelection,
            [
                "id",
                "village_id",
                "year",
                "honour",
                "household_id",
                "resident_id",
                "reason",
                "selected_on",
                "points",
                "created_by_id",
            ],
        )
        self.items_t = writer.table(StockItem, ["id", "village_id", "name", "points", "stock"])
        self.accounts_t = writer.table(PointsAccount, ["id", "household_id", "village_id", "balance"])
        self.entries_t = writer.table(
            PointsEntry,
            [
                "account_id",
                "kind",
                "points",
                "balance_after",
                "reason",
                "selection_id",
                "activity_id",
                "item_id",
                "quantity",
                "by_id",
                "at",
            ],
        )
        self._midnight: dict[datetime.date, datetime.datetime] = dict(calendar.midnight)

    def at(self, day: datetime.date, minute: int = 0) -> datetime.datetime:
        """Ten in the morning of ``day`` and ``minute`` minutes (never after now)."""
        if day not in self._midnight:
            self._midnight[day] = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        return min(self._midnight[day] + datetime.timedelta(hours=10, minutes=minute), self.cal.now)

    def build(self, county: County, tick: Callable[[int], None]) -> None:
        for n, village in enumerate(county.villages, start=1):
            self._village(village)
            if n % 50 == 0:
                tick(n)

    def _village(self, village: VillagePlan) -> None:
        rng, today, staff = self.rng, self.cal.today, village.staff_id
        households = [h for grid in village.grids for h in grid.households]
        if not households:
            return
        heads = rng.sample(households, min(len(households), 80))
        # Volunteer teams and members (household heads, each in one team).
        teams = {}
        start = 0
        for name, focus, _members in rng.sample(TEAMS, rng.randint(2, 4)):
            team_id = self.teams_t.new_id()
            members = heads[start : start + rng.randint(4, 10)]
            start += len(members)
            self.teams_t.add(
                (
                    team_id,
                    village.id,
                    name,
                    focus,
                    members[0].head_name if members else "",
                    today - datetime.timedelta(days=730),
                )
            )
            for h in members:
                self.volunteers_t.add((team_id, h.head_id, today - datetime.timedelta(days=rng.randint(30, 700))))
            teams[name] = team_id
        # 法律明白人: household heads not in a team.
        for i, h in enumerate(heads[start : start + rng.randint(5, 10)]):
            trained = today - datetime.timedelta(days=rng.randint(30, 900))
            self.advisors_t.add((village.id, h.head_id, trained, "县司法局" if i % 2 == 0 else "镇司法所"))
        # About a hundred activities over the last year.
        activities = []
        total = rng.randint(80, 120)
        for kind, share, title, organiser, (low, high) in KINDS:
            for _ in range(max(1, round(total * share / 100))):
                a_id = self.activities_t.new_id()
                held = today - datetime.timedelta(days=rng.randint(1, 364))
                participants = rng.randint(low, high)
                beneficiaries = rng.randint(10, 40) if kind == ActivityKind.CARE else 0
                self.activities_t.add(
                    (
                        a_id,
                        village.id,
                        kind,
                        title,
                        held,
                        organiser,
                        rng.choice(PLACES),
                        participants,
                        beneficiaries,
                        staff,
                    )
                )
                if organiser in teams:
                    self.activity_teams_t.add((a_id, teams[organiser]))
                activities.append((a_id, held, kind))
        # The ledger: each account's entries in time order, the balance carried along.
        ledger: dict[int, list[tuple]] = {}  # household id -> (at, kind, points, reason, selection, activity)
        for k in range(rng.randint(10, 30)):
            honour = rng.choice(HONOURS)
            h = rng.choice(households)
            person = honour in (Honour.GOOD_NEIGHBOUR, Honour.GOOD_DAUGHTER_IN_LAW, Honour.GOOD_MOTHER_IN_LAW)
            selected = today - datetime.timedelta(days=rng.randint(1, 700))
            points = rng.choice([0, 30, 50, 50, 80, 100])
            s_id = self.selections_t.new_id()
            self.selections_t.add(
                (
                    s_id,
                    village.id,
                    selected.year,
                    honour,
                    None if person else h.id,
                    h.head_id if person else None,
                    REASONS[honour],
                    selected,
                    points,
                    staff,
                )
            )
            if points:
                reason = f"{selected.year}年度{Honour(honour).label}"
                ledger.setdefault(h.id, []).append(
                    (self.at(selected, k), EntryKind.SELECTION, points, reason, s_id, None)
                )
        cleanups = [a for a in activities if a[2] == ActivityKind.CLEANUP]
        for a_id, held, _kind in rng.sample(cleanups, min(len(cleanups), 5)):
            for m, h in enumerate(rng.sample(households, min(len(households), rng.randint(3, 10)))):
                ledger.setdefault(h.id, []).append(
                    (self.at(held, 60 + m), EntryKind.ACTIVITY, 10, "参加环境卫生整治", None, a_id)
                )
        items = []
        for name, points, stock in rng.sample(SHELF, rng.randint(3, len(SHELF))):
            items.append([self.items_t.new_id(), name, points, stock])
        for household_id, entries in ledger.items():
            entries.sort(key=lambda e: e[0])
            account_id = self.accounts_t.new_id()
            balance = 0
            rows = []
            for at, kind, points, reason, s_id, a_id in entries:
                balance += points
                rows.append((account_id, kind, points, balance, reason, s_id, a_id, None, 0, staff, at))
            # Redemptions after the last award, while the points and the stock last.
            last = entries[-1][0]
            for r in range(rng.randint(0, 3)):
                item = rng.choice(items)
                if item[3] < 1 or balance < item[2]:
                    break
                item[3] -= 1
                balance -= item[2]
                at = min(last + datetime.timedelta(days=r + 1), self.cal.now)
                reason = f"兑换 {item[1]} × 1"
                rows.append(
                    (account_id, EntryKind.REDEMPTION, -item[2], balance, reason, None, None, item[0], 1, staff, at)
                )
            self.accounts_t.add((account_id, household_id, village.id, balance))
            for row in rows:
                self.entries_t.add(row)
        for item_id, name, points, stock in items:
            self.items_t.add((item_id, village.id, name, points, stock))
