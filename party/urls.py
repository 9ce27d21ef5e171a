from .views import field, staff, town

app_name = "party"
urlpatterns = [*staff.urlpatterns, *field.urlpatterns, *town.urlpatterns]
