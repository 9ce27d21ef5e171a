from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("矛盾纠纷与事件")

    def ready(self):
        from audit import trail

        from .models import (
            Case,
            CaseAttachment,
            CaseParty,
            Department,
            DepartmentMember,
            MediationSession,
            Mediator,
            Policy,
        )
        from .origin import audit_secret

        trail.track(Case, secret=audit_secret)
        trail.track(Mediator)
        for model in (CaseParty, MediationSession, CaseAttachment):
            trail.track(model, village=trail.via("case", "village_id"))
        for model in (Department, Policy, DepartmentMember):
            trail.track(model, village=lambda obj: None)

        from . import departments, panels

        panels.connect()
        departments.connect()

        from residents.signals import key_person_erased

        from . import retention

        key_person_erased.connect(retention.on_key_person_erased, dispatch_uid="disputes.key_person_erased")
