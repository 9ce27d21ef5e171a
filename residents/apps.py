from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = _("居民档案")

    def ready(self):
        from grids import audit

        from .models import Household, KeyPerson, KeyPersonResponsible, KeyPlace, Resident, Tag

        secret = {"id_cipher", "id_hash", "id_tail_hash"}
        audit.track(Household, move_fields={"micro_grid_id"})
        audit.track(Resident, secret=secret, move_fields={"household_id"})
        audit.track(KeyPerson, village=audit.via("resident", "village_id"), sensitive=True)
        audit.track(KeyPersonResponsible, village=audit.via("key_person", "resident", "village_id"), sensitive=True)
        audit.track(KeyPlace)
        audit.track(Tag, village=lambda tag: None)
