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


class RiskFilterForm(forms.Form):
    """The risk list's filters: a kind, a grid. The grids are the ones the page already read for the reader
    (scoped choices, and no query of its own)."""

    kind = forms.ChoiceField(label=gettext_lazy("风险类别"), required=False)
    grid = forms.TypedChoiceField(label=gettext_lazy("网格"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, grids, **kwargs):
        from .risks import Kind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", gettext_lazy("全部")), *Kind.choices]
        self.fields["grid"].choices = [("", gettext_lazy("全部网格")), *((g.pk, g.name) for g in grids)]
        self.grids = {g.pk: g for g in grids}

    def chosen(self) -> tuple[str, object]:
        """(kind, grid) when the filters are valid; a bad value shows its error and filters nothing."""
        if not self.is_valid():
            return "", None
        return self.cleaned_data["kind"], self.grids.get(self.cleaned_data["grid"])


class RegenerateForm(forms.Form):
    """Which sections to write again from the month's records (reports/prefill.py); none ticked: the empty
    ones. Posted with the sections form, whose texts it leaves alone otherwise."""

    regenerate = forms.MultipleChoiceField(
        label=gettext_lazy("重新生成哪些部分"),
        choices=list(SECTIONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("没有「%(value)s」这一部分，请从列出的部分中勾选。")},
    )
