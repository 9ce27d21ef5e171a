from django.urls import path

from . import views

app_name = "residents"

urlpatterns = [
    path("villages/<int:pk>/", views.village_overview, name="village-overview"),
    path("villages/<int:pk>/households/new/", views.household_create, name="household-create"),
    path("villages/<int:pk>/residents/new/", views.resident_create, name="resident-create"),
    path("villages/<int:pk>/key-places/new/", views.key_place_create, name="keyplace-create"),
    path("households/", views.household_list, name="household-list"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views.household_update, name="household-update"),
    path("households/<int:pk>/move/", views.household_move, name="household-move"),
    path("households/<int:pk>/archive/", views.household_archive, name="household-archive"),
    path("households/<int:pk>/restore/", views.household_restore, name="household-restore"),
    path("residents/", views.resident_list, name="resident-list"),
    path("residents/<int:pk>/", views.resident_detail, name="resident-detail"),
    path("residents/<int:pk>/edit/", views.resident_update, name="resident-update"),
    path("residents/<int:pk>/move/", views.resident_move, name="resident-move"),
    path("residents/<int:pk>/archive/", views.resident_archive, name="resident-archive"),
    path("residents/<int:pk>/restore/", views.resident_restore, name="resident-restore"),
    path("residents/<int:pk>/id-number/", views.resident_id_number, name="resident-id-number"),
    path("residents/<int:pk>/key-person/new/", views.key_person_create, name="keyperson-create"),
    path("key-persons/", views.key_person_list, name="keyperson-list"),
    path("key-persons/<int:pk>/", views.key_person_detail, name="keyperson-detail"),
    path("key-persons/<int:pk>/edit/", views.key_person_update, name="keyperson-update"),
    path("key-places/", views.key_place_list, name="keyplace-list"),
    path("key-places/<int:pk>/", views.key_place_detail, name="keyplace-detail"),
    path("key-places/<int:pk>/edit/", views.key_place_update, name="keyplace-update"),
    path("field/households/", views.field_household_list, name="field-household-list"),
    path("field/households/<int:pk>/", views.field_household_detail, name="field-household-detail"),
    path("field/households/<int:pk>/edit/", views.field_household_edit, name="field-household-edit"),
]
