"""Forms of the Party pages (docs/party.md). Every choice is narrowed to the village the page is for: a posted
id from another village fails like any bad value. The services check the rest and say what was wrong."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.forms import DateInput
from grids.models import Grid, User, Village
from residents import idnumber
from residents.forms import HouseholdNumberField
from residents.models import Resident

from . import cadence
from .models import Meeting, MeetingKind, OrgKind, PartyMember, PartyOrganisation

MAX_UPLOAD = 10 * 1024 * 1024


def village_accounts(village: Village):
    """The portal accounts a village's organisation may name as secretary or committee member."""
    return User.objects.filter(home_village=village, is_active=True).order_by("full_name", "username")


class OrganisationForm(forms.ModelForm):
    committee = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, label=gettext_lazy("委员"), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = PartyOrganisation
        fields = ["kind", "name", "parent", "grid", "founded_on", "secretary", "committee"]
        widgets = {"founded_on": DateInput()}

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.village = village
        parents = PartyOrganisation.objects.active().filter(village=village)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents.exclude(kind=OrgKind.GROUP)
        self.fields["grid"].queryset = Grid.objects.active().filter(village=village).order_by("number")
        accounts = village_accounts(village)
        self.fields["secretary"].queryset = accounts
        self.fields["committee"].queryset = accounts
        if self.instance.pk:
            self.initial.setdefault("committee", list(self.instance.committee.all()))


def group_label(group: PartyOrganisation) -> str:
    """A Party group named with its branch (two branches may each have a 第一党小组)."""
    return group_name(group.parent.name if group.parent_id else None, group.name)


def group_name(branch: str | None, name: str) -> str:
    """``group_label`` from the two names (a select that reads them as values: core/filters.py)."""
    return f"{branch} / {name}" if branch is not None else name


class MemberForm(forms.ModelForm):
    """A member: the resident found by ID number or chosen from the village's residents (new members only)."""

    id_number = forms.CharField(
        label=gettext_lazy("身份证号码"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("填写身份证号码查找本村居民，或在下方列表中选择。"),
    )

    field_order = ["id_number", "resident"]

    class Meta:
        model = PartyMember
        fields = ["resident", "branch", "group", "joined_on", "status", "floating", "away_place"]
        widgets = {"joined_on": DateInput()}

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.instance.village = village
        orgs = PartyOrganisation.objects.active().filter(village=village)
        self.fields["branch"].queryset = orgs.filter(kind=OrgKind.BRANCH)
        self.fields["group"].queryset = orgs.filter(kind=OrgKind.GROUP).select_related("parent")
        self.fields["group"].label_from_instance = group_label
        if self.instance.pk:
            del self.fields["id_number"]
            del self.fields["resident"]
        else:
            members = PartyMember.objects.active().values("resident_id")
            self.fields["resident"].queryset = (
                Resident.objects.active()
                .filter(village=village)
                .exclude(pk__in=members)
                .select_related("household")
                .order_by("name", "pk")
            )
            # Two residents of one name are told apart by their household.
            self.fields["resident"].label_from_instance = lambda r: (
                f"{r.name}（{r.household.number}）" if r.household_id else r.name
            )
            self.fields["resident"].required = False

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        number = (cleaned.get("id_number") or "").strip()
        if number:
            found = None
            if idnumber.looks_like_full_number(number):
                found = Resident.objects.active().filter(village=self.village, id_hash=idnumber.lookup_hash(number))
                found = found.first()
            if found is None:
                self.add_error("id_number", _("本村在册居民中没有这个身份证号码，请先在居民登记中登记。"))
            elif cleaned.get("resident") and cleaned["resident"].pk != found.pk:
                self.add_error("id_number", _("身份证号码与所选居民不一致。"))
            else:
                cleaned["resident"] = found
                self.instance.resident = found
        elif not cleaned.get("resident") and "resident" not in self.errors:
            self.add_error("resident", _("请填写身份证号码或选择一位居民。"))
        return cleaned


class LinkForm(forms.Form):
    household = HouseholdNumberField(required=True)

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].village = village


