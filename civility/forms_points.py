"""Forms and list filters of the points supermarket (积分超市) and the model selections (docs/civility.md).

Every choice is narrowed to the page's village (STYLE 2): an item or a household from elsewhere fails on its
field like any bad value. Nothing here writes: the views hand the cleaned values to ``civility.services``."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.filters import StableOrdering
from grids.forms import DateInput, VillageScopedChoice
from grids.models import Village
from residents.models import Household, Resident

from .models import EntryKind, Honour, ModelSelection, StockItem

# What a person may award by hand: a selection's points come with the selection, a redemption at the counter.
AWARD_KINDS = [(k.value, k.label) for k in (EntryKind.RULE, EntryKind.ACTIVITY, EntryKind.CORRECTION)]


def household_search_q(value: str) -> Q:
    """A household by its number, its phone, or a member's name or phone (the head's name as the counter
    hears it: "张三家")."""
    value = value.strip()
    members = Resident.objects.filter(household=OuterRef("pk"), archived_at__isnull=True).filter(
        Q(name__icontains=value) | Q(phone=value)
    )
    return Q(number=value) | Q(phone=value) | Q(address__icontains=value) | Exists(members)


class RedeemForm(forms.Form):
    item = VillageScopedChoice(queryset=StockItem.objects.none(), label=_("物品"), what=_("物品"))
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=99, initial=1)
    # Made when the confirm step was drawn: the same confirmation sent twice redeems once (services.redeem).
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = StockItem.objects.active().filter(village=village)


class AwardForm(forms.Form):
    points = forms.IntegerField(label=_("积分"), min_value=1, max_value=100000)
    kind = forms.ChoiceField(label=_("类别"), choices=AWARD_KINDS, initial=EntryKind.RULE)
    reason = forms.CharField(
        label=_("事由"), max_length=200, help_text=_("如：门前三包、参加环境整治、更正某次漏记的积分")
    )


class StockItemForm(forms.ModelForm):
    add = forms.IntegerField(
        label=_("本次入库数量"),
        required=False,
        initial=0,
        min_value=-100000,
        max_value=100000,
        help_text=_("补货填正数；损坏、过期出库填负数。库存不会少于 0。"),
    )

    class Meta:
        model = StockItem
        fields = ["name", "points"]

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.village = village
        if self.instance.pk is None:
            self.fields["add"].label = _("入库数量")
            self.fields["add"].min_value = 0
            self.fields["add"].help_text = ""

    def clean_add(self):
        return self.cleaned_data.get("add") or 0


class SelectionForm(forms.ModelForm):
    """A household (by its number) or a person of it (its number and the person's name): numbers are what the
    village's books use, and a name alone is not unique in a village."""

    household_number = forms.CharField(label=_("户编号"), max_length=30)
    resident_name = forms.CharField(
        label=_("个人姓名"),
        max_length=50,
        required=False,
        help_text=_("评选个人时填写（须是该户在册成员）；评选整户留空。"),
    )

    class Meta:
        model = ModelSelection
        fields = ["year", "honour", "household_number", "resident_name", "selected_on", "points", "reason"]
        widgets = {"selected_on": DateInput(), "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.instance.village = village
        self.fields["year"].min_value = 2000
        self.fields["year"].widget.attrs.update({"min": 2000, "max": 2999})

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2999:
            raise forms.ValidationError(_("请填写正确的年度，如 %(y)d。") % {"y": timezone.localdate().year})
        return year

    def clean(self):
        data = super().clean()
        number = (data.get("household_number") or "").strip()
        if not number:
            return data
        household = Household.objects.active().filter(village=self.village, number=number).first()
        if household is None:
            self.add_error("household_number", _("本村没有户编号为“%(n)s”的在册户。") % {"n": number})
            return data
        name = (data.get("resident_name") or "").strip()
        self.instance.household = self.instance.resident = None
        if name:
            people = list(Resident.objects.active().filter(household=household, name=name)[:2])
            if len(people) != 1:
                self.add_error("resident_name", _("该户没有名叫“%(n)s”的在册成员。") % {"n": name})
                return data
            self.instance.resident = people[0]
        else:
            self.instance.household = household
        return data


# --- list filters ------------------------------------------------------------------------------------------


class LedgerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("户编号、姓名或电话"), method="search")
    ordering = StableOrdering(
        fields=(("balance", "balance"), ("number", "number")),
        field_labels={"balance": _("积分余额"), "number": _("户编号")},
        label=_("排序"),
        empty_label=_("余额从高到低"),
    )

    class Meta:
        model = Household
        fields = ["q"]

    def search(self, queryset, name, value):
        return queryset.filter(household_search_q(value)) if value.strip() else queryset


class SelectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("户编号、姓名或事迹"), method="search")
    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2999)
    honour = django_filters.ChoiceFilter(choices=Honour.choices, label=_("称号"), empty_label=_("全部"))

    class Meta:
        model = ModelSelection
        fields = ["q", "year", "honour"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(household__number=value)
            | Q(resident__household__number=value)
            | Q(resident__name__icontains=value)
            | Q(reason__icontains=value)
            | Exists(
                Resident.objects.filter(
                    household=OuterRef("household"), archived_at__isnull=True, name__icontains=value
                )
            )
        )
