"""What is due, what is done, what is overdue: the rules, computed when asked, never stored.

Households and key places (全覆盖, docs/sources.md [S2] §一(三)): once in every calendar month.
- Due for the grid the household is in now: a household moved mid-month is due once, for its new grid's
  worker; a visit made before the move still counts (visits follow the household, not the grid).
- Added mid-month: due that month. Archived: no longer due, unless it was visited that month before it
  was archived (then it counts as due and done, so coverage does not drop when a household leaves).

Key persons (residents/cadence.py, one rule table):
- Due in every calendar month of their listing, ``visits_per_month`` times (level ≥ 3 mental-disorder
  patients twice, everyone else once); listed mid-month: due from that month.
- Overdue when more than the cadence's interval has passed since the last completed visit (or since the
  listing, if never visited). A change of risk level changes the cadence at once (2 → 3: 30 → 14 days).
- A visit that was not possible (外出, 拒访, 失联…) is an attempt, not a visit: it does not stop the clock.
  Two attempts in a row without a completed visit flag the person as at risk of 脱管.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.db import InIds
from grids.models import Grid
from residents.cadence import Cadence, cadence_for
from residents.models import Household, KeyPerson, KeyPlace

from .models import Outcome, Visit


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_month(day: datetime.date) -> datetime.date:
    return month_end(day) + datetime.timedelta(days=1)


def previous_month(day: datetime.date) -> datetime.date:
    return month_start(month_start(day) - datetime.timedelta(days=1))


def _month_start_dt(month: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(month_start(month), datetime.time()))


# --- Households and key places ------------------------------------------------------------------------


def _done_in(month: datetime.date, field_name: str):
    return Exists(Visit.objects.filter(**{field_name: OuterRef("pk")}, month=month_start(month), outcome=Outcome.DONE))


def households_due(grid_ids, month: datetime.date):
    """The households due in ``month`` in these grids, each annotated with ``done`` (visited that month)."""
    done = _done_in(month, "household")
    return (
        Household.objects.filter(grid__in=grid_ids)
        .annotate(done=done)
        .filter(Q(archived_at__isnull=True) | Q(archived_at__gte=_month_start_dt(month), done=True))
    )


def key_places_due(grid_ids, month: datetime.date):
    done = _done_in(month, "key_place")
    return (
        KeyPlace.objects.filter(grid__in=grid_ids)
        .annotate(done=done)
        .filter(Q(archived_at__isnull=True) | Q(archived_at__gte=_month_start_dt(month), done=True))
    )


# --- Key persons ----------------------------------------------------------------------------------


def next_due_on(last_done: datetime.date | None, listed_from: datetime.date, cadence: Cadence) -> datetime.date:
    """The day a key person's next visit is due: a cadence's interval after the last completed visit, or after
    the listing if never visited. Overdue after it."""
    return (last_done or listed_from) + datetime.timedelta(days=cadence.interval_days)


def done_this_month(done_in_month: int, cadence: Cadence) -> bool:
    return done_in_month >= cadence.visits_per_month


@dataclass
class KeyDue:
    key_person: KeyPerson
    cadence: Cadence
    last_done: datetime.date | None
    done_in_month: int
    misses_since_done: int
    today: datetime.date

    @property
    def next_due(self) -> datetime.date:
        return next_due_on(self.last_done, self.key_person.listed_from, self.cadence)

    @property
    def overdue_days(self) -> int:
        return max(0, (self.today - self.next_due).days)

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def needed(self) -> int:
        return self.cadence.visits_per_month

    @property
    def done(self) -> bool:
        return done_this_month(self.done_in_month, self.cadence)

    @property
    def unreached(self) -> bool:
        """Two attempts in a row without reaching the person: at risk of 脱管."""
        return self.misses_since_done >= 2


def _last_done_of(ref, today: datetime.date):
    return (
        Visit.objects.filter(key_person=ref, outcome=Outcome.DONE, visited_on__lte=today)
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )


def _count(qs):
    return Coalesce(Subquery(qs.order_by().values("key_person").annotate(n=Count("pk")).values("n")), 0)


def _listed_in(grid_ids, month: datetime.date, today: datetime.date):
    """Key persons listed at some point of ``month`` in these grids, annotated with ``last_done`` and
    ``done_in_month`` (the facts the coverage needs)."""
    first, last = month_start(month), month_end(month)
    return (
        KeyPerson.objects.filter(
            resident__household__grid__in=grid_ids,
            resident__archived_at__isnull=True,
            listed_from__lte=last,
        )
        .filter(Q(listed_until__isnull=True) | Q(listed_until__gte=first))
        .annotate(
            last_done=Subquery(_last_done_of(OuterRef("pk"), today)),
            done_in_month=_count(Visit.objects.filter(key_person=OuterRef("pk"), outcome=Outcome.DONE, month=first)),
        )
    )


def key_persons_due(grid_ids, month: datetime.date, today: datetime.date | None = None) -> list[KeyDue]:
    """Key persons listed at some point of ``month`` in these grids, with their visit facts. Two queries."""
    today = today or timezone.localdate()
    misses = Visit.objects.filter(
        key_person=OuterRef("pk"),
        outcome=Outcome.NOT_POSSIBLE,
        visited_on__lte=today,
        visited_on__gt=Coalesce(Subquery(_last_done_of(OuterRef(OuterRef("pk")), today)), datetime.date(1900, 1, 1)),
    )
    rows = (
        _listed_in(grid_ids, month, today)
        .select_related("resident__household__micro_grid")
        .annotate(misses=_count(misses))
    )
    return [
        KeyDue(
            key_person=kp,
            cadence=cadence_for(kp.category, kp.risk_level),
            last_done=kp.last_done,
            done_in_month=kp.done_in_month,
            misses_since_done=kp.misses,
            today=today,
        )
        for kp in rows
    ]


def key_person_due_from(key_person: KeyPerson, visits, today: datetime.date | None = None) -> KeyDue:
    """The same facts as ``key_persons_due`` for one key person whose visits are already loaded (newest
    first or in any order): the key person's page reads them once and shows them all."""
    today = today or timezone.localdate()
    past = sorted((v for v in visits if v.visited_on <= today), key=lambda v: v.visited_on, reverse=True)
    last_done = next((v.visited_on for v in past if v.outcome == Outcome.DONE), None)
    this_month = month_start(today)
    return KeyDue(
        key_person=key_person,
        cadence=cadence_for(key_person.category, key_person.risk_level),
        last_done=last_done,
        done_in_month=sum(1 for v in visits if v.outcome == Outcome.DONE and v.month == this_month),
        misses_since_done=sum(
            1 for v in past if v.outcome == Outcome.NOT_POSSIBLE and (last_done is None or v.visited_on > last_done)
        ),
        today=today,
    )


