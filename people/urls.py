from django.urls import path

from .views import handover

app_name = "people"

urlpatterns: list = []
urlpatterns += [
    path("assignments/<int:pk>/handover/", handover.handover, name="handover"),
    path("handovers/<int:pk>/", handover.handover_detail, name="handover-detail"),
    path("handovers/<int:pk>/hand-on/", handover.handover_hand_on, name="handover-hand-on"),
]
