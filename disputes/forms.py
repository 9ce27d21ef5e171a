"""Forms of cases. Every choice is narrowed to the case's village or the user's scope (STYLE 2)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids import access
from grids.forms import DateInput, VillageScopedChoice
from grids.models import Grid, Village
from residents import idnumber
from residents.forms import HouseholdNumberField
from residents.models import Household, mobile_validator

from . import assignees, services
from .models import Case, Category, Department, Kind, MediationSession, Mediator, PartyRole, Source, Tier


def category_choices():
    """Categories grouped under their kind (optgroups), so one select serves all three kinds."""
    return [("", "---------")] + [(label, Category.for_kind(kind)) for kind, label in Kind.choices]


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked and re-encoded by the service."""

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


class CaseFieldsMixin:
    def clean(self):
        cleaned = super().clean()
        kind, category = cleaned.get("kind"), cleaned.get("category")
        if kind and category and not category.startswith(f"{kind}."):
            self.add_error("category", _("类别与类型不符，请重新选择类别。"))
        return cleaned


class CaseForm(CaseFieldsMixin, forms.ModelForm):
    """Staff open a case for their village (walk-in, phone, what a worker told them)."""

    grid = VillageScopedChoice(queryset=Grid.objects.none(), label=_("网格"), what=_("网格"))
    household = HouseholdNumberField(required=False, label=_("相关户编号"), help_text=_("选填。"))
    photos = PhotosField(label=_("照片"))

    class Meta:
        model = Case
        fields = [
            "kind",
            "category",
            "title",
            "description",
            "occurred_on",
            "location",
            "people_involved",
            "grid",
            "source",
            "major",
        ]
        widgets = {"occurred_on": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.fields["grid"].queryset = Grid.objects.active().filter(village=village)
        self.fields["household"].village = village
        self.fields["category"].choices = category_choices()
        self.fields["source"].initial = Source.WALK_IN

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day and day > timezone.localdate():
            raise ValidationError(_("发生日期不能晚于今天。"))
        return day


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("身份"), choices=PartyRole.choices)
    id_number = forms.CharField(label=_("身份证号（本村居民）"), required=False, max_length=18)
    name = forms.CharField(label=_("姓名/名称"), required=False, max_length=50)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=11, validators=[mobile_validator])

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village

    def clean(self):
        cleaned = super().clean()
        raw = (cleaned.get("id_number") or "").strip()
        cleaned["resident"] = None
        if raw:
            try:
                number = idnumber.parse(raw).number
            except ValidationError as exc:
                self.add_error("id_number", exc)
                return cleaned
            resident = services.party_from_registry(village=self.village, id_number=number)
            if resident is None:
                self.add_error("id_number", _("本村居民中没有这个身份证号；村外人员请只填姓名和电话。"))
            cleaned["resident"] = resident
        elif not (cleaned.get("name") or "").strip() and cleaned.get("phone"):
            # A row with neither a name nor an ID number is an unused row; a phone alone is a slip.
            self.add_error("name", _("请填写姓名，或填写本村居民的身份证号。"))
        return cleaned

    def party(self) -> services.PartyInput | None:
        data = self.cleaned_data
        if not data.get("resident") and not (data.get("name") or "").strip():
            return None
        return services.PartyInput(
            role=data["role"],
            name=(data.get("name") or "").strip(),
            phone=data.get("phone") or "",
            resident=data.get("resident"),
        )


class BasePartyFormSet(forms.BaseFormSet):
    def __init__(self, *args, village: Village, **kwargs):
        self.village = village
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "village": self.village}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), village=self.village)
        self.add_fields(form, None)
        return form

    def parties(self) -> list[services.PartyInput]:
        return [p for p in (form.party() for form in self.forms if form.cleaned_data) if p is not None]


PartyFormSet = forms.formset_factory(PartyForm, formset=BasePartyFormSet, extra=3, max_num=20)


class FieldCaseForm(CaseFieldsMixin, forms.Form):
    """The phone report: the few things a worker knows on the spot; under a minute to fill."""

    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, widget=forms.RadioSelect, initial=Kind.DISPUTE)
    category = forms.ChoiceField(label=_("类别"))
    description = forms.CharField(label=_("情况简述"), widget=forms.Textarea(attrs={"rows": 3}))
    grid = forms.ModelChoiceField(queryset=Grid.objects.none(), label=_("网格"), empty_label=None)
    party_name = forms.CharField(label=_("当事人/反映人姓名"), required=False, max_length=50)
    party_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=11,
        validators=[mobile_validator],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),  # the phone's number pad
    )
    people_involved = forms.IntegerField(label=_("涉及人数"), min_value=1, initial=2)
    major = forms.BooleanField(
        label=_("重大事项（易激化/影响稳定/人多）"), required=False, help_text=_("勾选后立即上报镇综治中心。")
    )
    photos = PhotosField(label=_("拍照"))
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    household = forms.ModelChoiceField(queryset=Household.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = access.scope_for(user)
        # Grid workers report in their grids; liaisons in the grid of their micro-grid; information
        # officers in the grids where their villager group's households live.
        self.fields["grid"].queryset = (
            Grid.objects.active()
            .filter(
                Q(pk__in=scope.grid_ids)
                | Q(micro_grids__in=scope.micro_grid_ids)
                | Q(households__villager_group__in=scope.group_ids, households__archived_at__isnull=True)
            )
            .distinct()
            .select_related("village")
        )
        self.fields["category"].choices = category_choices()
        self.fields["photos"].widget.attrs["capture"] = "environment"
        self.fields["household"].queryset = Household.objects.visible_to(user).active()

    def clean(self):
        cleaned = super().clean()
        household = cleaned.get("household")
        if household is not None:
            if not self.fields["grid"].queryset.filter(pk=household.grid_id).exists():
                self.add_error(None, _("该户不在您负责的网格内。"))
            else:
                cleaned["grid"] = household.grid
        return cleaned


# --- Actions on a case ---------------------------------------------------------------------------


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case: Case, action, **kwargs):
        kwargs.setdefault("initial", {})["version"] = case.version
        super().__init__(*args, **kwargs)
        self.case = case
        self.action = action
        if action.note_required:
            self.fields["note"].required = True

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        return data


