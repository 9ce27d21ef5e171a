"""Panels the apps above the registry add to its pages (docs/architecture.md, "Where a new feature goes").

A key person's page shows their visits and cases, a household's page its visits and cases; visits and
disputes stand above ``residents``, which may not import them. So the registry offers this extension
point: an upper app registers, in its ``AppConfig.ready()``, a callable for a page; the page calls each
callable with the user and the object shown, in order, and renders what they return.

A callable returns ``(template name, context)`` or ``None`` (nothing to show this user). It is called
only after the page's own door let the user in (``visible_to``): a panel narrows further when its rows
are more private than the page (a key person's visits on a household's page), never wider.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

KEY_PERSON = "keyperson-detail"
HOUSEHOLD = "household-detail"

PanelFunction = Callable[[Any, Any], "tuple[str, dict] | None"]


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict


_registry: dict[str, list[tuple[int, str, PanelFunction]]] = defaultdict(list)


def register(page: str, function: PanelFunction, *, order: int = 100) -> None:
    """Show ``function``'s panel on ``page``; lower ``order`` first. Registering twice keeps one."""
    key = f"{function.__module__}.{function.__qualname__}"
    entries = [entry for entry in _registry[page] if entry[1] != key]
    entries.append((order, key, function))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    _registry[page] = entries


def panels_for(page: str, user, obj) -> list[Panel]:
    """The panels of ``page`` for ``user`` looking at ``obj``, in order."""
    panels = []
    for _order, _key, function in _registry[page]:
        result = function(user, obj)
        if result is not None:
            template, context = result
            panels.append(Panel(template, context))
    return panels
