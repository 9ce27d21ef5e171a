"""One function per indicator of the 六好 scorecard (docs/scorecard.md, "Indicators"): each measures a LIST
of villages at once with a fixed number of grouped queries, whatever the number of villages, and returns
{village id: value}; None where there is nothing to measure (no grid, no worker, no case: "无记录").

Everything is counted from the records when asked (``kept`` keeps the values until a record they read
changes); nothing is stored as a total. Shared reads (the
villages' towns, their grid workers, households per grid) are made once per computation in ``Context``.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from civility.models import Activity, ActivityKind, EntryKind, ModelSelection, PointsEntry, SetDate
from civility.reminders import day_in
from cogovernance.models import Deliberation, Project
from core.db import InIds
from disputes.models import Case, CaseEvent, Kind, Policy, State, Tier
from grids.models import Assignment, Grid, MicroGrid, Role, Village, VillagerGroup
from party import cadence
from party.models import Contact, Meeting, MeetingKind, PartyMember
from people.models import GoodPractice, HealthCheck, Training, WorkerInsurance
from residents.models import Household, KeyPerson
from residents.models.key_persons import SupervisionGap
from visits import fielddays, summary
from visits.models import CoverageSnapshot

from ..figures import pct
from .period import Period

# Seed 003: a grid covers in principle 300–500 households (DOMAIN.md, "The organisation").
GRID_HOUSEHOLDS = (300, 500)
# Seed 003: a grid worker works at least four days a week in the grid.
FIELD_DAYS_PER_WEEK = 4
# A set date is answered by an activity held from a week before it to a month after it (民法典宣传月 is the
# whole of May, counted from 1 May).
SET_DATE_BEFORE, SET_DATE_AFTER = datetime.timedelta(days=7), datetime.timedelta(days=30)


def aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@dataclass
class Context:
    """One computation's period and the reads several indicators share (each made once, when first asked)."""

    village_ids: list[int]
    period: Period
    today: datetime.date

    @property
    def first(self) -> datetime.date:
        return self.period.first

    @property
    def end(self) -> datetime.date:
        """The last day counted: the period's last, or today while it runs."""
        return min(self.period.last, self.today)

    @property
    def start_dt(self) -> datetime.datetime:
        return aware(self.period.first)

    @property
    def stop_dt(self) -> datetime.datetime:
        """The moment after the period (exclusive bound for date-times)."""
        return aware(self.period.last + datetime.timedelta(days=1))

    def months_begun(self) -> list[datetime.date]:
        return [m for m in self.period.month_starts() if m <= self.today]

    @cached_property
    def towns(self) -> dict[int, int]:
        return dict(Village.objects.filter(pk__in=self.village_ids).values_list("pk", "town_id").order_by())

    @cached_property
    def workers(self) -> dict[int, dict[int, tuple[datetime.date, datetime.date | None]]]:
        """Per village: its grid workers on the last day counted, each with the span they held a grid of it
        (earliest start, latest end; None: still holding). One query."""
        out: dict[int, dict[int, tuple]] = defaultdict(dict)
        rows = (
            Assignment.objects.active_on(self.end)
            .filter(role=Role.GRID_WORKER, grid__village_id__in=self.village_ids)
            .values_list("grid__village_id", "user_id", "start", "end")
        )
        for village_id, user_id, start, end in rows:
            seen = out[village_id].get(user_id)
            if seen:
                start = min(start, seen[0])
                end = None if end is None or seen[1] is None else max(end, seen[1])
            out[village_id][user_id] = (start, end)
        return out

    @cached_property
    def households_by_grid(self) -> dict[int, int]:
        """Active households per grid of the villages (as the registry stands today). One query."""
        return dict(
            Household.objects.active()
            .filter(village_id__in=self.village_ids)
            .values_list("grid_id")
            .annotate(n=Count("pk"))
            .order_by()
        )

    @cached_property
    def grids(self) -> list[tuple[int, int]]:
        """(grid, village) of the villages' active grids. One query."""
        return list(
            Grid.objects.active().filter(village_id__in=self.village_ids).values_list("pk", "village_id").order_by()
        )

    @cached_property
    def cases(self) -> dict[tuple[int, str], dict[str, int]]:
        """Per (village, kind), one grouped query for three indicators: disputes resolved in the period ("n")
        and of them within their tier's time limit ("ok", disputes.Policy: counted from when the case reached
        the tier it was resolved at); hazards and requests reported in the period and not rejected ("n") and of
        them resolved since ("ok": resolved, fed back or closed)."""
        policy = Policy.current()
        on_time = Q()
        for tier in Tier.values:
            limit = ExpressionWrapper(
                F("tier_since") + Value(datetime.timedelta(days=policy.tier_days(tier)), output_field=DurationField()),
                output_field=Case._meta.get_field("resolved_at"),
            )
            on_time |= Q(tier=tier, resolved_at__lte=limit)
        resolved_in = Q(kind=Kind.DISPUTE, resolved_at__gte=self.start_dt, resolved_at__lt=self.stop_dt)
        reported_in = Q(
            kind__in=[Kind.HAZARD, Kind.REQUEST], reported_at__gte=self.start_dt, reported_at__lt=self.stop_dt
        ) & ~Q(state=State.REJECTED)
        handled = (Q(kind=Kind.DISPUTE) & on_time) | (~Q(kind=Kind.DISPUTE) & Q(resolved_at__isnull=False))
        rows = (
            Case.objects.filter(Q(village_id__in=self.village_ids) & (resolved_in | reported_in))
            .values("village_id", "kind")
            .annotate(n=Count("pk"), ok=Count("pk", filter=handled))
            .order_by()
        )
        return {(r["village_id"], r["kind"]): r for r in rows}

    @cached_property
    def coverage(self) -> dict[int, dict[str, int]]:
        """Visits due and done over the period's months begun, per village: closed months from their
        snapshots (one grouped query), the running month from the kept live coverage (visits.summary)."""
        out = {v: defaultdict(int) for v in self.village_ids}
        current = self.today.replace(day=1)
        months = self.months_begun()
        closed = [m for m in months if m < current]
        if closed:
            rows = (
                CoverageSnapshot.objects.in_villages(self.village_ids)
                .filter(month__in=closed)
                .values("grid__village_id")
                .annotate(
                    hd=Sum("households_due"),
                    hn=Sum("households_done"),
                    kd=Sum("key_persons_due"),
                    kn=Sum("key_persons_done"),
                )
                .order_by()
            )
            for r in rows:
                figures = out[r["grid__village_id"]]
                figures["households_due"] += r["hd"] or 0
                figures["households_done"] += r["hn"] or 0
                figures["key_persons_due"] += r["kd"] or 0
                figures["key_persons_done"] += r["kn"] or 0
        if current in months:
            for village_id, cov in summary.village_totals(self.village_ids, current).items():
                figures = out[village_id]
                figures["households_due"] += cov.households_due
                figures["households_done"] += cov.households_done
                figures["key_persons_due"] += cov.key_persons_due
                figures["key_persons_done"] += cov.key_persons_done
        return out


