from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import choices as _choices


class CoreConfig(AppConfig):
    """The ground floor: what every app uses and no domain owns (docs/architecture.md)."""

    name = "core"
    verbose_name = _("平台基础")


# Before any model is made (the apps' models are imported after every configuration has loaded): each model's
# get_<field>_display() from labels kept per language (core/choices.py).
_choices.connect()
