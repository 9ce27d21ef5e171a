"""Forms of visits. The phone form is short: the common case ("visited, nothing found") is one button."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.forms import PhotosField, category_choices
from grids.forms import DateInput
from residents.models import KeyPersonResponsible

from .models import CASE_FINDINGS, Finding, NotPossibleReason, Outcome


class VisitForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    # Set by the button pressed (已走访，无异常 / 未能走访 / 保存走访记录), not chosen inside the fold.
    outcome = forms.ChoiceField(
        label=_("结果"), choices=Outcome.choices, initial=Outcome.DONE, widget=forms.HiddenInput
    )
    reason = forms.ChoiceField(
        label=_("未能走访原因"), choices=[("", "---------"), *NotPossibleReason.choices], required=False
    )
    finding = forms.ChoiceField(label=_("发现情况"), choices=Finding.choices, initial=Finding.NOTHING)
    case_category = forms.ChoiceField(label=_("问题类别（上报案件用）"), required=False)
    note = forms.CharField(
        label=_("情况说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    visited_on = forms.DateField(
        label=_("走访日期"), widget=DateInput(), help_text=_("纸质记录补录时改为实际走访日期。")
    )
    team = forms.ModelMultipleChoiceField(
        label=_("参与的帮扶责任人（四帮一）"),
        queryset=KeyPersonResponsible.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photos = PhotosField(label=_("照片"))
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)

    def __init__(self, *args, key_person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["case_category"].choices = category_choices()
        # visit-form.js narrows the categories to the chosen finding's kind; without it, clean() says so.
        self.fields["finding"].widget.attrs["data-case-kinds"] = json.dumps(CASE_FINDINGS)
        self.fields["photos"].widget.attrs["capture"] = "environment"
        if key_person is not None and key_person.needs_four_to_one_team:
            self.fields["team"].queryset = key_person.responsibles.all()
        else:
            del self.fields["team"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Outcome.NOT_POSSIBLE and not cleaned.get("reason"):
            self.add_error("reason", ValidationError(_("请选择未能走访的原因。")))
        finding, category = cleaned.get("finding"), cleaned.get("case_category")
        kind = CASE_FINDINGS.get(finding)
        if kind is None:
            cleaned["case_category"] = ""  # no case is opened: a category left in the fold means nothing
        elif category and not category.startswith(f"{kind}."):
            self.add_error(
                "case_category",
                ValidationError(
                    _("所选类别不属于“%(finding)s”，请重新选择类别。") % {"finding": Finding(finding).label}
                ),
            )
        return cleaned