Values = dict[int, "int | None"]


# --- 基层党建好 -------------------------------------------------------------------------------------------


def party_meetings_on_time(ctx: Context) -> Values:
    """Meetings owed by the villages' Party organisations for the periods of the rule table that meet the
    period (party/cadence.py), held on time / those judged (held, late or overdue). Three queries."""
    tallies = cadence.village_tallies(
        village_ids=ctx.village_ids, first=ctx.first, last=ctx.period.last, today=ctx.today
    )
    return {v: tallies[v][0].on_time_percent for v in ctx.village_ids}


def party_five_linkage(ctx: Context) -> Values:
    """Months begun in the period in which a 五事联动 meeting was held / months begun. One query."""
    months = ctx.months_begun()
    held: dict[int, int] = defaultdict(int)
    rows = (
        Meeting.objects.filter(
            village_id__in=ctx.village_ids, kind=MeetingKind.FIVE_LINKAGE, held_on__range=(ctx.first, ctx.end)
        )
        .annotate(m=TruncMonth("held_on"))
        .values_list("village_id", "m")
        .distinct()
        .order_by()
    )
    for village_id, _month in rows:
        held[village_id] += 1
    return {v: pct(held[v], len(months)) for v in ctx.village_ids}


def party_contacts(ctx: Context) -> Values:
    """Active households a Party member of the village contacted in the period / active households (the
    village's 党员联系户 reached). One query beside the shared household counts."""
    households: dict[int, int] = defaultdict(int)
    grid_village = dict(ctx.grids)
    for grid_id, n in ctx.households_by_grid.items():
        if grid_id in grid_village:
            households[grid_village[grid_id]] += n
    # The contacts of the villages' members by the contacts' member index (a year of a county's contacts is
    # not scanned), counted by their household's village, which is the member's (a member keeps households of
    # their own village only: party.services.contact_link), so no contact is joined to its member
    # (docs/performance.md, "Rows by a list of ids").
    members = PartyMember.objects.filter(village_id__in=ctx.village_ids).values("pk")
    reached = dict(
        Contact.objects.filter(
            InIds("member_id", members),
            contacted_on__range=(ctx.first, ctx.end),
            household__archived_at__isnull=True,
        )
        .values_list("household__village_id")
        .annotate(n=Count("household", distinct=True))
        .order_by()
    )
    return {v: pct(reached.get(v, 0), households[v]) for v in ctx.village_ids}