class AcceptForm(ActionForm):
    tier = forms.TypedChoiceField(
        label=_("调处层级"),
        coerce=int,
        choices=[(Tier.GROUP, Tier.GROUP.label), (Tier.VILLAGE, Tier.VILLAGE.label)],
        initial=Tier.GROUP,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        if case.state != "reported":
            del self.fields["tier"]  # an escalated case is accepted at the tier it was sent to


class AssignForm(ActionForm):
    assignee = forms.ModelChoiceField(queryset=None, label=_("责任人"), required=False)
    department = forms.ModelChoiceField(queryset=Department.objects.active(), label=_("承办部门"), required=False)
    mediators = forms.ModelMultipleChoiceField(
        queryset=Mediator.objects.none(), label=_("调解团成员"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["assignee"].queryset = assignees.assignable_people(case)  # what a posted id is checked against
        # Shown with each person's roles and places, the case's grid worker first (one query, no other).
        self.fields["assignee"].choices = [("", "---------"), *assignees.assignee_choices(case)]
        if case.tier == Tier.TOWN:
            # The case's own town's departments only: another town's, posted, is a bad value (STYLE 2).
            self.fields["department"].queryset = Department.objects.active().of_town(case.village.town_id)
            self.fields["department"].required = True
            del self.fields["mediators"]
        else:
            self.fields["assignee"].required = True
            del self.fields["department"]
            if case.kind == Kind.DISPUTE:
                self.fields["mediators"].queryset = Mediator.objects.active().filter(village=case.village_id)
            else:
                del self.fields["mediators"]


class EscalateForm(ActionForm):
    major = forms.BooleanField(
        label=_("重大事项，直接上报镇综治中心"), required=False, help_text=_("易激化、影响社会稳定或涉及人数多。")
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        if case.tier >= Tier.VILLAGE:
            del self.fields["major"]  # the next tier is the town anyway


class ResolveForm(ActionForm):
    outcome = forms.ChoiceField(label=_("处置结果"), widget=forms.RadioSelect)
    resolution = forms.CharField(label=_("化解/处置情况"), widget=forms.Textarea(attrs={"rows": 3}))
    agreement_text = forms.CharField(
        label=_("协议内容（达成协议时填写，用于打印调解协议书）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        del self.fields["note"]
        self.fields["outcome"].choices = services.outcomes_for(case.kind)
        if case.kind != Kind.DISPUTE:
            del self.fields["agreement_text"]


ACTION_FORMS = {"accept": AcceptForm, "assign": AssignForm, "escalate": EscalateForm, "resolve": ResolveForm}


def action_form(action, case: Case, data=None):
    return ACTION_FORMS.get(action.name, ActionForm)(data, case=case, action=action, prefix=action.name)


class DeptNoteForm(forms.Form):
    """A department's handling note (处置记录, docs/departments.md)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("处置情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：电话联系当事人、现场查看、召集协调会的情况。"),
    )

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault("initial", {})["version"] = case.version
        super().__init__(*args, prefix="dept_note", **kwargs)


class SessionForm(forms.ModelForm):
    class Meta:
        model = MediationSession
        fields = ["held_on", "place", "mediators", "other_mediators", "parties_present", "notes", "outcome"]
        widgets = {
            "held_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "mediators": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, prefix="session", **kwargs)
        self.fields["mediators"].queryset = Mediator.objects.active().filter(village=case.village_id)


class MediatorsForm(forms.Form):
    mediators = forms.ModelMultipleChoiceField(
        queryset=Mediator.objects.none(), label=_("调解团成员"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, prefix="mediators", **kwargs)
        self.fields["mediators"].queryset = Mediator.objects.active().filter(village=case.village_id)
        self.initial.setdefault("mediators", [m.pk for m in case.mediators.all()])


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("照片"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    caption = forms.CharField(label=_("说明"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="photo", **kwargs)


class MediatorForm(forms.ModelForm):
    class Meta:
        model = Mediator
        fields = ["name", "type", "phone", "note"]
