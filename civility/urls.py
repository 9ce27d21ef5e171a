from .views import activities, people

app_name = "civility"
urlpatterns = [
    *activities.urlpatterns,
    *people.urlpatterns,
]
