"""The village's 汇报材料 draft, written from the product's own data (docs/scorecard.md, "The 汇报材料 draft").

``period`` reads the period asked for, ``facts`` gathers the figures in a fixed number of grouped queries,
``text`` builds the sentences and chapters, ``word`` renders them as a .docx; ``views`` serves the document
and its printable page.
"""

from __future__ import annotations

import datetime

from grids.models import Village

from .. import scorecard
from ..scorecard.period import BadPeriod, Period, parse
from . import facts, text

__all__ = ["BadPeriod", "Period", "draft_for", "parse"]


def draft_for(village: Village, period: Period, *, today: datetime.date | None = None) -> text.Draft:
    scores = scorecard.compute([village.pk], period, links=False, previous=False, today=today)[village.pk]
    return text.build(facts.gather(village, period, today=today), scores)
