"""This month's coverage per grid, counted once and kept ready (``LiveCoverage``).

Readers: ``coverage_now(grid_ids)`` gives the figures ``due.coverage_by_grid`` would, counting only the
grids whose kept figures are stale (never counted, counted before today, or changed since).

Writers: whatever can change a grid's figures, or what the grid's work list shows, marks the grid in the
same transaction (``grids_changed``), through the signals connected in ``connect()`` (visits; households, key
places, residents, key persons; micro-grids, natural villages, villager groups and the grid, whose names and
numbers group the work list; the registry's bulk imports send ``residents.signals.registry_bulk_saved``). The
mark is an upsert that bumps ``changes``; a reader writes its figures only where ``changes`` is still what it
read before counting, so a change committed while it counted leaves the row stale, and the next reader
counts it. ``marks`` gives the rows' stamps and ``changes`` to what keeps a grid's month elsewhere (the work
list's content, ``kept_list``).
"""

from __future__ import annotations

import datetime
import uuid

from django.db import connection
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from grids.models import Grid, MicroGrid, NaturalVillage, VillagerGroup
from residents.models import Household, KeyPerson, KeyPlace, Resident
from residents.signals import registry_bulk_saved

from . import due
from .models import LiveCoverage, Visit

FIGURES = due.FIGURES
TABLE = LiveCoverage._meta.db_table


def coverage_now(grid_ids, today: datetime.date | None = None) -> dict[int, due.Coverage]:
    """This month's coverage per grid: one query when every grid's figures are fresh."""
    grid_ids = list(grid_ids)
    today = today or timezone.localdate()
    month = due.month_start(today)
    out: dict[int, due.Coverage] = {}
    for grid_id, as_of, changes, counted, *figures in LiveCoverage.objects.filter(
        grid_id__in=grid_ids, month=month
    ).values_list("grid_id", "as_of", "changes", "counted_changes", *FIGURES):
        if as_of == today and counted == changes:
            out[grid_id] = due.Coverage(**dict(zip(FIGURES, figures, strict=True)))
    stale = [g for g in grid_ids if g not in out]
    if stale:
        # Rows first (a change made while counting then marks them), what they say now, the count, the write.
        _upsert(stale, month, bump=False)
        seen = dict(LiveCoverage.objects.filter(grid_id__in=stale, month=month).values_list("grid_id", "changes"))
        counted = due.coverage_by_grid(stale, month, today)
        _store(counted, seen, month, today)
        out.update(counted)
    return {g: out[g] for g in grid_ids}


def _store(counted: dict[int, due.Coverage], seen: dict[int, int], month, today) -> None:
    """The counted figures, in one statement (a town's 181 grids were 181 round trips), each row only where its
    ``changes`` is still what was read before counting."""
    if not counted:
        return
    columns = ("grid_id", *FIGURES, "seen")
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params: list = []
    for grid_id, cov in counted.items():
        params += [grid_id, *(getattr(cov, name) for name in FIGURES), seen[grid_id]]
    sets = ", ".join(f"{name} = v.{name}" for name in FIGURES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v ({', '.join(columns)}) AS (VALUES {', '.join([row] * len(counted))}) "  # noqa: S608 (ours)
            f"UPDATE {TABLE} SET {sets}, as_of = %s, counted_changes = v.seen FROM v "
            f"WHERE {TABLE}.grid_id = v.grid_id AND {TABLE}.month = %s AND {TABLE}.changes = v.seen",
            [*params, today, month],
        )


def _upsert(grid_ids, month: datetime.date, *, bump: bool, household_visit: bool = False) -> None:
    """Rows for these grids and month; ``bump`` also marks existing ones as changed, ``household_visit``
    as changed by a new visit to a household (counted in ``household_visits`` too)."""
    ids = sorted({g for g in grid_ids if g})  # one lock order for every writer
    if not ids:
        return
    columns = ", ".join(("grid_id", "month", *FIGURES, "changes", "household_visits", "counted_changes", "stamp"))
    row = "(" + ", ".join(["%s", "%s"] + ["0"] * len(FIGURES) + ["%s", "%s", "-1", "%s"]) + ")"
    action = f"UPDATE SET changes = {TABLE}.changes + 1" if bump else "NOTHING"
    if bump and household_visit:
        action += f", household_visits = {TABLE}.household_visits + 1"
    stamp = LiveCoverage._meta.get_field("stamp")
    params: list = []
    for grid_id in ids:
        params += [
            grid_id,
            month,
            int(bump),
            int(bump and household_visit),
            stamp.get_db_prep_value(uuid.uuid4(), connection),
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} ({columns}) VALUES {', '.join([row] * len(ids))} "  # noqa: S608
            f"ON CONFLICT (grid_id, month) DO {action}",
            params,
        )


def marks(grid_ids, month: datetime.date) -> dict[int, tuple[str, str]]:
    """Each grid's marks for ``month``: its row's stamp with ``changes``, and with the changes other than new
    visits to households. Whatever changes what the grid's month shows (every writer below) changes the first
    in the writer's transaction, so something kept under a mark read before it was made is never read again
    once the change is committed; what a household's new visit leaves as it was is kept under the second.
    One query (three when a grid has no row yet)."""
    grid_ids = sorted(set(grid_ids))

    def read() -> dict[int, tuple[str, str]]:
        rows = LiveCoverage.objects.filter(grid_id__in=grid_ids, month=month)
        return {
            g: (f"{stamp.hex}.{changes}", f"{stamp.hex}.{changes - visits}")
            for g, stamp, changes, visits in rows.values_list("grid_id", "stamp", "changes", "household_visits")
        }

    found = read()
    if len(found) < len(grid_ids):
        _upsert([g for g in grid_ids if g not in found], month, bump=False)
        found = read()
    return found


