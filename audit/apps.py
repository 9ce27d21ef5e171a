from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit log, on the floor just above the territory (docs/architecture.md): entries are filed
    under a village, so reading them goes through the access door."""

    name = "audit"
    verbose_name = _("审计日志")

    def ready(self):
        from django.contrib.auth import signals

        from grids.models import (
            Assignment,
            Grid,
            MicroGrid,
            NaturalVillage,
            ServiceFacility,
            Town,
            User,
            Village,
            VillageHonour,
            VillageIncome,
            VillagerGroup,
        )

        from . import trail

        # The territory sits below this floor and cannot import it: its models are tracked from here.
        trail.track(Town, village=lambda town: None)
        trail.track(Village, village=lambda village: village.pk)
        for model in (NaturalVillage, VillagerGroup, Grid, VillageIncome, VillageHonour, ServiceFacility):
            trail.track(model)
        trail.track(MicroGrid, village=trail.via("grid", "village_id"))
        trail.track(Assignment, village=trail.first_of(trail.via("village_id"), trail.via("grid", "village_id")))
        trail.track(User, secret={"password"}, village=trail.via("home_village_id"))
        signals.user_logged_in.connect(trail.on_login, dispatch_uid="audit:login")
        signals.user_logged_out.connect(trail.on_logout, dispatch_uid="audit:logout")
        signals.user_login_failed.connect(trail.on_login_failed, dispatch_uid="audit:login-failed")
