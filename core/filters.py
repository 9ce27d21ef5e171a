"""A list filter's select of model rows, its options read as values: the id and the columns its label is made
of, not whole rows (docs/performance.md, "Select lists"). For a model whose ``__str__`` is its name, the
options are Django's own; a label made of other columns (a Party group with its branch) says how."""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django.forms.models import ModelChoiceIteratorValue
from django_filters.fields import ModelChoiceField, ModelChoiceIterator


class _ValuesChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        if field.null_label is not None:
            yield (field.null_value, field.null_label)
        for pk, *values in self.queryset.values_list("pk", *field.label_columns):
            yield (ModelChoiceIteratorValue(pk, None), field.label_of(*values))


def _name(name: str) -> str:
    return name


class ValuesChoiceField(ModelChoiceField):
    """``label_columns``: what the label is made of (the row's name by default); ``label_of``: the label from
    those values, as the row's ``label_from_instance`` would write it (its ``__str__``: the name)."""

    iterator = _ValuesChoiceIterator

    def __init__(
        self, *args, label_columns: tuple[str, ...] = ("name",), label_of: Callable[..., str] = _name, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.label_columns, self.label_of = label_columns, label_of


class ValuesChoiceFilter(django_filters.ModelChoiceFilter):
    """``ModelChoiceFilter`` whose options are read as values (``label_columns``, ``label_of`` as
    ``ValuesChoiceField``'s); the chosen row is still read whole to filter by."""

    field_class = ValuesChoiceField
