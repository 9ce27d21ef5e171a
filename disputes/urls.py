from django.urls import path

from . import views

app_name = "disputes"

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/export.xlsx", views.case_export, name="case-export"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/act/<slug:action>/", views.case_act, name="case-act"),
    path("cases/<int:pk>/sign/", views.case_sign, name="case-sign"),
    path("cases/<int:pk>/notes/new/", views.case_dept_note, name="case-dept-note"),
    path("cases/<int:pk>/sessions/new/", views.case_session_add, name="case-session-add"),
    path("cases/<int:pk>/mediators/", views.case_mediators, name="case-mediators"),
    path("cases/<int:pk>/photos/new/", views.case_photo_add, name="case-photo-add"),
    path("cases/<int:pk>/photos/<int:photo>/", views.case_photo, name="case-photo"),
    path("cases/<int:pk>/agreement/", views.case_agreement, name="case-agreement"),
    path("cases/<int:pk>/record/", views.case_record, name="case-record"),
    path("villages/<int:pk>/cases/new/", views.case_create, name="case-create"),
    path("villages/<int:pk>/mediators/", views.mediator_list, name="mediator-list"),
    path("mediators/<int:pk>/edit/", views.mediator_update, name="mediator-update"),
    path("mediators/<int:pk>/archive/", views.mediator_archive, name="mediator-archive"),
    path("town/cases/", views.town_desk, name="town-desk"),
    path("department/cases/", views.department_cases, name="department-cases"),
    path("field/cases/", views.field_cases, name="field-cases"),
    path("field/cases/new/", views.field_case_new, name="field-case-new"),
]
