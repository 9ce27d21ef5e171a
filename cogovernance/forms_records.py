"""Forms of the village's records (docs/cogovernance.md): projects (民生实事) and village documents (村规民约,
公约). Every choice is narrowed to the page's village (STYLE 2); a posted id from elsewhere fails with a
message on its field. The deliberation's forms live in ``forms.py``."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.forms import DateInput, VillageScopedChoice
from grids.models import Grid, NaturalVillage, Village

from .models import Deliberation, DocumentVersion, Project, Stage, VillageDocument


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


class ProjectForm(forms.ModelForm):
    grid = VillageScopedChoice(queryset=Grid.objects.none(), label=_("所在网格"), required=False, what=_("网格"))
    natural_villages = forms.ModelMultipleChoiceField(
        queryset=NaturalVillage.objects.none(),
        label=_("受益自然村"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("请选择本村的自然村；所选项不存在或不属于本村。")},
    )
    deliberation = VillageScopedChoice(
        queryset=Deliberation.objects.none(), label=_("来源议事"), required=False, what=_("议事")
    )
    photos = PhotosField(label=_("照片"), help_text=_("可一次选多张；保存时去除拍摄地点等信息。"))

    class Meta:
        model = Project
        fields = [
            "title",
            "kind",
            "description",
            "quantity",
            "unit",
            "grid",
            "natural_villages",
            "deliberation",
            "budget",
            "spent",
            "started_on",
            "done_on",
        ]
        widgets = {
            "started_on": DateInput(),
            "done_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.instance.village = village
        # Active places, and those the project already names (an archived grid does not refuse every edit).
        grid_kept = Q(pk=self.instance.grid_id or 0)
        self.fields["grid"].queryset = (
            Grid.objects.filter(village=village).filter(Q(archived_at__isnull=True) | grid_kept).order_by("number")
        )
        kept = Q(pk__in=self.instance.natural_villages.all()) if self.instance.pk else Q(pk__in=[])
        self.fields["natural_villages"].queryset = NaturalVillage.objects.filter(village=village).filter(
            Q(archived_at__isnull=True) | kept
        )
        # A project comes from a resolution: the deliberations that reached one (and the one already linked).
        resolved = Q(stage__in=[Stage.RESOLVED, Stage.IMPLEMENTING, Stage.CLOSED])
        self.fields["deliberation"].queryset = Deliberation.objects.filter(village=village).filter(
            resolved | Q(pk=self.instance.deliberation_id or 0)
        )
        self.fields["done_on"].help_text = _("尚未完工请留空。")

    def clean(self):
        cleaned = super().clean()
        started, done = cleaned.get("started_on"), cleaned.get("done_on")
        if started and done and done < started:
            self.add_error("done_on", _("完工日期不能早于开工日期。"))
        today = timezone.localdate()
        if done and done > today:
            self.add_error("done_on", _("日期不能晚于今天。"))
        return cleaned


class DocumentForm(forms.ModelForm):
    class Meta:
        model = VillageDocument
        fields = ["title", "kind"]

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.instance.village = village

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        # The unique constraint names `village` (not a form field), so Django's constraint check skips it.
        taken = VillageDocument.objects.active().filter(village=self.village, title=title).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("本村已有同名的制度文件。"))
        return title


class VersionForm(forms.ModelForm):
    """One adopted text: the first with a new document, or a new version of one."""

    class Meta:
        model = DocumentVersion
        fields = ["text", "adopted_on", "adopted_by", "adoption_note", "copies"]
        widgets = {"adopted_on": DateInput(), "text": forms.Textarea(attrs={"rows": 14})}

    def clean_adopted_on(self):
        day = self.cleaned_data["adopted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("日期不能晚于今天。"))
        return day
