from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("网格与人员")

    def ready(self):
        from . import credentials

        credentials.connect()
