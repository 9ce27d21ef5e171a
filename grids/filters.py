"""Filters every list of village data shares: the place choices, scoped to what the user may see."""

from __future__ import annotations

from functools import cache

import django_filters
from django.core.validators import EMPTY_VALUES
from django.db import connection
from django.forms.models import ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from . import access
from .models import Grid, MicroGrid, Town, Village, VillagerGroup


class StableOrdering(django_filters.OrderingFilter):
    """The chosen ordering, then the primary key: rows that tie (the same day, the same due date) keep
    one order, so that pages neither repeat nor skip a row. A choice naming no field (``?ordering=,``)
    keeps the list's own order instead of clearing it."""

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(param) for param in value or () if param not in EMPTY_VALUES]
        return qs.order_by(*ordering, "-pk") if ordering else qs


class _NamedChoiceIterator(ModelChoiceIterator):
    """A place's options from its id and name alone: the places' ``__str__`` is their name, and building
    whole rows (with the related rows the queryset selects) cost about 1.5 ms more per select of a village's
    places than reading the two columns (docs/performance.md, "Select lists")."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        if self.field.places is not None:
            rows = self.field.places.of(self.field.place_kind)
        else:
            rows = self.queryset.values_list("pk", "name")
        for pk, name in rows:
            yield (ModelChoiceIteratorValue(pk, None), name)


class _PlaceChoiceField(ModelChoiceField):
    iterator = _NamedChoiceIterator

    def __init__(self, *args, places: _VillagePlaces | _SeenVillages | None = None, place_kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.places, self.place_kind = places, place_kind


_KINDS = ("grid", "micro_grid", "villager_group")


class _VillagePlaces:
    """A village's active grids, micro-grids and villager groups, (id, name) each in its model's order
    within the village, read together by one written-out statement when the first select asks: the
    three selects' querysets, built and compiled by the ORM, cost about 1 ms each. Used only for someone
    who sees the whole village (its staff, its town office, the admin), for whom each select's queryset
    gives exactly the village's places (tests/grids/test_filter_choices.py holds the two equal)."""

    def __init__(self, village_id: int):
        self.village_id = village_id
        self._rows: dict[str, list[tuple[int, str]]] | None = None

    def of(self, kind: str) -> list[tuple[int, str]]:
        if self._rows is None:
            self._rows = {k: [] for k in _KINDS}
            with connection.cursor() as cursor:
                cursor.execute(_places_sql(connection.vendor), [self.village_id] * 3)
                for k, pk, name, *_order in cursor.fetchall():
                    self._rows[_KINDS[k]].append((pk, name))
        return self._rows[kind]


@cache
def _places_sql(vendor: str) -> str:
    grids, micro_grids, groups = (connection.ops.quote_name(m._meta.db_table) for m in (Grid, MicroGrid, VillagerGroup))
    # Ordered as Grid (number, name), MicroGrid (its grid's number and name, number, name) and VillagerGroup
    # (number, name) are within one village.
    return (
        f"SELECT 0, g.id, g.name, g.number, g.name, 0, '' FROM {grids} g "  # noqa: S608
        "WHERE g.village_id = %s AND g.archived_at IS NULL "
        f"UNION ALL SELECT 1, m.id, m.name, g.number, g.name, m.number, m.name FROM {micro_grids} m "
        f"JOIN {grids} g ON g.id = m.grid_id WHERE g.village_id = %s AND m.archived_at IS NULL "
        f"UNION ALL SELECT 2, v.id, v.name, v.number, v.name, 0, '' FROM {groups} v "
        "WHERE v.village_id = %s AND v.archived_at IS NULL "
        "ORDER BY 1, 4, 5, 6, 7"
    )


