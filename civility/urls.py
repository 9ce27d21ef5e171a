from .views import points

app_name = "civility"
urlpatterns = [*points.urlpatterns]
