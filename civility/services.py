"""Verbs of guiding by example and by law (docs/civility.md). Keyword-only; each raises ``ValidationError``
with a message for people and saves nothing when it refuses (one transaction each).

The points ledger: every award and redemption locks the household's ``PointsAccount`` row first, then (for a
redemption) the ``StockItem`` row — always in that order, so two counters at once wait for each other instead
of deadlocking — checks balance and stock under the locks, and writes the entry with the balance it left.
The check constraints (balance and stock never below zero) stand behind the checks."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import IdempotencyKey
from core.uploads import clean_photo
from grids.models import User
from residents.models import Household

from .models import (
    Activity,
    ActivityPhoto,
    EntryKind,
    LegalAdvisor,
    ModelSelection,
    PointsAccount,
    PointsEntry,
    StockItem,
    Volunteer,
    VolunteerTeam,
)

THEME_DAY = "theme_day"  # party.models.MeetingKind.THEME_DAY (this app does not import the Party app)


def _locked_account(household: Household) -> PointsAccount:
    """The household's account, created on its first entry (two first entries at once: one insert wins, both
    then lock the same row)."""
    PointsAccount.objects.bulk_create(
        [PointsAccount(household=household, village_id=household.village_id)], ignore_conflicts=True
    )
    return PointsAccount.objects.select_for_update().get(household=household)


def balance_of(household: Household) -> int:
    return PointsAccount.objects.filter(household=household).values_list("balance", flat=True).first() or 0


@transaction.atomic
def award(
    *,
    household: Household,
    points: int,
    kind: str,
    reason: str,
    by: User,
    selection: ModelSelection | None = None,
    activity=None,
) -> PointsEntry:
    """Points in: for a selection, an activity, or a rule the village sets (``reason`` says which)."""
    if kind == EntryKind.REDEMPTION:
        raise ValidationError(_("兑换请在积分超市办理。"))
    if points <= 0:
        raise ValidationError({"points": _("奖励积分须大于 0。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请写明奖励事由。")})
    if household.is_archived:
        raise ValidationError(_("该户已注销，不能再记积分。"))
    account = _locked_account(household)
    account.balance += points
    account.save(update_fields=["balance"])
    return PointsEntry.objects.create(
        account=account,
        kind=kind,
        points=points,
        balance_after=account.balance,
        reason=reason.strip()[:200],
        selection=selection,
        activity=activity,
        by=by,
        at=timezone.now(),
    )


@transaction.atomic
def redeem(
    *, household: Household, item: StockItem, quantity: int = 1, by: User, client_token: str = ""
) -> PointsEntry:
    """Points out for goods from the shelf. Refused, with nothing changed, when the balance or the stock does
    not cover it — also when another counter took the last points or the last item a moment before.

    ``client_token`` (the counter's form carries one made when the page was drawn): the same confirmation
    sent twice (a double tap, a resend) redeems once and returns the first entry. The claim is a row of
    ``core.IdempotencyKey`` in this transaction, so a refusal leaves the token free for the next try."""
    if quantity < 1:
        raise ValidationError({"quantity": _("数量至少为 1。")})
    claim = None
    if client_token:
        key = f"civility-redeem:{client_token}"[:100]
        try:
            with transaction.atomic():
                claim = IdempotencyKey.objects.create(user=by, key=key, scope="civility.redeem", body_hash="")
        except IntegrityError:
            earlier = IdempotencyKey.objects.filter(user=by, key=key).values_list("response", flat=True).first()
            if earlier and earlier.get("entry"):
                return PointsEntry.objects.get(pk=earlier["entry"])
            raise ValidationError(_("这次兑换正在办理，请刷新页面查看余额。")) from None
    account = _locked_account(household)
    shelf = StockItem.objects.select_for_update().get(pk=item.pk)
    if shelf.is_archived or shelf.village_id != household.village_id:
        raise ValidationError({"item": _("本村积分超市没有这件物品。")})
    cost = shelf.points * quantity
    if shelf.stock < quantity:
        raise ValidationError(
            {"item": _("“%(item)s”库存只剩 %(n)d 件，没有兑换。") % {"item": shelf.name, "n": shelf.stock}}
        )
    if account.balance < cost:
        raise ValidationError(
            _("积分不足：需要 %(cost)d 分，这户余额 %(balance)d 分，没有兑换。")
            % {"cost": cost, "balance": account.balance}
        )
    StockItem.objects.filter(pk=shelf.pk).update(stock=F("stock") - quantity, updated_at=timezone.now())
    account.balance -= cost
    account.save(update_fields=["balance"])
    entry = PointsEntry.objects.create(
        account=account,
        kind=EntryKind.REDEMPTION,
        points=-cost,
        balance_after=account.balance,
        reason=_("兑换 %(item)s × %(n)d") % {"item": shelf.name, "n": quantity},
        item=shelf,
        quantity=quantity,
        by=by,
        at=timezone.now(),
    )
    if claim is not None:
        IdempotencyKey.objects.filter(pk=claim.pk).update(status=201, response={"entry": entry.pk})
    return entry


@transaction.atomic
def selection_save(*, by: User, selection: ModelSelection) -> ModelSelection:
    """A model household or person chosen; the points it carries go to the household (the person's own
    household when a person is chosen) in the same transaction."""
    s = selection
    if s.pk is not None:
        raise ValidationError(_("评选结果已记入积分，不能修改；如有错误请更正积分后重新登记。"))
    household = s.household or (s.resident.household if s.resident_id else None)
    errors = {}
    if s.household_id and s.household.village_id != s.village_id:
        errors["household"] = _("请选择本村的户。")
    if s.resident_id and s.resident.village_id != s.village_id:
        errors["resident"] = _("请选择本村的村民。")
    if s.points and household is None:
        errors["points"] = _("这位村民没有在册的户，不能记积分。")
    if errors:
        raise ValidationError(errors)
    s.created_by = by
    s.full_clean(exclude=["created_by", "village"])
    s.save()
    if s.points:
        award(
            household=household,
            points=s.points,
            kind=EntryKind.SELECTION,
            reason=_("%(year)d年度%(honour)s") % {"year": s.year, "honour": s.get_honour_display()},
            by=by,
            selection=s,
        )
    return s


# --- Activities, volunteer teams, 法律明白人 -----------------------------------------------------------------


@transaction.atomic
def activity_save(*, by: User, activity: Activity, residents=None, teams=None, photos: list | None = None) -> Activity:
    """An activity new or changed, with the residents named, the teams credited and new photos, in one
    transaction: a photo that cannot be read refuses the whole (nothing saved). Anything of another village
    (a resident, a team, the Party meeting) is refused on its field."""
    a = activity
    errors = {}
    if residents is not None and any(r.village_id != a.village_id for r in residents):
        errors["residents"] = _("请选择本村的村民。")
    if teams is not None and any(t.village_id != a.village_id for t in teams):
        errors["teams"] = _("请选择本村的志愿服务队。")
    if a.party_meeting_id is not None:
        if a.party_meeting.village_id != a.village_id:
            errors["party_meeting"] = _("请选择本村的主题党日。")
        elif a.party_meeting.kind != THEME_DAY:
            errors["party_meeting"] = _("只能对应主题党日。")
    if a.held_on is not None and a.held_on > timezone.localdate():
        errors["held_on"] = _("日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    if a.pk is None:
        a.created_by = by
    a.full_clean(exclude=["created_by", "village", "residents", "teams"])
    cleaned = [clean_photo(f) for f in (photos or [])]
    a.save()
    if residents is not None:
        a.residents.set(residents)
    if teams is not None:
        a.teams.set(teams)
    for photo in cleaned:
        ActivityPhoto.objects.create(activity=a, image=photo, width=photo.width, height=photo.height, uploaded_by=by)
    return a


@transaction.atomic
def team_save(*, by: User, team: VolunteerTeam) -> VolunteerTeam:
    # The village is validated too: one active team per name in a village is a constraint on it.
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def team_member_add(*, by: User, team: VolunteerTeam, resident, joined_on: datetime.date | None = None) -> Volunteer:
    """A resident of the team's village joins; someone already in it (not left) is refused."""
    locked = VolunteerTeam.objects.select_for_update().get(pk=team.pk)
    if locked.is_archived:
        raise ValidationError(_("这支队伍已撤销。"))
    if resident.village_id != locked.village_id:
        raise ValidationError({"resident": _("请选择本村的村民。")})
    if getattr(resident, "is_archived", False):
        raise ValidationError({"resident": _("该村民已注销。")})
    joined_on = joined_on or timezone.localdate()
    if joined_on > timezone.localdate():
        raise ValidationError({"joined_on": _("日期不能晚于今天。")})
    if Volunteer.objects.current().filter(team=locked, resident=resident).exists():
        raise ValidationError({"resident": _("此人已在这支队伍中。")})
    return Volunteer.objects.create(team=locked, resident=resident, joined_on=joined_on)


def team_member_leave(*, by: User, volunteer: Volunteer, left_on: datetime.date | None = None) -> Volunteer:
    """The member leaves; the row stays as history. Leaving twice changes nothing."""
    left_on = left_on or timezone.localdate()
    if left_on < volunteer.joined_on:
        left_on = volunteer.joined_on
    Volunteer.objects.filter(pk=volunteer.pk, left_on__isnull=True).update(left_on=left_on)
    volunteer.refresh_from_db(fields=["left_on"])
    return volunteer


@transaction.atomic
def advisor_save(*, by: User, advisor: LegalAdvisor) -> LegalAdvisor:
    a = advisor
    errors = {}
    if a.resident_id is not None and a.resident.village_id != a.village_id:
        errors["resident"] = _("请选择本村的村民。")
    if a.mediator_id is not None and a.mediator.village_id != a.village_id:
        errors["mediator"] = _("请选择本村的调解团成员。")
    if a.trained_on is not None and a.trained_on > timezone.localdate():
        errors["trained_on"] = _("日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    a.full_clean(exclude=["village"])
    a.save()
    return a


def advisor_archive(*, by: User, advisor: LegalAdvisor) -> LegalAdvisor:
    if not advisor.is_archived:
        advisor.archived_at = timezone.now()
        advisor.save(update_fields=["archived_at", "updated_at"])
    return advisor


# --- The shelf ---------------------------------------------------------------------------------------------


@transaction.atomic
def stock_save(*, by: User, item: StockItem, add: int = 0) -> StockItem:
    """An item put on the village's shelf or renamed / repriced; ``add`` goods brought in with it (or taken
    off, negative). The stock itself only moves through ``stock_add``, so an edit never overwrites what a
    redemption at the counter took a moment before."""
    if item.is_archived:
        raise ValidationError(_("该物品已下架，不能再修改。"))
    item.full_clean(exclude=["village", "stock"])
    if item.pk is None:
        item.stock = 0
        item.save()
    else:
        item.save(update_fields=["name", "points", "updated_at"])
    if add:
        stock_add(by=by, item=item, quantity=add)
    return item


@transaction.atomic
def stock_add(*, by: User, item: StockItem, quantity: int) -> StockItem:
    """Goods brought in (positive) or written off (negative): the row locked, the stock moved with ``F()``,
    never below zero (refused with a message, nothing changed)."""
    shelf = StockItem.objects.select_for_update().get(pk=item.pk)
    if shelf.is_archived:
        raise ValidationError(_("该物品已下架，不能再补货。"))
    if shelf.stock + quantity < 0:
        raise ValidationError(
            {
                "add": _("“%(item)s”库存只有 %(n)d 件，不能减少 %(m)d 件。")
                % {"item": shelf.name, "n": shelf.stock, "m": -quantity}
            }
        )
    StockItem.objects.filter(pk=shelf.pk).update(stock=F("stock") + quantity, updated_at=timezone.now())
    item.refresh_from_db(fields=["stock", "updated_at"])
    return item


@transaction.atomic
def stock_archive(*, by: User, item: StockItem) -> StockItem:
    """Off the shelf: no longer offered at the counter; its past redemptions stay in the ledger."""
    updated = StockItem.objects.filter(pk=item.pk, archived_at__isnull=True).update(archived_at=timezone.now())
    if not updated:
        raise ValidationError(_("该物品已下架。"))
    item.refresh_from_db(fields=["archived_at"])
    return item
