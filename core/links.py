"""URLs with whole-number arguments built without a ``reverse()`` each: the URL is reversed once per name, fixed
leading arguments, number of arguments, current application, script prefix and URL configuration, with
numbers no row has where the arguments go; each later URL puts its numbers in their places. A ``reverse()`` costs
about 20 µs (the resolver tries the name's patterns and checks the result against its expression), a list's
``{% url %}`` per row more than its query (docs/performance.md, "What every page pays"); this, about 2 µs.

The template tag ``{% url %}`` uses it too (core/templatetags/links.py, a builtin of the project's templates):
whole numbers only; any other argument, a keyword argument, a name that does not reverse and a URL whose numbers
would not come out as ``reverse()`` writes them (checked on a sample when the pieces are made) go to
``reverse()`` itself.

The pieces do not depend on the language: the project's URLs are the same in every language (no translated
patterns; tests/project/test_links.py holds every name to that).
"""

from __future__ import annotations

import functools

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# Numbers no row has; each occurs once in the URL reversed with them.
_MARKERS = (2147483647, 2147483646, 2147483645, 2147483644)


@functools.cache
def _pieces(name, before: tuple, n: int, current_app, script_prefix, urlconf) -> tuple[str, ...] | None:
    markers = _MARKERS[:n]
    try:
        rest = reverse(name, args=[*before, *markers], current_app=current_app)
    except NoReverseMatch:
        return None
    pieces = []
    for marker in markers:
        head, found, rest = rest.partition(str(marker))
        if not found:
            return None
        pieces.append(head)
    pieces.append(rest)
    sample = list(range(7, 7 + n))
    if _join(pieces, sample) != reverse(name, args=[*before, *sample], current_app=current_app):
        return None  # a converter that writes numbers its own way
    return tuple(pieces)


def _join(pieces, numbers) -> str:
    out = [pieces[0]]
    for number, piece in zip(numbers, pieces[1:], strict=True):
        out.append(str(number))
        out.append(piece)
    return "".join(out)


def where() -> tuple:
    """The script prefix and URL configuration URLs are reversed against now (each a thread-local read of about
    2.5 µs: a page keeps them for its links, core/templatetags/links.py)."""
    return get_script_prefix(), get_urlconf()


def reverse_numbers(name, numbers, *, before: tuple = (), current_app=None, at: tuple | None = None) -> str:
    """``reverse(name, args=[*before, *numbers], current_app=current_app)``, the numbers whole and not negative;
    ``at``: what ``where()`` answers now, when the caller knows it."""
    if (
        isinstance(name, str)
        and len(numbers) <= len(_MARKERS)
        and all(type(number) is int and number >= 0 for number in numbers)
    ):
        pieces = _pieces(name, tuple(before), len(numbers), current_app, *(at or where()))
        if pieces is not None:
            return _join(pieces, numbers)
    return reverse(name, args=[*before, *numbers], current_app=current_app)


def url_with_pk(name: str, pk: int, *before) -> str:
    """``reverse(name, args=[*before, pk])``."""
    return reverse_numbers(name, [int(pk)], before=before)
