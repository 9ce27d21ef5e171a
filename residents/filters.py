"""One FilterSet per list, shared by the HTML pages and (later) the API. Choices are scoped to the user."""

from __future__ import annotations

import django_filters
from django import forms
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from grids import access
from grids.filters import ScopedFilterSet, StableOrdering
from grids.models import Grid, MicroGrid, Village, VillagerGroup

from . import disclosure, idnumber
from .codes import Gender
from .models import (
    Household,
    KeyCategory,
    KeyPerson,
    KeyPlace,
    LivingStatus,
    PlaceType,
    Registration,
    Resident,
    Tag,
)


def by_trigram_index(value: str) -> bool:
    """A "contains" search PostgreSQL answers from its indexes: three characters or more. Name and address
    (trigram indexes, migration residents 0006), phone (trigrams, 0007), a full ID number or its last four
    characters (keyed hashes, btree): the search is a set of ids from the indexes, not a scan of the list's
    rows. At a million residents a town's resident search by name took 270 ms scanning 70,000 rows, a
    household search by phone 670 ms (the county benchmark). Shorter searches scan: trigrams need three characters."""
    return connection.vendor == "postgresql" and len(value) >= 3


def has_digit(value: str) -> bool:
    return any(c.isdigit() for c in value)


def households_at(address_part: str):
    """Ids of the households whose address holds ``address_part`` (the trigram index's path)."""
    return Household.objects.filter(address__icontains=address_part).values("pk")


def text_q(field: str, value: str, indexed: bool) -> Q:
    """``icontains`` is ``UPPER(col) LIKE UPPER(…)``: the trigram indexes are built on it. A scan (short
    searches) of a value with no letters that have a case (Chinese, digits) skips the UPPER of every row it
    reads: a town's count for a two-character name, 71,000 rows, 59 → 33 ms (the county benchmark)."""
    caseless = value.upper() == value.lower()
    return Q(**{f"{field}__{'contains' if caseless and not indexed else 'icontains'}": value})


def _household_q(value: str, indexed: bool = True) -> Q:
    """A household's own fields a search looks at: address, and phone when there are digits."""
    q = text_q("address", value, indexed)
    if has_digit(value):
        q |= Q(phone__contains=value)
    return q


def _resident_q(value: str, prefix: str = "", indexed: bool = True, tails: bool = True) -> Q:
    """Name, phone (when there are digits: names have none), a full ID number (keyed hash) or its last four
    characters (keyed hash of the tail; ``tails=False`` for a viewer who may not have it: disclosure.py)."""
    q = text_q(f"{prefix}name", value, indexed)
    if has_digit(value):
        q |= Q(**{f"{prefix}phone__contains": value})
    if idnumber.looks_like_full_number(value):
        q |= Q(**{f"{prefix}id_hash": idnumber.lookup_hash(value)})
    elif tails and len(value) == 4 and (value[:3].isdigit() and (value[3].isdigit() or value[3] in "xX")):
        q |= Q(**{f"{prefix}id_tail_hash": idnumber.tail_hash(value)})
    return q


def residents_matching(value: str, tails: bool = True):
    """Ids of the residents a search finds, each branch from an index (``by_trigram_index``)."""
    return Resident.objects.filter(_resident_q(value.strip(), tails=tails))


def resident_search_q(value: str, prefix: str = "", tails: bool = True) -> Q:
    """Name, phone, a full ID number or its last four characters."""
    value = value.strip()
    if by_trigram_index(value):
        return Q(**{f"{prefix}pk__in": residents_matching(value, tails).values("pk")})
    return _resident_q(value, prefix, indexed=False, tails=tails)


