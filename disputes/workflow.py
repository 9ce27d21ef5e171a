"""The one state machine of cases, and who may move a case along it.

``TRANSITIONS`` is the only table of allowed state changes; ``ACTIONS`` names the ways a person moves a
case (each is one edge, or a few edges with the same meaning, of the table) and ``Actor`` says who may
take which action. ``services.case_transition`` refuses anything not in ``TRANSITIONS``.

The loop (docs/sources.md [S2] §一(三): 信息收集 → 问题发现 → 任务分办 → 协调处置 → 结果反馈; DOMAIN.md, life of a case):

    reported ─accept→ accepted ─assign→ handling ─resolve→ resolved ─feedback→ feedback ─close→ closed
       │                  │  ↑              │                 │                   └─reopen→ handling
       └─reject→ rejected └──┼─ escalate ───┴─────────────────┘→ escalated ─accept / send back→ accepted
                             └─ dept_return (a department hands a tier-3 case back unsolved) ─┘

A department (docs/departments.md) takes part only in the town's tier: the town assigns a case to it
(assign), its people sign for it (签收), record what they did (dept_note), and either resolve it — the
resolution is their feedback to the town, which then tells the parties and makes the return visit — or hand
it back to the town (dept_return) when it is not theirs to solve, for the town to assign again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from grids import access

from .models import Case, Kind, State, Tier, department_ids_of

TRANSITIONS: dict[str, frozenset[str]] = {
    State.REPORTED: frozenset({State.ACCEPTED, State.REJECTED, State.ESCALATED}),
    State.ACCEPTED: frozenset({State.HANDLING, State.ESCALATED}),
    # Back to "accepted": a department hands a town case back for the town to assign again.
    State.HANDLING: frozenset({State.RESOLVED, State.ESCALATED, State.ACCEPTED}),
    # Resolved without agreement: the next tier may still take it up.
    State.RESOLVED: frozenset({State.FEEDBACK, State.ESCALATED}),
    # The next tier accepts it, or sends it back down with instructions: either way it waits to be assigned.
    State.ESCALATED: frozenset({State.ACCEPTED}),
    # The return visit: settled closes the case, "not settled" reopens it with the same handler.
    State.FEEDBACK: frozenset({State.CLOSED, State.HANDLING}),
    State.REJECTED: frozenset(),
    State.CLOSED: frozenset(),
}


def is_allowed(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]
    target: str
    label: str
    note_required: bool = False


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("accept", frozenset({State.REPORTED, State.ESCALATED}), State.ACCEPTED, _("受理")),
        Action("reject", frozenset({State.REPORTED}), State.REJECTED, _("不予受理"), note_required=True),
        Action("assign", frozenset({State.ACCEPTED}), State.HANDLING, _("分办")),
        Action(
            "escalate",
            frozenset({State.REPORTED, State.ACCEPTED, State.HANDLING, State.RESOLVED}),
            State.ESCALATED,
            _("上报上级"),
            note_required=True,
        ),
        Action("send_back", frozenset({State.ESCALATED}), State.ACCEPTED, _("退回下级"), note_required=True),
        Action("resolve", frozenset({State.HANDLING}), State.RESOLVED, _("办结")),
        Action("feedback", frozenset({State.RESOLVED}), State.FEEDBACK, _("反馈当事人"), note_required=True),
        Action("close", frozenset({State.FEEDBACK}), State.CLOSED, _("回访满意，结案")),
        Action("reopen", frozenset({State.FEEDBACK}), State.HANDLING, _("回访未解决，重新处置"), note_required=True),
        Action("dept_return", frozenset({State.HANDLING}), State.ACCEPTED, _("退回镇综治中心"), note_required=True),
    ]
}


class Actor:
    """What one user is to one case. ``case.village`` must be loaded (select_related) for the town check."""

    def __init__(self, user, case: Case):
        scope = access.scope_for(user)
        self.user = user
        self.case = case
        self.is_admin = scope.is_admin
        self.is_staff = case.village_id in scope.village_ids
        self.is_town = case.village.town_id in scope.town_ids
        self.is_assignee = case.assignee_id is not None and case.assignee_id == user.pk
        self.is_grid_worker = case.grid_id in scope.grid_ids
        # Someone of the department the town assigned this case to (docs/departments.md).
        self.is_department = (
            case.tier == Tier.TOWN and case.department_id is not None and case.department_id in department_ids_of(user)
        )

    @property
    def holds_tier(self) -> bool:
        """The level the case sits at decides: the town for tier 3, the village below it."""
        if self.is_admin:
            return True
        return self.is_town if self.case.tier == Tier.TOWN else self.is_staff

    @property
    def is_local(self) -> bool:
        """Feedback and the return visit are the village's (or the town's, for its own cases)."""
        return self.is_admin or self.is_staff or (self.case.tier == Tier.TOWN and self.is_town)

    def may(self, name: str) -> bool:
        case = self.case
        action = ACTIONS.get(name)
        if action is None or case.state not in action.sources:
            return False
        if name == "accept":
            # A new case is the village's to accept; an escalated one belongs to the tier it was sent to.
            return self.is_staff or self.is_admin if case.state == State.REPORTED else self.holds_tier
        if name == "reject":
            return self.is_staff or self.is_admin
        if name == "assign":
            return self.holds_tier
        if name == "escalate":
            if case.tier >= Tier.TOWN:
                return False
            # The grid worker handling a tier-1 case may hand it up to the village.
            return self.holds_tier or (self.is_assignee and case.tier == Tier.GROUP)
        if name == "send_back":
            return case.tier > Tier.GROUP and self.holds_tier
        if name == "resolve":
            # A department resolves (its feedback to the town) once it has signed for the case.
            return self.holds_tier or self.is_assignee or (self.is_department and self.case.signed_at is not None)
        if name == "dept_return":
            return self.is_department
        if name == "feedback":
            return self.is_local or self.is_assignee
        if name in {"close", "reopen"}:
            return self.is_local
        return False

    def actions(self) -> list[Action]:
        return [action for name, action in ACTIONS.items() if self.may(name)]

    # Steps that do not change the state.
    def may_sign(self) -> bool:
        return (
            (self.is_assignee or self.is_department)
            and self.case.state == State.HANDLING
            and (self.case.signed_at is None)
        )

    def may_note(self) -> bool:
        """A department's handling note (处置记录): once signed for, while handling."""
        return self.is_department and self.case.state == State.HANDLING and self.case.signed_at is not None

    def may_record_session(self) -> bool:
        return (
            self.case.kind == Kind.DISPUTE
            and self.case.state == State.HANDLING
            and (self.holds_tier or self.is_assignee)
        )

    def may_set_mediators(self) -> bool:
        return self.case.kind == Kind.DISPUTE and self.case.is_open and (self.is_staff or self.is_admin)

    def may_attach(self) -> bool:
        return self.case.is_open and (
            self.holds_tier or self.is_assignee or self.is_grid_worker or self.case.reported_by_id == self.user.pk
        )
