"""Field validators shared by the registry and the apps above it."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# ASCII digits and \Z: \d would take full-width and Arabic-Indic digits, $ a trailing newline.
mobile_validator = RegexValidator(r"^1[0-9]{10}\Z", _("手机号应为以1开头的11位数字。"))
