from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivilityConfig(AppConfig):
    name = "civility"
    verbose_name = _("乡风文明")

    def ready(self):
        from audit import trail

        from .models import Activity, LegalAdvisor, ModelSelection, StockItem, VolunteerTeam

        trail.track(Activity)
        trail.track(VolunteerTeam)
        trail.track(LegalAdvisor)
        trail.track(ModelSelection)
        trail.track(StockItem)
