from .views import deliberations, documents, projects, public, town

app_name = "cogovernance"
urlpatterns = [
    *deliberations.urlpatterns,
    *projects.urlpatterns,
    *documents.urlpatterns,
    *town.urlpatterns,
    *public.urlpatterns,
]