class GuardedSearch:
    """A filter set whose ``q`` may be a full ID number: checked before it runs (recorded, and limited a
    day, for a viewer who may not see full numbers: disclosure.py). A refused search finds nothing; the
    page shows the message under the field, the API answers 400 with it."""

    def get_form_class(self):
        form_class = super().get_form_class()
        viewer = self.user

        def clean_q(form):
            value = form.cleaned_data.get("q") or ""
            disclosure.check_id_search(viewer, value.strip())
            return value

        return type(form_class.__name__, (form_class,), {"clean_q": clean_q})

    def filter_queryset(self, queryset):
        if "q" in self.form.errors:
            return queryset.none()
        return super().filter_queryset(queryset)

    @property
    def tails(self) -> bool:
        return disclosure.may_search_tails(self.user)


class BirthOrdering(StableOrdering):
    """Ordering by birth: by the date for those who see birth dates, else by the year of birth and the
    name (an order by date among people of one year would tell each one's birthday nearly to the day)."""

    def filter(self, qs, value):
        if (
            value
            and any(v.lstrip("-") == "birth" for v in value)
            and not access.may_see_full_ids_everywhere(self.parent.user)
        ):
            ordering = []
            for param in value:
                if param.lstrip("-") == "birth":
                    year = ExtractYear("birth_date")
                    ordering += [year.desc() if param.startswith("-") else year.asc(), "name", "pk"]
                else:
                    ordering.append(self.get_ordering_value(param))
            return qs.order_by(*ordering)
        return super().filter(qs, value)


