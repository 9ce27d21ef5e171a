from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("月报")

    def ready(self):
        from audit import trail

        from .models import MonthlyReport, ReportComment, ReportPolicy
        from .scorecard import kept

        trail.track(MonthlyReport)
        trail.track(ReportComment, village=trail.via("report", "village_id"))
        trail.track(ReportPolicy, village=lambda policy: None)
        kept.connect()
