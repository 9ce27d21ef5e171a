from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """Accounts kept where the people are (village staff and the town office) and the handover when a grid
    worker leaves (docs/architecture.md, "people")."""

    name = "people"
    verbose_name = _("人员与账号")

    def ready(self):
        from audit import trail

        from .models import GoodPractice, HealthCheck, Training, WorkerInsurance

        for model in (WorkerInsurance, HealthCheck, GoodPractice, Training):
            trail.track(model)
