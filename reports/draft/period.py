"""The period a draft covers: a year (``2026``), a quarter (``2026-Q4``) or a month (``2026-11``).

Kept small and on its own so the scorecard's period (docs/scorecard.md) can replace it: the draft only needs
the first and last day and a label for the title.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_QUARTERS = {1: "一", 2: "二", 3: "三", 4: "四"}
_PATTERN = re.compile(r"^(\d{4})(?:-(?:[Qq]([1-4])|(\d{1,2})))?$")


class BadPeriod(ValueError):
    """The period could not be read; the message says what to write instead."""


@dataclass(frozen=True)
class DraftPeriod:
    code: str
    start: datetime.date
    end: datetime.date
    label: str

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)


def parse_period(text: str | None, *, today: datetime.date) -> DraftPeriod:
    """``2026`` / ``2026-Q4`` / ``2026-11``; empty means this year. Raises ``BadPeriod``."""
    text = (text or "").strip() or str(today.year)
    match = _PATTERN.match(text)
    if not match:
        raise BadPeriod(
            _("期间“%(text)s”无法识别：请写年度（2026）、季度（2026-Q4）或月份（2026-11）。") % {"text": text}
        )
    year = int(match[1])
    if not 2000 <= year <= today.year + 1:
        raise BadPeriod(_("年度应在 2000–%(last)s 之间。") % {"last": today.year + 1})
    if match[2]:
        quarter = int(match[2])
        start = datetime.date(year, 3 * quarter - 2, 1)
        end_month = 3 * quarter
        end = datetime.date(year, end_month, calendar.monthrange(year, end_month)[1])
        return DraftPeriod(
            f"{year}-Q{quarter}", start, end, _("%(y)s年第%(q)s季度") % {"y": year, "q": _QUARTERS[quarter]}
        )
    if match[3]:
        month = int(match[3])
        if not 1 <= month <= 12:
            raise BadPeriod(_("月份应在 1–12 之间。"))
        start = datetime.date(year, month, 1)
        end = datetime.date(year, month, calendar.monthrange(year, month)[1])
        return DraftPeriod(f"{year}-{month:02d}", start, end, _("%(y)s年%(m)s月") % {"y": year, "m": month})
    return DraftPeriod(str(year), datetime.date(year, 1, 1), datetime.date(year, 12, 31), _("%(y)s年") % {"y": year})
