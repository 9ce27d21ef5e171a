from django.urls import path

from .views import handover

app_name = "people"

urlpatterns: list = []
urlpatterns += [
    path("assignments/<int:pk>/handover/", handover.handover, name="handover"),
    path("handovers/<int:pk>/", handover.handover_detail, name="handover-detail"),
]
