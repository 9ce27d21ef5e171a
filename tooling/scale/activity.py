"""The work done in a generated county over the months generated (they end today): cases with their
timelines, monthly visits, and the coverage snapshots of the closed months.

Cases take the demo's paths at the demo's pace (``tooling.demo.cases``: most closed, some escalated
to the village or the town, recent ones still on their way and some of those overdue); each is walked
through the same states, fields and timeline lines ``disputes.services`` would write. Visits follow
``tooling.demo.visits``: most grids visit 86–99 % of their households each month, one grid in twenty
lags (62–75 %), 3 % of attempts are "not possible", key persons are seen on their cadence with about
one in eight hard to reach. Snapshots are counted from what was generated, by the rules of
``visits.due`` (a household is done when it had a completed visit that month).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable
from itertools import accumulate

from django.utils import timezone

from disputes.models import (
    Case,
    CaseEvent,
    CaseParty,
    Department,
    Kind,
    MediationSession,
    Outcome,
    PartyRole,
    SessionOutcome,
    Source,
    State,
    Tier,
)
from disputes.services import InvalidTransition
from disputes.workflow import is_allowed
from tooling.demo.cases import GAPS, PATHS, TEMPLATES, WEIGHTS
from visits.due import month_end, next_month
from visits.models import CoverageSnapshot, Finding, NotPossibleReason, Subject, Visit
from visits.models import Outcome as VisitOutcome

from .registry import KeyPersonPlan
from .territory import County, GridPlan, HouseholdRef
from .writer import Writer

RECENT_DAYS = 60
SEEN_THROUGH_DAYS = 90
SOURCES = [Source.GRID_WORKER, Source.GRID_WORKER, Source.VISIT, Source.WALK_IN, Source.PHONE]
FINDING_OF_KIND = {Kind.DISPUTE: Finding.DISPUTE, Kind.HAZARD: Finding.HAZARD, Kind.REQUEST: Finding.REQUEST}
VISIT_COLUMNS = [
    "worker_id",
    "subject",
    "household_id",
    "key_person_id",
    "key_place_id",
    "village_id",
    "grid_id",
    "micro_grid_id",
    "visited_on",
    "month",
    "recorded_at",
    "late",
    "outcome",
    "reason",
    "finding",
    "note",
    "case_id",
]


class Calendar:
    """The months generated, oldest first; the last is the current one, done as far as today."""

    def __init__(self, months: list[datetime.date], now: datetime.datetime):
        self.months = months
        self.now = now
        self.today = timezone.localdate(now)
        self.start = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time()))
        self.days = [[m + datetime.timedelta(days=d) for d in range((month_end(m) - m).days + 1)] for m in self.months]
        # Midnight of every day, made aware once: visits add minutes to it.
        self.midnight = {
            day: timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
            for days in self.days
            for day in days
        }

    def index(self, day: datetime.date) -> int:
        return (day.year - self.months[0].year) * 12 + day.month - self.months[0].month


# --- Cases ----------------------------------------------------------------------------------------


class CaseWalk:
    """One case moved along its path with the fields and timeline lines ``disputes.services`` writes."""

    def __init__(self, reported_at: datetime.datetime, reporter: int):
        self.state, self.tier, self.version = State.REPORTED, Tier.GROUP, 1
        self.state_since = self.tier_since = self.updated_at = reported_at
        self.assignee = self.department = self.signed_at = self.accepted_at = None
        self.resolved_at = self.closed_at = self.satisfied = None
        self.outcome = self.resolution = self.agreement_text = ""
        self.major = False
        self.mediators: list[int] = []
        self.sessions: list[tuple] = []
        # (at, by, action, from state, to state, from tier, to tier, note)
        self.events: list[tuple] = [(reported_at, reporter, "report", "", State.REPORTED, None, Tier.GROUP, "")]

    def move(self, to: str, by: int, action: str, at: datetime.datetime, note: str = "", **changes) -> None:
        """As ``services.case_transition``: only along ``TRANSITIONS``; a timeline line; the version rises."""
        if not is_allowed(self.state, to):
            raise InvalidTransition(self.state, to)
        self.events.append((at, by, action, self.state, to, self.tier, changes.get("tier", self.tier), note))
        for name, value in changes.items():
            setattr(self, name, value)
        self.state, self.state_since, self.updated_at = to, at, at
        self.version += 1

    def mark(self, by: int, action: str, at: datetime.datetime, note: str = "") -> None:
        """A timeline line for a step that keeps the state (签收, 调解)."""
        self.events.append((at, by, action, self.state, self.state, self.tier, self.tier, note))
        self.updated_at = at


class Cases:
    def __init__(self, writer: Writer, rng: random.Random, calendar: Calendar):
        self.rng = rng
        self.cal = calendar
        self.cases_t = writer.table(
            Case,
            [
                "id",
                "number",
                "kind",
                "category",
                "title",
                "description",
                "occurred_on",
                "location",
                "people_involved",
                "village_id",
                "grid_id",
                "household_id",
                "source",
                "reported_by_id",
                "reported_at",
                "major",
                "state",
                "tier",
                "version",
                "state_since",
                "tier_since",
                "assignee_id",
                "department_id",
                "signed_at",
                "accepted_at",
                "resolved_at",
                "closed_at",
                "outcome",
                "resolution",
                "agreement_text",
                "satisfied",
                "created_at",
                "updated_at",
            ],
        )
        self.events_t = writer.table(
            CaseEvent, ["case_id", "at", "by_id", "action", "from_state", "to_state", "from_tier", "to_tier", "note"]
        )
        self.parties_t = writer.table(CaseParty, ["case_id", "role", "resident_id", "name", "phone"])
        self.sessions_t = writer.table(
            MediationSession,
            ["case_id", "held_on", "place", "parties_present", "notes", "outcome", "recorded_by_id", "created_at"],
        )
        self.mediators_t = writer.table(Case.mediators.through, ["case_id", "mediator_id"])
        self.visits_t = writer.table(Visit, VISIT_COLUMNS)
        self.departments = list(Department.objects.active().order_by("order", "pk").values_list("pk", "name")[:5])
        # Households that had a case-reporting visit, and in which months: they count as visited then.
        self.visited: dict[int, set[int]] = defaultdict(set)

    def build(self, county: County, count: int, tick: Callable[[int], None]) -> None:
        rng, cal = self.rng, self.cal
        grids = [g for g in county.grids if g.households]
        cum = list(accumulate(len(g.households) for g in grids))  # bigger grids have more cases
        span = (cal.now - cal.start).total_seconds()
        paths, weights = list(WEIGHTS), list(WEIGHTS.values())
        planned = sorted(
            (cal.start + datetime.timedelta(seconds=rng.random() * span), i, rng.choices(grids, cum_weights=cum)[0])
            for i in range(count)
        )
        for n, (reported_at, _i, grid) in enumerate(planned, start=1):
            self._case(grid, reported_at, rng.choices(paths, weights)[0])
            if n % 5000 == 0:
                tick(n)

    def _case(self, grid: GridPlan, reported_at: datetime.datetime, path: str) -> None:
        rng, cal = self.rng, self.cal
        village = grid.village
        case_id = self.cases_t.new_id()
        category, title, description = TEMPLATES[rng.randrange(len(TEMPLATES))]
        kind = category.split(".")[0]
        home = rng.choice(grid.households) if rng.random() < 0.85 else None
        reporter = grid.worker_id if rng.random() < 0.7 else village.staff_id
        source = rng.choice(SOURCES)
        major = path == "major"
        walk = CaseWalk(reported_at, reporter)
        if major:
            # A major matter goes to the town at once, as in the demo (services.case_report).
            walk.move(
                State.ESCALATED,
                reporter,
                "escalate",
                reported_at,
                "重大事项，立即上报镇综治中心。",
                tier=Tier.TOWN,
                tier_since=reported_at,
            )
            walk.major = True
        days_ago = (cal.now - reported_at).days
        if days_ago > SEEN_THROUGH_DAYS and PATHS[path][-1:] not in (["close"], ["reject"]):
            # The demo's paths that stop half-way show every state; over a county's year, old cases have
            # been seen through, or every stuck one would be overdue for months.
            path = "closed"
        steps = PATHS[path]
        if days_ago < RECENT_DAYS and rng.random() * RECENT_DAYS > days_ago:
            # Recent cases are still on their way (the more recent, the likelier): the path stops part-way.
            steps = steps[: rng.randint(0, len(steps))]
        at = reported_at
        for step in steps:
            low, high = GAPS[step]
            at += datetime.timedelta(days=rng.uniform(low, high))
            if at >= cal.now:
                break
            self._step(walk, step, at, kind, grid)
        self.cases_t.add(
            (
                case_id,
                f"{timezone.localtime(reported_at):%Y}-{case_id:06d}",
                kind,
                category,
                title,
                description,
                (reported_at - datetime.timedelta(days=rng.randint(0, 3))).date(),
                home.address if home else f"{village.name}第{grid.number}网格",
                rng.choice([12, 25, 40]) if major else rng.choice([2, 2, 3, 4, 6]),
                village.id,
                grid.id,
                home.id if home else None,
                source,
                reporter,
                reported_at,
                walk.major,
                walk.state,
                walk.tier,
                walk.version,
                walk.state_since,
                walk.tier_since,
                walk.assignee,
                walk.department,
                walk.signed_at,
                walk.accepted_at,
                walk.resolved_at,
                walk.closed_at,
                walk.outcome,
                walk.resolution,
                walk.agreement_text,
                walk.satisfied,
                reported_at,
                walk.updated_at,
            )
        )
        for event in walk.events:
            self.events_t.add((case_id, *event))
        for session in walk.sessions:
            self.sessions_t.add((case_id, *session))
        for mediator_id in walk.mediators:
            self.mediators_t.add((case_id, mediator_id))
        self._parties(case_id, kind, grid, home)
        if source == Source.VISIT and home is not None:
            self._finding_visit(case_id, kind, description, grid, home, reporter, reported_at)

    def _parties(self, case_id: int, kind: str, grid: GridPlan, home: HouseholdRef | None) -> None:
        """The household's head applies; a dispute has a respondent, mostly a neighbour's head."""
        if home is None:
            return
        self.parties_t.add((case_id, PartyRole.APPLICANT, home.head_id, home.head_name, home.phone))
        if kind != Kind.DISPUTE:
            return
        other = self.rng.choice(grid.households)
        if other.id != home.id and self.rng.random() < 0.8:
            self.parties_t.add((case_id, PartyRole.RESPONDENT, other.head_id, other.head_name, other.phone))
        else:
            self.parties_t.add((case_id, PartyRole.RESPONDENT, None, "某苗木收购商", "13912345678"))

    def _finding_visit(self, case_id, kind, description, grid: GridPlan, home: HouseholdRef, worker, at) -> None:
        """A case found on a visit keeps the visit that found it (visits.services opens it so)."""
        day = timezone.localdate(at)
        month = self.cal.index(day)
        self.visits_t.add(
            (
                worker,
                Subject.HOUSEHOLD,
                home.id,
                None,
                None,
                grid.village.id,
                grid.id,
                home.micro_id,
                day,
                self.cal.months[month],
                at,
                False,
                VisitOutcome.DONE,
                "",
                FINDING_OF_KIND[kind],
                description,
                case_id,
            )
        )
        self.visited[home.id].add(month)

    def _step(self, walk: CaseWalk, step: str, at: datetime.datetime, kind: str, grid: GridPlan) -> None:
        """One step of a path, by whom ``tooling.demo.cases._step`` has it taken."""
        rng = self.rng
        village = grid.village
        staff, town, worker = village.staff_id, village.town.office_id, grid.worker_id
        if step in {"accept1", "accept2"}:
            tier = Tier.GROUP if step == "accept1" else Tier.VILLAGE
            walk.move(State.ACCEPTED, staff, "accept", at, accepted_at=at, tier_since=at, tier=tier)
        elif step == "accept":
            walk.move(State.ACCEPTED, staff, "accept", at, accepted_at=at, tier_since=at)
        elif step == "town_accept":
            walk.move(
                State.ACCEPTED, town, "accept", at, "镇综治中心受理，协调相关部门。", accepted_at=at, tier_since=at
            )
        elif step == "reject":
            walk.move(State.REJECTED, staff, "reject", at, "属于司法诉讼程序已受理的事项，不予受理。", closed_at=at)
        elif step == "assign":
            assignee, name = (worker, grid.worker_name) if walk.tier == Tier.GROUP else (staff, village.staff_name)
            if kind == Kind.DISPUTE and walk.tier == Tier.VILLAGE and len(village.mediator_ids) >= 2:
                walk.mediators = sorted(set(walk.mediators) | set(rng.sample(village.mediator_ids, 2)))
            walk.move(
                State.HANDLING, staff, "assign", at, f"交由：{name}", assignee=assignee, department=None, signed_at=None
            )
        elif step == "town_assign":
            # The town's own departments (tooling/scale/departments.py), the first five as before.
            choices = village.town.departments[:5] or self.departments
            department, name = choices[rng.randrange(len(choices))] if choices else (None, "")
            note = "交由：" + ", ".join(x for x in (name, village.town.office_name) if x)
            walk.move(State.HANDLING, town, "assign", at, note, assignee=town, department=department, signed_at=None)
        elif step == "sign":
            if walk.state == State.HANDLING and walk.assignee and walk.signed_at is None:
                walk.signed_at = at
                walk.version += 1
                walk.mark(walk.assignee, "sign", at)
        elif step == "session":
            if kind == Kind.DISPUTE and walk.state == State.HANDLING:
                by = walk.assignee or staff
                place = "村调解室" if walk.tier > Tier.GROUP else "当事人家中"
                notes = "听取双方陈述，释法明理，提出调解方案，双方表示回去考虑。"
                walk.sessions.append((at.date(), place, "双方当事人", notes, SessionOutcome.ADJOURNED, by, at))
                walk.mark(by, "session", at, f"{timezone.localdate(at)} 调解（择期再调）")
        elif step in {"escalate", "escalate_worker"}:
            by = worker if step == "escalate_worker" else staff
            note = (
                "村组调解未果，提请村调委会调处。"
                if walk.tier == Tier.GROUP
                else "涉及多户，村内调处难度大，提请镇综治中心协调。"
            )
            walk.move(
                State.ESCALATED,
                by,
                "escalate",
                at,
                note,
                tier=walk.tier + 1,
                tier_since=at,
                assignee=None,
                department=None,
                signed_at=None,
            )
        elif step == "send_back":
            walk.move(
                State.ACCEPTED,
                town,
                "send_back",
                at,
                "请村调委会先组织双方调解，镇司法所予以指导。",
                tier=walk.tier - 1,
                tier_since=at,
            )
        elif step == "resolve":
            by = town if walk.tier == Tier.TOWN else (walk.assignee or staff)
            if kind == Kind.DISPUTE and rng.random() < 0.85:
                outcome, resolution = Outcome.AGREEMENT, "经调解，双方互谅互让达成一致。"
                agreement = "一、双方按约定履行；二、今后和睦相处，不再因此事发生争执。"
            elif kind == Kind.DISPUTE:
                outcome, resolution, agreement = Outcome.NO_AGREEMENT, "双方分歧较大，告知可通过诉讼途径解决。", ""
            else:
                outcome, resolution, agreement = Outcome.DONE, "已现场处置并落实整改，拍照留存。", ""
            walk.move(
                State.RESOLVED,
                by,
                "resolve",
                at,
                resolution,
                outcome=outcome,
                resolution=resolution,
                agreement_text=agreement,
                resolved_at=at,
            )
        elif step == "feedback":
            walk.move(State.FEEDBACK, staff, "feedback", at, "已电话告知当事人处理结果。")
        elif step == "close":
            walk.move(State.CLOSED, staff, "close", at, "回访当事人，表示满意。", satisfied=True, closed_at=at)
        elif step == "reopen":
            walk.move(
                State.HANDLING,
                staff,
                "reopen",
                at,
                "回访时当事人表示对方未履行，重新处置。",
                satisfied=False,
                outcome="",
                tier_since=at,
                signed_at=None,
            )
        else:
            raise ValueError(step)


# --- Visits and coverage ----------------------------------------------------------------------------


class Visits:
    def __init__(self, writer: Writer, rng: random.Random, calendar: Calendar, visited: dict[int, set[int]]):
        self.rng = rng
        self.cal = calendar
        self.visited = visited  # from the cases: households visited when a case was found
        self.visits_t = writer.table(Visit, VISIT_COLUMNS)
        self.snapshots_t = writer.table(
            CoverageSnapshot,
            [
                "grid_id",
                "month",
                "households_due",
                "households_done",
                "key_persons_due",
                "key_persons_done",
                "key_places_due",
                "key_places_done",
                "key_persons_overdue",
                "taken_at",
            ],
        )

    def build(self, county: County, key_persons: list[KeyPersonPlan], tick: Callable[[int], None]) -> None:
        months = len(self.cal.months)
        # Per grid and month: [households due, done, key persons due, done, key places due, done, key persons
        # overdue on the month's last day].
        figures: dict[int, list[list[int]]] = {}
        for n, grid in enumerate(county.grids, start=1):
            figures[grid.id] = self._grid(grid)
            if n % 100 == 0:
                tick(self.visits_t.count)
        for kp in key_persons:
            self._key_person(kp, figures[kp.grid.id])
        # Closed months only: a snapshot is taken on the 1st for the month just ended.
        for grid in county.grids:
            for m in range(months - 1):
                month = self.cal.months[m]
                taken = timezone.make_aware(datetime.datetime.combine(next_month(month), datetime.time(1)))
                self.snapshots_t.add((grid.id, month, *figures[grid.id][m], taken))

    def _grid(self, grid: GridPlan) -> list[list[int]]:
        rng, cal = self.rng, self.cal
        lagging = rng.random() < 0.05
        figures = []
        for m, month in enumerate(cal.months):
            share = rng.uniform(0.62, 0.75) if lagging else rng.uniform(0.86, 0.99)
            done_households = sum(
                self._visit(grid, m, month, share, Subject.HOUSEHOLD, h.id, h.micro_id)
                or m in self.visited.get(h.id, ())
                for h in grid.households
            )
            done_places = sum(
                self._visit(grid, m, month, share, Subject.KEY_PLACE, place_id, micro_id)
                for place_id, micro_id in grid.key_places
            )
            figures.append([len(grid.households), done_households, 0, 0, len(grid.key_places), done_places, 0])
        return figures

    def _visit(
        self, grid: GridPlan, m: int, month: datetime.date, share: float, subject: str, pk: int, micro_id
    ) -> bool:
        """Perhaps visit one household or place in month ``m``; whether it was visited (completed)."""
        rng, cal = self.rng, self.cal
        if rng.random() > share:
            return False
        days = cal.days[m]
        day = days[rng.randrange(len(days))]
        if day > cal.today:
            return False
        recorded_at = min(cal.midnight[day] + datetime.timedelta(minutes=rng.randrange(480, 1080)), cal.now)
        late = m < len(cal.months) - 1 and rng.random() < 0.01
        if late:
            # Entered from paper after the month ended, within the days the policy allows (5 by default), and
            # not after now (early in a month those days are still ahead).
            entered = cal.midnight[days[-1]] + datetime.timedelta(days=rng.randint(1, 5), hours=9)
            recorded_at = min(entered, cal.now)
        if rng.random() < 0.03:
            outcome, finding = VisitOutcome.NOT_POSSIBLE, Finding.NOTHING
            if subject == Subject.KEY_PLACE:
                reason = NotPossibleReason.CLOSED
            else:
                reason = rng.choice([NotPossibleReason.AWAY, NotPossibleReason.AWAY, NotPossibleReason.REFUSED])
        else:
            outcome, reason = VisitOutcome.DONE, ""
            finding = Finding.INFO_CHANGED if rng.random() < 0.02 else Finding.NOTHING
        household_id = pk if subject == Subject.HOUSEHOLD else None
        place_id = pk if subject == Subject.KEY_PLACE else None
        self.visits_t.add(
            (
                grid.worker_id,
                subject,
                household_id,
                None,
                place_id,
                grid.village.id,
                grid.id,
                micro_id,
                day,
                month,
                recorded_at,
                late,
                outcome,
                reason,
                finding,
                "",
                None,
            )
        )
        return outcome == VisitOutcome.DONE

    def _key_person(self, kp: KeyPersonPlan, figures: list[list[int]]) -> None:
        """Visits on the person's cadence while listed; about one in eight is often not reached."""
        rng, cal = self.rng, self.cal
        grid = kp.grid
        reliable = rng.random() > 0.12
        current = len(cal.months) - 1
        last_done: datetime.date | None = None
        for m, month in enumerate(cal.months):
            if kp.listed_from > month_end(month) or (kp.listed_until and kp.listed_until < month):
                continue
            figures[m][2] += 1
            done = 0
            for n in range(kp.per_month):
                day = max(kp.listed_from, month + datetime.timedelta(days=min(27, 3 + n * 14 + rng.randrange(8))))
                if day > cal.today or (kp.listed_until and day > kp.listed_until) or (not reliable and m == current):
                    continue
                missed = not reliable and rng.random() < 0.3
                reason = rng.choice([NotPossibleReason.UNREACHABLE, NotPossibleReason.AWAY]) if missed else ""
                self.visits_t.add(
                    (
                        grid.worker_id,
                        Subject.KEY_PERSON,
                        None,
                        kp.id,
                        None,
                        grid.village.id,
                        grid.id,
                        kp.micro_id,
                        day,
                        month,
                        min(cal.midnight[day] + datetime.timedelta(minutes=rng.randrange(480, 1080)), cal.now),
                        False,
                        VisitOutcome.NOT_POSSIBLE if missed else VisitOutcome.DONE,
                        reason,
                        Finding.NOTHING,
                        "",
                        None,
                    )
                )
                done += not missed
                if not missed:
                    last_done = max(last_done or day, day)
            figures[m][3] += done >= kp.per_month
            # Overdue on the last day as ``visits.due`` counts it: past the cadence since the last visit done.
            since = last_done or kp.listed_from
            figures[m][6] += (month_end(month) - since).days > kp.interval_days
