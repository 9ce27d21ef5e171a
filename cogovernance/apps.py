from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CogovernanceConfig(AppConfig):
    name = "cogovernance"
    verbose_name = _("共建共治")

    def ready(self):
        from audit import trail

        from .models import Deliberation, DocumentVersion, Project, VillageDocument

        trail.track(Deliberation)
        trail.track(Project)
        trail.track(VillageDocument)
        trail.track(DocumentVersion, village=trail.via("document", "village_id"))
