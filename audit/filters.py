"""The audit log's filters (shared by its page and its workbook). Choices are scoped to the user."""

from __future__ import annotations

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids import access
from grids.models import Village

from .models import AuditAction, AuditEntry
from .trail import tracked_models


def audited_models() -> list[tuple[str, str]]:
    """(app_label.model, its name) for every model the log tracks, by name."""
    return sorted(((m._meta.label_lower, str(m._meta.verbose_name)) for m in tracked_models()), key=lambda c: c[1])


def model_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class AuditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search", max_length=100)
    action = django_filters.ChoiceFilter(label=_("操作"), choices=AuditAction.choices, empty_label=_("全部"))
    model = django_filters.ChoiceFilter(label=_("对象类型"), choices=audited_models, empty_label=_("全部"))
    village = django_filters.ModelChoiceFilter(
        label=_("行政村"), queryset=Village.objects.none(), empty_label=_("全部")
    )
    since = django_filters.DateFilter(
        label=_("起始日期"), field_name="at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        label=_("截止日期"), field_name="at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEntry
        fields = ["q", "action", "model", "village", "since", "until"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["village"].queryset = access.visible_villages(user).order_by("name")

    def search(self, queryset, name, value):
        """Who (name or address), what was noted, and which object — except, for the town office, the
        object of a sensitive entry (a key person's name must not be findable by searching)."""
        value = value.strip()
        q = Q(actor_label__icontains=value) | Q(note__icontains=value) | Q(address__startswith=value)
        objects = Q(object_repr__icontains=value)
        if not access.scope_for(self.user).is_admin:
            objects &= Q(sensitive=False)
        return queryset.filter(q | objects)
