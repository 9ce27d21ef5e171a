from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("矛盾纠纷与事件")

    def ready(self):
        from grids import audit

        from .models import Case, CaseAttachment, CaseParty, Department, MediationSession, Mediator, Policy

        audit.track(Case)
        audit.track(Mediator)
        for model in (CaseParty, MediationSession, CaseAttachment):
            audit.track(model, village=audit.via("case", "village_id"))
        for model in (Department, Policy):
            audit.track(model, village=lambda obj: None)
