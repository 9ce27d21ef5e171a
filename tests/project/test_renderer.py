"""The form renderer writes a <select> in Python (core/renderers.py): the same markup as Django's templates,
character for character, for every kind of select and value; anything else goes to the templates."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core import renderers
from residents.filters import HouseholdFilter
from residents.models import Household

CHOICES = [
    ("", "---------"),
    (1, "一组"),
    ("2", 'a <b> & "c"'),
    ("<x>", mark_safe("<em>safe</em>")),
    (0, gettext_lazy("户")),
    (3, 1234567),
    (4.5, None),
    ((1, 2), "a tuple"),
    (mark_safe("&amp;"), "safe value"),
    (
        gettext_lazy("村民小组"),
        [("g1", "one"), ("g2", gettext_lazy("网格")), (7, "<seven>")],
    ),
    ("after", "after the group"),
]


def _both(widget: forms.Widget, name: str, value, attrs=None) -> tuple[str, str]:
    ours = widget.render(name, value, attrs=attrs, renderer=renderers.Renderer())
    djangos = widget.render(name, value, attrs=attrs, renderer=DjangoTemplates())
    return ours, djangos


WIDGETS = [
    (forms.Select(choices=CHOICES), None),
    (forms.Select(choices=CHOICES), 1),
    (forms.Select(choices=CHOICES), "g2"),
    (forms.Select(choices=CHOICES), "<x>"),
    (forms.Select(choices=CHOICES, attrs={"class": 'a"b', "disabled": True, "hidden": False, "data-n": 0}), "2"),
    (forms.Select(choices=[]), None),
    (forms.Select(choices=[("only", "only")]), "only"),
    (forms.SelectMultiple(choices=CHOICES), [1, "g1", "after"]),
    (forms.NullBooleanSelect(), None),
    (forms.NullBooleanSelect(), True),
    (forms.NullBooleanSelect(), False),
]


@pytest.fixture
def templates_used(monkeypatch) -> list[str]:
    """The names of the templates Django's renderer is asked for, in order."""
    used = []
    original = DjangoTemplates.render

    def spy(self, template_name, context, request=None):
        used.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(DjangoTemplates, "render", spy)
    return used


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_a_select_is_written_as_djangos_templates_write_it(widget, value, language):
    with translation.override(language):
        ours, djangos = _both(widget, "field<name>", value, attrs={"id": "id_field", "required": True})
    assert ours == djangos
    assert ours.startswith("<select") and ours.endswith("</select>")


def test_the_select_template_is_not_used_when_it_can_be_written(templates_used):
    used = templates_used
    html = forms.Select(choices=CHOICES).render("f", 1, renderer=renderers.Renderer())
    assert 'value="1" selected>一组</option>' in html
    assert renderers.SELECT not in used and renderers.OPTION not in used


INPUT_WIDGETS = [
    forms.TextInput(),
    forms.TextInput(attrs={"placeholder": '名 <"&>', "disabled": True, "readonly": False, "maxlength": 50}),
    forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
    forms.DateInput(),
    forms.DateInput(attrs={"type": "date"}),
    forms.DateTimeInput(),
    forms.TimeInput(),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.PasswordInput(),
    forms.HiddenInput(),
    forms.SearchInput(),
    forms.TelInput(),
    forms.ColorInput(),
]
INPUT_VALUES = [None, "", 'a <b> & "c"', mark_safe("<i>safe</i>"), 0, 12.5, "张三"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("widget", INPUT_WIDGETS)
def test_an_input_is_written_as_djangos_templates_write_it(widget, language):
    with translation.override(language):
        for value in [*INPUT_VALUES, datetime.date(2026, 12, 6), datetime.datetime(2026, 12, 6, 8, 30)]:
            ours, djangos = _both(widget, "field<name>", value, attrs={"id": "id_field", "required": True})
            assert ours == djangos, (widget, value)
            assert ours.startswith("<input") and ours.endswith(">")


def test_the_input_templates_are_not_used_when_they_can_be_written(templates_used):
    used = templates_used
    html = forms.TextInput().render("q", "x", renderer=renderers.Renderer())
    assert html == '<input type="text" name="q" value="x">' and used == []
    forms.CheckboxInput().render("c", True, renderer=renderers.Renderer())  # a template of its own
    assert used == ["django/forms/widgets/checkbox.html"]


class _CallableLabel:
    def __call__(self):
        return "called"

    def __str__(self):
        return "not called"


class _OtherOptions(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


@pytest.mark.parametrize(
    "widget",
    [
        forms.Select(choices=[(1, "one")], attrs={"data-x": _CallableLabel()}),  # the template calls it
        _OtherOptions(choices=[(1, "one"), (2, "two")]),  # options by another template
        forms.RadioSelect(choices=[(1, "one"), (2, "two")]),  # not a select at all
    ],
)
def test_what_only_the_templates_write_goes_to_them(widget):
    ours, djangos = _both(widget, "f", 1)
    assert ours == djangos


def test_a_project_that_overrides_the_select_templates_keeps_them():
    renderer = renderers.Renderer()
    assert renderer._own_select_templates  # Django's own here
    renderer._own_select_templates = False  # as if templates/django/forms/widgets/select.html existed
    calls = []
    renderer.get_template = lambda name: calls.append(name) or DjangoTemplates().get_template(name)
    forms.Select(choices=[(1, "one")]).render("f", 1, renderer=renderer)
    assert calls == [renderers.SELECT]


def test_it_is_the_projects_renderer_and_a_real_filter_bar_is_written_the_same(world, staff):
    assert isinstance(get_default_renderer(), renderers.Renderer)
    data = {"grid": str(world.grid1.pk), "living_status": "away"}
    filterset = HouseholdFilter(data, queryset=Household.objects.all(), user=staff)
    selects = [bound for bound in filterset.form if isinstance(bound.field.widget, forms.Select)]
    assert len(selects) >= 4
    for bound in selects:
        ours = bound.as_widget()
        djangos = bound.field.widget.render(
            bound.html_name,
            bound.value(),
            attrs=bound.build_widget_attrs({"id": bound.auto_id}),
            renderer=DjangoTemplates(),
        )
        assert ours == djangos, bound.name
    assert f'value="{world.grid1.pk}" selected>' in str(filterset.form["grid"])
