"""Read-side queries of the territory for pages of this app and of the apps above it: plain querysets and
dicts, no requests and no rendering."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from . import access
from .models import (
    PLACE_FIELDS,
    ROLE_PLACE_FIELD,
    Assignment,
    Grid,
    MicroGrid,
    Role,
    Town,
    User,
    Village,
    VillagerGroup,
)


def town_villages(user):
    """The towns a user oversees with their villages and territory counts (for the town's home)."""
    return (
        Town.objects.visible_to(user)
        .active()
        .prefetch_related(
            Prefetch(
                "villages",
                queryset=Village.objects.active().annotate(
                    grid_count=Count("grids", filter=Q(grids__archived_at__isnull=True), distinct=True),
                    micro_grid_count=Count(
                        "grids__micro_grids",
                        filter=Q(grids__archived_at__isnull=True, grids__micro_grids__archived_at__isnull=True),
                        distinct=True,
                    ),
                ),
            )
        )
    )


def field_places(user) -> dict:
    """The places a liaison or information officer covers: their grids (with active micro-grids), micro-grids
    and villager groups, for the /field/ page."""
    scope = access.scope_for(user)
    grids = (
        Grid.objects.active()
        .filter(pk__in=scope.grid_ids)
        .select_related("village")
        .prefetch_related(Prefetch("micro_grids", queryset=MicroGrid.objects.active()))
    )
    micro_grids = MicroGrid.objects.active().filter(pk__in=scope.micro_grid_ids).select_related("grid__village")
    groups = VillagerGroup.objects.active().filter(pk__in=scope.group_ids).select_related("village")
    return {"grids": grids, "micro_grids": micro_grids, "groups": groups}


def village_grids(village: Village) -> list[Grid]:
    """A village's active grids, each with its active micro-grids as ``active_micro_grids``. In the models'
    order within one village and one grid, without joining the village and town the models' order names
    (the same for every row here; docs/performance.md, "Select lists")."""
    micro_grids = MicroGrid.objects.active().order_by("number", "name")
    return list(
        village.grids.active()
        .order_by("number", "name")
        .prefetch_related(Prefetch("micro_grids", queryset=micro_grids, to_attr="active_micro_grids"))
    )


def holders_by_place(village: Village) -> dict[tuple[str, int], list[str]]:
    """The names of the current holders of a village's places, keyed by (place field, place id): ("grid", 3)
    → its workers' names, as ``str(user)`` writes them. Read as columns, not whole assignments and users (the
    village overview built a model pair for each of its holders: docs/performance.md, "A name without its
    row")."""
    holders: dict[tuple[str, int], list[str]] = defaultdict(list)
    places = [f"{field}_id" for field in PLACE_FIELDS]
    rows = (
        Assignment.objects.current()
        .in_village(village)
        .values_list("role", "user__full_name", "user__username", *places)
    )
    for role, full_name, username, *ids in rows:
        field = ROLE_PLACE_FIELD[Role(role)]
        holders[(field, ids[PLACE_FIELDS.index(field)])].append(User.shown_name(full_name, username))
    return holders


@dataclass(slots=True)
class GroupRow:
    """A villager group as the village overview lists it: its name and its natural village's, as values
    (docs/performance.md, "What a row shows"); ``officers`` are put on by the page."""

    pk: int
    name: str
    natural_village_name: str | None
    officers: list[str] = field(default_factory=list)


def village_groups(village: Village) -> list[GroupRow]:
    rows = village.villager_groups.active().order_by("number").values_list("pk", "name", "natural_village__name")
    return [GroupRow(pk, name, natural) for pk, name, natural in rows]


def natural_village_names(village: Village) -> list[str]:
    """A village's natural villages in use, by name, in their order."""
    return list(village.natural_villages.active().values_list("name", flat=True))


def village_staff(village: Village):
    return Assignment.objects.current().filter(role=Role.VILLAGE_STAFF, village=village).select_related("user")
