"""The 六好 scorecard (docs/scorecard.md): per village and period, the indicators of each of the six
criteria measured from the records, against the targets of ``ScoreRule``.

    from reports import scorecard
    period = scorecard.parse("2026-Q4")          # or scorecard.parse(None): the current year
    cards = scorecard.compute([village.pk], period)
    card = cards[village.pk]                      # VillageScorecard
    card.total, [(c.code, c.score) for c in card.criteria]

``compute`` measures every village given with the same fixed number of grouped queries (the town compares
all its villages at once); nothing is stored as a total, and the values kept between computations
(``kept``) are read again only while nothing they read has changed.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.utils import timezone

from ..models import Comparison, Criterion, ScoreRule
from . import kept
from .indicators import INDICATORS
from .period import BadPeriod, Period, parse

__all__ = ["BadPeriod", "Criterion", "CriterionScore", "Indicator", "Period", "VillageScorecard", "compute", "parse"]

UP, DOWN, SAME = "up", "down", "same"


@dataclass
class Indicator:
    code: str
    label: str
    unit: str
    value: int | None  # None: nothing to measure (无记录)
    target: int | Decimal  # scaled to the period for a per-year count
    comparison: str  # "ge" / "le"
    met: bool | None  # None where the value is None
    previous: int | None  # the previous period's value (None: not known or not measured)
    trend: str | None  # UP, DOWN, SAME; None when either value is missing
    url: str | None  # the page listing the records behind it
    weight: int
    source: str

    @property
    def comparison_sign(self) -> str:
        return Comparison(self.comparison).label

    @property
    def informational(self) -> bool:
        return self.weight == 0


@dataclass
class CriterionScore:
    code: str
    label: str
    score: int | None  # 0–100: the weighted share of measurable indicators met; None if none is measurable
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class VillageScorecard:
    village_id: int
    period: Period
    criteria: list[CriterionScore]  # in the six's order
    total: int | None  # the mean of the criteria that have a score

    def to_dict(self) -> dict:
        """JSON-safe, for the API and the Word draft."""
        return {
            "village": self.village_id,
            "period": self.period.key,
            "period_label": self.period.label,
            "total": self.total,
            "criteria": [
                {**asdict(c), "indicators": [_indicator_dict(i) for i in c.indicators]} for c in self.criteria
            ],
        }


def _indicator_dict(i: Indicator) -> dict:
    out = asdict(i)
    out["target"] = _plain(i.target)
    return out


def _plain(number):
    if isinstance(number, Decimal):
        return int(number) if number == number.to_integral_value() else float(number)
    return number


def scaled_target(rule: ScoreRule, period: Period) -> int | Decimal:
    """A per-year count is scaled to the period's months, rounded up (a quarter of a 2-a-year target is 1)."""
    if rule.per_year:
        return math.ceil(rule.target * period.months / 12)
    return _plain(rule.target)


def is_met(value, target, comparison: str) -> bool | None:
    if value is None:
        return None
    return value >= target if comparison == Comparison.AT_LEAST else value <= target


def trend_of(value, previous) -> str | None:
    if value is None or previous is None:
        return None
    return UP if value > previous else DOWN if value < previous else SAME


def score_of(indicators: list[Indicator]) -> int | None:
    weighed = [i for i in indicators if i.met is not None and i.weight]
    whole = sum(i.weight for i in weighed)
    if not whole:
        return None
    return round(100 * sum(i.weight for i in weighed if i.met) / whole)


def rules() -> list[ScoreRule]:
    """The enabled rules whose code has a function, in the criteria's and their own order, each with the
    moment of the kept values' last reset (``kept_reset``: read with them, not in a query of its own). One
    query."""
    found = [
        r for r in ScoreRule.objects.filter(enabled=True).annotate(kept_reset=kept.last_reset()) if r.code in INDICATORS
    ]
    position = {c: n for n, c in enumerate(Criterion.values)}
    return sorted(found, key=lambda r: (position[r.criterion], r.order, r.pk))


def compute(
    village_ids: list[int],
    period: Period,
    *,
    links: bool = True,
    previous: bool = True,
    today: datetime.date | None = None,
) -> dict[int, VillageScorecard]:
    """Each village's scorecard for ``period``, with the previous period's values for the trend. A fixed
    number of queries whatever the number of villages (about fifty). ``links=False`` leaves ``url`` empty
    (the town's comparison shows scores only); ``previous=False`` does not measure the previous period
    (``previous`` and ``trend`` stay None: half the queries, for the same page)."""
    today = today or timezone.localdate()
    village_ids = list(village_ids)
    chosen = rules()
    codes = [r.code for r in chosen]
    reset = chosen[0].kept_reset if chosen else None
    now = kept.measure(codes, village_ids, period, today, skip_now_only=False, reset=reset)
    # Indicators measured only as the registry stands today have no previous value to compare with.
    if previous:
        before = kept.measure(codes, village_ids, period.previous, today, skip_now_only=True, reset=reset)
    else:
        before = {code: dict.fromkeys(village_ids) for code in codes}
    out = {}
    for v in village_ids:
        criteria = {c: CriterionScore(c, str(label), None) for c, label in Criterion.choices}
        for rule in chosen:
            value, earlier = now[rule.code][v], before[rule.code][v]
            target = scaled_target(rule, period)
            link = INDICATORS[rule.code][2]
            criteria[rule.criterion].indicators.append(
                Indicator(
                    code=rule.code,
                    label=rule.label,
                    unit=rule.unit,
                    value=value,
                    target=target,
                    comparison=rule.comparison,
                    met=is_met(value, target, rule.comparison),
                    previous=earlier,
                    trend=trend_of(value, earlier),
                    url=link(v, period) if (links and link) else None,
                    weight=rule.weight,
                    source=rule.source,
                )
            )
        for c in criteria.values():
            c.score = score_of(c.indicators)
        scores = [c.score for c in criteria.values() if c.score is not None]
        out[v] = VillageScorecard(
            village_id=v,
            period=period,
            criteria=list(criteria.values()),
            total=round(sum(scores) / len(scores)) if scores else None,
        )
    return out