class YesNo(forms.Select):
    """A yes/no filter that says 全部 for "any" (django-filter's default says "unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))])


class HouseholdFilter(GuardedSearch, ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    micro_grid = django_filters.ModelChoiceFilter(queryset=MicroGrid.objects.none(), label=_("微网格"))
    villager_group = django_filters.ModelChoiceFilter(queryset=VillagerGroup.objects.none(), label=_("村民小组"))
    living_status = django_filters.ChoiceFilter(choices=LivingStatus.choices, label=_("居住状态"))
    tag = django_filters.ModelChoiceFilter(
        field_name="tags", queryset=Tag.objects.all(), to_field_name="code", label=_("标签")
    )
    archived = django_filters.ChoiceFilter(
        choices=[("true", _("已归档"))], empty_label=_("在用"), method="filter_archived", label=_("状态")
    )
    ordering = StableOrdering(
        fields=(("number", "number"), ("address", "address"), ("updated_at", "updated")),
        field_labels={"number": _("户编号"), "address": _("地址"), "updated_at": _("最近更新")},
        label=_("排序"),
    )

    class Meta:
        model = Household
        fields = ["village", "grid", "micro_grid", "villager_group", "living_status", "tag"]

    def search(self, queryset, name, value):
        """Address, household number or phone, or any member by name / phone / ID number."""
        value = value.strip()
        if by_trigram_index(value):
            members = residents_matching(value, self.tails).values("household_id")
            own = Household.objects.filter(_household_q(value)).values("pk")
            return queryset.filter(Q(pk__in=own) | Q(number=value) | Q(pk__in=members))
        members = Resident.objects.filter(_resident_q(value, indexed=False, tails=self.tails), household=OuterRef("pk"))
        return queryset.filter(_household_q(value, indexed=False) | Q(number=value) | Exists(members))

    def filter_archived(self, queryset, name, value):
        # The view already narrows to rows in use unless archived ones are asked for.
        return queryset.filter(archived_at__isnull=value != "true")


class ResidentFilter(GuardedSearch, ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    grid = django_filters.ModelChoiceFilter(field_name="household__grid", queryset=Grid.objects.none(), label=_("网格"))
    micro_grid = django_filters.ModelChoiceFilter(
        field_name="household__micro_grid", queryset=MicroGrid.objects.none(), label=_("微网格")
    )
    villager_group = django_filters.ModelChoiceFilter(
        field_name="household__villager_group", queryset=VillagerGroup.objects.none(), label=_("村民小组")
    )
    registration = django_filters.ChoiceFilter(choices=Registration.choices, label=_("人口类型"))
    lives_here = django_filters.BooleanFilter(label=_("在本村居住"), widget=YesNo)
    gender = django_filters.ChoiceFilter(
        choices=[(Gender.MALE, Gender.MALE.label), (Gender.FEMALE, Gender.FEMALE.label)], label=_("性别")
    )
    archived = django_filters.ChoiceFilter(
        choices=[("true", _("已归档"))], empty_label=_("在用"), method="filter_archived", label=_("状态")
    )
    ordering = BirthOrdering(
        fields=(("name", "name"), ("birth_date", "birth"), ("household__number", "household")),
        field_labels={"name": _("姓名"), "birth_date": _("出生日期"), "household__number": _("户编号")},
        label=_("排序"),
    )

    class Meta:
        model = Resident
        fields = ["village", "grid", "micro_grid", "villager_group", "registration", "lives_here", "gender"]

    def search(self, queryset, name, value):
        value = value.strip()
        if by_trigram_index(value):
            return queryset.filter(resident_search_q(value, tails=self.tails) | Q(household__in=households_at(value)))
        # The households of what the user sees, not a join with all of them: a town's two-character search
        # hashed 300,000 households to count its matches (215 ms; by the town's villages).
        households = Household.objects.visible_to(self.user).filter(text_q("address", value, False)).values("pk")
        return queryset.filter(resident_search_q(value, tails=self.tails) | Q(household__in=households))

    def filter_archived(self, queryset, name, value):
        # The view already narrows to rows in use unless archived ones are asked for.
        return queryset.filter(archived_at__isnull=value != "true")


class KeyPersonFilter(GuardedSearch, ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    village = django_filters.ModelChoiceFilter(field_name="village", queryset=Village.objects.none(), label=_("村"))
    grid = django_filters.ModelChoiceFilter(
        field_name="resident__household__grid", queryset=Grid.objects.none(), label=_("网格")
    )
    category = django_filters.ChoiceFilter(choices=KeyCategory.choices, label=_("类别"))
    risk_level = django_filters.NumberFilter(field_name="risk_level", lookup_expr="gte", label=_("危险性等级≥"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("在管"), widget=YesNo)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("只看超期"), widget=forms.CheckboxInput)
    ordering = StableOrdering(
        fields=(("resident__name", "name"), ("category", "category"), ("risk_level", "risk"), ("listed_from", "from")),
        field_labels={
            "resident__name": _("姓名"),
            "category": _("类别"),
            "risk_level": _("危险性等级"),
            "listed_from": _("列管开始"),
        },
        label=_("排序"),
    )

    class Meta:
        model = KeyPerson
        fields = ["village", "grid", "category", "attention"]

    def search(self, queryset, name, value):
        return queryset.filter(resident_search_q(value, prefix="resident__", tails=self.tails))

    def filter_current(self, queryset, name, value):
        current = queryset.current()
        return current if value else queryset.exclude(pk__in=current.values("pk"))

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset


class KeyPlaceFilter(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    micro_grid = django_filters.ModelChoiceFilter(queryset=MicroGrid.objects.none(), label=_("微网格"))
    type = django_filters.ChoiceFilter(choices=PlaceType.choices, label=_("类型"))
    archived = django_filters.ChoiceFilter(
        choices=[("true", _("已归档"))], empty_label=_("在用"), method="filter_archived", label=_("状态")
    )
    ordering = StableOrdering(
        fields=(("name", "name"), ("type", "type")),
        field_labels={"name": _("名称"), "type": _("类型")},
        label=_("排序"),
    )

    class Meta:
        model = KeyPlace
        fields = ["village", "grid", "micro_grid", "type"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(address__icontains=value) | Q(person_in_charge__icontains=value)
        )

    def filter_archived(self, queryset, name, value):
        # The view already narrows to rows in use unless archived ones are asked for.
        return queryset.filter(archived_at__isnull=value != "true")
