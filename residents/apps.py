from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = _("居民档案")

    def ready(self):
        from audit import trail

        from .models import Household, KeyPerson, KeyPersonResponsible, KeyPlace, Resident, RetentionRule, Tag

        # The birth date is the ID number's 7th to 14th characters (residents/disclosure.py).
        secret = {"id_cipher", "id_hash", "id_tail_hash", "birth_date"}
        trail.track(Household, move_fields={"micro_grid_id"})
        trail.track(Resident, secret=secret, move_fields={"household_id"})
        # An erased listing names no resident; it keeps its village for the log (residents/retention.py).
        kp_village = trail.first_of(trail.via("resident", "village_id"), trail.via("erased_village_id"))
        trail.track(KeyPerson, village=kp_village, sensitive=True)
        trail.track(KeyPersonResponsible, village=trail.via("key_person", "resident", "village_id"), sensitive=True)
        trail.track(KeyPlace)
        trail.track(Tag, village=lambda tag: None)
        trail.track(RetentionRule, village=lambda rule: None)
