from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("villages/<int:pk>/", views.village_overview, name="village-overview"),
    path("town/", views.town_home, name="town-home"),
]
