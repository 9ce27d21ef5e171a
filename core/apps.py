from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The ground floor: what every app uses and no domain owns (docs/architecture.md)."""

    name = "core"
    verbose_name = _("平台基础")
