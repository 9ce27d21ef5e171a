"""Template filters on what a user holds in the territory (grids.access)."""

from __future__ import annotations

from django import template

from grids import access

register = template.Library()


@register.filter
def party_member_only(user) -> bool:
    """A Party member's login and nothing else: the phone layout shows them their contact households, not
    the grid worker's work list and its offline machinery (docs/party.md)."""
    return access.is_party_member_only(user)


@register.filter
def department_only(user) -> bool:
    """A department's login and nothing else: the menu shows its cases only (docs/departments.md)."""
    return access.is_department_only(user)


@register.filter
def keeps_departments(user) -> bool:
    """The town office (and the admin) keep their town's department people (docs/departments.md)."""
    return access.may_use_town_pages(user)
