"""Which meetings are due, held, late or overdue: computed when shown from the rule table (docs/party.md).

A rule (``MeetingRule``) says a kind of meeting is due once per month or quarter for each organisation of
its level (the village's top organisation, each branch, each group). An organisation owes it for every
period that starts on or after the day it was founded (a branch founded in the middle of a quarter first
owes the quarterly meetings of the next quarter, the monthly ones of the next month) and before it was
archived. A period is fulfilled by a meeting of that kind recorded for it; one held after the period ended
is marked late. A period that has ended with no meeting for it is overdue.
"""

from __future__ import annotations

import bisect
import calendar
import datetime
import functools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.utils import timezone

from .models import Level, Meeting, MeetingRule, OrgKind, PartyOrganisation, Period

LEVEL_KINDS = {
    Level.VILLAGE: (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH),
    Level.BRANCH: (OrgKind.BRANCH,),
    Level.GROUP: (OrgKind.GROUP,),
}

HELD, LATE, DUE, OVERDUE = "held", "late", "due", "overdue"


def period_key(day: datetime.date, period: str) -> str:
    if period == Period.QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


@functools.lru_cache(maxsize=1024)
def period_bounds(key: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a period key ("2026-11", "2026-Q4"). Kept per key: a town's page asks it
    for every organisation, rule and period."""
    year, rest = key.split("-")
    y = int(year)
    if rest.startswith("Q"):
        first_month = (int(rest[1:]) - 1) * 3 + 1
        last_month = first_month + 2
    else:
        first_month = last_month = int(rest)
    return datetime.date(y, first_month, 1), datetime.date(y, last_month, calendar.monthrange(y, last_month)[1])


def is_late(held_on: datetime.date, key: str) -> bool:
    return held_on > period_bounds(key)[1]


def periods(period: str, first: datetime.date, last: datetime.date) -> list[str]:
    """The period keys whose span meets [first, last], in order."""
    out: list[str] = []
    day = first.replace(day=1)
    if period == Period.QUARTER:
        day = day.replace(month=((day.month - 1) // 3) * 3 + 1)
    step = 3 if period == Period.QUARTER else 1
    while day <= last:
        out.append(period_key(day, period))
        month = day.month - 1 + step
        day = datetime.date(day.year + month // 12, month % 12 + 1, 1)
    return out


class Item(NamedTuple):
    """One meeting an organisation owes for one period, and where it stands on ``today`` (a named tuple: a
    town's page makes ten thousand of them)."""

    organisation_id: int
    village_id: int
    kind: str
    period: str
    starts: datetime.date
    ends: datetime.date
    state: str  # HELD, LATE, DUE, OVERDUE
    meeting_id: int | None

    @property
    def done(self) -> bool:
        return self.state in (HELD, LATE)


def _prepare(village_ids, first, last, today, organisation_ids=None):
    """What ``items`` walks: the active rules, the organisations, each rule's periods
    begun by ``today`` with their bounds, and the meetings held for them. Three queries."""
    rules = list(MeetingRule.objects.filter(active=True))
    if not rules:
        return [], [], {}, {}
    orgs = PartyOrganisation.objects.all()
    if village_ids is not None:
        orgs = orgs.filter(village_id__in=list(village_ids))
    if organisation_ids is not None:
        orgs = orgs.filter(pk__in=list(organisation_ids))
    orgs = [
        o
        for o in orgs.order_by().only("pk", "village_id", "kind", "founded_on", "archived_at")
        if o.archived_at is None or timezone.localtime(o.archived_at).date() >= first
    ]
    keys_of = {rule.kind: periods(rule.period, first, last) for rule in rules}
    all_keys = {k for keys in keys_of.values() for k in keys}
    held: dict[tuple[int, str, str], tuple[int | None, bool]] = {}
    if orgs:
        meetings = Meeting.objects.filter(
            village_id__in={o.village_id for o in orgs},
            organisation_id__in=[o.pk for o in orgs],
            kind__in=list(keys_of),
            period__in=sorted(all_keys),
        )
        for meeting_id, org_id, kind, key, late in meetings.order_by("late", "held_on", "pk").values_list(
            "pk", "organisation_id", "kind", "period", "late"
        ):
            held.setdefault((org_id, kind, key), (meeting_id, late))  # an on-time meeting wins over a late one
    # Each rule's periods with their bounds, worked out once; an organisation owes those that start on or
    # after it was founded and by the day it was archived (``_owed_spans``), and that have begun by ``today``.
    spans = {
        rule.kind: [(key, *period_bounds(key)) for key in keys_of[rule.kind] if period_bounds(key)[0] <= today]
        for rule in rules
    }
    return rules, orgs, spans, held


def _owed_spans(org, rules, spans):
    """(rule kind, its periods this organisation owes) for each rule of its level."""
    archived = timezone.localtime(org.archived_at).date() if org.archived_at else None
    for rule in rules:
        if org.kind not in LEVEL_KINDS[rule.level]:
            continue  # not owed at all: skip its periods
        yield (
            rule.kind,
            [
                span
                for span in spans[rule.kind]
                if span[1] >= org.founded_on and (archived is None or span[1] <= archived)
            ],
        )


def items(
    *,
    village_ids: Iterable[int] | None,
    first: datetime.date,
    last: datetime.date,
    today: datetime.date | None = None,
    organisation_ids: Iterable[int] | None = None,
) -> list[Item]:
    """Every meeting owed for the periods that meet [first, last] by the villages' organisations (or only
    the organisations named), with its state on ``today``. Three queries whatever the number of villages:
    the rules, the organisations, the meetings of those periods."""
    today = today or timezone.localdate()
    rules, orgs, spans, held = _prepare(village_ids, first, last, today, organisation_ids)
    out: list[Item] = []
    for org in orgs:
        for kind, owed in _owed_spans(org, rules, spans):
            for key, starts, ends in owed:
                found = held.get((org.pk, kind, key))
                state = _state(found[1] if found else None, ends, today)
                out.append(Item(org.pk, org.village_id, kind, key, starts, ends, state, found[0] if found else None))
    return out


def village_tallies(
    *, village_ids: Iterable[int], first: datetime.date, last: datetime.date, today: datetime.date | None = None
) -> dict[int, tuple[Tally, Tally]]:
    """Per village: (the tally of every period owed in [first, last], the tally of the periods running on
    ``today``), counted without walking the periods (a town's page: ten thousand of them). Three queries.

    An organisation owes a rule's periods from the first that starts on or after its founding day to the
    last that starts by its archiving day: a run of the rule's periods, found by bisection. Of that run, the
    meetings recorded say which are held or late; only the last period begun can still be running (due),
    the others with no meeting are overdue."""
    today = today or timezone.localdate()
    rules = list(MeetingRule.objects.filter(active=True))
    out = {v: (Tally(), Tally()) for v in village_ids}
    if not rules:
        return out
    orgs = [
        (pk, village_id, kind, founded_on, timezone.localdate(archived_at) if archived_at else None)
        for pk, village_id, kind, founded_on, archived_at in PartyOrganisation.objects.filter(
            village_id__in=list(village_ids)
        )
        .order_by()
        .values_list("pk", "village_id", "kind", "founded_on", "archived_at")
    ]
    orgs = [o for o in orgs if o[4] is None or o[4] >= first]
    keys = {rule.kind: [k for k in periods(rule.period, first, last) if period_bounds(k)[0] <= today] for rule in rules}
    position = {kind: {k: i for i, k in enumerate(ks)} for kind, ks in keys.items()}
    # Per kind of organisation, the rules it owes: (meeting kind, the periods' first days, whether the last
    # period begun is still running).
    owes: dict[str, list[tuple[str, list[datetime.date], bool]]] = defaultdict(list)
    for rule in rules:
        starts = [period_bounds(k)[0] for k in keys[rule.kind]]
        running = bool(starts) and period_bounds(keys[rule.kind][-1])[1] >= today
        for org_kind in LEVEL_KINDS[rule.level]:
            owes[org_kind].append((rule.kind, starts, running))
    # (organisation, kind) -> {period's position: all its meetings late}: an on-time meeting wins.
    done: dict[tuple[int, str], dict[int, bool]] = defaultdict(dict)
    if orgs:
        # By village, not by a list of thousands of organisations (a town's page): the few meetings of an
        # organisation left out above are skipped here.
        wanted = {o[0] for o in orgs}
        meetings = Meeting.objects.filter(
            village_id__in={o[1] for o in orgs},
            kind__in=list(keys),
            period__in=sorted({k for ks in keys.values() for k in ks}),
        )
        for org_id, kind, key, late in meetings.order_by().values_list("organisation_id", "kind", "period", "late"):
            i = position[kind].get(key)
            if i is not None and org_id in wanted:
                marks = done[(org_id, kind)]
                marks[i] = marks.get(i, True) and late
    # Per village: [owed, held, late, due, overdue] over the span, and the same for the running periods.
    whole = {v: [0, 0, 0, 0, 0] for v in out}
    now = {v: [0, 0, 0, 0, 0] for v in out}
    nothing: dict[int, bool] = {}
    for org_id, village_id, org_kind, founded_on, archived in orgs:
        span, running_now = whole[village_id], now[village_id]
        for kind, starts, running in owes.get(org_kind, ()):
            lo = bisect.bisect_left(starts, founded_on)
            hi = bisect.bisect_right(starts, archived) if archived else len(starts)
            if hi <= lo:
                continue
            marks = done.get((org_id, kind), nothing)
            if lo == 0 and hi == len(starts):  # owed the whole span: most organisations
                marked, late = len(marks), sum(marks.values())
            else:
                inside = [marks[i] for i in marks if lo <= i < hi]
                marked, late = len(inside), sum(inside)
            # Only the last period begun can be running, and only if the organisation still owes it.
            current = hi - 1 if running and hi == len(starts) else None
            due = 1 if current is not None and current not in marks else 0
            span[0] += hi - lo
            span[1] += marked - late
            span[2] += late
            span[3] += due
            span[4] += (hi - lo) - marked - due
            if current is not None:
                running_now[0] += 1
                running_now[3 if due else (2 if marks[current] else 1)] += 1
    for v, (figures, running_figures) in out.items():
        for tally_, counts in ((figures, whole[v]), (running_figures, now[v])):
            tally_.owed, tally_.held, tally_.late, tally_.due, tally_.overdue = counts
    return out


def _state(late: bool | None, ends: datetime.date, today: datetime.date) -> str:
    """HELD or LATE for a period with a meeting (``late`` its flag), else DUE while it lasts, then OVERDUE."""
    if late is not None:
        return LATE if late else HELD
    return OVERDUE if ends < today else DUE


@dataclass
class Tally:
    owed: int = 0  # periods begun: held or not
    held: int = 0
    late: int = 0
    due: int = 0
    overdue: int = 0

    def add(self, item: Item) -> None:
        self.owed += 1
        if item.state == HELD:
            self.held += 1
        elif item.state == LATE:
            self.late += 1
        elif item.state == DUE:
            self.due += 1
        else:
            self.overdue += 1

    @property
    def closed(self) -> int:
        """Periods that have ended or were fulfilled: the ones compliance is judged on."""
        return self.held + self.late + self.overdue

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.held / self.closed) if self.closed else None


def tally(found: Iterable[Item], key=None) -> dict:
    """Counts by ``key(item)`` (one ``Tally`` under None when no key is given), counted by state first."""
    by_state = Counter(item.state for item in found) if key is None else Counter((key(i), i.state) for i in found)
    out: dict = defaultdict(Tally)
    for group_state, n in by_state.items():
        group, state = (None, group_state) if key is None else group_state
        t = out[group]
        t.owed += n
        setattr(t, state, getattr(t, state) + n)
    if key is None:
        out.setdefault(None, Tally())  # an empty tally when nothing is owed
    return out


def year_span(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return datetime.date(today.year, 1, 1), today
