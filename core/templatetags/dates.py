"""``|date`` as Django's, with the formats made of year, month, day, hour, minute and second numbers written
by a format string compiled once per format.

Django's filter builds a formatter and calls a method for each format character: about 30 µs a date on this
machine, and a list of 50 cases shows two or three dates a row (docs/performance.md, "Dates in lists"). A
format such as ``"Y-m-d H:i"`` or ``"Y年n月j日"`` — the characters Y m n d j H i s and any text that is not a
format character — is written here from the value's numbers (about 2 µs); any other format (a month's name,
a week day, a format name such as ``DATE_FORMAT``, an escaped character), a time format on a date, and any
value that is not a date or datetime go to Django's filter. A builtin of the project's templates, like the
``{% url %}`` of ``core.templatetags.links``; tests/project/test_dates.py holds it to Django's.
"""

from __future__ import annotations

import datetime
from functools import cache

from django import template
from django.template.defaultfilters import date as django_date

register = template.Library()

# Every character Django's date format reads as a format character (django.utils.dateformat).
_FORMAT_CHARACTERS = set("aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ")
_WRITTEN = {
    "Y": "{0.year:04d}",
    "m": "{0.month:02d}",
    "n": "{0.month:d}",
    "d": "{0.day:02d}",
    "j": "{0.day:d}",
    "H": "{0.hour:02d}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}
_TIME = set("His")


@cache
def _compiled(arg: str) -> tuple[str, bool] | None:
    """(a ``str.format`` pattern, whether it reads the time), or None when Django's filter must write it."""
    pieces, reads_time = [], False
    for character in arg:
        if character in _WRITTEN:
            pieces.append(_WRITTEN[character])
            reads_time = reads_time or character in _TIME
        elif character in _FORMAT_CHARACTERS or character == "\\":
            return None
        else:
            pieces.append(character.replace("{", "{{").replace("}", "}}"))
    return "".join(pieces), reads_time


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if arg and isinstance(arg, str) and isinstance(value, datetime.date):
        compiled = _compiled(arg)
        if compiled is not None:
            pattern, reads_time = compiled
            if isinstance(value, datetime.datetime) or not reads_time:
                return pattern.format(value)
    return django_date(value, arg)