# --- 治理架构好 (as the registry stands today: it keeps no history of grid sizes) ------------------------


def grids_sized(ctx: Context) -> Values:
    """Active grids with 300–500 active households / active grids."""
    low, high = GRID_HOUSEHOLDS
    total: dict[int, int] = defaultdict(int)
    fit: dict[int, int] = defaultdict(int)
    for grid_id, village_id in ctx.grids:
        total[village_id] += 1
        fit[village_id] += low <= ctx.households_by_grid.get(grid_id, 0) <= high
    return {v: pct(fit[v], total[v]) for v in ctx.village_ids}


def grids_staffed(ctx: Context) -> Values:
    """Active grids with a grid worker and micro-grids with a liaison, today / active grids and
    micro-grids. Two queries beside the shared grids."""
    today = ctx.today
    micro = list(  # unordered: a micro-grid's default order joins its grid's village and town
        MicroGrid.objects.active()
        .filter(grid__village_id__in=ctx.village_ids)
        .order_by()
        .values_list("pk", "grid__village_id")
    )
    # Two selects in one query: an OR across the grid's and the micro-grid's village joins every
    # assignment of the county, each side alone is found by its village.
    held = Assignment.objects.active_on(today).order_by().values_list("role", "grid_id", "micro_grid_id")
    held = held.filter(role=Role.GRID_WORKER, grid__village_id__in=ctx.village_ids).union(
        held.filter(role=Role.LIAISON, micro_grid__grid__village_id__in=ctx.village_ids), all=True
    )
    staffed_grids, staffed_micro = set(), set()
    for role, grid_id, micro_id in held:
        (staffed_grids if role == Role.GRID_WORKER else staffed_micro).add(grid_id or micro_id)
    total: dict[int, int] = defaultdict(int)
    staffed: dict[int, int] = defaultdict(int)
    for places, filled in ((ctx.grids, staffed_grids), (micro, staffed_micro)):
        for pk, village_id in places:
            total[village_id] += 1
            staffed[village_id] += pk in filled
    return {v: pct(staffed[v], total[v]) for v in ctx.village_ids}


def groups_informed(ctx: Context) -> Values:
    """Active villager groups with an information officer (信息员) today / active groups. Two queries."""
    groups = list(
        VillagerGroup.objects.active().filter(village_id__in=ctx.village_ids).values_list("pk", "village_id").order_by()
    )
    officers = set(
        Assignment.objects.active_on(ctx.today)
        .filter(role=Role.INFO_OFFICER, villager_group__village_id__in=ctx.village_ids)
        .values_list("villager_group_id", flat=True)
    )
    total: dict[int, int] = defaultdict(int)
    staffed: dict[int, int] = defaultdict(int)
    for pk, village_id in groups:
        total[village_id] += 1
        staffed[village_id] += pk in officers
    return {v: pct(staffed[v], total[v]) for v in ctx.village_ids}


# --- 能力建设好 -------------------------------------------------------------------------------------------


def visit_coverage(ctx: Context) -> Values:
    """Households visited / households due, summed over the months of the period begun so far (each month
    every active household is due once: visits/due.py)."""
    return {v: pct(c["households_done"], c["households_due"]) for v, c in ctx.coverage.items()}


