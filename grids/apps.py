from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("网格与人员")

    def ready(self):
        from django.contrib.auth import signals

        from . import audit
        from .models import Assignment, Grid, MicroGrid, NaturalVillage, Town, User, Village, VillagerGroup

        audit.track(Town, village=lambda town: None)
        audit.track(Village, village=lambda village: village.pk)
        for model in (NaturalVillage, VillagerGroup, Grid):
            audit.track(model)
        audit.track(MicroGrid, village=audit.via("grid", "village_id"))
        audit.track(Assignment, village=audit.first_of(audit.via("village_id"), audit.via("grid", "village_id")))
        audit.track(User, secret={"password"}, village=audit.via("home_village_id"))
        signals.user_logged_in.connect(audit.on_login, dispatch_uid="audit:login")
        signals.user_logged_out.connect(audit.on_logout, dispatch_uid="audit:logout")
        signals.user_login_failed.connect(audit.on_login_failed, dispatch_uid="audit:login-failed")