class LoginForm(forms.Form):
    """A member's phone login: one of the village's accounts not yet linked to another member (accounts are
    created on the account pages, README "Accounts")."""

    user = forms.ModelChoiceField(label=gettext_lazy("登录账号"), queryset=User.objects.none())

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(home_village_id=member.village_id, is_active=True, is_superuser=False)
            .filter(Q(party_member__isnull=True) | Q(party_member=member))
            .order_by("full_name", "username")
        )
        self.fields["user"].error_messages["invalid_choice"] = _("该账号不属于本村，或已关联其他党员，请另选。")


class ImportForm(forms.Form):
    ALL, VALID = "all", "valid"
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))
    mode = forms.ChoiceField(
        label=gettext_lazy("有错误行时"),
        choices=[(ALL, gettext_lazy("全部不导入（默认）")), (VALID, gettext_lazy("只导入无误的行"))],
        initial=ALL,
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件（可先导出一份作为模板）。"))
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过 10 MB，请拆分后分批导入。"))
        return upload


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


class OrganisationChoiceForm(forms.Form):
    """First step of recording a meeting: which organisation held it (its members make the checklist)."""

    organisation = forms.ModelChoiceField(queryset=PartyOrganisation.objects.none(), label=gettext_lazy("召开组织"))

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = PartyOrganisation.objects.active().filter(village=village)


PRESENT, ABSENT = "present", "absent"


class MeetingForm(forms.ModelForm):
    """A meeting of one organisation; the attendance checklist (one line per member of the organisation:
    present, or absent with a reason) is read from the posted ``att-<id>`` / ``reason-<id>`` fields."""

    photos = PhotosField(label=gettext_lazy("会议照片"))

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "held_on",
            "period",
            "place",
            "topic",
            "chair",
            "chair_name",
            "others_present",
            "minutes",
            "decisions",
        ]
        widgets = {"held_on": DateInput(), "minutes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, organisation: PartyOrganisation, members: list[PartyMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.instance.village_id = organisation.village_id
        self.members = members
        self.fields["chair"].queryset = PartyMember.objects.active().filter(village_id=organisation.village_id)
        self.fields["chair"].label_from_instance = lambda m: m.resident.name
        self.fields["period"].required = False
        self.fields["period"].help_text = _("留空则按召开日期和会议周期自动确定，如 2026-11 或 2026-Q4。")
        self.fields["kind"].choices = [("", "---------"), *MeetingKind.choices]
        self.fields["decisions"].widget = forms.Textarea(attrs={"rows": 3})
        self.checklist = self._checklist()

    def _checklist(self) -> list[dict]:
        rows = []
        for m in self.members:
            if self.is_bound:
                state = self.data.get(f"att-{m.pk}", "")
                reason = self.data.get(f"reason-{m.pk}", "")
            else:
                state, reason = PRESENT, ""
            rows.append({"member": m, "state": state, "reason": reason})
        return rows

    def clean_period(self):
        value = (self.cleaned_data.get("period") or "").strip().upper().replace("q", "Q")
        if value:
            try:
                cadence.period_bounds(value)
            except (ValueError, IndexError):
                raise forms.ValidationError(_("所属周期的格式是 2026-11 或 2026-Q4。")) from None
        return value

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("chair") or (cleaned.get("chair_name") or "").strip()):
            self.add_error("chair", _("请选择主持人，或填写非本支部党员主持人的姓名。"))
        held_on = cleaned.get("held_on")
        if held_on and held_on > timezone.localdate():
            self.add_error("held_on", _("召开日期不能晚于今天（会议开过后再登记）。"))
        bad = [
            row["member"].resident.name
            for row in self.checklist
            if row["state"] == ABSENT and not row["reason"].strip()
        ]
        if bad:
            self.add_error(None, _("请填写缺席原因：%(names)s。") % {"names": "、".join(bad[:5])})
        return cleaned

    def attendance(self) -> tuple[list[PartyMember], dict[PartyMember, str]]:
        present = [row["member"] for row in self.checklist if row["state"] == PRESENT]
        absent = {row["member"]: row["reason"] for row in self.checklist if row["state"] == ABSENT}
        return present, absent
