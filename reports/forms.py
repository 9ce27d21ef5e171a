"""Forms of the monthly report pages: the village's sections and the town's review."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from .models import FIGURE_BLOCKS, SECTIONS


class SectionsForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    work_done = forms.CharField(label=SECTIONS["work_done"], required=False, widget=forms.Textarea(attrs={"rows": 5}))
    problems = forms.CharField(label=SECTIONS["problems"], required=False, widget=forms.Textarea(attrs={"rows": 4}))
    next_plan = forms.CharField(label=SECTIONS["next_plan"], required=False, widget=forms.Textarea(attrs={"rows": 4}))
    good_practices = forms.CharField(
        label=SECTIONS["good_practices"], required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


COMMENT_TARGETS = [("", gettext_lazy("整体")), *SECTIONS.items(), *FIGURE_BLOCKS.items()]


class ReviewForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=gettext_lazy("总体意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in COMMENT_TARGETS[1:]:
            self.fields[f"on_{key}"] = forms.CharField(label=label, required=False, widget=forms.TextInput())

    def comments(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [("", data.get("comment") or "")] + [
            (key, data.get(f"on_{key}") or "") for key, _l in COMMENT_TARGETS[1:]
        ]
