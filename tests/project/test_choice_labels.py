"""Every model's get_<field>_display() answers from labels kept per field and language (core/choices.py), and
answers what Django's own answers."""

from functools import partialmethod

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import translation

from core import choices
from residents.models import Household

FIELDS = [
    (model, field)
    for model in apps.get_models()
    for field in model._meta.fields
    if field.choices and not isinstance(field.choices, choices.CallableChoiceIterator)
]


def _method(model, field):
    name = f"get_{field.name}_display"
    return next(k.__dict__[name] for k in model.__mro__ if name in k.__dict__)


def test_every_choice_field_of_every_model_is_answered_from_kept_labels():
    assert len(FIELDS) > 40
    for model, field in FIELDS:
        method = _method(model, field)
        assert isinstance(method, partialmethod) and method.func is choices.display, (model, field.name)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_answer_is_djangos_for_every_value_and_one_that_is_not_a_choice(language):
    with translation.override(language):
        for model, field in FIELDS:
            for value in [v for v, _label in field.flatchoices] + ["not-a-choice", None]:
                instance = model()
                setattr(instance, field.attname, value)
                ours = getattr(instance, f"get_{field.name}_display")()
                assert ours == Model._get_FIELD_display(instance, field), (model, field.name, value)
                assert type(ours) is type(Model._get_FIELD_display(instance, field))


def test_labels_follow_the_language_and_an_unhashable_value_goes_to_django():
    household = Household(living_status="away")
    with translation.override("zh-hans"):
        chinese = household.get_living_status_display()
    with translation.override("en"):
        english = household.get_living_status_display()
    assert chinese != english and english.isascii() and not chinese.isascii()
    household.living_status = ["away"]  # a list: no dictionary key
    field = Household._meta.get_field("living_status")
    assert household.get_living_status_display() == Model._get_FIELD_display(household, field) == "['away']"
