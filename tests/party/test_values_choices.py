"""Filters whose options are read as values (core/filters.py): the Party member list's branches and groups,
the meetings' organisations, the deliberations' and projects' grids, the projects' natural villages and the
activities' volunteer teams offer what Django's model choices would (a group named with its branch, as
``party.forms.group_label`` names it), select the chosen one, filter by it, and build no row to list them."""

import pytest
from django.forms.models import ModelChoiceIterator

from civility.forms_activities import ActivityFilter
from civility.models import Activity, VolunteerTeam
from cogovernance.filters import DeliberationFilter
from cogovernance.filters_records import ProjectFilter
from cogovernance.models import Deliberation, Project
from core.filters import _ValuesChoiceIterator
from grids.models import Grid, NaturalVillage
from party.filters import MeetingFilter, MemberFilter
from party.forms import group_label
from party.models import Meeting, PartyMember
from tests.conftest import models_built


def _options(field):
    return [(str(value), str(label)) for value, label in field.choices]


@pytest.fixture
def places(world):
    Grid.objects.create(village=world.village, number=9, name="第九网格")
    NaturalVillage.objects.create(village=world.village, name="东庄")
    NaturalVillage.objects.create(village=world.village, name="西庄")
    VolunteerTeam.objects.create(village=world.village, name="红马甲服务队")
    VolunteerTeam.objects.create(village=world.village, name="银发志愿队")


def _filter_sets(world, staff):
    v = world.village
    return [
        (MemberFilter({}, queryset=PartyMember.objects.all(), village=v, user=staff), ("branch", "group")),
        (MeetingFilter({}, queryset=Meeting.objects.all(), village=v), ("organisation",)),
        (DeliberationFilter({}, queryset=Deliberation.objects.all(), village=v), ("grid",)),
        (ProjectFilter({}, queryset=Project.objects.all(), village=v), ("grid", "natural_village")),
        (ActivityFilter({}, queryset=Activity.objects.all(), village=v), ("team",)),
    ]


def test_every_values_select_offers_what_djangos_would(world, party, staff, places):
    seen = 0
    for filterset, names in _filter_sets(world, staff):
        for name in names:
            field = filterset.form.fields[name]
            assert field.iterator is _ValuesChoiceIterator, name
            label = group_label if name == "group" else str
            djangos = [("", str(field.empty_label))] + [(str(o.pk), label(o)) for o in field.queryset]
            assert _options(field) == djangos, name
            assert [str(v) for v, _label in ModelChoiceIterator(field)] == [v for v, _label in djangos], name
            assert len(djangos) >= 3, name
            seen += 1
    assert seen == 7
    groups = dict(_options(_filter_sets(world, staff)[0][0].form.fields["group"]))
    assert groups[str(party.group1.pk)] == f"{party.branch1.name} / {party.group1.name}"


def test_the_chosen_option_is_selected_and_filters(world, party, staff):
    data = {"group": str(party.group1.pk), "branch": str(party.branch1.pk)}
    filterset = MemberFilter(data, queryset=PartyMember.objects.all(), village=world.village, user=staff)
    html = str(filterset.form["group"])
    assert f'<option value="{party.group1.pk}" selected>{party.branch1.name} / {party.group1.name}</option>' in html
    assert list(filterset.qs) == [party.member1]


def test_the_options_build_no_rows(world, party, staff, places):
    with models_built() as built:
        for filterset, names in _filter_sets(world, staff):
            for name in names:
                str(filterset.form[name])
    assert not built, built
