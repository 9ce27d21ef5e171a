"""The case lists' one FilterSet, shared by the staff list, the town's desk, the export and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.filters import ScopedFilterSet, StableOrdering
from residents.filters import YesNo, has_digit, text_q

from .models import Case, CaseParty, Category, Kind, State, Tier


class CaseFilter(ScopedFilterSet):
    """Expects the queryset annotated with ``due_at`` (``deadlines.with_due``)."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("类型"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("类别"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("层级"))
    state = django_filters.ChoiceFilter(choices=State.choices, label=_("状态"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("超期"), widget=YesNo)
    major = django_filters.BooleanFilter(label=_("重大事项"), widget=YesNo)
    reported_from = django_filters.DateFilter(
        field_name="reported_at__date",
        lookup_expr="gte",
        label=_("上报日期起"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reported_to = django_filters.DateFilter(
        field_name="reported_at__date",
        lookup_expr="lte",
        label=_("上报日期止"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ordering = StableOrdering(
        fields=(("due_at", "due"), ("reported_at", "reported"), ("number", "number")),
        field_labels={"due_at": _("期限"), "reported_at": _("上报时间"), "number": _("编号")},
        label=_("排序"),
    )

    class Meta:
        model = Case
        fields = ["village", "grid", "kind", "category", "tier", "state", "major"]

    def search(self, queryset, name, value):
        """Case number, title, or a party's name or phone."""
        value = value.strip()
        party = text_q("name", value, indexed=False)
        if has_digit(value):
            party |= Q(phone__contains=value)
        # The parties of the cases in the list only: PostgreSQL hashed every party of the county (72,000 rows,
        # 25 ms for the rows and again for the count) to search a town's 4,000 cases (the county benchmark).
        parties = CaseParty.objects.filter(party, case__in=queryset.values("pk")).values("case_id")
        own = text_q("number", value, indexed=False) | text_q("title", value, indexed=False)
        return queryset.filter(own | Q(pk__in=parties))

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        if value:
            return queryset.filter(due_at__lt=now)
        return queryset.filter(Q(due_at__gte=now) | Q(due_at__isnull=True))


SIGNED_CHOICES = [("no", _("未签收")), ("yes", _("已签收"))]


class DepartmentCaseFilter(django_filters.FilterSet):
    """A department's own list (docs/departments.md): no place choices (a department sees no villages'
    registry), the same search and overdue rule as the other lists. Expects ``due_at`` too."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("类型"))
    state = django_filters.ChoiceFilter(choices=State.choices, label=_("状态"))
    signed = django_filters.ChoiceFilter(choices=SIGNED_CHOICES, method="filter_signed", label=_("签收"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("超期"), widget=YesNo)
    ordering = StableOrdering(
        fields=(("due_at", "due"), ("reported_at", "reported"), ("number", "number")),
        field_labels={"due_at": _("期限"), "reported_at": _("上报时间"), "number": _("编号")},
        label=_("排序"),
    )

    class Meta:
        model = Case
        fields = ["kind", "state"]

    search = CaseFilter.search
    filter_overdue = CaseFilter.filter_overdue

    def filter_signed(self, queryset, name, value):
        return queryset.filter(signed_at__isnull=(value == "no"))
