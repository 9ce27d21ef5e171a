"""The lists' place filters offer their options from ids and names (grids/filters.py): the same options,
labels and selection as Django's model choices, for every filter set of the project and every role."""

import pytest
from django.db import connection
from django.forms.models import ModelChoiceIterator
from django.test.utils import CaptureQueriesContext

import civility.api  # noqa: F401
import cogovernance.api  # noqa: F401  (filter sets defined beside their API)
import disputes.filters  # noqa: F401
import residents.filters
from grids import filters
from grids.models import Grid, MicroGrid, VillagerGroup

PLACES = ("village", "grid", "micro_grid", "villager_group")


def _filter_sets():
    found, todo = [], list(filters.ScopedFilterSet.__subclasses__())
    while todo:
        klass = todo.pop()
        found.append(klass)
        todo += klass.__subclasses__()
    return found


def _options(field):
    return [(str(value), str(label)) for value, label in field.choices]


def _djangos(field):
    return [(str(value), str(label)) for value, label in ModelChoiceIterator(field)]


@pytest.fixture
def more_places(world):
    """A second micro-grid and villager group, so that every select has more than one place and an order."""
    MicroGrid.objects.create(grid=world.grid1, number=9, name="微网格〇")
    VillagerGroup.objects.create(village=world.village, number=9, name="第〇组")


@pytest.mark.parametrize("persona", ["staff", "town"])
def test_every_place_select_offers_what_djangos_would(persona, personas, world, more_places):
    user = personas[persona]
    klasses = _filter_sets()
    assert len(klasses) >= 8
    seen = 0
    for klass in klasses:
        data = {"village": str(world.village.pk)} if persona == "town" else {}
        filterset = klass(data, queryset=klass._meta.model.objects.all(), user=user)
        for name in PLACES:
            if name not in filterset.form.fields:
                continue
            field = filterset.form.fields[name]
            assert field.iterator is filters._NamedChoiceIterator, (klass, name)
            assert _options(field) == _djangos(field), (klass, name)
            assert len(_options(field)) >= 2, (klass, name)
            model = field.queryset.model
            in_order = model.objects.visible_to(user).active().filter(pk__in=[v for v, _label in _options(field) if v])
            assert [label for v, label in _options(field) if v] == [str(place) for place in in_order], (klass, name)
            seen += 1
    assert seen >= 10


def test_a_chosen_place_is_selected_and_the_villages_places_take_one_query(staff, world, more_places):
    data = {"grid": str(world.grid1.pk), "micro_grid": str(world.micro1.pk)}
    filterset = residents.filters.HouseholdFilter(data, queryset=Grid.objects.none(), user=staff)
    assert filterset.is_valid()  # validated first: each chosen place read once
    with CaptureQueriesContext(connection) as queries:
        html = str(filterset.form["grid"]) + str(filterset.form["micro_grid"])
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert f'<option value="{world.grid1.pk}" selected>{world.grid1.name}</option>' in html
    assert f'<option value="{world.micro1.pk}" selected>{world.micro1.name}</option>' in html
    assert filterset.form.cleaned_data["grid"] == world.grid1


def test_a_filter_that_matches_by_another_field_keeps_djangos_choices(staff):
    filterset = residents.filters.HouseholdFilter({}, queryset=Grid.objects.none(), user=staff)
    assert filterset.form.fields["tag"].iterator is not filters._NamedChoiceIterator


@pytest.mark.parametrize("persona", ["staff", "town", "admin"])
def test_the_village_places_are_read_in_one_statement_by_those_who_see_the_whole_village(
    persona, personas, world, more_places, admin_user
):
    user = admin_user if persona == "admin" else personas[persona]
    data = {"village": str(world.village.pk)}
    filterset = residents.filters.HouseholdFilter(data, queryset=Grid.objects.none(), user=user)
    assert filterset.is_valid()
    fields = [filterset.form.fields[name] for name in ("grid", "micro_grid", "villager_group")]
    assert all(field.places is not None for field in fields)
    with CaptureQueriesContext(connection) as queries:
        ours = [_options(field) for field in fields]
    assert len(queries) == 1
    assert ours == [_djangos(field) for field in fields]


def test_someone_who_sees_part_of_a_village_gets_the_places_from_their_querysets(world, worker):
    data = {"grid": str(world.grid1.pk)}  # a place named in a link, the village not chosen
    filterset = residents.filters.HouseholdFilter(data, queryset=Grid.objects.none(), user=worker)
    field = filterset.form.fields["grid"]
    assert field.places is None and _options(field) == _djangos(field)


def test_the_villages_seen_are_read_once_for_the_choice_and_the_options(world, town, worker):
    """Whether there is a village to choose and the village select's options come from one statement; a grid
    worker, who sees no village, is answered without one."""
    from grids import access

    access.scope_for(town), access.scope_for(worker)  # read once per request, before any filter
    with CaptureQueriesContext(connection) as queries:
        filterset = residents.filters.HouseholdFilter({}, queryset=Grid.objects.none(), user=town)
        field = filterset.form.fields["village"]
        ours = _options(field)
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert ours == _djangos(field) and [label for _v, label in ours[1:]] == ["一村", "二村"]
    with CaptureQueriesContext(connection) as queries:
        filterset = residents.filters.HouseholdFilter({}, queryset=Grid.objects.none(), user=worker)
        assert "village" not in filterset.form.fields
    assert [q for q in queries if "grids_village" in q["sql"]] == []


@pytest.mark.parametrize("persona", ["staff", "town", "admin", "worker"])
def test_the_villages_seen_statement_gives_what_the_orm_gives(persona, personas, world, admin_user):
    """The written-out statement of the villages a user sees (grids.filters._SeenVillages): the same ids and
    names in the same order as ``Village.objects.visible_to(user).active()`` — towns by name, then villages by
    name — archived villages left out, and one statement."""
    from django.utils import timezone

    from grids import access
    from grids.models import Town, Village

    user = admin_user if persona == "admin" else personas[persona]
    early = Town.objects.create(name="A镇")  # its name sorts before 测试镇's: the admin sees its village first
    Village.objects.create(town=early, name="乙村")
    Village.objects.create(town=world.town, name="三村")
    gone = Village.objects.create(town=world.town, name="老村", archived_at=timezone.now())
    access.scope_for(user)  # read once per request, before any filter
    with CaptureQueriesContext(connection) as queries:
        ours = filters._SeenVillages(user).of()
    assert len(queries) == (0 if persona == "worker" else 1)
    theirs = list(Village.objects.visible_to(user).active().values_list("pk", "name"))
    assert ours == theirs
    assert gone.pk not in [pk for pk, _name in ours]
    expected = {"staff": 1, "town": 3, "admin": Village.objects.active().count(), "worker": 0}[persona]
    assert len(ours) == expected
    if persona == "admin":
        assert ours[0][1] == "乙村"
