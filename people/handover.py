"""The handover when a grid worker leaves (README, "Handover when a grid worker leaves").

The village staff end a grid worker's assignment and say who takes over: a successor from today, or
nobody yet (the staff member who confirms carries the work until there is one). In one transaction, each
lower app's own verb moves its part: the grid (``grids.services.assignment_hand_over``; the leaver's last
day is yesterday, so their sessions and tokens end and their phone wipes at its next contact), the open
cases they handled (``disputes.services.case_hand_over``, a timeline line on each), the key-person teams
that name them (``residents.services.responsibles_hand_over``), a notice to whoever takes over and the
village staff, a ``Handover`` record and an audit entry. Coverage is kept per grid (visits/due.py), not per
person, so the month's figures stay what they were: the successor's work list shows what is left.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail
from audit.models import AuditAction
from disputes.models import Case, Tier
from disputes.services import case_hand_over
from grids import access
from grids.models import Assignment, Grid, Role, User, Village
from grids.services import NotHandedOver, assignment_hand_over, holders
from messaging.services import notice_send
from residents.models import KeyPersonResponsible
from residents.services import responsibles_hand_over
from visits import due

from .models import Handover


@dataclass
class HandoverPlan:
    """What moves when ``assignment``'s worker leaves today, read before anything changes (the page shows
    it before the staff confirm; the service moves exactly these)."""

    assignment: Assignment
    grid: Grid
    village: Village
    leaver: User
    month: datetime.date
    households_left: list = field(default_factory=list)
    key_persons_left: list = field(default_factory=list)
    key_places_left: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    responsibles: list = field(default_factory=list)

    @property
    def key_person_ids(self) -> list[int]:
        return sorted({r.key_person_id for r in self.responsibles})


def _keeps_other_work_in(leaver: User, village: Village, assignment: Assignment) -> bool:
    return Assignment.objects.current().filter(user=leaver).exclude(pk=assignment.pk).in_village(village).exists()


def handover_plan(assignment: Assignment) -> HandoverPlan:
    """The grid's households, key persons and key places still to visit this month, the leaver's open cases
    and the key-person teams that name them. What the leaver does for the village beyond this grid moves
    too when this was their last place in the village; while they keep another, only this grid's part."""
    grid = assignment.grid
    village = grid.village
    leaver = assignment.user
    today = timezone.localdate()
    month = due.month_start(today)
    cases = Case.objects.open().filter(assignee=leaver, village=village).exclude(tier=Tier.TOWN)
    teams = KeyPersonResponsible.objects.filter(user=leaver, key_person__resident__village=village)
    if _keeps_other_work_in(leaver, village, assignment):
        cases = cases.filter(grid=grid)
        teams = teams.filter(key_person__resident__household__grid=grid)
    key_items = due.key_persons_due([grid.pk], month, today)
    return HandoverPlan(
        assignment=assignment,
        grid=grid,
        village=village,
        leaver=leaver,
        month=month,
        households_left=list(due.households_to_visit([grid.pk], month)),
        key_persons_left=due.most_urgent_first(key_items),
        key_places_left=list(due.key_places_to_visit([grid.pk], month)),
        cases=list(cases.select_related("village__town", "grid").order_by("pk")),
        responsibles=list(teams.select_related("key_person__resident").order_by("key_person_id", "pk")),
    )


def successor_choices(village: Village, leaver: User):
    """Who may take the grid over: the village's people with an account that is switched on (the same
    people ``grids.forms.AssignmentForm`` offers), the leaver excepted."""
    return (
        User.objects.filter(home_village=village, is_active=True)
        .exclude(pk=leaver.pk)
        .order_by("full_name", "username")
    )