def trainings(ctx: Context) -> Values:
    """Trainings held in the period, by the town of the village or by the village, that at least one of
    the village's grid workers attended. One query beside the shared workers."""
    workers = {u: v for v, people in ctx.workers.items() for u in people}
    if not workers:
        return dict.fromkeys(ctx.village_ids, 0)
    rows = Training.attendees.through.objects.filter(
        user_id__in=list(workers), training__held_on__range=(ctx.first, ctx.end)
    ).values_list("training_id", "user_id", "training__village_id", "training__town_id")
    found: dict[int, set[int]] = defaultdict(set)
    for training_id, user_id, held_by_village, held_by_town in rows:
        village_id = workers[user_id]
        if held_by_village == village_id or (held_by_village is None and held_by_town == ctx.towns.get(village_id)):
            found[village_id].add(training_id)
    return {v: len(found[v]) for v in ctx.village_ids}


def workers_insured(ctx: Context) -> Values:
    """Grid workers with accident insurance in force on the last day counted / grid workers. One query."""
    people = [u for p in ctx.workers.values() for u in p]
    insured = set(
        WorkerInsurance.objects.filter(worker_id__in=people, starts_on__lte=ctx.end, ends_on__gte=ctx.end).values_list(
            "worker_id", flat=True
        )
    )
    return {
        v: pct(sum(u in insured for u in ctx.workers.get(v, {})), len(ctx.workers.get(v, {}))) for v in ctx.village_ids
    }


def workers_checked(ctx: Context) -> Values:
    """Grid workers with a health check in the period's year (up to the last day counted) / grid workers."""
    people = [u for p in ctx.workers.values() for u in p]
    checked = set(
        HealthCheck.objects.filter(
            worker_id__in=people, checked_on__range=(ctx.first.replace(month=1, day=1), ctx.end)
        ).values_list("worker_id", flat=True)
    )
    return {
        v: pct(sum(u in checked for u in ctx.workers.get(v, {})), len(ctx.workers.get(v, {}))) for v in ctx.village_ids
    }


def _weeks(ctx: Context) -> list[tuple[datetime.date, datetime.date]]:
    """The whole ISO weeks (Monday to Sunday) inside the period that have ended before today."""
    monday = ctx.first + datetime.timedelta(days=(7 - ctx.first.weekday()) % 7)
    out = []
    while monday + datetime.timedelta(days=6) <= ctx.period.last and monday + datetime.timedelta(days=6) < ctx.today:
        out.append((monday, monday + datetime.timedelta(days=6)))
        monday += datetime.timedelta(days=7)
    return out


def field_days(ctx: Context) -> Values:
    """Worker-weeks with field work on at least four days / worker-weeks: for each grid worker on the last
    day counted and each whole ISO week of the period they held their grid throughout, the distinct days
    on which they recorded a visit (any outcome: a visit not possible was still a day in the field), as kept
    per ISO week by ``visits.fielddays``. One grouped query beside the shared workers."""
    weeks = _weeks(ctx)
    mondays = [monday for monday, _sunday in weeks]
    owed: dict[tuple[int, int], int] = {}
    spans: dict[tuple[int, int], tuple[int, datetime.date, datetime.date]] = {}
    for village_id, people in ctx.workers.items():
        for user_id, (start, end) in people.items():
            # The weeks held throughout: Monday on or after the start, Sunday on or before the end.
            lo = bisect.bisect_left(mondays, start)
            hi = len(mondays) if end is None else bisect.bisect_right(mondays, end - datetime.timedelta(days=6))
            owed[(village_id, user_id)] = max(0, hi - lo)
            if hi > lo:
                spans[(village_id, user_id)] = (user_id, mondays[lo], mondays[hi - 1])
    met = fielddays.weeks_counted(spans, FIELD_DAYS_PER_WEEK)
    out: Values = {}
    for v in ctx.village_ids:
        keys = [(v, u) for u in ctx.workers.get(v, {})]
        out[v] = pct(sum(met.get(k, 0) for k in keys), sum(owed[k] for k in keys))
    return out


