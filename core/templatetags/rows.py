"""``{% rows "app/x_rows.html" name=value … %}``: the rows of a long table, written by a Jinja2 template
(templates/jinja2/, the ``rows`` engine: core/jinja.py) with only the values named (docs/performance.md, "Rows of
long tables"). A builtin of the project's templates, like ``{% url %}``: no ``{% load %}``.

The rows templates hold no text of their own: every word they write comes translated from the page's template
(``{% translate "…" as word %}``) or from the rows' own values, so the messages catalog is made from the
Django templates alone (tests/project/test_rows.py)."""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def rows(name: str, **values) -> str:
    # Jinja2 escapes every value it writes (autoescape, as the engine's default) and honours Django's safe
    # strings (they have __html__): what it returns is markup.
    return mark_safe(engines["rows"].get_template(name).template.render(values))  # noqa: S308
