from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("月报")

    def ready(self):
        from grids import audit

        from .models import MonthlyReport, ReportComment, ReportPolicy

        audit.track(MonthlyReport)
        audit.track(ReportComment, village=audit.via("report", "village_id"))
        audit.track(ReportPolicy, village=lambda policy: None)