# --- Coverage ---------------------------------------------------------------------------------------


# The figures of a Coverage (and the columns of the kept ones, ``live.LiveCoverage``).
FIGURES = (
    "households_due",
    "households_done",
    "key_persons_due",
    "key_persons_done",
    "key_persons_overdue",
    "key_places_due",
    "key_places_done",
)


@dataclass
class Coverage:
    households_due: int = 0
    households_done: int = 0
    key_persons_due: int = 0
    key_persons_done: int = 0
    key_places_due: int = 0
    key_places_done: int = 0
    # None: not known (a closed month kept before this figure was, ``CoverageSnapshot``).
    key_persons_overdue: int | None = 0
    extra: dict = field(default_factory=dict)

    @property
    def due(self) -> int:
        return self.households_due + self.key_persons_due + self.key_places_due

    @property
    def done(self) -> int:
        return self.households_done + self.key_persons_done + self.key_places_done

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.due) if self.due else 100

    @property
    def shown(self) -> str:
        """For pages: "93%", or "—" when nothing was due (a grid with nobody to visit is not "100 %")."""
        return f"{self.percent}%" if self.due else "—"

    def add(self, other: Coverage) -> Coverage:
        """Sum per figure; a figure unknown on either side stays unknown in the sum."""
        for name in FIGURES:
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, None if mine is None or theirs is None else mine + theirs)
        return self