class _SeenVillages:
    """The villages the user sees, (id, name) in the village's model order, read once: whether there is a
    village to choose (two or more) and the village select's options, which were two statements. Someone
    whose scope names no village (a grid worker) is answered without building a query."""

    def __init__(self, user):
        self.scope = access.scope_for(user)
        self._rows = None if self.scope.is_admin or self.scope.village_ids or self.scope.town_village_ids else []

    def of(self, kind: str = "village") -> list[tuple[int, str]]:
        """``Village.objects.visible_to(user).active().values_list("pk", "name")`` in the village's order (its
        town's name, its name), the statement written out: the ORM built it in about 0.7 ms on every list
        page, the database answers in 0.2 (docs/performance.md, "Select lists")."""
        if self._rows is None:
            ids = None if self.scope.is_admin else sorted(self.scope.village_ids | self.scope.town_village_ids)
            with connection.cursor() as cursor:
                cursor.execute(_seen_villages_sql(connection.vendor, None if ids is None else len(ids)), ids or [])
                self._rows = cursor.fetchall()
        return self._rows


@cache
def _seen_villages_sql(vendor: str, how_many: int | None) -> str:
    """Every active village (``how_many`` None: the admin's) or those of ``how_many`` ids, as ``Village``'s
    ``Meta.ordering`` orders them (town name, name)."""
    villages, towns = (connection.ops.quote_name(m._meta.db_table) for m in (Village, Town))
    among = "" if how_many is None else f"AND v.id IN ({', '.join(['%s'] * how_many)}) "
    return (
        f"SELECT v.id, v.name FROM {villages} v JOIN {towns} t ON t.id = v.town_id "  # noqa: S608
        f"WHERE v.archived_at IS NULL {among}ORDER BY t.name ASC, v.name ASC"
    )


class ScopedFilterSet(django_filters.FilterSet):
    """Narrows the place choices to what the requesting user may see.

    Grids, micro-grids and villager groups are offered for one village: the user's only village, or
    the village chosen in the filter. Someone who sees many villages (the town office: a town holds
    hundreds of grids and villager groups) picks the village first; a link naming a place still works.
    Rendering every place of a town as options cost more than the list itself (the county benchmark)."""

    village = django_filters.ModelChoiceFilter(queryset=Village.objects.none(), label=_("村"))
    grid = django_filters.ModelChoiceFilter(queryset=Grid.objects.none(), label=_("网格"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        villages = Village.objects.visible_to(user).active()
        self.filters["village"].queryset = villages
        seen = _SeenVillages(user)
        if _by_name(self.filters["village"]):
            self.filters["village"].extra.update(places=seen, place_kind="village")
        # Each offered for one village: its models' order within a village, without joining the village and
        # the town to order by their names (the same for every row). Built only for the filters a list has.
        places = {
            "grid": (lambda: Grid.objects.visible_to(user).active().order_by("number", "name"), "village"),
            "micro_grid": (
                lambda: (
                    MicroGrid.objects.visible_to(user).active().order_by("grid__number", "grid__name", "number", "name")
                ),
                "grid__village",
            ),
            "villager_group": (
                lambda: VillagerGroup.objects.visible_to(user).active().order_by("number", "name"),
                "village",
            ),
        }
        village_ids = [pk for pk, _name in seen.of()[:2]]
        chosen = village_ids[0] if len(village_ids) == 1 else _id(self.data.get("village"))
        kept = _VillagePlaces(chosen) if chosen is not None and access.sees_whole_village(user, chosen) else None
        for name, (queryset, path) in places.items():
            if name not in self.filters:
                continue
            if _by_name(self.filters[name]) and kept is not None:
                self.filters[name].extra.update(places=kept, place_kind=name)
            if chosen is not None:
                self.filters[name].queryset = queryset().filter(**{path: chosen})
            elif (asked := _id(self.data.get(name))) is not None:
                self.filters[name].queryset = queryset().filter(pk=asked)
            else:
                del self.filters[name]
        if len(village_ids) <= 1:
            del self.filters["village"]  # one village: nothing to choose


def _by_name(place_filter) -> bool:
    """A single-choice place filter offers its options from ids and names (``_NamedChoiceIterator``)."""
    if place_filter.field_class is ModelChoiceField and not place_filter.extra.get("to_field_name"):
        place_filter.field_class = _PlaceChoiceField
    return place_filter.field_class is _PlaceChoiceField


def _id(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdecimal() and len(value) < 19 else None
