from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("走访")

    def ready(self):
        from audit import trail

        from .models import ReminderPolicy, Visit, VisitPhoto, is_private

        trail.track(Visit, sensitive=is_private)
        trail.track(
            VisitPhoto, village=trail.via("visit", "village_id"), sensitive=lambda photo: is_private(photo.visit)
        )
        trail.track(ReminderPolicy, village=lambda policy: None)

        from . import live, panels

        live.connect()
        panels.connect()

        # The Party's meeting reminders go out at the visit reminders' hour, as the admin sets it.
        from party import reminders as party_reminders

        party_reminders.send_hour_from(lambda: ReminderPolicy.current().send_hour)
        # So do the set-date reminders of 德治/法治 (docs/civility.md).
        from civility import reminders as civility_reminders

        civility_reminders.send_hour_from(lambda: ReminderPolicy.current().send_hour)

        from residents.signals import key_person_erased

        from . import retention

        key_person_erased.connect(retention.on_key_person_erased, dispatch_uid="visits.key_person_erased")