@transaction.atomic
def grid_hand_over(*, assignment: Assignment, by: User, successor: User | None) -> Handover:
    """Hand ``assignment``'s grid over from today to ``successor`` (or to the village staff until there is
    one, carried by ``by``). Only the village's staff (or the admin). Raises ValidationError with a Chinese
    message (``grids.services.NotHandedOver`` when the assignment is over or not a grid worker's); nothing
    is saved then."""
    village = assignment.grid.village if assignment.grid_id else assignment.village_of_place
    if village is None or not access.can_manage_village(by, village):
        raise PermissionDenied(_("只有本村村干部可以办理离岗交接。"))
    if successor is not None and successor.home_village_id != village.pk:
        raise PermissionDenied(_("接替人必须是本村人员。"))
    # The assignment locked first: a second post of the same page (an assignment that began today ends
    # today, so it still looks current) finds the handover made and is refused like any stale page.
    Assignment.objects.select_for_update().filter(pk=assignment.pk).exists()
    if Handover.objects.filter(assignment=assignment).exists():
        raise NotHandedOver(_("%(user)s 的岗位已经办理过交接。") % {"user": assignment.user})
    # The grid first (it refuses a page gone stale otherwise); then what is read is what moves.
    leaver = assignment.user
    new_assignment = assignment_hand_over(assignment=assignment, by=by, successor=successor)
    plan = handover_plan(Assignment.objects.select_related("user", "grid__village").get(pk=assignment.pk))
    carrier = successor or by
    today = timezone.localdate()
    note = _("%(leaver)s 离岗，“%(grid)s”交由 %(to)s。") % {
        "leaver": leaver,
        "grid": plan.grid.name,
        "to": successor if successor else _("村干部 %(name)s 暂管") % {"name": by},
    }
    for case in plan.cases:
        case_hand_over(case=case, by=by, to=carrier, note=note)
    key_person_ids = plan.key_person_ids
    team_rows = responsibles_hand_over(by=by, leaver=leaver, to=carrier, row_ids=[r.pk for r in plan.responsibles])
    handover = Handover.objects.create(
        grid=plan.grid,
        assignment=assignment,
        leaver=leaver,
        successor=successor,
        carrier=carrier,
        on=today,
        by=by,
        households_left=len(plan.households_left),
        cases=[c.pk for c in plan.cases],
        key_persons=key_person_ids,
        team_rows=team_rows,
    )
    summary = _(
        "本月待走访 %(households)s 户、重点人员 %(keys)s 人、重点场所 %(places)s 处；移交案件 %(cases)s 件；帮扶责任 %(teams)s 人。"
    ) % {
        "households": len(plan.households_left),
        "keys": sum(1 for k in plan.key_persons_left if not k.done),
        "places": len(plan.key_places_left),
        "cases": len(plan.cases),
        "teams": len(key_person_ids),
    }
    recipients = {u.pk: u for u in holders(Role.VILLAGE_STAFF, village)}
    recipients[carrier.pk] = carrier
    notice_send(
        recipients=recipients.values(),
        key=f"handover-{handover.pk}",
        kind="handover",
        title=_("网格交接：%(grid)s 由 %(to)s 接手") % {"grid": plan.grid.name, "to": carrier},
        body=f"{note}\n{summary}",
        url=reverse("people:handover-detail", args=[handover.pk]),
    )
    trail.record(
        AuditAction.HANDOVER,
        handover,
        village_id=village.pk,
        changes={
            "grid": plan.grid.pk,
            "leaver": leaver.pk,
            "successor": successor.pk if successor else None,
            "carrier": carrier.pk,
            "assignment_end": [None, str(Assignment.objects.get(pk=assignment.pk).end)],
            "new_assignment": new_assignment.pk if new_assignment else None,
            "cases": handover.cases,
            "key_persons": key_person_ids,
        },
        note=summary,
    )
    return handover


def grid_worker_now(grid: Grid) -> User | None:
    """The grid's worker today (the first, should there be several)."""
    current = Assignment.objects.current().filter(role=Role.GRID_WORKER, grid=grid).select_related("user")
    return next((a.user for a in current.order_by("start", "pk")), None)


def may_hand_on(handover: Handover) -> bool:
    """A handover to the village staff whose work has not gone on to a new worker yet."""
    return handover.successor_id is None and handover.handed_on_to_id is None


@transaction.atomic
def handover_hand_on(*, handover: Handover, by: User) -> Handover:
    """The grid handed to the village staff has a worker again (assigned as usual): what the staff member
    carried since the handover passes to them — the cases of the handover still open and still with that
    staff member, and the team lines that came from the leaver. Only the village's staff, once. Raises
    ValidationError (Chinese message); nothing is saved then."""
    handover = Handover.objects.select_for_update().select_related("grid__village", "carrier").get(pk=handover.pk)
    village = handover.grid.village
    if not access.can_manage_village(by, village):
        raise PermissionDenied(_("只有本村村干部可以办理离岗交接。"))
    if not may_hand_on(handover):
        raise ValidationError(_("这次交接的工作已经交给网格员，无需再转交。"))
    to = grid_worker_now(handover.grid)
    if to is None:
        raise ValidationError(_("“%(grid)s”还没有网格员，请先指派。") % {"grid": handover.grid.name})
    note = _("“%(grid)s”有了新的网格员，村干部 %(carrier)s 暂管的工作转交 %(to)s。") % {
        "grid": handover.grid.name,
        "carrier": handover.carrier,
        "to": to,
    }
    cases = (
        Case.objects.open()
        .filter(pk__in=handover.cases, assignee=handover.carrier)
        .exclude(tier=Tier.TOWN)
        .select_related("village__town")
        .order_by("pk")
    )
    moved_cases = []
    for case in cases:
        case_hand_over(case=case, by=by, to=to, note=note)
        moved_cases.append(case.pk)
    rows = responsibles_hand_over(by=by, leaver=handover.carrier, to=to, row_ids=handover.team_rows)
    handover.handed_on_to = to
    handover.handed_on_at = timezone.now()
    handover.save(update_fields=["handed_on_to", "handed_on_at"])
    recipients = {u.pk: u for u in holders(Role.VILLAGE_STAFF, village)}
    recipients[to.pk] = to
    notice_send(
        recipients=recipients.values(),
        key=f"handover-{handover.pk}-on",
        kind="handover",
        title=_("网格交接：%(grid)s 暂管的工作转交 %(to)s") % {"grid": handover.grid.name, "to": to},
        body=note,
        url=reverse("people:handover-detail", args=[handover.pk]),
    )
    trail.record(
        AuditAction.HANDOVER,
        handover,
        village_id=village.pk,
        changes={"handed_on_to": to.pk, "from": handover.carrier_id, "cases": moved_cases, "team_rows": rows},
        note=note,
    )
    return handover
