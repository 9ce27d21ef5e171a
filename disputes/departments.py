"""Each town's departments (docs/departments.md): a new town gets the standard list, which the system admin
edits afterwards. ``grids`` cannot know of departments, so this app listens to the town's save."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save

from audit import trail
from grids.models import Town

from .models import STANDARD_DEPARTMENTS, Department


def departments_for_town(town: Town) -> list[Department]:
    """The standard departments of ``town``, created where missing (idempotent), in the standard order.
    Three statements (the names the town has, the missing ones and their audit entries, each in one)."""
    have = {d.name: d for d in Department.objects.filter(town=town, archived_at=None, name__in=STANDARD_DEPARTMENTS)}
    missing = [
        Department(town=town, name=name, order=order)
        for order, name in enumerate(STANDARD_DEPARTMENTS, start=1)
        if name not in have
    ]
    if missing:
        with transaction.atomic():
            made = Department.objects.bulk_create(missing)
            trail.record_created(made)
        have.update((d.name, d) for d in made)
    return [have[name] for name in STANDARD_DEPARTMENTS]


def _on_town_saved(sender, instance: Town, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:  # not while loading a fixture or a backup: those bring their own rows
        departments_for_town(instance)


def connect() -> None:
    post_save.connect(_on_town_saved, sender=Town, dispatch_uid="disputes.departments_for_town")
