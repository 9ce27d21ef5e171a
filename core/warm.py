"""What a web process does once, before it takes its first request (docs/performance.md, "A process's first
requests"): the project's templates compiled into the cached loader, the URL patterns compiled and the resolver
filled in every language, the translation catalogs and the password hasher's library loaded.

Without it each of gunicorn's processes paid all of that in its first requests, which at eight in the morning
are two hundred logins at once. Nothing here reads the database.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import get_hashers
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import URLResolver, get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".txt", ".xml", ".json", ".js")


# The collector's thresholds for a web process (docs/performance.md, "What every page pays"): a young collection
# after 10,000 new objects instead of 700, the older generations 20 and 100 times rarer than that instead of 10
# and 10. A page of a few hundred rows makes tens of thousands of objects, nearly all freed by reference
# counting when the response is sent; the default thresholds collected young objects a few dozen times a
# request and walked the survivors again and again: 1.3 ms of GC a request over sixteen of the bench's pages,
# 0.6 ms now (a young collection takes 3–4 ms on the county's pages).
GC_THRESHOLDS = (10_000, 20, 100)


def settle_collector() -> None:
    """Once the application is loaded: everything made so far lives as long as the process, kept out of the
    collector's passes (``gc.freeze``), and the thresholds above."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def warm() -> dict[str, int]:
    """Warm this process; returns what it did (counts), for the log and the tests."""
    done = {"templates": templates(), "url_patterns": 0}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            done["url_patterns"] += url_patterns()
    hasher = get_hashers()[0]
    if hasher.library:
        hasher._load_library()  # argon2-cffi imported now, not in the first login
    return done


def _own_template_dirs(engine) -> list[Path]:
    """The template folders of the project itself (``templates/`` and its apps'), not the installed packages'."""
    base = Path(settings.BASE_DIR).resolve()
    own = []
    for folder in engine.template_dirs:
        path = Path(folder).resolve()
        if path.is_relative_to(base) and not any(part.startswith(".") for part in path.relative_to(base).parts):
            own.append(path)
    return own


def templates() -> int:
    """Compile every template of the project, each by its engine (Django's cached loader and Jinja2's
    environment keep them for the process's life). A folder of one engine inside another's (templates/jinja2
    in templates/) is that engine's alone."""
    count = 0
    folders = [(engine, _own_template_dirs(engine)) for engine in engines.all()]
    every = [folder for _engine, own in folders for folder in own]
    for engine, own in folders:
        for folder in own:
            inner = [other for other in every if other != folder and other.is_relative_to(folder)]
            for path in sorted(folder.rglob("*")):
                if path.suffix not in TEMPLATE_SUFFIXES or not path.is_file():
                    continue
                if any(path.is_relative_to(other) for other in inner):
                    continue
                name = path.relative_to(folder).as_posix()
                try:
                    engine.get_template(name)
                except (TemplateDoesNotExist, TemplateSyntaxError):
                    # A fragment meant to be included in a context that defines its blocks; the page that uses
                    # it compiles it on its first request as before.
                    logger.debug("template %s not compiled ahead", name, exc_info=True)
                    continue
                count += 1
    return count


def url_patterns(resolver: URLResolver | None = None) -> int:
    """Compile every URL pattern's expression in the active language and fill the resolver's reverse tables."""
    resolver = resolver or get_resolver()
    resolver.reverse_dict  # noqa: B018 (filled on first access, per language)
    count = 0
    for pattern in resolver.url_patterns:
        pattern.pattern.regex  # noqa: B018 (compiled on first access, per language)
        count += 1
        if isinstance(pattern, URLResolver):
            count += url_patterns(pattern)
    return count
