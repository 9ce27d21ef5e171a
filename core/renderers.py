"""The project's form renderer: Django's, except that a ``<select>`` and an ``<input>`` are written here instead of
by templates.

Django renders a select through its template, which includes the option template for every option, which
includes the attributes template: about 50 µs an option on this machine, and a village's filter bar (grids,
micro-grids, villager groups, tags: about 200 options) cost 15–20 ms of a 45 ms list page
(docs/performance.md, "Select lists"). The markup here is the same, character for character, put together in
Python from the same context the templates are given; tests/project/test_renderer.py holds it to Django's
templates. A text, number, date, search… input is the input template including the attributes template: about
90 µs, written here in a few. A widget with a template of its own (a radio list, a select whose options use another template), a
value or label that is callable (which the template would call) or a project that overrides Django's select
templates goes to the templates.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeData

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
ATTRS = "django/forms/widgets/attrs.html"
# Django's input widgets whose template is only ``{% include "django/forms/widgets/input.html" %}``.
_INPUT_KINDS = "input text number date datetime time email url password hidden search tel color"
INPUTS = frozenset(f"django/forms/widgets/{kind}.html" for kind in _INPUT_KINDS.split())

# What ``{{ value }}`` goes through: escaped, numbers in the active language's format.
_AUTOESCAPE = Context(autoescape=True)


class _Unwritable(Exception):
    """Something in the context that only the templates render the way they do."""


def _shown(value) -> str:
    """``{{ value }}``."""
    if callable(value):
        raise _Unwritable
    return render_value_in_context(value, _AUTOESCAPE)


def _as_text(value) -> str:
    """``{{ value|stringformat:'s' }}``: ``%s`` of the value (a tuple as its text), escaped unless it was safe."""
    if callable(value):
        raise _Unwritable
    try:
        text = "%s" % (str(value) if isinstance(value, tuple) else value)
    except (ValueError, TypeError):
        text = ""
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """attrs.html: `` name="value"`` for each attribute, the name alone for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(" " + _shown(name) if value is True else " " + _shown(name) + '="' + _as_text(value) + '"')
    return "".join(out)


def _select(widget: dict) -> str:
    """select.html with select_option.html for every option, as the renderer returns it (stripped)."""
    parts = ['<select name="', _shown(widget["name"]), '"', _attrs(widget["attrs"]), ">"]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts += ['\n  <optgroup label="', _shown(group_name), '">']
        for option in options:
            if option["template_name"] != OPTION:
                raise _Unwritable
            parts += [
                '\n  <option value="',
                _as_text(option["value"]),
                '"',
                _attrs(option["attrs"]),
                ">",
                _shown(option["label"]),
                "</option>\n",
            ]
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _input(widget: dict) -> str:
    """input.html, as the renderer returns it (stripped)."""
    value = "" if widget["value"] is None else ' value="' + _as_text(widget["value"]) + '"'
    return (
        '<input type="'
        + _shown(widget["type"])
        + '" name="'
        + _shown(widget["name"])
        + '"'
        + value
        + _attrs(widget["attrs"])
        + ">"
    )


class Renderer(DjangoTemplates):
    """``FORM_RENDERER``: Django's template renderer with selects and inputs written in Python."""

    def _own(self, *names: str) -> bool:
        """Whether the templates found are Django's own (a project or app may override them)."""
        own = DjangoTemplates.__module__.replace(".", "/").rsplit("/", 1)[0] + "/templates/"
        return all(own in self.get_template(name).template.origin.name for name in names)

    @cached_property
    def _own_select_templates(self) -> bool:
        return self._own(SELECT, OPTION, ATTRS)

    @cached_property
    def _own_input_templates(self) -> bool:
        return self._own(*INPUTS, ATTRS)

    def render(self, template_name, context, request=None):
        try:
            if template_name == SELECT and self._own_select_templates:
                return _select(context["widget"])
            if template_name in INPUTS and self._own_input_templates:
                return _input(context["widget"])
        except _Unwritable:
            pass
        return super().render(template_name, context, request=request)
