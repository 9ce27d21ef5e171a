"""Each town's departments (docs/departments.md): a new town gets the standard list, which the system admin
edits afterwards. ``grids`` cannot know of departments, so this app listens to the town's save."""

from __future__ import annotations

from django.db.models.signals import post_save

from grids.models import Town

from .models import STANDARD_DEPARTMENTS, Department


def departments_for_town(town: Town) -> list[Department]:
    """The standard departments of ``town``, created where missing (idempotent)."""
    return [
        Department.objects.get_or_create(town=town, name=name, archived_at=None, defaults={"order": order})[0]
        for order, name in enumerate(STANDARD_DEPARTMENTS, start=1)
    ]


def _on_town_saved(sender, instance: Town, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:  # not while loading a fixture or a backup: those bring their own rows
        departments_for_town(instance)


def connect() -> None:
    post_save.connect(_on_town_saved, sender=Town, dispatch_uid="disputes.departments_for_town")
