"""Forms of the account pages: the home to choose is narrowed to the places the user keeps (STYLE 2)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grids import access
from grids.models import Role

from . import accounts


class HomeField(forms.ChoiceField):
    """Where the account belongs: one of the user's villages, or their town's office."""

    def __init__(self, *args, places: dict, **kwargs):
        choices = [
            (
                key,
                place.name if place._meta.model_name == "village" else _("%(town)s（镇综治办）") % {"town": place.name},
            )
            for key, place in places.items()
        ]
        super().__init__(*args, label=_("所属"), choices=choices, **kwargs)


class HomeMixin:
    """The ``home`` choice, offered only when the user keeps accounts in more than one place."""

    def add_home(self, user) -> None:
        villages, towns = access.account_homes(user)
        self.places = {f"v{v.pk}": v for v in villages} | {f"t{t.pk}": t for t in towns}
        if len(self.places) > 1:
            self.fields["home"] = HomeField(places=self.places)

    def _home(self):
        if "home" not in self.fields:
            return next(iter(self.places.values()), None)
        return self.places.get(self.cleaned_data.get("home"))

    @property
    def village(self):
        place = self._home()
        return place if place is not None and place._meta.model_name == "village" else None

    @property
    def town(self):
        place = self._home()
        return place if place is not None and place._meta.model_name == "town" else None


class AccountForm(HomeMixin, forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        help_text=_("11 位大陆手机号码。"),
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    username = forms.CharField(
        label=_("登录名"),
        max_length=150,
        help_text=_("用于登录，只能包含字母、数字和 @ . + - _ 符号；不能与他人重复。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_home(user)
        if accounts.sms_available():
            self.fields["by_sms"] = forms.BooleanField(
                label=_("通过短信把一次性密码发到此手机号（不在页面显示）"), required=False
            )

    def clean_full_name(self):
        return accounts.clean_full_name(self.cleaned_data["full_name"])

    def clean_phone(self):
        return accounts.clean_phone(self.cleaned_data["phone"])

    def clean_username(self):
        return accounts.clean_username(self.cleaned_data["username"])


class ImportForm(HomeMixin, forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_home(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("请上传 .xlsx 格式的 Excel 文件。"))
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("文件过大（不超过 5 MB）。"))
        return upload


class ResetForm(forms.Form):
    """How the new one-time password reaches its owner: on this page once, or by SMS where a gateway is set."""

    by_sms = forms.BooleanField(label=_("通过短信发到此人的手机（不在页面显示）"), required=False)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        if not (account.phone and accounts.sms_available()):
            del self.fields["by_sms"]


ACTIVE_CHOICES = [("", _("全部")), ("1", _("启用")), ("0", _("已停用"))]


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名/手机号/登录名"), required=False)
    role = forms.ChoiceField(label=_("岗位"), required=False, choices=[("", _("全部")), *Role.choices])
    active = forms.ChoiceField(label=_("状态"), required=False, choices=ACTIVE_CHOICES)
