"""A model's ``get_<field>_display()`` answered from a table of labels kept per field and language.

Django's own builds the field's choices into a dictionary on every call, making each lazy label hashable, which
translates every label of the field: 23–81 µs a call on this machine, and a list of 50 rows shows two or three
such labels per row (docs/performance.md, "What every page pays"). The answer here is the same — the label of
the value, or the value itself when it is not one of the choices — from a table built once per field and
language. A value that cannot be a dictionary key (a list in a JSON field) and a field whose choices are a
callable (worked out again on each call) go to Django's own.

Installed for every model as its class is made (``class_prepared``), connected when the apps' configurations
load (core/apps.py), before any model is imported; a model that defines its own ``get_<field>_display`` keeps it.
"""

from __future__ import annotations

from functools import cache, partialmethod

from django.db.models import Model
from django.db.models.signals import class_prepared
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_MISSING = object()
_django_display = Model._get_FIELD_display


@cache
def labels(field, language: str | None) -> dict:
    """The field's values and their labels, as text in ``language`` (the active one when it was built)."""
    return {make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices}


def display(instance: Model, field) -> object:
    value = getattr(instance, field.attname)
    try:
        label = labels(field, get_language()).get(value, _MISSING)
    except TypeError:  # not hashable: Django's way, which makes it so
        return _django_display(instance, field)
    return force_str(value, strings_only=True) if label is _MISSING else label


def label_of(model: type[Model], name: str, value) -> object:
    """What ``get_<name>_display()`` answers for ``value`` on a row of ``model``, for a value read without
    its row (a column of a related row put on a list's row: docs/performance.md, "What a row shows")."""
    label = labels(model._meta.get_field(name), get_language()).get(make_hashable(value), _MISSING)
    return force_str(value, strings_only=True) if label is _MISSING else label


def _install(sender, **kwargs) -> None:
    for field in sender._meta.fields:
        name = f"get_{field.name}_display"
        if not field.choices or isinstance(field.choices, CallableChoiceIterator):
            continue
        current = sender.__dict__.get(name)
        # Only Django's own (a partialmethod of Model._get_FIELD_display for this field) is replaced.
        if isinstance(current, partialmethod) and current.func is _django_display:
            setattr(sender, name, partialmethod(display, field=field))


def connect() -> None:
    class_prepared.connect(_install, dispatch_uid="core.choices")
