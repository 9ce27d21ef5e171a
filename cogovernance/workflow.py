"""The one state table of a deliberation (协商议事), and who may move one (docs/cogovernance.md).

Seeds 000 §5 and 003 二(一): research first, the topic approved by the Party organisation, published for a
week, examined and deliberated with 政协委员, villager representatives and departments, resolved, followed
up until done:

    proposed ─research→ research ─submit→ submitted ─approve→ published ─meeting→ deliberated ─resolve→ resolved
       └──────── submit ────────┘            └─send back→ returned ─submit / research┘
    resolved ─implement→ implementing ─close→ closed        (resolved ─close→ closed: nothing to build)

``services.deliberation_move`` refuses anything not in ``TRANSITIONS``; the resolution is refused until the
publicity week has ended (``services.PublicityNotOver``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from grids import access

from .models import Deliberation, Stage

TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.PROPOSED: frozenset({Stage.RESEARCH, Stage.SUBMITTED}),
    Stage.RESEARCH: frozenset({Stage.SUBMITTED}),
    Stage.SUBMITTED: frozenset({Stage.PUBLISHED, Stage.RETURNED}),
    Stage.RETURNED: frozenset({Stage.RESEARCH, Stage.SUBMITTED}),
    Stage.PUBLISHED: frozenset({Stage.DELIBERATED}),
    Stage.DELIBERATED: frozenset({Stage.RESOLVED}),
    Stage.RESOLVED: frozenset({Stage.IMPLEMENTING, Stage.CLOSED}),
    Stage.IMPLEMENTING: frozenset({Stage.CLOSED}),
    Stage.CLOSED: frozenset(),
}

# Research may be added while the topic is being prepared; progress while the resolution is carried out.
RESEARCH_STAGES = frozenset({Stage.PROPOSED, Stage.RESEARCH, Stage.RETURNED})
PROGRESS_STAGES = frozenset({Stage.IMPLEMENTING})


@dataclass(frozen=True)
class Action:
    """One way a person moves a deliberation: an edge of ``TRANSITIONS`` (``form`` names the extra form the
    step needs: the approval's dates, the meeting, the resolution; None for a plain move with a note)."""

    name: str
    sources: frozenset[str]
    target: str
    label: str
    note_required: bool = False
    form: str | None = None


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("research", frozenset({Stage.PROPOSED, Stage.RETURNED}), Stage.RESEARCH, _("开展调查研究")),
        Action(
            "submit", frozenset({Stage.PROPOSED, Stage.RESEARCH, Stage.RETURNED}), Stage.SUBMITTED, _("报党组织审定")
        ),
        Action("approve", frozenset({Stage.SUBMITTED}), Stage.PUBLISHED, _("审定通过并公示"), form="approve"),
        Action("send_back", frozenset({Stage.SUBMITTED}), Stage.RETURNED, _("退回完善"), note_required=True),
        Action("meeting", frozenset({Stage.PUBLISHED}), Stage.DELIBERATED, _("召开协商议事会"), form="meeting"),
        Action("resolve", frozenset({Stage.DELIBERATED}), Stage.RESOLVED, _("形成决议"), form="resolve"),
        Action("implement", frozenset({Stage.RESOLVED}), Stage.IMPLEMENTING, _("组织实施")),
        Action("close", frozenset({Stage.RESOLVED, Stage.IMPLEMENTING}), Stage.CLOSED, _("办结"), note_required=True),
    ]
}


def is_allowed(from_stage: str, to_stage: str) -> bool:
    return to_stage in TRANSITIONS.get(from_stage, frozenset())


def action_for(from_stage: str, to_stage: str) -> Action | None:
    for action in ACTIONS.values():
        if from_stage in action.sources and action.target == to_stage:
            return action
    return None


def may_change(user, village_id: int) -> bool:
    """The village's staff and the admin keep a village's co-governance records; the town office reads."""
    scope = access.scope_for(user)
    return scope.is_admin or village_id in scope.village_ids


class Actor:
    """What one user may do to one deliberation."""

    def __init__(self, user, deliberation: Deliberation):
        self.user = user
        self.deliberation = deliberation
        self.keeps = may_change(user, deliberation.village_id)

    def may(self, name: str) -> bool:
        action = ACTIONS.get(name)
        return self.keeps and action is not None and self.deliberation.stage in action.sources

    def actions(self) -> list[Action]:
        return [a for name, a in ACTIONS.items() if self.may(name)]

    def may_edit(self) -> bool:
        """The topic's own fields: until it is approved (then the public notice says what it says)."""
        return self.keeps and self.deliberation.stage in RESEARCH_STAGES

    def may_add_research(self) -> bool:
        return self.keeps and self.deliberation.stage in RESEARCH_STAGES

    def may_add_progress(self) -> bool:
        return self.keeps and self.deliberation.stage in PROGRESS_STAGES
