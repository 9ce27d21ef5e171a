"""The verbs of the registry. Pages, imports, the API and commands all call these.

Every verb is atomic: a refused change leaves nothing behind. Messages are Chinese (translatable) and
say what was wrong.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail
from audit.models import AuditAction
from grids import access
from grids.models import MicroGrid, User

from . import idnumber
from .models import Household, HouseholdMove, IdNumberDisclosure, KeyPersonResponsible, Resident, ResidentMove


def id_number_reveal(*, viewer: User, resident: Resident, address: str | None = None, purpose: str = "") -> str:
    """Return the full number and record that ``viewer`` saw it. Raises PermissionError if not allowed."""
    if not access.may_see_full_id(viewer, resident.village_id):
        raise PermissionError("not allowed to see full ID numbers of this village")
    IdNumberDisclosure.objects.create(resident=resident, viewer=viewer, address=address, purpose=purpose[:50])
    trail.record(AuditAction.VIEW_ID, resident, note=purpose, sensitive=True)
    return resident.id_number


# --- Households --------------------------------------------------------------------------------


def _place_from_micro_grid(household: Household) -> None:
    """Village and grid follow from the micro-grid (denormalised for scoping, kept right here)."""
    micro = household.micro_grid
    household.grid_id = micro.grid_id
    household.village_id = micro.grid.village_id


def _foreign_keys(model) -> list[str]:
    """Checking a foreign key reads its row: a bulk import skips it, its rows were read by the plan."""
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


def household_check(household: Household, *, unique: bool = True) -> Household:
    """What saving a household checks. ``unique=False`` skips what needs a query (uniqueness, foreign keys),
    for a bulk import whose plan already checked them (the unique index and the keys still decide)."""
    if household.micro_grid.is_archived:
        raise ValidationError({"micro_grid": _("该微网格已归档，请选择在用的微网格。")})
    _place_from_micro_grid(household)
    household.full_clean(
        exclude=[] if unique else _foreign_keys(Household), validate_unique=unique, validate_constraints=unique
    )
    return household


@transaction.atomic
def household_save(*, by: User, household: Household) -> Household:
    household_check(household)
    household.save()
    return household


@transaction.atomic
def household_archive(*, by: User, household: Household) -> Household:
    """Archive a household and its members (history stays; the household leaves lists and counts)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.is_archived:
        return household
    now = timezone.now()
    household.archived_at = now
    household.save(update_fields=["archived_at", "updated_at"])
    members = household.members.filter(archived_at__isnull=True)
    _audit_members(AuditAction.ARCHIVE, members, before=None, after=now)
    members.update(archived_at=now, updated_at=now)
    return household


@transaction.atomic
def household_restore(*, by: User, household: Household) -> Household:
    household = Household.objects.select_for_update().get(pk=household.pk)
    if not household.is_archived:
        return household
    if household.micro_grid.is_archived:
        raise ValidationError(_("该户原属的微网格已归档，请先恢复后把它迁到在用的微网格。"))
    archived_at = household.archived_at
    household.archived_at = None
    household.save(update_fields=["archived_at", "updated_at"])
    # Members archived with the household come back with it; members archived earlier stay archived.
    members = household.members.filter(archived_at=archived_at)
    _audit_members(AuditAction.RESTORE, members, before=archived_at, after=None)
    members.update(archived_at=None, updated_at=timezone.now())
    return household


def _audit_members(action: str, members, *, before, after) -> None:
    """Members archived or restored with their household (one bulk UPDATE, so one entry each here)."""
    change = {"archived_at": [trail.plain(before), trail.plain(after)]}
    trail.record_many([trail.entry(action, member, changes=change) for member in members])


