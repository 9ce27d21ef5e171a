from .views import activities, people, points

app_name = "civility"
urlpatterns = [
    *activities.urlpatterns,
    *people.urlpatterns,
    *points.urlpatterns,
]
