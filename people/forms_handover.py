"""The handover form: who takes the grid over (README, "Handover when a grid worker leaves")."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grids.forms import VillageScopedChoice
from grids.models import User, Village

from .handover import successor_choices


class HandoverForm(forms.Form):
    TO_SUCCESSOR = "successor"
    TO_STAFF = "staff"

    to = forms.ChoiceField(
        label=_("交给谁"),
        choices=[(TO_SUCCESSOR, _("交给接替的网格员（从今天起）")), (TO_STAFF, _("暂由村干部负责，直至有新的网格员"))],
        widget=forms.RadioSelect,
        initial=TO_SUCCESSOR,
    )
    successor = VillageScopedChoice(
        queryset=User.objects.none(),
        label=_("接替人"),
        required=False,
        what=_("人员"),
        help_text=_("本村在用账号的人员；还没有账号的，请先为其开通账号。"),
    )

    def __init__(self, *args, village: Village, leaver: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = successor_choices(village, leaver)
        self.fields["successor"].label_from_instance = lambda u: f"{u.full_name or u.username}（{u.username}）"

    def clean(self):
        data = super().clean()
        if data.get("to") == self.TO_SUCCESSOR and not data.get("successor") and "successor" not in self.errors:
            self.add_error("successor", _("请选择接替人，或选择“暂由村干部负责”。"))
        if data.get("to") == self.TO_STAFF:
            data["successor"] = None
        return data
