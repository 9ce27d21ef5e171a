from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("field/", views.work_list, name="work-list"),
    path("field/visit/<slug:subject>/<int:pk>/", views.visit_new, name="visit-new"),
    path("visits/<int:pk>/photos/<int:photo>/", views.visit_photo, name="visit-photo"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/grids/<int:pk>/", views.grid_outstanding, name="grid-outstanding"),
]
