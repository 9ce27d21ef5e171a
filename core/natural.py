"""Natural order of addresses and numbers (张庄2号 before 张庄11号: runs of digits compare as numbers), for
the lists a grid worker walks (README, "Visits (走访) and reminders").

The order is computed in Python rather than in SQL: PostgreSQL and SQLite (``make run``) share no way to
pull a number out of text, and a stored sort key would have to be kept in step by every path that writes an
address (imports and moves write in bulk, bypassing ``save``). A grid worker's lists hold a few hundred to
a few thousand rows, so one narrow query and a sort stay fast; a page's rows are then read by id."""

from __future__ import annotations

import re
from collections.abc import Sequence

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """``"张庄11号"`` → ``("张庄", 11, "号")``: split() alternates text and digit runs, so tuples compare
    text with text and number with number."""
    return tuple(int(part) if i % 2 else part for i, part in enumerate(_DIGITS.split(text or "")))


def _sort_value(value) -> tuple:
    # None last; text in natural order; anything else (numbers, dates) as it is.
    if value is None:
        return (1,)
    return (0, natural_key(value)) if isinstance(value, str) else (0, value)


class NaturalOrder(Sequence):
    """The rows of ``queryset`` in natural order of ``fields`` (then by id), as a sequence a Paginator pages:
    one query reads the ids and the fields, a slice reads its rows by id (with the queryset's joins and
    annotations)."""

    def __init__(self, queryset, *fields: str, rows=None) -> None:
        """``rows``: what the rows add to ``queryset`` (as ``core.pages.IdFirstPaginator``'s), for a slice's
        rows only."""
        ordered = queryset.order_by().values_list("pk", *fields)
        self.ids = [row[0] for row in sorted(ordered, key=lambda r: (*map(_sort_value, r[1:]), r[0]))]
        self.queryset = queryset if rows is None else rows(queryset)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            ids = self.ids[index]
            rows = self.queryset.order_by().in_bulk(ids) if ids else {}
            return [rows[pk] for pk in ids if pk in rows]
        return self[index : index + 1 if index != -1 else None][0]
