"""The period a scorecard is computed for: a year ("2026"), a quarter ("2026-Q4") or a month ("2026-11")
(docs/scorecard.md, "Periods")."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

YEAR, QUARTER, MONTH = "year", "quarter", "month"
# ASCII digits only: "２０２６" is refused rather than read by int().
_PATTERN = re.compile(r"^([0-9]{4})(?:-(?:Q([1-4])|([0-9]{2})))?$")
FIRST_YEAR, LAST_YEAR = 2000, 2100


class BadPeriod(ValueError):
    """A period that cannot be read; its message is for the person who typed it."""


@dataclass(frozen=True)
class Period:
    kind: str  # YEAR, QUARTER, MONTH
    first: datetime.date
    last: datetime.date

    @property
    def key(self) -> str:
        if self.kind == YEAR:
            return f"{self.first.year}"
        if self.kind == QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return f"{self.first:%Y-%m}"

    @property
    def label(self) -> str:
        year = self.first.year
        if self.kind == YEAR:
            return _("%(y)d年") % {"y": year}
        if self.kind == QUARTER:
            quarter = (self.first.month - 1) // 3
            return (_("%(y)d年第一季度"), _("%(y)d年第二季度"), _("%(y)d年第三季度"), _("%(y)d年第四季度"))[quarter] % {
                "y": year
            }
        return _("%(y)d年%(m)d月") % {"y": year, "m": self.first.month}

    @property
    def months(self) -> int:
        return {YEAR: 12, QUARTER: 3, MONTH: 1}[self.kind]

    @property
    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return of(self.kind, self.first - datetime.timedelta(days=1))

    def month_starts(self) -> list[datetime.date]:
        return [datetime.date(self.first.year, self.first.month + i, 1) for i in range(self.months)]

    def __str__(self) -> str:
        return self.key


def of(kind: str, day: datetime.date) -> Period:
    """The period of ``kind`` that contains ``day``."""
    if kind == YEAR:
        first_month, last_month = 1, 12
    elif kind == QUARTER:
        first_month = (day.month - 1) // 3 * 3 + 1
        last_month = first_month + 2
    else:
        first_month = last_month = day.month
    last_day = calendar.monthrange(day.year, last_month)[1]
    return Period(kind, datetime.date(day.year, first_month, 1), datetime.date(day.year, last_month, last_day))


def parse(raw: str | None, today: datetime.date | None = None) -> Period:
    """``2026``, ``2026-Q4`` or ``2026-11``; empty: the current year. Anything else raises ``BadPeriod``."""
    raw = (raw or "").strip()
    if not raw:
        return of(YEAR, today or timezone.localdate())
    match = _PATTERN.match(raw)
    if not match:
        raise BadPeriod(_("期间格式不对：请写年份（如 2026）、季度（如 2026-Q4）或月份（如 2026-11）。"))
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadPeriod(_("年份须在 %(a)d 到 %(b)d 之间。") % {"a": FIRST_YEAR, "b": LAST_YEAR})
    if match.group(2):
        return of(QUARTER, datetime.date(year, (int(match.group(2)) - 1) * 3 + 1, 1))
    if match.group(3):
        month = int(match.group(3))
        if not 1 <= month <= 12:
            raise BadPeriod(_("月份须在 01 到 12 之间。"))
        return of(MONTH, datetime.date(year, month, 1))
    return of(YEAR, datetime.date(year, 1, 1))
