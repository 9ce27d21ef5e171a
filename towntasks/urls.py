from .views import field, town, village

app_name = "towntasks"
urlpatterns = [
    *town.urlpatterns,
    *village.urlpatterns,
    *field.urlpatterns,
]
