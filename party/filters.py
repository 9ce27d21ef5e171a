"""The filters of the Party lists, one FilterSet per list, its choices narrowed to the page's village."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import ValuesChoiceFilter
from residents import disclosure, idnumber

from .forms import group_name
from .models import Meeting, MeetingKind, MemberStatus, OrgKind, PartyMember, PartyOrganisation
from .selectors import AGE_BANDS

UNDER_60 = "under60"
AGE_CHOICES = [(UNDER_60, _("60岁以下")), *[(str(i), _(label)) for i, (_lo, _hi, label) in enumerate(AGE_BANDS)]]


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def born_q(low: int, high: int, today: datetime.date) -> Q:
    """Aged ``low`` ≤ age < ``high`` on ``today``: born after the day ``high`` years ago, on or before the day
    ``low`` years ago."""
    return Q(resident__birth_date__gt=years_before(today, high), resident__birth_date__lte=years_before(today, low))


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名或身份证号"), method="search")
    branch = ValuesChoiceFilter(queryset=PartyOrganisation.objects.none(), label=_("支部"))
    # Named with its branch, as ``forms.group_label`` names a group.
    group = ValuesChoiceFilter(
        queryset=PartyOrganisation.objects.none(),
        label=_("党小组"),
        label_columns=("parent__name", "name"),
        label_of=group_name,
    )
    status = django_filters.ChoiceFilter(choices=MemberStatus.choices, label=_("党员类别"))
    floating = django_filters.BooleanFilter(
        label=_("流动党员"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )
    age = django_filters.ChoiceFilter(choices=AGE_CHOICES, label=_("年龄"), method="by_age")

    class Meta:
        model = PartyMember
        fields = ["q", "branch", "group", "status", "floating", "age"]

    def __init__(self, *args, village, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        orgs = PartyOrganisation.objects.active().filter(village=village)
        self.filters["branch"].queryset = orgs.filter(kind=OrgKind.BRANCH)
        self.filters["group"].queryset = orgs.filter(kind=OrgKind.GROUP)

    def get_form_class(self):
        form_class = super().get_form_class()
        viewer = self.user

        def clean_q(form):
            # A search by a full ID number is recorded (and limited a day) for a viewer who may not see
            # every number (a Party secretary): the registry's rule (residents/disclosure.py).
            value = (form.cleaned_data.get("q") or "").strip()
            disclosure.check_id_search(viewer, value)
            return value

        return type(form_class.__name__, (form_class,), {"clean_q": clean_q})

    def filter_queryset(self, queryset):
        if "q" in self.form.errors:
            return queryset.none()
        return super().filter_queryset(queryset)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if idnumber.looks_like_full_number(value):
            return queryset.filter(resident__id_hash=idnumber.lookup_hash(value))
        return queryset.filter(resident__name__icontains=value)

    def by_age(self, queryset, name, value):
        today = timezone.localdate()
        if value == UNDER_60:
            return queryset.filter(born_q(0, 60, today))
        try:
            low, high, _label = AGE_BANDS[int(value)]
        except (ValueError, IndexError):
            return queryset
        return queryset.filter(born_q(low, high, today))


class MeetingFilter(django_filters.FilterSet):
    organisation = ValuesChoiceFilter(queryset=PartyOrganisation.objects.none(), label=_("召开组织"))
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=_("会议类型"))
    # Bounded, so that a number no date can hold is a form error, not a database error.
    year = django_filters.NumberFilter(
        field_name="held_on", lookup_expr="year", label=_("年份"), min_value=1949, max_value=2999
    )
    month = django_filters.NumberFilter(
        field_name="held_on", lookup_expr="month", label=_("月份"), min_value=1, max_value=12
    )
    late = django_filters.BooleanFilter(
        label=_("逾期召开"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )

    class Meta:
        model = Meeting
        fields = ["organisation", "kind", "year", "month", "late"]

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = PartyOrganisation.objects.filter(village=village)
