from django.urls import path

from . import views
from .scorecard import views as scorecard_views

app_name = "reports"

urlpatterns = [
    path("villages/<int:pk>/", views.village_overview, name="village-overview"),
    path("villages/<int:pk>/risks/", views.risk_list, name="risk-list"),
    path("villages/<int:pk>/reports/", views.report_list, name="report-list"),
    path("villages/<int:pk>/reports/start/", views.report_start, name="report-start"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/save/", views.report_save, name="report-save"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report-submit"),
    path("reports/<int:pk>/review/", views.report_review, name="report-review"),
    path("reports/<int:pk>/export.xlsx", views.report_export, name="report-export"),
    path("reports/<int:pk>/print/", views.report_print, name="report-print"),
    path("villages/<int:pk>/scorecard/", scorecard_views.scorecard, name="scorecard"),
    path("town/scorecards/", scorecard_views.town_scorecards, name="town-scorecards"),
    path("town/scorecards/export.xlsx", scorecard_views.town_scorecards_export, name="town-scorecards-export"),
    path("town/", views.town_home, name="town-home"),
    path("town/risks/", views.town_risks, name="town-risks"),
    path("town/reports/", views.town_reports, name="town-reports"),
    path("town/dashboard/", views.town_dashboard, name="town-dashboard"),
    path("town/dashboard/export.xlsx", views.town_dashboard_export, name="town-dashboard-export"),
    path("reports/<int:pk>/prefill/", views.report_prefill, name="report-prefill"),
]

# The village's 汇报材料 draft (docs/scorecard.md, "The 汇报材料 draft").
from .draft import views as draft_views  # noqa: E402

urlpatterns += [
    path("villages/<int:pk>/governance-report.docx", draft_views.governance_report_docx, name="governance-report-docx"),
    path("villages/<int:pk>/governance-report/", draft_views.governance_report, name="governance-report"),
]
