"""The filters of the project and document lists, one FilterSet per list, choices narrowed to the page's village
(shared by the page and its Excel export)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import ValuesChoiceFilter
from grids.models import Grid, NaturalVillage

from .models import DocumentKind, Project, ProjectKind, VillageDocument

DONE, GOING = "done", "going"


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("项目名称或建设内容"), method="search")
    kind = django_filters.ChoiceFilter(choices=ProjectKind.choices, label=_("类别"))
    grid = ValuesChoiceFilter(queryset=Grid.objects.none(), label=_("所在网格"))
    natural_village = ValuesChoiceFilter(
        queryset=NaturalVillage.objects.none(), field_name="natural_villages", label=_("受益自然村")
    )
    # Bounded, so that a number no date can hold is a form error, not a database error.
    year = django_filters.NumberFilter(
        field_name="started_on", lookup_expr="year", label=_("开工年份"), min_value=1949, max_value=2999
    )
    state = django_filters.ChoiceFilter(
        choices=[(DONE, _("已完工")), (GOING, _("在建"))], label=_("进度"), method="by_state"
    )

    class Meta:
        model = Project
        fields = ["q", "kind", "grid", "natural_village", "year", "state"]

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["grid"].queryset = Grid.objects.filter(village=village).order_by("number")
        self.filters["natural_village"].queryset = NaturalVillage.objects.filter(village=village)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def by_state(self, queryset, name, value):
        if value == DONE:
            return queryset.filter(done_on__isnull=False)
        if value == GOING:
            return queryset.filter(done_on__isnull=True)
        return queryset


class DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("名称"))
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices, label=_("类别"))
    archived = django_filters.BooleanFilter(
        label=_("状态"),
        method="by_archived",
        widget=forms.Select(choices=[("", _("现行")), ("true", _("已归档"))]),
    )

    class Meta:
        model = VillageDocument
        fields = ["q", "kind", "archived"]

    def by_archived(self, queryset, name, value):
        """The page lists current documents; with this choice the archived ones (the view widens its base)."""
        return queryset.filter(archived_at__isnull=False) if value else queryset
