"""The Jinja2 environment of the rows of long tables (docs/performance.md, "Rows of long tables")."""

from __future__ import annotations

import unicodedata

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import truncatechars
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import get_language
from jinja2 import Environment, StrictUndefined, Undefined

from core.links import url_with_pk
from core.templatetags.dates import date as _date
from core.templatetags.portal import pct


def _local_date(value, arg=None):
    """``|date`` as the project's templates write it: an aware datetime in the current time zone first, as
    Django's template engine does for a filter that ``expects_localtime``."""
    return _date(timezone.template_localtime(value), arg)


_GROUPING: dict[str | None, tuple[str, object]] = {}


def _intcomma(value):
    """Humanize's ``intcomma``, whose every call reads the active language's number format: for a whole number
    in a language grouping by threes (English: "12,345") or not separating at all (Chinese: "12345"), written
    here from that format, read once per language; anything else goes to Django's."""
    if type(value) is int:
        language = get_language()
        found = _GROUPING.get(language)
        if found is None:
            found = _GROUPING[language] = (get_format("THOUSAND_SEPARATOR"), get_format("NUMBER_GROUPING"))
        separator, grouping = found
        if separator == "":
            return str(value)
        if grouping == 3:
            return f"{value:,}".replace(",", separator)
    return intcomma(value)


def _truncatechars(value, length):
    """Django's ``truncatechars``, which builds a lazy ``Truncator`` for every value: a plain text no longer
    than ``length`` characters is never cut, and Django's returns it normalised (NFC), as here. Anything else
    (longer, safe text, not text, a length that is not a whole number) goes to Django's."""
    if type(value) is str and type(length) is int and len(value) <= length and length > 0:
        return unicodedata.normalize("NFC", value)
    return truncatechars(value, length)


def _written(value):
    """What ``{{ … }}`` writes. Django's templates call a callable they are given (``{{ h.get_x_display }}``);
    Jinja2 would write the function itself: here that is an error, so a row never shows a method's name."""
    if callable(value) and not isinstance(value, Undefined):  # an undefined name fails as itself
        raise TypeError(f"{value!r} written without calling it")
    return value


def environment(**options) -> Environment:
    """Django's Jinja2 options (the loader of templates/jinja2, reloading in DEBUG), with every value escaped
    whatever the settings say, and a name misspelt or a method not called an error, never an empty cell."""
    options.pop("autoescape", None)
    options["undefined"] = StrictUndefined
    options["finalize"] = _written
    env = Environment(autoescape=True, **options)
    env.globals["url"] = url_with_pk
    env.filters["date"] = _local_date
    env.filters["truncatechars"] = _truncatechars
    env.filters["intcomma"] = _intcomma
    env.filters["pct"] = pct
    return env
