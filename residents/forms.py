"""Registry forms. Place choices are narrowed to the village being edited (STYLE 2); a household is
chosen by its number within the village (a village has thousands: no giant drop-down)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grids.forms import DateInput, VillageScopedChoice
from grids.models import MicroGrid, NaturalVillage, Village, VillagerGroup

from . import idnumber
from .codes import Relation
from .models import Household, KeyPerson, KeyPersonResponsible, KeyPlace, Resident, ResponsibleRole, Tag


class HouseholdForm(forms.ModelForm):
    micro_grid = VillageScopedChoice(queryset=MicroGrid.objects.none(), label=_("微网格"), what=_("微网格"))
    villager_group = VillageScopedChoice(queryset=VillagerGroup.objects.none(), label=_("村民小组"), what=_("村民小组"))
    natural_village = VillageScopedChoice(
        queryset=NaturalVillage.objects.none(), label=_("自然村"), required=False, what=_("自然村")
    )
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label=_("标签")
    )

    class Meta:
        model = Household
        fields = [
            "number",
            "micro_grid",
            "villager_group",
            "natural_village",
            "address",
            "phone",
            "living_status",
            "tags",
            "note",
            "in_wechat_group",
            "wechat_member",
        ]

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.instance.village = village
        # Who of this household is in the grid's WeChat group: one of its members (none before it has any).
        members = self.instance.members.active() if self.instance.pk else Resident.objects.none()
        self.fields["wechat_member"].queryset = members
        micro = MicroGrid.objects.active().filter(grid__village=village).select_related("grid")
        if self.instance.pk:
            # Moving to another micro-grid is its own action, with history (household_move).
            del self.fields["micro_grid"]
        else:
            self.fields["micro_grid"].queryset = micro
            self.fields["micro_grid"].label_from_instance = lambda m: f"{m.grid.name} · {m.name}"
        self.fields["villager_group"].queryset = village.villager_groups.active()
        self.fields["natural_village"].queryset = village.natural_villages.active()

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        taken = Household.objects.filter(village=self.village, number=number).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("本村已有户编号为“%(n)s”的户。"), params={"n": number})
        return number


class HouseholdNumberField(forms.CharField):
    """A household of the village, typed by its number."""

    def __init__(self, *args, village: Village | None = None, **kwargs):
        kwargs.setdefault("label", _("户编号"))
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)
        self.village = village

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        household = Household.objects.filter(village=self.village, number=value.strip()).first()
        if household is None:
            raise ValidationError(_("本村没有户编号为“%(n)s”的户。"), params={"n": value})
        if household.is_archived:
            raise ValidationError(_("户“%(n)s”已归档。"), params={"n": value})
        return household


class ResidentForm(forms.ModelForm):
    household = HouseholdNumberField(required=False, help_text=_("留空表示暂不归属任何户（如流动人口）。"))
    id_number = forms.CharField(label=_("身份证号码"), max_length=30)

    class Meta:
        model = Resident
        fields = [
            "name",
            "id_number",
            "household",
            "relation",
            "phone",
            "ethnicity",
            "political",
            "marriage",
            "education",
            "occupation",
            "workplace",
            "hukou_place",
            "current_address",
            "registration",
            "inflow_reason",
            "registered_on",
            "document_expires",
            "lives_here",
            "away_place",
            "away_since",
        ]
        widgets = {
            "registered_on": DateInput(),
            "document_expires": DateInput(),
            "away_since": DateInput(),
        }

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.instance.village = village
        if self.instance.pk:
            # Moving to another household is its own action, with history (resident_move).
            del self.fields["household"]
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("已登记：%(masked)s。仅在需要更正时填写新号码。") % {
                "masked": self.instance.id_number_masked
            }
        else:
            self.fields["household"].village = village
            self.fields["relation"].required = False

    def clean_id_number(self):
        raw = self.cleaned_data.get("id_number", "")
        if not raw and self.instance.pk:
            return None  # unchanged
        return idnumber.parse(raw).number  # ValidationError names what is wrong

    def clean(self):
        data = super().clean()
        if data.get("household") and not data.get("relation"):
            self.add_error("relation", _("请选择与户主的关系。"))
        return data


class ResidentMoveForm(forms.Form):
    household = HouseholdNumberField(required=False, help_text=_("留空表示迁出，不再归属本村任何户。"))
    relation = forms.ChoiceField(
        label=_("与新户户主的关系"), choices=[("", "---------"), *Relation.choices], required=False
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].village = village


class HouseholdMoveForm(forms.Form):
    micro_grid = VillageScopedChoice(queryset=MicroGrid.objects.none(), label=_("迁到微网格"), what=_("微网格"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["micro_grid"].queryset = (
            MicroGrid.objects.active().filter(grid__village=village).select_related("grid")
        )
        self.fields["micro_grid"].label_from_instance = lambda m: f"{m.grid.name} · {m.name}"


class KeyPersonForm(forms.ModelForm):
    class Meta:
        model = KeyPerson
        fields = [
            "category",
            "attention",
            "listed_from",
            "listed_until",
            "risk_level",
            "guardian_name",
            "guardian_phone",
            "incident_history",
            "treatment",
            "correction_type",
            "correction_start",
            "correction_end",
            "supervision_gap",
            "release_date",
            "resettlement",
            "health",
            "difficulties",
            "note",
        ]
        widgets = {
            name: DateInput()
            for name in ["listed_from", "listed_until", "correction_start", "correction_end", "release_date"]
        }

    def __init__(self, *args, resident: Resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.resident = resident


class KeyPlaceForm(forms.ModelForm):
    micro_grid = VillageScopedChoice(
        queryset=MicroGrid.objects.none(), label=_("微网格"), required=False, what=_("微网格")
    )
    # 出租房屋: the owner and tenants are residents of the village, named by their ID numbers.
    owner_id_number = forms.CharField(label=_("房东身份证号码"), required=False, max_length=30)
    tenant_id_numbers = forms.CharField(
        label=_("租住人员身份证号码（每行一个）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = KeyPlace
        fields = ["type", "name", "grid", "micro_grid", "address", "person_in_charge", "phone", "hazards"]

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.village = village
        grid_field = self.fields["grid"]
        grid_field.queryset = village.grids.active()
        grid_field.error_messages["invalid_choice"] = _("请选择本村的网格；所选项不存在或不属于本村。")
        self.fields["micro_grid"].queryset = (
            MicroGrid.objects.active().filter(grid__village=village).select_related("grid")
        )
        self.fields["micro_grid"].label_from_instance = lambda m: f"{m.grid.name} · {m.name}"
        self.village = village
        if self.instance.pk:
            keep = _("留空表示不变。")
            if self.instance.owner_id:
                self.fields["owner_id_number"].help_text = _("现为 %(n)s。") % {"n": self.instance.owner.name} + str(
                    keep
                )
            tenants = "、".join(t.name for t in self.instance.tenants.all())
            if tenants:
                self.fields["tenant_id_numbers"].help_text = _("现为 %(n)s。") % {"n": tenants} + str(keep)

    def _resident(self, raw: str) -> Resident:
        try:
            number = idnumber.parse(raw).number
        except ValidationError as error:
            raise ValidationError(_("%(v)s：%(e)s") % {"v": raw, "e": error.messages[0]}) from None
        resident = Resident.objects.with_id_number(number).filter(village=self.village).first()
        if resident is None:
            raise ValidationError(_("本村没有登记身份证号码为 %(v)s 的居民。") % {"v": idnumber.mask(number)})
        return resident

    def clean_owner_id_number(self):
        raw = self.cleaned_data["owner_id_number"].strip()
        return self._resident(raw) if raw else None

    def clean_tenant_id_numbers(self):
        lines = [line.strip() for line in self.cleaned_data["tenant_id_numbers"].splitlines() if line.strip()]
        return [self._resident(line) for line in lines] or None

    def save(self, commit=True):
        place = super().save(commit=False)
        if self.cleaned_data.get("owner_id_number"):
            place.owner = self.cleaned_data["owner_id_number"]
        if commit:
            place.save()
            if self.cleaned_data.get("tenant_id_numbers"):
                place.tenants.set(self.cleaned_data["tenant_id_numbers"])
        return place


class FieldHouseholdForm(forms.ModelForm):
    """What a grid worker corrects on a phone: the contact details and living status."""

    class Meta:
        model = Household
        fields = ["phone", "living_status", "address", "note"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}


class FieldWechatForm(forms.Form):
    """The worker's tick on the phone: is someone of this household in the grid's WeChat group, and who."""

    NOT_IN, SOMEONE = "no", "yes"
    wechat = forms.ChoiceField(label=_("网格微信群"))

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.members = {str(m.pk): m for m in household.members.active().order_by("relation", "name")}
        self.fields["wechat"].choices = [
            (self.NOT_IN, _("未入群")),
            *[(pk, _("已入群：%(name)s") % {"name": m.name}) for pk, m in self.members.items()],
            (self.SOMEONE, _("已入群（未登记是谁）")),
        ]
        if household.wechat_member_id and str(household.wechat_member_id) in self.members:
            self.fields["wechat"].initial = str(household.wechat_member_id)
        else:
            self.fields["wechat"].initial = self.SOMEONE if household.in_wechat_group else self.NOT_IN

    def apply(self) -> Household:
        choice = self.cleaned_data["wechat"]
        self.household.in_wechat_group = choice != self.NOT_IN
        self.household.wechat_member = self.members.get(choice)
        return self.household


FOUR_TO_ONE = [ResponsibleRole.CADRE, ResponsibleRole.DOCTOR, ResponsibleRole.POLICE, ResponsibleRole.GUARDIAN]


class BaseResponsibleFormSet(forms.BaseInlineFormSet):
    """The people responsible for a key person. A patient at risk level 3 or above needs the whole
    "四帮一" team (docs/sources.md [S1] §四): village cadre, psychiatric doctor, community police officer and guardian."""

    def __init__(self, *args, risk_level=None, category=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.risk_level, self.category = risk_level, category

    def clean(self):
        super().clean()
        if any(self.errors) or self.category != "mental" or (self.risk_level or 0) < 3:
            return
        roles = {
            f.cleaned_data.get("role")
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name")
        }
        missing = [str(ResponsibleRole(r).label) for r in FOUR_TO_ONE if r not in roles]
        if missing:
            raise ValidationError(
                _("危险性3级及以上的患者须配齐“四帮一”责任人，还缺：%(roles)s。"), params={"roles": "、".join(missing)}
            )


ResponsibleFormSet = forms.inlineformset_factory(
    KeyPerson,
    KeyPersonResponsible,
    fields=["role", "name", "phone"],
    formset=BaseResponsibleFormSet,
    extra=4,
    can_delete=True,
)
