"""The one state table of a village's part of a town task, and who may move it (docs/towntasks.md).

    issued ─sign→ signed ─start→ in_progress ─report→ reported ─accept→ accepted
                                     ↑                    └─return→ returned ─start┘

The village's staff sign (签收), start the work (for a checklist: the households go to their grids' workers)
and report back (反馈); the town office accepts the report or returns it (退回) with a note, and the village
takes it up again. ``services.target_move`` refuses anything not in ``TRANSITIONS``, through the shared
status pipeline (core/pipeline.py): a conditional update on state and version, and an event row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from grids import access

from .models import Stage, TaskVillage

TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.ISSUED: frozenset({Stage.SIGNED}),
    Stage.SIGNED: frozenset({Stage.IN_PROGRESS}),
    Stage.IN_PROGRESS: frozenset({Stage.REPORTED}),
    Stage.REPORTED: frozenset({Stage.ACCEPTED, Stage.RETURNED}),
    Stage.RETURNED: frozenset({Stage.IN_PROGRESS}),
    Stage.ACCEPTED: frozenset(),
}

VILLAGE, TOWN = "village", "town"


@dataclass(frozen=True)
class Action:
    """One way a person moves a village's part: an edge of ``TRANSITIONS``, done by the village or the town."""

    name: str
    sources: frozenset[str]
    target: str
    label: str
    side: str
    note_required: bool = False


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("sign", frozenset({Stage.ISSUED}), Stage.SIGNED, _("签收"), VILLAGE),
        Action("start", frozenset({Stage.SIGNED, Stage.RETURNED}), Stage.IN_PROGRESS, _("分派办理"), VILLAGE),
        Action("report", frozenset({Stage.IN_PROGRESS}), Stage.REPORTED, _("反馈办理情况"), VILLAGE),
        Action("accept", frozenset({Stage.REPORTED}), Stage.ACCEPTED, _("验收通过"), TOWN),
        Action("return", frozenset({Stage.REPORTED}), Stage.RETURNED, _("退回重办"), TOWN, note_required=True),
    ]
}


def is_allowed(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())


def action_for(from_state: str, to_state: str) -> Action | None:
    for action in ACTIONS.values():
        if from_state in action.sources and action.target == to_state:
            return action
    return None


def may_act_for_village(user, village_id: int) -> bool:
    scope = access.scope_for(user)
    return scope.is_admin or village_id in scope.village_ids


def may_act_for_town(user, town_id: int) -> bool:
    return access.may_review_for_town(user, town_id)


class Actor:
    """What one user may do to one village's part of a task."""

    def __init__(self, user, target: TaskVillage):
        self.user = user
        self.target = target
        self.village = may_act_for_village(user, target.village_id)
        self.town = may_act_for_town(user, target.task.town_id)

    def on_side(self, side: str) -> bool:
        return self.village if side == VILLAGE else self.town

    def may(self, name: str) -> bool:
        action = ACTIONS.get(name)
        return action is not None and self.on_side(action.side) and self.target.state in action.sources

    def actions(self) -> list[Action]:
        return [a for name, a in ACTIONS.items() if self.may(name)]
