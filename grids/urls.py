from django.urls import path

from . import views, views_profile

app_name = "grids"

urlpatterns = [
    path("villages/<int:pk>/grids/new/", views.grid_create, name="grid-create"),
    path("villages/<int:pk>/micro-grids/new/", views.micro_grid_create, name="microgrid-create"),
    path("villages/<int:pk>/assignments/new/", views.assignment_create, name="assignment-create"),
    path("grids/<int:pk>/", views.grid_detail, name="grid-detail"),
    path("grids/<int:pk>/edit/", views.grid_update, name="grid-update"),
    path("grids/<int:pk>/archive/", views.grid_archive, name="grid-archive"),
    path("micro-grids/<int:pk>/edit/", views.micro_grid_update, name="microgrid-update"),
    path("micro-grids/<int:pk>/archive/", views.micro_grid_archive, name="microgrid-archive"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment-end"),
]

# The village profile (docs/scorecard.md).
urlpatterns += views_profile.urlpatterns