def good_practices(ctx: Context) -> Values:
    """Good work methods and cases the village reported to the town in the period. One query."""
    found = dict(
        GoodPractice.objects.filter(village_id__in=ctx.village_ids, reported_on__range=(ctx.first, ctx.end))
        .values_list("village_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {v: found.get(v, 0) for v in ctx.village_ids}


# --- 社会治安好 -------------------------------------------------------------------------------------------


def key_persons_visited(ctx: Context) -> Values:
    """Key-person visits done / due at their cadence (residents/cadence.py), over the months begun."""
    return {v: pct(c["key_persons_done"], c["key_persons_due"]) for v, c in ctx.coverage.items()}


def key_persons_lost(ctx: Context) -> Values:
    """Key persons listed on the last day counted and marked 脱管 (as their record stands today). One query."""
    day = ctx.end
    found = dict(
        KeyPerson.objects.filter(
            village_id__in=ctx.village_ids,  # the listing's own village (its index): no join to the residents
            erased_at__isnull=True,
            supervision_gap=SupervisionGap.LOST,
            listed_from__lte=day,
        )
        .filter(Q(listed_until__isnull=True) | Q(listed_until__gte=day))
        .values_list("village_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {v: found.get(v, 0) for v in ctx.village_ids}


def _case_share(ctx: Context, kind: str) -> Values:
    found = ctx.cases
    return {
        v: pct(found[(v, kind)]["ok"], found[(v, kind)]["n"]) if (v, kind) in found else None for v in ctx.village_ids
    }


def disputes_on_time(ctx: Context) -> Values:
    """Disputes resolved in the period within their tier's time limit / disputes resolved in the period."""
    return _case_share(ctx, Kind.DISPUTE)


def escalations(ctx: Context) -> Values:
    """Cases escalated to the town (tier 3) in the period. One query."""
    found = dict(
        CaseEvent.objects.filter(
            case__village_id__in=ctx.village_ids,
            action="escalate",
            to_tier=Tier.TOWN,
            at__gte=ctx.start_dt,
            at__lt=ctx.stop_dt,
        )
        .values_list("case__village_id")
        .annotate(n=Count("case", distinct=True))
        .order_by()
    )
    return {v: found.get(v, 0) for v in ctx.village_ids}


def hazards_closed(ctx: Context) -> Values:
    """Hazards reported in the period and not rejected, of which resolved since: the share."""
    return _case_share(ctx, Kind.HAZARD)


# --- 共治成效好 -------------------------------------------------------------------------------------------


def _count(queryset, village: str, day_field: str, ctx: Context) -> Values:
    found = dict(
        queryset.filter(**{f"{village}__in": ctx.village_ids, f"{day_field}__range": (ctx.first, ctx.end)})
        .values_list(village)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {v: found.get(v, 0) for v in ctx.village_ids}


def deliberations(ctx: Context) -> Values:
    """Deliberations whose resolution (协商决议) is dated in the period. One query."""
    return _count(Deliberation.objects.active(), "village_id", "resolved_on", ctx)


def projects_done(ctx: Context) -> Values:
    """民生实事 projects finished (完工) in the period. One query."""
    return _count(Project.objects.active(), "village_id", "done_on", ctx)


def requests_handled(ctx: Context) -> Values:
    """Requests reported in the period and not rejected, of which resolved since: the share."""
    return _case_share(ctx, Kind.REQUEST)


# --- 乡风民风好 -------------------------------------------------------------------------------------------


def model_selections(ctx: Context) -> Values:
    """Model households and people selected in the period. One query."""
    return _count(ModelSelection.objects.active(), "village_id", "selected_on", ctx)


def activities(ctx: Context) -> Values:
    """德治/法治 activities held in the period. One query."""
    return _count(Activity.objects.active(), "village_id", "held_on", ctx)


def legal_set_dates(ctx: Context) -> Values:
    """Legal-publicity set dates (civility.SetDate, kind 普法) falling in the period by today, answered by an
    activity of the village (one that names the date, or any 普法 activity) held from a week before to a
    month after it / those dates. Two queries."""
    dates = []
    for set_date in SetDate.objects.filter(active=True, kind=ActivityKind.LEGAL):
        day = day_in(set_date, ctx.first.year)
        if day and ctx.first <= day <= ctx.end:
            dates.append((set_date.pk, day))
    if not dates:
        return dict.fromkeys(ctx.village_ids)
    earliest = min(d for _pk, d in dates) - SET_DATE_BEFORE
    latest = max(d for _pk, d in dates) + SET_DATE_AFTER
    held: dict[int, list[tuple]] = defaultdict(list)
    rows = (
        Activity.objects.active()
        .filter(village_id__in=ctx.village_ids, held_on__range=(earliest, latest))
        .filter(Q(kind=ActivityKind.LEGAL) | Q(set_date_id__in=[pk for pk, _d in dates]))
        .values_list("village_id", "set_date_id", "held_on")
    )
    for village_id, set_date_id, held_on in rows:
        held[village_id].append((set_date_id, held_on))
    out: Values = {}
    for v in ctx.village_ids:
        answered = sum(
            any(
                (sd is None or sd == pk) and day - SET_DATE_BEFORE <= on <= day + SET_DATE_AFTER
                for sd, on in held.get(v, ())
            )
            for pk, day in dates
        )
        out[v] = pct(answered, len(dates))
    return out


def points_redeemed(ctx: Context) -> Values:
    """Points spent in the village's 积分超市 in the period (redemptions, as positive points). One query."""
    found = dict(
        PointsEntry.objects.filter(
            account__village_id__in=ctx.village_ids,
            kind=EntryKind.REDEMPTION,
            at__gte=ctx.start_dt,
            at__lt=ctx.stop_dt,
        )
        .values_list("account__village_id")
        .annotate(n=Sum("points"))
        .order_by()
    )
    return {v: -(found.get(v) or 0) for v in ctx.village_ids}


# --- The table: code -> (function, measured as of today only, link) -------------------------------------


def _url(name: str, query: str = "") -> Callable[[int, Period], str]:
    def build(village_id: int, period: Period) -> str:
        base = reverse(name) if ":" in name and name.split(":")[1] in NO_PK else reverse(name, args=[village_id])
        q = query.format(v=village_id, year=period.first.year, first=period.first, last=period.last)
        return f"{base}?{q}" if q else base

    return build


NO_PK = {"coverage", "case-list", "keyperson-list"}

INDICATORS: dict[str, tuple[Callable[[Context], Values], bool, Callable[[int, Period], str] | None]] = {
    "party_meetings_on_time": (party_meetings_on_time, False, _url("party:meeting-list", "year={year}")),
    "party_five_linkage": (party_five_linkage, False, _url("party:meeting-list", "kind=five_linkage&year={year}")),
    "party_contacts": (party_contacts, False, _url("party:member-list")),
    "grids_sized": (grids_sized, True, _url("reports:village-overview")),
    "grids_staffed": (grids_staffed, True, _url("reports:village-overview")),
    "groups_informed": (groups_informed, True, _url("reports:village-overview")),
    "visit_coverage": (visit_coverage, False, _url("visits:coverage", "village={v}")),
    "trainings": (trainings, False, None),
    "workers_insured": (workers_insured, False, None),
    "workers_checked": (workers_checked, False, None),
    "field_days": (field_days, False, _url("visits:coverage", "village={v}")),
    "good_practices": (good_practices, False, None),
    "key_persons_visited": (key_persons_visited, False, _url("visits:coverage", "village={v}")),
    "key_persons_lost": (key_persons_lost, True, _url("residents:keyperson-list", "village={v}&current=true")),
    "disputes_on_time": (
        disputes_on_time,
        False,
        _url("disputes:case-list", "village={v}&kind=dispute"),
    ),
    "escalations": (escalations, False, _url("disputes:case-list", "village={v}&tier=3")),
    "hazards_closed": (
        hazards_closed,
        False,
        _url("disputes:case-list", "village={v}&kind=hazard&reported_from={first}&reported_to={last}"),
    ),
    "deliberations": (deliberations, False, _url("cogovernance:deliberation-list")),
    "projects_done": (projects_done, False, _url("cogovernance:project-list")),
    "requests_handled": (
        requests_handled,
        False,
        _url("disputes:case-list", "village={v}&kind=request&reported_from={first}&reported_to={last}"),
    ),
    "model_selections": (model_selections, False, _url("civility:selection-list", "year={year}")),
    "activities": (activities, False, _url("civility:activity-list", "year={year}")),
    "legal_set_dates": (legal_set_dates, False, _url("civility:activity-list", "year={year}&kind=legal")),
    "points_redeemed": (points_redeemed, False, _url("civility:points-ledger")),
}
