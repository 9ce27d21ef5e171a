"""Forms and the list filter of the village's activities, volunteer teams and 法律明白人 (docs/civility.md).
Every choice is narrowed to the page's village (STYLE 2); a posted id from elsewhere fails with a message on
its field. Models of the apps beside this one (the Party's meetings, the mediation team) are reached by label
through ``apps.get_model``: this app imports neither."""

from __future__ import annotations

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import ValuesChoiceFilter
from grids.forms import DateInput, VillageScopedChoice
from grids.models import Village
from residents.models import Resident

from .models import Activity, ActivityKind, LegalAdvisor, SetDate, Volunteer, VolunteerTeam

THEME_DAY = "theme_day"  # party.models.MeetingKind.THEME_DAY


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked and re-encoded without metadata by the service."""

    widget = MultiplePhotoInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": "image/*"})

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class MeetingChoice(VillageScopedChoice):
    def label_from_instance(self, obj):
        return f"{obj.held_on:%Y-%m-%d} {obj.topic}"


def _village_residents(village: Village, keep=()) -> Q:
    return Q(village=village) & (Q(archived_at__isnull=True) | Q(pk__in=list(keep)))


class ActivityForm(forms.ModelForm):
    residents = forms.ModelMultipleChoiceField(
        queryset=Resident.objects.none(),
        label=_("参与的村民（需要时登记）"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("按住 Ctrl 可多选。"),
        error_messages={"invalid_choice": _("请选择本村的村民；所选项不存在或不属于本村。")},
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=VolunteerTeam.objects.none(),
        label=_("志愿服务队"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("请选择本村的志愿服务队；所选项不存在或不属于本村。")},
    )
    set_date = forms.ModelChoiceField(queryset=SetDate.objects.none(), label=_("宣传节点"), required=False)
    party_meeting = MeetingChoice(queryset=None, label=_("对应的主题党日"), required=False, what=_("主题党日"))
    photos = PhotosField(label=_("照片"), help_text=_("可一次选多张；保存时去除拍摄地点等信息。"))

    class Meta:
        model = Activity
        fields = [
            "held_on",
            "kind",
            "title",
            "organiser",
            "place",
            "participants",
            "beneficiaries",
            "summary",
            "residents",
            "teams",
            "set_date",
            "party_meeting",
        ]
        widgets = {"held_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.instance.village = village
        i = self.instance
        kept_residents = i.residents.values_list("pk", flat=True) if i.pk else ()
        self.fields["residents"].queryset = Resident.objects.filter(_village_residents(village, kept_residents))
        kept_teams = Q(pk__in=i.teams.all()) if i.pk else Q(pk__in=[])
        self.fields["teams"].queryset = VolunteerTeam.objects.filter(village=village).filter(
            Q(archived_at__isnull=True) | kept_teams
        )
        self.fields["set_date"].queryset = SetDate.objects.filter(Q(active=True) | Q(pk=i.set_date_id or 0))
        meeting = apps.get_model("party", "Meeting")
        self.fields["party_meeting"].queryset = meeting.objects.filter(village=village, kind=THEME_DAY).order_by(
            "-held_on", "-pk"
        )
        self.fields["party_meeting"].help_text = Activity._meta.get_field("party_meeting").help_text
        self.fields["beneficiaries"].required = False  # left empty: none counted beyond the participants

    def clean_beneficiaries(self):
        return self.cleaned_data.get("beneficiaries") or 0

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("日期不能晚于今天。"))
        return day


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称、组织者或地点"), method="search")
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("类别"))
    # Bounded, so that a number no date can hold is a form error, not a database error.
    year = django_filters.NumberFilter(
        field_name="held_on", lookup_expr="year", label=_("年份"), min_value=1949, max_value=2999
    )
    month = django_filters.NumberFilter(
        field_name="held_on", lookup_expr="month", label=_("月份"), min_value=1, max_value=12
    )
    team = ValuesChoiceFilter(queryset=VolunteerTeam.objects.none(), field_name="teams", label=_("志愿服务队"))

    class Meta:
        model = Activity
        fields = ["q", "kind", "year", "month", "team"]

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["team"].queryset = VolunteerTeam.objects.filter(village=village)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(organiser__icontains=value) | Q(place__icontains=value))


class TeamFilter(django_filters.FilterSet):
    """The volunteer teams' list: by name, direction or leader, or by a current member's name (which team is
    this villager in)."""

    q = django_filters.CharFilter(label=_("队名、方向、负责人或队员"), method="search")

    class Meta:
        model = VolunteerTeam
        fields = ["q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        member = Volunteer.objects.filter(team=OuterRef("pk"), left_on__isnull=True, resident__name__icontains=value)
        return queryset.filter(
            Q(name__icontains=value) | Q(focus__icontains=value) | Q(leader__icontains=value) | Exists(member)
        )


class AdvisorFilter(django_filters.FilterSet):
    """The 法律明白人 roster: by name or training body, the year trained, and whether also a mediator."""

    q = django_filters.CharFilter(label=_("姓名或培训单位"), method="search")
    year = django_filters.NumberFilter(
        field_name="trained_on", lookup_expr="year", label=_("培训年份"), min_value=1949, max_value=2999
    )
    mediator = django_filters.ChoiceFilter(
        choices=[("yes", _("是")), ("no", _("否"))], label=_("同时是调解团成员"), method="by_mediator"
    )

    class Meta:
        model = LegalAdvisor
        fields = ["q", "year", "mediator"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(resident__name__icontains=value) | Q(trained_by__icontains=value))

    def by_mediator(self, queryset, name, value):
        return queryset.filter(mediator__isnull=value != "yes")


class TeamForm(forms.ModelForm):
    class Meta:
        model = VolunteerTeam
        fields = ["name", "focus", "leader", "founded_on"]
        widgets = {"founded_on": DateInput()}

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.instance.village = village

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        # The unique constraint names `village` (not a form field), so Django's constraint check skips it.
        taken = VolunteerTeam.objects.active().filter(village=self.village, name=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("本村已有同名的志愿服务队。"))
        return name


class ResidentChoice(VillageScopedChoice):
    def label_from_instance(self, obj):
        return obj.name


class MemberForm(forms.Form):
    resident = ResidentChoice(queryset=Resident.objects.none(), label=_("村民"), what=_("村民"))
    joined_on = forms.DateField(label=_("加入日期"), widget=DateInput())

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = Resident.objects.filter(village=village, archived_at__isnull=True)
        self.fields["joined_on"].initial = timezone.localdate()  # today as the page is opened, not as imported

    def clean_joined_on(self):
        day = self.cleaned_data["joined_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("日期不能晚于今天。"))
        return day


class AdvisorForm(forms.ModelForm):
    resident = ResidentChoice(queryset=Resident.objects.none(), label=_("居民"), what=_("村民"))
    mediator = VillageScopedChoice(queryset=None, label=_("同时是调解团成员"), required=False, what=_("调解团成员"))

    class Meta:
        model = LegalAdvisor
        fields = ["resident", "trained_on", "trained_by", "mediator"]
        widgets = {"trained_on": DateInput()}

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.instance.village = village
        self.fields["resident"].queryset = Resident.objects.filter(village=village, archived_at__isnull=True)
        mediator = apps.get_model("disputes", "Mediator")
        self.fields["mediator"].queryset = mediator.objects.filter(village=village, archived_at__isnull=True)

    def clean_trained_on(self):
        day = self.cleaned_data["trained_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("日期不能晚于今天。"))
        return day
