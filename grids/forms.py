"""Forms for village staff. Every choice is narrowed to the village being edited (STYLE 2)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    ROLE_PLACE_FIELD,
    Grid,
    MicroGrid,
    Role,
    ServiceFacility,
    User,
    Village,
    VillageHonour,
    VillageIncome,
    VillagerGroup,
)

_OTHER_VILLAGE = _("请选择本村的%(what)s；所选项不存在或不属于本村。")


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DateInput(forms.DateInput):
    """The browser's date picker; it needs ISO dates whatever the page's language formats them as."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VillageScopedChoice(forms.ModelChoiceField):
    """A choice of this village's objects; a posted id from elsewhere fails like any bad value."""

    def __init__(self, *args, what: str, **kwargs):
        kwargs.setdefault("error_messages", {})["invalid_choice"] = _OTHER_VILLAGE % {"what": what}
        super().__init__(*args, **kwargs)


class GridForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["number", "name", "note"]

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.instance.village = village

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        # The unique constraint names `village`, which is not a form field, so Django's own constraint
        # validation skips it; check here to give the message instead of a database error.
        taken = Grid.objects.active().filter(village=self.village, name=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("本村已有名为“%(name)s”的网格。"), params={"name": name})
        return name


class MicroGridForm(forms.ModelForm):
    grid = VillageScopedChoice(queryset=Grid.objects.none(), label=_("所属网格"), what=_("网格"))

    class Meta:
        model = MicroGrid
        fields = ["grid", "number", "name"]

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Grid.objects.active().filter(village=village)

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean(self):
        cleaned = super().clean()
        # The unique constraint holds for active micro-grids only: its condition names `archived_at`, which is
        # not a form field, so Django's own constraint validation skips it (the database refused: a 500).
        grid, name = cleaned.get("grid"), cleaned.get("name")
        if grid and name:
            taken = MicroGrid.objects.active().filter(grid=grid, name=name).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("name", _("该网格下已有同名的微网格。"))
        return cleaned


class AssignmentForm(forms.Form):
    """Assign a person of the village to a role: village staff, grid worker, liaison or information officer."""

    ROLES = [
        (Role.GRID_WORKER.value, Role.GRID_WORKER.label),
        (Role.LIAISON.value, Role.LIAISON.label),
        (Role.INFO_OFFICER.value, Role.INFO_OFFICER.label),
        (Role.VILLAGE_STAFF.value, Role.VILLAGE_STAFF.label),
    ]

    user = VillageScopedChoice(queryset=User.objects.none(), label=_("人员"), what=_("人员"))
    role = forms.ChoiceField(label=_("岗位"), choices=ROLES)
    grid = VillageScopedChoice(queryset=Grid.objects.none(), label=_("网格"), required=False, what=_("网格"))
    micro_grid = VillageScopedChoice(
        queryset=MicroGrid.objects.none(), label=_("微网格"), required=False, what=_("微网格")
    )
    villager_group = VillageScopedChoice(
        queryset=VillagerGroup.objects.none(), label=_("村民小组"), required=False, what=_("村民小组")
    )
    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    end = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=DateInput(),
        help_text=_("留空表示至今。"),
    )

    def __init__(self, *args, village: Village, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("start", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.village = village
        self.fields["user"].queryset = User.objects.filter(home_village=village, is_active=True).order_by(
            "full_name", "username"
        )
        self.fields["user"].label_from_instance = lambda u: f"{u.full_name or u.username}（{u.username}）"
        self.fields["grid"].queryset = Grid.objects.active().filter(village=village)
        self.fields["micro_grid"].queryset = (
            MicroGrid.objects.active().filter(grid__village=village).select_related("grid")
        )
        self.fields["micro_grid"].label_from_instance = lambda m: f"{m.grid.name} · {m.name}"
        self.fields["villager_group"].queryset = village.villager_groups.active()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        role = data.get("role")
        needed = ROLE_PLACE_FIELD[Role(role)] if role else None
        if needed in self.fields and not data.get(needed) and needed not in self.errors:
            self.add_error(needed, _("请为该岗位选择%(place)s。") % {"place": self.fields[needed].label})
        return data

    @property
    def place(self):
        field = ROLE_PLACE_FIELD[Role(self.cleaned_data["role"])]
        return self.village if field == "village" else self.cleaned_data[field]


class EndAssignmentForm(forms.Form):
    """The last day; the rules (today or later, not twice, not one's own) are the service's."""

    end = forms.DateField(label=_("最后在岗日期"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {}).setdefault("end", today)
        super().__init__(*args, **kwargs)
        self.fields["end"].widget.attrs["min"] = today.isoformat()


# --- The village profile (docs/scorecard.md) ----------------------------------------------------------------


class VillageProfileForm(forms.ModelForm):
    class Meta:
        model = Village
        fields = ["location", "area_km2", "industries"]


class YearMixin:
    """The year on its field: the model's check constraint would put it on top of the form."""

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year is not None and not 1949 <= year <= 2999:
            raise ValidationError(_("年度应在 1949–2999 之间。"))
        return year


class VillageIncomeForm(YearMixin, forms.ModelForm):
    class Meta:
        model = VillageIncome
        fields = ["year", "amount", "note"]

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.village = village
        self.fields["year"].widget.attrs.update(min=1949, max=2999)
        self.fields["amount"].widget.attrs.update(min=0, step="0.01")

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 0:
            raise ValidationError(_("收入不能为负。"))
        return amount


class VillageHonourForm(YearMixin, forms.ModelForm):
    class Meta:
        model = VillageHonour
        fields = ["title", "year", "awarded_by"]

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.village = village


class ServiceFacilityForm(forms.ModelForm):
    class Meta:
        model = ServiceFacility
        fields = ["kind", "name", "place", "opened_on", "area_m2"]
        widgets = {"opened_on": DateInput()}

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.village = village

    def clean_opened_on(self):
        day = self.cleaned_data.get("opened_on")
        if day and day > timezone.localdate():
            raise ValidationError(_("建成日期不能晚于今天。"))
        return day
