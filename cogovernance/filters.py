"""The filters of the co-governance lists, one FilterSet per list, its choices narrowed to the page's village."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import ValuesChoiceFilter
from grids.models import Grid, Village

from .models import PUBLICITY_DAYS, Deliberation, Stage


class DeliberationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("议题、说明或提出人"), method="search")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("环节"))
    grid = ValuesChoiceFilter(queryset=Grid.objects.none(), label=_("网格"))
    # Bounded, so that a number no date can hold is a form error, not a database error.
    year = django_filters.NumberFilter(
        field_name="created_at", lookup_expr="year", label=_("登记年份"), min_value=2000, max_value=2999
    )
    publicity = django_filters.BooleanFilter(
        label=_("公示中"),
        method="in_publicity",
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )

    class Meta:
        model = Deliberation
        fields = ["q", "stage", "grid", "year", "publicity"]

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["grid"].queryset = Grid.objects.filter(village=village).order_by("number")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value) | Q(proposer__icontains=value))

    def in_publicity(self, queryset, name, value):
        """Public today: the publication day is the first of the seven (models.Deliberation.in_publicity)."""
        if value is None:
            return queryset
        today = timezone.localdate()
        now = Q(publish_on__lte=today, publish_on__gt=today - datetime.timedelta(days=PUBLICITY_DAYS))
        return queryset.filter(now) if value else queryset.exclude(now)
