"""Small template helpers used across the portal's pages."""

from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """93 → "93%"; nothing to divide by (None) → "—"."""
    return "—" if value is None or value == "" else f"{value}%"