@transaction.atomic
def household_move(*, by: User, household: Household, to: MicroGrid, note: str = "") -> Household:
    """Move a household to another micro-grid of its village; the move is kept in its history."""
    household = Household.objects.select_for_update().select_related("micro_grid").get(pk=household.pk)
    if to.grid.village_id != household.village_id:
        raise ValidationError({"micro_grid": _("只能迁到本村的微网格。跨村迁移请在迁入村新建该户。")})
    if to.is_archived:
        raise ValidationError({"micro_grid": _("该微网格已归档，请选择在用的微网格。")})
    if to.pk == household.micro_grid_id:
        raise ValidationError({"micro_grid": _("该户已在这个微网格。")})
    HouseholdMove.objects.create(
        household=household, from_micro_grid=household.micro_grid, to_micro_grid=to, moved_by=by, note=note
    )
    household.micro_grid = to
    household.grid_id = to.grid_id
    household.save(update_fields=["micro_grid", "grid", "updated_at"])
    return household


# --- Residents ---------------------------------------------------------------------------------


def id_number_elsewhere() -> str:
    """Why a number registered in another village cannot be registered here, without saying so."""
    return _("该身份证号码无法在本村登记，请联系镇综治办。")


def _check_id_free(resident: Resident, number: str, viewer: User | None) -> None:
    taken = Resident.objects.with_id_number(number).exclude(pk=resident.pk).first()
    if taken is None:
        return
    village_id = resident.household.village_id if resident.household_id else resident.village_id
    if (
        viewer is not None
        and taken.village_id == village_id
        and Resident.objects.visible_to(viewer).filter(pk=taken.pk).exists()
    ):
        where = _("已登记为本村居民“%(name)s”。") % {"name": taken.name}
        if taken.is_archived:
            where = _("已登记为居民“%(name)s”（已归档，可在其页面恢复）。") % {"name": taken.name}
        raise ValidationError({"id_number": _("该身份证号码%(where)s一人只能登记一次。") % {"where": where}})
    # Registered in another village (or out of the viewer's sight): saying so, or where, would show this
    # village's staff a record of a registry they may not see (PIPL, docs/sources.md [L1]).
    raise ValidationError({"id_number": id_number_elsewhere()})


def resident_check(resident: Resident, id_number: str | None, *, viewer: User | None, unique: bool = True):
    """What saving a resident checks, and the ID number stored. ``unique=False`` skips the queries for
    duplicates, for a bulk import whose plan already checked the numbers (the unique indexes still decide)."""
    if id_number is not None or not resident.id_cipher:
        try:
            facts = idnumber.parse(id_number or "")
        except ValidationError as error:
            raise ValidationError({"id_number": error.messages}) from None
        if unique:
            _check_id_free(resident, facts.number, viewer)
        resident.set_id_number(facts.number)
    if resident.household_id:
        resident.village_id = resident.household.village_id
        if resident.household.is_archived:
            raise ValidationError({"household": _("该户已归档，不能加入成员。")})
    exclude = ["id_cipher", "id_hash", "id_tail_hash"] + ([] if unique else _foreign_keys(Resident))
    resident.full_clean(exclude=exclude, validate_unique=unique, validate_constraints=unique)
    return resident


@transaction.atomic
def resident_save(*, by: User | None, resident: Resident, id_number: str | None = None) -> Resident:
    """Create or change a resident. ``id_number`` is required for a new resident; given for an existing
    one it replaces the stored number (validated, duplicate-checked, gender and birth date re-derived)."""
    resident_check(resident, id_number, viewer=by)
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        # Two people registering the same number at once: the unique index decides, the message explains.
        raise ValidationError({"id_number": _("该身份证号码刚刚已被登记，请刷新后核对。")}) from None
    return resident


@transaction.atomic
def resident_move(
    *, by: User, resident: Resident, to: Household | None, relation: str = "", note: str = ""
) -> Resident:
    """Move a resident to another household of the village (or out of any household)."""
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if to is not None:
        if to.village_id != resident.village_id:
            raise ValidationError({"household": _("只能迁入本村的户。")})
        if to.is_archived:
            raise ValidationError({"household": _("该户已归档，不能迁入。")})
        if to.pk == resident.household_id:
            raise ValidationError({"household": _("该居民已在这一户。")})
        if not relation:
            raise ValidationError({"relation": _("请选择在新户中与户主的关系。")})
    ResidentMove.objects.create(
        resident=resident, from_household_id=resident.household_id, to_household=to, moved_by=by, note=note
    )
    resident.household = to
    resident.relation = relation if to is not None else ""
    resident.full_clean(exclude=["id_cipher", "id_hash", "id_tail_hash"])
    resident.save(update_fields=["household", "relation", "updated_at"])
    return resident


