"""Forms of the co-governance pages (docs/cogovernance.md). Every choice is narrowed to the deliberation's
village: a posted id from another village fails like any bad value. The services check the rest (dates,
the publicity week, the stage) and say what was wrong.

The case a topic came from and the Party organisation that approved it are found by their string labels
(``apps.get_model``): this app imports neither the cases app nor the Party app (docs/architecture.md)."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.forms import DateInput
from grids.models import Grid, NaturalVillage, Village

from .models import Deliberation, DeliberationMeeting, Progress, Research, ResearchKind
from .workflow import ACTIONS

# The plain moves a page may ask for with a note (the others have their own forms).
PLAIN_MOVES = ("research", "submit", "send_back", "implement")


def _case_label(case) -> str:
    return f"{case.number or '—'} {case.title}"


class DeliberationForm(forms.ModelForm):
    """The topic: what the villagers will read, who proposed it, where it is local, the case it came from."""

    class Meta:
        model = Deliberation
        fields = ["title", "summary", "proposer", "origin_case", "grid", "natural_village"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.village = village
        case_model = apps.get_model("disputes", "Case")
        self.fields["origin_case"].queryset = case_model.objects.filter(village=village).order_by("-reported_at")
        self.fields["origin_case"].label_from_instance = _case_label
        self.fields["grid"].queryset = Grid.objects.active().filter(village=village).order_by("number")
        self.fields["natural_village"].queryset = NaturalVillage.objects.active().filter(village=village)


class VersionForm(forms.Form):
    """The version of the deliberation the person saw: someone else's move in between refuses theirs."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MoveForm(VersionForm):
    action = forms.ChoiceField(choices=[(name, ACTIONS[name].label) for name in PLAIN_MOVES], label=_("操作"))
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(VersionForm):
    approved_on = forms.DateField(label=_("审定日期"), widget=DateInput())
    publish_on = forms.DateField(
        label=_("公示开始日期"), required=False, widget=DateInput(), help_text=_("留空则为审定日期的次日。")
    )
    opinions_to = forms.CharField(
        label=_("意见反馈方式"),
        max_length=200,
        help_text=_("公示期间村民向哪里反映意见，如“村委会办公室”“村务公开栏意见箱”。"),
    )
    party_organisation = forms.ModelChoiceField(queryset=None, label=_("审定党组织"), required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["approved_on", "publish_on", "opinions_to", "party_organisation", "note"]

    def __init__(self, *args, village_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        org_model = apps.get_model("party", "PartyOrganisation")
        self.fields["party_organisation"].queryset = org_model.objects.active().filter(village_id=village_id)


class MeetingForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = DeliberationMeeting
        fields = [
            "held_on",
            "place",
            "cppcc_members",
            "representatives",
            "departments",
            "department_people",
            "residents",
            "minutes",
        ]
        widgets = {"held_on": DateInput(), "minutes": forms.Textarea(attrs={"rows": 6})}


class ResolveForm(VersionForm):
    resolved_on = forms.DateField(label=_("决议日期"), widget=DateInput())
    resolution = forms.CharField(label=_("协商决议"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))

    field_order = ["resolved_on", "resolution"]


class CloseForm(VersionForm):
    closed_on = forms.DateField(label=_("办结日期"), widget=DateInput())
    note = forms.CharField(label=_("办结说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["closed_on", "note"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; each is checked (kind, size) and photos re-encoded by the service."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ResearchForm(forms.ModelForm):
    files = FilesField(
        label=_("附件"), help_text=_("照片、PDF、Word、Excel、WPS 或文本文件，可多选，每个不超过 10 MB。")
    )

    class Meta:
        model = Research
        fields = ["kind", "held_on", "count", "summary"]
        widgets = {"held_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "---------"), *ResearchKind.choices]
        self.initial.setdefault("held_on", timezone.localdate())


class ProgressForm(forms.ModelForm):
    class Meta:
        model = Progress
        fields = ["noted_on", "text", "spent"]
        widgets = {"noted_on": DateInput(), "text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("noted_on", timezone.localdate())
