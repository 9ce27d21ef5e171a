from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("走访")

    def ready(self):
        from grids import audit

        from .models import ReminderPolicy, Visit, VisitPhoto

        audit.track(Visit, sensitive=lambda visit: visit.key_person_id is not None)
        audit.track(VisitPhoto, village=audit.via("visit", "village_id"))
        audit.track(ReminderPolicy, village=lambda policy: None)

        from . import live

        live.connect()
