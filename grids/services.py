"""The verbs of the territory. Views, admin actions, commands and tasks all call these."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import credentials
from .models import ROLE_PLACE_FIELD, Assignment, Grid, MicroGrid, Role, User

# Roles of which a place has one holder at a time: a new holder takes over from the current one.
SINGLE_HOLDER_ROLES = {Role.GRID_WORKER, Role.LIAISON, Role.INFO_OFFICER}


@transaction.atomic
def grid_archive(*, grid: Grid, by: User) -> Grid:
    """Archive a grid and end its worker's assignment today. Refused while it has active micro-grids."""
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    if grid.is_archived:
        return grid
    if grid.micro_grids.active().exists():
        raise ValidationError(_("该网格下还有未归档的微网格，请先将它们归档或移到其他网格。"))
    today = timezone.localdate()
    _end_current(Assignment.objects.filter(grid=grid), today)
    grid.archived_at = timezone.now()
    grid.save(update_fields=["archived_at", "updated_at"])
    return grid


@transaction.atomic
def micro_grid_archive(*, micro_grid: MicroGrid, by: User) -> MicroGrid:
    """Archive a micro-grid and end its liaison's assignment today. Refused while it still holds households
    or key places in use (move them first): a household must sit in a micro-grid in use."""
    micro_grid = MicroGrid.objects.select_for_update().get(pk=micro_grid.pk)
    if micro_grid.is_archived:
        return micro_grid
    # Reverse relations of the registry (residents points at grids; grids never imports residents).
    if micro_grid.households.filter(archived_at__isnull=True).exists():
        raise ValidationError(_("该微网格内还有在用的户，请先把它们迁到其他微网格。"))
    if micro_grid.key_places.filter(archived_at__isnull=True).exists():
        raise ValidationError(_("该微网格内还有在用的重点场所，请先调整它们的微网格。"))
    _end_current(Assignment.objects.filter(micro_grid=micro_grid), timezone.localdate())
    micro_grid.archived_at = timezone.now()
    micro_grid.save(update_fields=["archived_at", "updated_at"])
    return micro_grid


def _end_current(assignments, day: datetime.date) -> None:
    """End on ``day`` every assignment still open then; an assignment that starts later is cut to one day."""
    for assignment in assignments.filter(end__isnull=True) | assignments.filter(end__gt=day):
        assignment.end = max(day, assignment.start)
        assignment.save(update_fields=["end"])


@transaction.atomic
def assignment_create(
    *,
    by: User | None,
    user: User,
    role: str,
    place,
    start: datetime.date,
    end: datetime.date | None = None,
) -> Assignment:
    """Give ``user`` a ``role`` at ``place`` from ``start``.

    For a grid, micro-grid or villager group, whoever holds it on ``start`` hands over: their assignment
    ends the day before, so history keeps who covered the place when. Raises ValidationError (Chinese
    message) for an end before the start, an archived place, or an overlapping assignment of the same
    person to the same place.
    """
    role = Role(role)
    field = ROLE_PLACE_FIELD[role]
    if end is not None and end < start:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    if getattr(place, "is_archived", False):
        raise ValidationError(_("“%(place)s”已归档，不能再指派人员。") % {"place": place})
    same_place = Assignment.objects.select_for_update().filter(role=role, **{field: place})
    overlapping = same_place.filter(user=user, start__lte=end or datetime.date.max).exclude(end__lt=start)
    if overlapping.exists():
        raise ValidationError(_("%(user)s 在这段时间已担任“%(place)s”的该岗位。") % {"user": user, "place": place})
    if role in SINGLE_HOLDER_ROLES:
        day_before = start - datetime.timedelta(days=1)
        for previous in same_place.filter(start__lte=start).exclude(end__lt=start):
            if previous.start > day_before:
                raise ValidationError(
                    _("%(user)s 从 %(day)s 起才接任“%(place)s”，请选择更晚的开始日期。")
                    % {"user": previous.user, "day": previous.start, "place": place}
                )
            previous.end = day_before
            previous.save(update_fields=["end"])
    assignment = Assignment(user=user, role=role, start=start, end=end, created_by=by, **{field: place})
    assignment.full_clean()
    assignment.save()
    return assignment


class AssignmentAlreadyEnded(ValidationError):
    """The assignment is over, or already ends on that day or before it (the API answers 409)."""


