"""A row's link built without a ``reverse()`` per row: the URL is reversed once per name, leading arguments and
script prefix, with a number no row has where the pk goes, and each row's pk is put in its place
(docs/performance.md: a ``{% url %}`` per row of a long list cost the page more than its query)."""

from __future__ import annotations

import functools

from django.urls import get_script_prefix, reverse

_MARKER = 2147483647  # a pk no row has: the URL around it is the same for every pk


@functools.cache
def _parts(name: str, before: tuple, script_prefix: str) -> tuple[str, str]:
    head, tail = reverse(name, args=[*before, _MARKER]).split(str(_MARKER), 1)
    return head, tail


def url_with_pk(name: str, pk: int, *before) -> str:
    """``reverse(name, args=[*before, pk])``."""
    head, tail = _parts(name, before, get_script_prefix())
    return f"{head}{int(pk)}{tail}"
