"""The work list's content, kept (docs/performance.md, "The field work list").

A grid worker opens the month's list again and again: after each visit, back from a household, on the way
to the next one. Counting it (the key persons with their visit histories, the month's households with their
visits, the walk, the rows) took 45–50 ms of a core at a million residents, two thirds of the server's work
when two hundred workers are out. The content between the layout and the town's tasks is now kept in the
cache under the grids' marks (``live.marks``: a row's stamp and its count of changes, bumped in the
transaction of every write that changes what the grid's month shows), the day, the language, the address
with its query, and the page's templates. A page whose marks still hold is read back; a write moves the mark,
and the next reading counts again. The town's tasks and everything of the layout (messages, the inbox) are
read for each request.

A new visit to a household, the write a worker makes all day, changes the month's figures and that
household's row, nothing else: what the list shows apart from them (the frame: key persons, key places, the
walk, the page's households) is kept under a second mark that such a visit leaves as it is, so the list after
it reads the figures and the page's visits again and renders, instead of counting everything.

Without the cache (unreachable, full), the page is counted as before and nothing is kept.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import importlib
import logging
from pathlib import Path

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import live

log = logging.getLogger(__name__)

BODY = "visits/partials/work_list_body.html"
TASKS_MARKER = "<!-- town-tasks -->"
# The templates whose text makes the content (a changed one is a new key: no old markup after a deploy).
TEMPLATES = (
    BODY,
    "partials/pager.html",
    "visits/partials/work_list_filters.html",
    "visits/partials/work_list_key_persons.html",
    "visits/partials/work_list_places.html",
)
# A day's content is worth keeping for the morning's or afternoon's round; the day is in the key anyway.
TTL = 3 * 3600


# The modules whose code counts the frame and whose objects it holds: a deploy that changes them is a new key.
FRAME_CODE = (
    "visits.views",
    "visits.due",
    "visits.walk",
    "residents.cadence",
    "residents.models.households",
    "residents.models.key_persons",
    "residents.models.key_places",
    "grids.models",
)


@functools.cache
def _code_signature() -> str:
    digest = hashlib.sha256()
    for name in FRAME_CODE:
        digest.update(Path(importlib.import_module(name).__file__).read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def _templates_signature() -> str:
    digest = hashlib.sha256()
    for name in TEMPLATES:
        origin = get_template(name).origin
        digest.update(origin.name.encode())
        digest.update(origin.loader.get_contents(origin).encode())
    return digest.hexdigest()[:16]


def keys(request: HttpRequest, grid_ids: list[int], month: datetime.date, today: datetime.date) -> tuple[str, str]:
    """The keys of this request's content and of its frame: the grids' marks (one query), the day, the
    language, the address, the templates' text. The content's holds every change of the grids; the frame's all
    but new visits to households, and the code that counts the frame."""
    marks = live.marks(grid_ids, month)
    parts = [
        connection.settings_dict["NAME"],  # two portals, or a test run beside the bench, sharing one Redis
        today.isoformat(),
        get_language() or "",
        get_script_prefix(),
        request.get_full_path(),
    ]
    content = [_templates_signature(), *parts, *(f"{g}:{marks[g][0]}" for g in grid_ids)]
    frame = [_code_signature(), _templates_signature(), *parts, *(f"{g}:{marks[g][1]}" for g in grid_ids)]
    return (
        "worklist:" + hashlib.sha256("\n".join(content).encode()).hexdigest(),
        "worklist-frame:" + hashlib.sha256("\n".join(frame).encode()).hexdigest(),
    )


def _get(key: str):
    """What the cache holds under ``key``; None when nothing, or when it cannot be read (unreachable, or a
    value this code cannot unpickle): the page is then counted."""
    try:
        return cache.get(key)
    except Exception:
        log.warning("work list: %s could not be read from the cache; counting the page", key.split(":")[0])
        return None


def _set(key: str, value, ttl: int | None) -> None:
    try:
        cache.set(key, value, ttl or TTL)
    except Exception:
        log.warning("work list: the cache is unreachable; %s is not kept", key.split(":")[0])


def read(key: str) -> tuple[SafeString, SafeString] | None:
    """The content before and after the town's tasks, or None (not kept, or no cache)."""
    found = _get(key)
    if not found:
        return None
    top, rest = found
    return mark_safe(top), mark_safe(rest)  # noqa: S308 (our own rendered template, kept as it was)


def read_frame(key: str) -> dict | None:
    """The frame kept under ``key`` (``visits.views._work_list_frame``), or None."""
    return _get(key)


def keep_frame(key: str, frame: dict, *, ttl: int | None = None) -> None:
    _set(key, frame, ttl)


def split(content: str) -> tuple[SafeString, SafeString]:
    top, rest = content.split(TASKS_MARKER, 1)
    return mark_safe(top), mark_safe(rest)  # noqa: S308 (a part of our own rendered template)


def keep(key: str, parts: tuple[str, str], *, ttl: int | None = None) -> None:
    _set(key, (str(parts[0]), str(parts[1])), ttl)


def until_tomorrow() -> int:
    """Seconds to the end of today (local time): what the nightly warming keeps a list for."""
    now = timezone.localtime()
    tomorrow = timezone.make_aware(datetime.datetime.combine(now.date() + datetime.timedelta(days=1), datetime.time()))
    return max(60, int((tomorrow - now).total_seconds()))
