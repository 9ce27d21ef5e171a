from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("走访")

    def ready(self):
        from audit import trail

        from .models import ReminderPolicy, Visit, VisitPhoto

        trail.track(Visit, sensitive=lambda visit: visit.key_person_id is not None)
        trail.track(VisitPhoto, village=trail.via("visit", "village_id"))
        trail.track(ReminderPolicy, village=lambda policy: None)

        from . import live, panels

        live.connect()
        panels.connect()
