"""A resident's ID number, birth date and age as the viewer may see them (residents/disclosure.py):
``{% load disclosure %}{% masked_id r %}``, ``{% age_of r as a %}``, ``{% birth_date_of r as d %}``."""

from django import template

from residents import disclosure

register = template.Library()


def _viewer(context):
    return context["request"].user


@register.simple_tag(takes_context=True)
def masked_id(context, resident) -> str:
    return disclosure.masked_id(_viewer(context), resident)


@register.simple_tag(takes_context=True)
def age_of(context, resident) -> int:
    return disclosure.age(_viewer(context), resident)


@register.simple_tag(takes_context=True)
def birth_date_of(context, resident):
    return disclosure.birth_date(_viewer(context), resident)
