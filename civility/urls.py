from .views import activities, people, points, town

app_name = "civility"
urlpatterns = [
    *activities.urlpatterns,
    *people.urlpatterns,
    *points.urlpatterns,
    *town.urlpatterns,
]
