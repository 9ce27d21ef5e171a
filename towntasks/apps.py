from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownTasksConfig(AppConfig):
    name = "towntasks"
    verbose_name = _("镇交办任务")