def coverage_by_grid(grid_ids, month: datetime.date, today: datetime.date | None = None) -> dict[int, Coverage]:
    """Live coverage of ``month`` per grid: four queries whatever the number of grids and rows."""
    grid_ids = list(grid_ids)
    result: dict[int, Coverage] = defaultdict(Coverage)
    for model_rows, due_name, done_name in (
        (households_due(grid_ids, month), "households_due", "households_done"),
        (key_places_due(grid_ids, month), "key_places_due", "key_places_done"),
    ):
        for row in (
            model_rows.order_by()
            .values("grid")
            .annotate(due=Count("pk"), done_n=Count("pk", filter=Q(done=True)))
            .values_list("grid", "due", "done_n")
        ):
            grid_id, due, done = row
            setattr(result[grid_id], due_name, due)
            setattr(result[grid_id], done_name, done)
    # The key persons' figures only (no model instances, no count of attempts), by KeyDue's rules: a town's
    # three thousand people counted in a fraction of the time.
    today = today or timezone.localdate()
    rows = _listed_in(grid_ids, month, today)
    if len(grid_ids) > 1:
        # The same people (a listing's village is its resident's, whose village is their household's, which
        # is its grid's), said so that for many grids the database reads the villages' listings by their
        # village index instead of every key person of the county and every resident of the villages (a
        # town's coverage counted afresh: 197 → 57 ms at a million residents by the residents' village, 73 →
        # 13 ms by the listings'; for one grid the household's grid alone is the quicker way, 3 ms).
        rows = rows.filter(InIds("village_id", Grid.objects.filter(pk__in=grid_ids).values("village_id")))
    rows = rows.values_list(
        "resident__household__grid_id", "category", "risk_level", "listed_from", "last_done", "done_in_month"
    )
    for grid_id, category, risk_level, listed_from, last_done, done_in_month in rows.order_by():
        cadence = cadence_for(category, risk_level)
        cov = result[grid_id]
        cov.key_persons_due += 1
        cov.key_persons_done += done_this_month(done_in_month, cadence)
        cov.key_persons_overdue += today > next_due_on(last_done, listed_from, cadence)
    return {grid_id: result[grid_id] for grid_id in grid_ids}


def total(coverages) -> Coverage:
    out = Coverage()
    for cov in coverages:
        out.add(cov)
    return out


# --- What is still to do (the work list, the API's work list, a grid's outstanding page) --------------


def most_urgent_first(items: list[KeyDue]) -> list[KeyDue]:
    """Key persons still to see: overdue ones first (the most overdue at the top), then by next due date."""
    return sorted(
        (k for k in items if not k.done or k.overdue), key=lambda k: (not k.overdue, -k.overdue_days, k.next_due)
    )


def households_to_visit(grid_ids, month: datetime.date):
    """Households of these grids not yet visited this month, by micro-grid and address."""
    return (
        households_due(grid_ids, month)
        .filter(done=False, archived_at__isnull=True)
        .select_related("micro_grid")
        .order_by("micro_grid__number", "address")
    )


def households_on_walk(grid_ids, month: datetime.date):
    """The month's active households of these grids, visited or not, for the work list: each with ``done``
    and, from the month's latest visit that was not possible, ``attempt_reason`` and ``attempt_on``. An
    attempt is shown on its row but, as above, it is not a visit: the household stays to be visited."""
    attempts = Visit.objects.filter(
        household=OuterRef("pk"), month=month_start(month), outcome=Outcome.NOT_POSSIBLE
    ).order_by("-visited_on", "-recorded_at")
    return (
        households_due(grid_ids, month)
        .filter(archived_at__isnull=True)
        .annotate(
            attempt_reason=Subquery(attempts.values("reason")[:1]),
            attempt_on=Subquery(attempts.values("visited_on")[:1]),
        )
    )


def key_places_to_visit(grid_ids, month: datetime.date):
    return key_places_due(grid_ids, month).filter(done=False, archived_at__isnull=True).order_by("name")