@transaction.atomic
def resident_archive(*, by: User, resident: Resident) -> Resident:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if not resident.is_archived:
        resident.archived_at = timezone.now()
        resident.save(update_fields=["archived_at", "updated_at"])
    return resident


@transaction.atomic
def resident_restore(*, by: User, resident: Resident) -> Resident:
    resident = Resident.objects.select_for_update(of=("self",)).select_related("household").get(pk=resident.pk)
    if not resident.is_archived:
        return resident
    if resident.household_id and resident.household.is_archived:
        raise ValidationError(_("其所在户已归档：请先恢复该户，或把此人迁到其他户。"))
    resident.archived_at = None
    resident.full_clean(exclude=["id_cipher", "id_hash", "id_tail_hash"])  # e.g. a second head meanwhile
    resident.save(update_fields=["archived_at", "updated_at"])
    return resident


def key_place_set_archived(*, place, archived: bool):
    place.archived_at = timezone.now() if archived else None
    place.save(update_fields=["archived_at", "updated_at"])
    return place


def id_numbers_rotate(*, batch_size: int = 1000, progress=None) -> tuple[int, int]:
    """Re-encrypt every stored ID number with the newest key in ``ID_NUMBER_KEYS``, batch by batch, each
    batch in its own transaction. Numbers already under the newest key are skipped, so an interrupted
    run resumes where it stopped. Returns (re-encrypted, already current)."""
    rotated = current = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                Resident.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "id_cipher")[:batch_size]
            )
            if not batch:
                break
            changed = []
            for resident in batch:
                if idnumber.is_current(resident.id_cipher):
                    current += 1
                    continue
                resident.id_cipher = idnumber.rotate(resident.id_cipher)
                changed.append(resident)
            Resident.objects.bulk_update(changed, ["id_cipher"])
            rotated += len(changed)
            last_pk = batch[-1].pk
        if progress:
            progress(rotated, current)
    return rotated, current


# --- Key-person teams -------------------------------------------------------------------------------


@transaction.atomic
def responsibles_hand_over(*, by: User, leaver: User, to: User, key_persons=None, row_ids=None) -> list[int]:
    """The people responsible for ``key_persons`` (the 四帮一 team, DOMAIN.md) named ``leaver`` now name
    ``to``, in the same role, with their name and phone: the leaver no longer sees those key persons as
    someone named responsible, the successor does. Where ``to`` already serves the same key person in
    that role, the leaver's place on the team simply ends (one person, one line). Each change is in the
    audit log (the rows are tracked, residents/apps.py). ``key_persons`` or ``row_ids`` narrow which of the
    leaver's lines move. Returns the ids of the lines that now name ``to`` (a line that ended is not
    among them)."""
    rows = KeyPersonResponsible.objects.select_for_update().filter(user=leaver)
    if key_persons is not None:
        rows = rows.filter(key_person__in=key_persons)
    if row_ids is not None:
        rows = rows.filter(pk__in=row_ids)
    name = to.full_name or to.get_username()
    changed: list[int] = []
    for row in rows.order_by("pk"):
        taken = (
            KeyPersonResponsible.objects.filter(key_person_id=row.key_person_id, role=row.role)
            .filter(Q(user=to) | Q(name=name))
            .exclude(pk=row.pk)
            .exists()
        )
        if taken:
            row.delete()
        else:
            row.user, row.name, row.phone = to, name[:50], to.phone
            row.save(update_fields=["user", "name", "phone"])
            changed.append(row.pk)
    return changed
