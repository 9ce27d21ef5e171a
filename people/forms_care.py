"""Forms and list filters of grid-worker care (docs/scorecard.md). Every choice of a person is narrowed to the
current grid workers of the page's village or town (STYLE 2); a posted id from elsewhere fails on its field."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.forms import DateInput

from .models import GoodPractice, HealthCheck, PracticeKind, PracticeStatus, Training, WorkerInsurance

_NOT_OURS = _("请选择本村在岗的网格员；所选人员不存在或不在本村。")
_NOT_OURS_TOWN = _("请选择本镇在岗的网格员；所选人员不存在或不在本镇。")


class WorkerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class InsuranceForm(forms.ModelForm):
    class Meta:
        model = WorkerInsurance
        fields = ["worker", "kind", "insurer", "policy_number", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, village, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.village = village
        self.fields["worker"] = WorkerChoice(
            queryset=workers.order_by("full_name", "pk"),
            label=_("网格员"),
            error_messages={"invalid_choice": _NOT_OURS},
            disabled=self.instance.pk is not None,  # a policy stays with the worker it was taken out for
        )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("保险止期不能早于起期。"))
        return data


class HealthCheckForm(forms.ModelForm):
    """Only the day and the institution: a health check's results are the worker's own and are never kept."""

    class Meta:
        model = HealthCheck
        fields = ["worker", "checked_on", "institution"]
        widgets = {"checked_on": DateInput()}

    def __init__(self, *args, village, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.village = village
        self.fields["worker"] = WorkerChoice(
            queryset=workers.order_by("full_name", "pk"),
            label=_("网格员"),
            error_messages={"invalid_choice": _NOT_OURS},
        )

    def _get_validation_exclusions(self):
        # One check a day per worker is checked by the service, which puts it on the day's field (the model's
        # constraint would put it on top of the form).
        return super()._get_validation_exclusions() | {"checked_on"}

    def clean_checked_on(self):
        day = self.cleaned_data["checked_on"]
        if day and day > timezone.localdate():
            raise ValidationError(_("日期不能晚于今天。"))
        return day


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = ["title", "held_on", "organiser", "hours", "attendees"]
        widgets = {"held_on": DateInput()}

    def __init__(self, *args, town, village, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.town = town
        self.instance.village = village
        self.fields["attendees"] = forms.ModelMultipleChoiceField(
            queryset=workers.order_by("full_name", "pk"),
            required=False,
            label=_("参训人员"),
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": _NOT_OURS if village else _NOT_OURS_TOWN},
        )
        self.fields["hours"].widget.attrs.update(min=0, step="0.5")

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours is not None and hours < 0:
            raise ValidationError(_("学时不能为负。"))
        return hours

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day and day > timezone.localdate():
            raise ValidationError(_("日期不能晚于今天。"))
        return day


class PracticeForm(forms.ModelForm):
    class Meta:
        model = GoodPractice
        fields = ["kind", "title", "body", "attachment"]
        help_texts = {"attachment": _("可选：PDF、Word、WPS 或文本，不超过 10 MB。")}

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.village = village


class AdoptForm(forms.Form):
    note = forms.CharField(
        label=_("镇综治办意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _year_filter(field_name: str):
    return django_filters.NumberFilter(
        field_name=field_name, lookup_expr="year", label=_("年度"), min_value=1949, max_value=2999
    )


class CareFilter(django_filters.FilterSet):
    """The care table: by the worker's name, the year of checks and trainings, and insurance to see to."""

    q = django_filters.CharFilter(label=_("网格员姓名"), method="search")
    year = django_filters.NumberFilter(label=_("年度"), min_value=1949, max_value=2999, method="keep")
    insurance = django_filters.ChoiceFilter(
        label=_("意外险"),
        choices=[("attention", _("缺保或 30 天内到期")), ("missing", _("未参保")), ("expiring", _("30 天内到期"))],
        method="keep",
    )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(full_name__icontains=value) | Q(username__icontains=value)) if value else queryset

    def keep(self, queryset, name, value):
        return queryset  # applied by the page, which needs the value for its columns (people/views/care.py)


class TrainingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("培训名称、组织单位或参训人"), method="search")
    year = _year_filter("held_on")
    held_by = django_filters.ChoiceFilter(
        label=_("组织"), choices=[("town", _("镇里组织")), ("village", _("村里组织"))], method="by_holder"
    )

    class Meta:
        model = Training
        fields = ["q", "year", "held_by"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        by_attendee = Training.objects.filter(attendees__full_name__icontains=value).values("pk")
        return queryset.filter(Q(title__icontains=value) | Q(organiser__icontains=value) | Q(pk__in=by_attendee))

    def by_holder(self, queryset, name, value):
        return queryset.filter(village__isnull=(value == "town"))


class PracticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("标题"), field_name="title", lookup_expr="icontains")
    year = _year_filter("reported_on")
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=PracticeKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PracticeStatus.choices)

    class Meta:
        model = GoodPractice
        fields = ["q", "year", "kind", "status"]


class TownPracticeFilter(PracticeFilter):
    village = django_filters.ModelChoiceFilter(label=_("村"), queryset=None)

    class Meta(PracticeFilter.Meta):
        fields = ["q", "village", "year", "kind", "status"]

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["village"].queryset = villages