def grids_changed(grid_ids, *, household_visit: bool = False) -> None:
    """These grids' figures for this month may have changed (called in the writer's transaction);
    ``household_visit``: by a new visit to a household, and by nothing else."""
    _upsert(grid_ids, due.month_start(timezone.localdate()), bump=True, household_visit=household_visit)


def forget(grid_ids=None) -> None:
    """Drop kept figures, so the next reader counts them (the bench's "counted afresh", its nightly count)."""
    rows = LiveCoverage.objects.all()
    if grid_ids is not None:
        rows = rows.filter(grid_id__in=list(grid_ids))
    rows.delete()


# --- the writers' marks --------------------------------------------------------------------------------


def _subject_grid(visit: Visit) -> int | None:
    if visit.household_id:
        return Household.objects.filter(pk=visit.household_id).values_list("grid_id", flat=True).first()
    if visit.key_place_id:
        return KeyPlace.objects.filter(pk=visit.key_place_id).values_list("grid_id", flat=True).first()
    if visit.key_person_id:
        return _key_person_grid(visit.key_person_id)
    return None


def _key_person_grid(key_person_id) -> int | None:
    # An erased listing names no resident but keeps its grid (residents/retention.py).
    grid = Coalesce("resident__household__grid_id", "erased_grid_id")
    return KeyPerson.objects.filter(pk=key_person_id).values_list(grid, flat=True).first()


def _visit_saved(sender, instance: Visit, created: bool = False, **kwargs) -> None:
    # A new visit is in its subject's grid; an edited or deleted one may be of a subject that moved since.
    if created:
        grids_changed({instance.grid_id}, household_visit=bool(instance.household_id))
    else:
        grids_changed({instance.grid_id, _subject_grid(instance)})


def _place_before(sender, instance, **kwargs) -> None:
    """Households and key places: the grid before the save (a move changes two grids)."""
    if not instance._state.adding and instance.pk:
        instance._live_grid_before = sender.objects.filter(pk=instance.pk).values_list("grid_id", flat=True).first()


def _place_saved(sender, instance, **kwargs) -> None:
    grids_changed({instance.grid_id, getattr(instance, "_live_grid_before", None)})


def _resident_before(sender, instance: Resident, **kwargs) -> None:
    """A resident counts where their household is (a key person's visits; every member's name and relation
    on the work list): moving, renaming or archiving them changes that grid, and the one they left."""
    if not instance._state.adding and instance.pk:
        before = Resident.objects.filter(pk=instance.pk).values_list("household__grid_id", flat=True).first()
        instance._live_grid_before = before


def _resident_saved(sender, instance: Resident, **kwargs) -> None:
    now = instance.household.grid_id if instance.household_id else None
    grids_changed({getattr(instance, "_live_grid_before", None), now})


def _key_person_saved(sender, instance: KeyPerson, **kwargs) -> None:
    """Listed, changed (risk level: cadence), ended or deleted: counts where the person's household is."""
    grid = Resident.objects.filter(pk=instance.resident_id).values_list("household__grid_id", flat=True).first()
    grids_changed({grid})


def _bulk_saved(sender, grid_ids, **kwargs) -> None:
    grids_changed(grid_ids)


def _micro_grid_saved(sender, instance: MicroGrid, **kwargs) -> None:
    """A micro-grid's name and number group and order the work list of its grid."""
    grids_changed({instance.grid_id})


def _village_territory_saved(sender, instance, **kwargs) -> None:
    """A natural village's name, or the natural village of a villager group: the work lists of the village."""
    grids_changed(Grid.objects.filter(village_id=instance.village_id).values_list("pk", flat=True))


def _grid_saved(sender, instance: Grid, **kwargs) -> None:
    grids_changed({instance.pk})


def connect() -> None:
    uid = "live-coverage"
    post_save.connect(_visit_saved, sender=Visit, dispatch_uid=uid)
    post_delete.connect(_visit_saved, sender=Visit, dispatch_uid=uid)
    for model in (Household, KeyPlace):
        pre_save.connect(_place_before, sender=model, dispatch_uid=uid)
        post_save.connect(_place_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_place_saved, sender=model, dispatch_uid=uid)
    pre_save.connect(_resident_before, sender=Resident, dispatch_uid=uid)
    post_save.connect(_resident_saved, sender=Resident, dispatch_uid=uid)
    post_save.connect(_key_person_saved, sender=KeyPerson, dispatch_uid=uid)
    post_delete.connect(_key_person_saved, sender=KeyPerson, dispatch_uid=uid)
    post_delete.connect(_resident_saved, sender=Resident, dispatch_uid=uid)
    registry_bulk_saved.connect(_bulk_saved, dispatch_uid=uid)
    post_save.connect(_micro_grid_saved, sender=MicroGrid, dispatch_uid=uid)
    for model in (NaturalVillage, VillagerGroup):
        post_save.connect(_village_territory_saved, sender=model, dispatch_uid=uid)
    post_save.connect(_grid_saved, sender=Grid, dispatch_uid=uid)
    # Territory is saved, not deleted, under a work list: households hold their micro-grid, group and natural
    # village with PROTECT.
