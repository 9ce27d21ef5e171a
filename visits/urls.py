from django.urls import path

from . import offline, views

app_name = "visits"

urlpatterns = [
    path("sw.js", offline.service_worker, name="service-worker"),
    path("manifest.webmanifest", offline.web_manifest, name="web-manifest"),
    path("field/offline-manifest.json", offline.offline_manifest, name="offline-manifest"),
    path("field/queue/", offline.queue, name="queue"),
    path("field/device-check/", offline.device_check, name="device-check"),
    path("field/", views.work_list, name="work-list"),
    path("field/visit/<slug:subject>/<int:pk>/", views.visit_new, name="visit-new"),
    path("visits/<int:pk>/photos/<int:photo>/", views.visit_photo, name="visit-photo"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/grids/<int:pk>/", views.grid_outstanding, name="grid-outstanding"),
]