@transaction.atomic
def assignment_end(*, assignment: Assignment, on: datetime.date, by: User) -> Assignment:
    """End an assignment on ``on`` (the last day it counts), today or later: the pages and the API write
    no history. An assignment that is over stays as it ended, one with a last day still to come may only
    end sooner, and nobody ends their own (they would lock themselves out). A correction of the past is
    the system admin's act in the Django admin, which the audit log records (README, "Security and
    personal data"). Raises ValidationError with a Chinese message; nothing is saved then."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    today = timezone.localdate()
    if assignment.user_id == by.pk:
        raise ValidationError(_("不能结束自己的岗位，请由本村其他村干部或系统管理员办理。"))
    if assignment.end is not None and assignment.end < today:
        raise AssignmentAlreadyEnded(_("该岗位已于 %(end)s 结束，不能再次结束。") % {"end": assignment.end})
    if assignment.end is not None and assignment.end <= on:
        raise AssignmentAlreadyEnded(
            _("该岗位已于 %(end)s 结束（或已定于该日结束），只能提前，不能推迟。") % {"end": assignment.end}
        )
    if on < today:
        raise ValidationError(
            {
                "end": _(
                    "最后在岗日期不能早于今天（%(today)s）。更正过去的记录请联系系统管理员在管理后台办理，"
                    "修改会记入审计日志。"
                )
                % {"today": today}
            }
        )
    if on < assignment.start:
        raise ValidationError({"end": _("结束日期不能早于开始日期（%(start)s）。") % {"start": assignment.start}})
    assignment.end = on
    assignment.save(update_fields=["end"])
    return assignment


class NotHandedOver(ValidationError):
    """The assignment cannot be handed over: it is over already, or it is not a grid worker's (pages show
    the message instead of the form)."""


@transaction.atomic
def assignment_hand_over(*, assignment: Assignment, by: User, successor: User | None) -> Assignment | None:
    """A grid worker leaves today: their grid passes to ``successor`` from today, or stays with the village
    staff until there is one. Returns the successor's new assignment (None without a successor).

    The leaver's last day is yesterday: the day the handover says they last held the grid, which is what
    ``assignment_create`` writes for the previous holder when someone takes over. So history stays honest
    (nobody is recorded as covering a day they did not) and, since the end lies in the past, their rights
    end now: ``credentials`` ends their sessions and tokens and stamps the wipe of their phone, unless they
    still hold another place. This is the only path on the pages that ends an assignment on a day before
    today, and only on the day before the handover (README, "Handover when a grid worker leaves"). An
    assignment that began today cannot end before it began: it ends today and the credentials end here.
    Raises ValidationError (Chinese message); nothing is saved then."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    today = timezone.localdate()
    if assignment.role != Role.GRID_WORKER:
        raise NotHandedOver(_("只有网格员的岗位可以办理交接。"))
    if assignment.user_id == by.pk:
        raise NotHandedOver(_("不能交接自己的岗位，请由本村其他村干部或系统管理员办理。"))
    if (assignment.end is not None and assignment.end < today) or assignment.start > today:
        raise NotHandedOver(
            _("%(user)s 今天不在“%(place)s”的岗位上（可能刚刚已被别人办理），无需再交接。")
            % {"user": assignment.user, "place": assignment.place}
        )
    if successor is not None and successor.pk == assignment.user_id:
        raise ValidationError({"successor": _("接替人不能是离岗人本人。")})
    if successor is not None:
        # The successor's assignment from today ends the leaver's the day before (assignment_create).
        return assignment_create(by=by, user=successor, role=Role.GRID_WORKER, place=assignment.grid, start=today)
    last_day = max(today - datetime.timedelta(days=1), assignment.start)
    assignment.end = last_day
    assignment.save(update_fields=["end"])  # an end in the past: credentials end (grids/credentials.py)
    if (
        last_day >= today
        and not Assignment.objects.filter(user=assignment.user_id).current().exclude(pk=assignment.pk).exists()
    ):
        credentials.end(assignment.user_id)
    return None


# --- Holders --------------------------------------------------------------------------------------


def holders(role: str, place) -> list[User]:
    """The people holding ``role`` at ``place`` today (e.g. the town office of a town)."""
    field = ROLE_PLACE_FIELD[role]
    return list(
        User.objects.filter(
            is_active=True,
            assignments__in=Assignment.objects.current().filter(role=role, **{field: place}),
        ).distinct()
    )


# --- The village profile (docs/scorecard.md, "The village profile pages") --------------------------------


@transaction.atomic
def village_profile_save(*, by: User, village, location: str, industries: str, area_km2) -> object:
    """The three facts of the 村情介绍 kept on the village itself: where it lies, its area and its industries."""
    village.location = (location or "").strip()
    village.industries = (industries or "").strip()
    village.area_km2 = area_km2
    if area_km2 is not None and area_km2 <= 0:
        raise ValidationError({"area_km2": _("面积须大于 0。")})
    village.full_clean(exclude=["town"])
    village.save(update_fields=["location", "industries", "area_km2", "updated_at"])
    return village


@transaction.atomic
def income_save(*, by: User, income) -> object:
    """A year's 村集体收入: one row per village and year; a second entry for a year is refused on its field."""
    from .models import VillageIncome

    taken = VillageIncome.objects.filter(village_id=income.village_id, year=income.year).exclude(pk=income.pk)
    if income.year is not None and taken.exists():
        raise ValidationError({"year": _("%(year)s 年的集体收入已登记，请修改那一条。") % {"year": income.year}})
    income.full_clean(exclude=["village"])
    income.save()
    return income


@transaction.atomic
def honour_save(*, by: User, honour) -> object:
    if honour.is_archived:
        raise ValidationError(_("该荣誉已归档，不能再修改。"))
    honour.full_clean(exclude=["village"])
    honour.save()
    return honour


@transaction.atomic
def facility_save(*, by: User, facility) -> object:
    if facility.is_archived:
        raise ValidationError(_("该阵地已归档，不能再修改。"))
    facility.full_clean(exclude=["village"])
    facility.save()
    return facility


def profile_row_archive(*, by: User, row) -> object:
    """An honour or a facility taken off the profile; the row stays for the audit trail. Twice changes nothing."""
    if row.archived_at is None:
        row.archived_at = timezone.now()
        row.save(update_fields=["archived_at", "updated_at"])
    return row
