"""One way for a row to move from one status to the next (cases, monthly reports, registry imports).

A ``Pipeline`` names the model, its table of allowed moves and the field that holds the status (and,
where the model has one, the version field). ``move`` refuses a move the table does not allow
(``InvalidTransition``), applies it only if the row is still what the caller saw — a conditional
``UPDATE`` on the status (and the version): two people acting at once, one wins, the other is told
(``Changed``) — and writes the event row in the same transaction.

Each app subclasses the two errors to keep its own message and error code (the REST layer answers a
``Changed`` with 409 Conflict).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class InvalidTransition(ValidationError):
    """A move the table does not allow. Subclasses set ``message`` (with ``%(from)s`` and ``%(to)s``)
    and ``choices`` (the status choices whose labels fill them in)."""

    message = _("当前为「%(from)s」，不能变为「%(to)s」。")
    choices: type[models.TextChoices] | None = None
    code = "invalid_transition"

    def __init__(self, from_state: str, to_state: str):
        self.from_state, self.to_state = from_state, to_state
        super().__init__(
            str(self.message) % {"from": self._label(from_state), "to": self._label(to_state)}, code=self.code
        )

    def _label(self, state: str) -> str:
        return str(self.choices(state).label) if self.choices is not None else state


class Changed(ValidationError):
    """The row is no longer what the caller saw: somebody moved or edited it meanwhile."""

    message = _("刚刚被别人处理过，您的操作没有保存。")
    code = "changed"

    def __init__(self):
        super().__init__(str(self.message), code=self.code)


@dataclass(frozen=True)
class Step:
    """What a move wrote: the values of the ``UPDATE`` (for the audit trail) and the event row."""

    fields: dict[str, Any]
    event: Any = None


@dataclass(frozen=True)
class Pipeline:
    model: type[models.Model]
    transitions: Mapping[str, Collection[str]]
    state_field: str = "state"
    # None: the model has no version; the conditional update is on the status alone.
    version_field: str | None = "version"
    invalid: type[InvalidTransition] = InvalidTransition
    changed: type[Changed] = Changed

    def allows(self, from_state: str, to_state: str) -> bool:
        return to_state in self.transitions.get(from_state, ())

    def check(self, from_state: str, to_state: str) -> None:
        if not self.allows(from_state, to_state):
            raise self.invalid(from_state, to_state)

    def move(
        self,
        obj: models.Model,
        to: str,
        *,
        expected_version: int | None = None,
        changes: Mapping[str, Any] | None = None,
        event: Callable[[], Any] | None = None,
    ) -> Step:
        """Move ``obj`` (as read) to ``to``, setting ``changes`` too; ``expected_version`` defaults to the
        version in hand. ``event`` writes the event row; it runs only if the move was applied."""
        current = getattr(obj, self.state_field)
        self.check(current, to)
        fields = {**(changes or {}), self.state_field: to}
        claim = {"pk": obj.pk, self.state_field: current}
        if self.version_field:
            if expected_version is None:
                expected_version = getattr(obj, self.version_field)
            claim[self.version_field] = expected_version
            fields[self.version_field] = F(self.version_field) + 1
        # No savepoint: a refused move writes nothing, and the error is raised outside the block, so the
        # caller's transaction stays usable (and no extra queries are spent).
        with transaction.atomic(savepoint=False):
            claimed = self.model._default_manager.filter(**claim).update(**fields) == 1
            written = event() if claimed and event is not None else None
        if not claimed:
            raise self.changed()
        return Step(fields=fields, event=written)
