from django.urls import path

from .views import accounts as account_views
from .views import care, handover, practices, trainings
from .views import departments as department_views

app_name = "people"

urlpatterns: list = []
urlpatterns += [
    path("assignments/<int:pk>/handover/", handover.handover, name="handover"),
    path("handovers/<int:pk>/", handover.handover_detail, name="handover-detail"),
    path("handovers/<int:pk>/hand-on/", handover.handover_hand_on, name="handover-hand-on"),
]

# Accounts kept where the people are (README, "Accounts").
urlpatterns += [
    path("people/accounts/", account_views.account_list, name="account-list"),
    path("people/accounts/new/", account_views.account_create, name="account-create"),
    path("people/accounts/import/", account_views.account_import, name="account-import"),
    path("people/accounts/import/template.xlsx", account_views.account_import_template, name="account-import-template"),
    path("people/accounts/<int:pk>/", account_views.account_detail, name="account-detail"),
    path("people/accounts/<int:pk>/password/", account_views.account_password, name="account-password"),
    path("people/accounts/<int:pk>/deactivate/", account_views.account_deactivate, name="account-deactivate"),
    path("people/accounts/<int:pk>/reactivate/", account_views.account_reactivate, name="account-reactivate"),
]

# The town's departments' people (docs/departments.md).
urlpatterns += [
    path("people/departments/", department_views.department_people, name="department-people"),
    path(
        "people/departments/members/<int:pk>/end/", department_views.department_member_end, name="department-member-end"
    ),
]

# Grid-worker care and capacity (docs/scorecard.md).
urlpatterns += care.urlpatterns + trainings.urlpatterns + practices.urlpatterns
