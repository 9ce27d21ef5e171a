from django.urls import path

from .views import exchange, field, households, key_persons, key_places, residents

app_name = "residents"

urlpatterns = [
    path("villages/<int:pk>/households/new/", households.household_create, name="household-create"),
    path("villages/<int:pk>/residents/new/", residents.resident_create, name="resident-create"),
    path("villages/<int:pk>/key-places/new/", key_places.key_place_create, name="keyplace-create"),
    path("villages/<int:pk>/imports/new/", exchange.import_new, name="import-new"),
    path("imports/<int:pk>/", exchange.import_detail, name="import-detail"),
    path("imports/<int:pk>/apply/", exchange.import_apply, name="import-apply"),
    path("imports/<int:pk>/errors.xlsx", exchange.import_errors, name="import-errors"),
    path("imports/template/<slug:kind>.xlsx", exchange.import_template, name="import-template"),
    path("households/export.xlsx", exchange.household_export, name="household-export"),
    path("residents/export.xlsx", exchange.resident_export, name="resident-export"),
    path("key-persons/export.xlsx", exchange.key_person_export, name="keyperson-export"),
    path("key-places/export.xlsx", exchange.key_place_export, name="keyplace-export"),
    path("households/", households.household_list, name="household-list"),
    path("households/<int:pk>/", households.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", households.household_update, name="household-update"),
    path("households/<int:pk>/move/", households.household_move, name="household-move"),
    path("households/<int:pk>/archive/", households.household_archive, name="household-archive"),
    path("households/<int:pk>/restore/", households.household_restore, name="household-restore"),
    path("residents/", residents.resident_list, name="resident-list"),
    path("residents/<int:pk>/", residents.resident_detail, name="resident-detail"),
    path("residents/<int:pk>/edit/", residents.resident_update, name="resident-update"),
    path("residents/<int:pk>/move/", residents.resident_move, name="resident-move"),
    path("residents/<int:pk>/archive/", residents.resident_archive, name="resident-archive"),
    path("residents/<int:pk>/restore/", residents.resident_restore, name="resident-restore"),
    path("residents/<int:pk>/id-number/", residents.resident_id_number, name="resident-id-number"),
    path("residents/<int:pk>/key-person/new/", key_persons.key_person_create, name="keyperson-create"),
    path("key-persons/", key_persons.key_person_list, name="keyperson-list"),
    path("key-persons/<int:pk>/", key_persons.key_person_detail, name="keyperson-detail"),
    path("key-persons/<int:pk>/edit/", key_persons.key_person_update, name="keyperson-update"),
    path("key-places/", key_places.key_place_list, name="keyplace-list"),
    path("key-places/<int:pk>/", key_places.key_place_detail, name="keyplace-detail"),
    path("key-places/<int:pk>/edit/", key_places.key_place_update, name="keyplace-update"),
    path("key-places/<int:pk>/archive/", key_places.key_place_archive, name="keyplace-archive"),
    path("field/households/", field.field_household_list, name="field-household-list"),
    path("field/households/<int:pk>/", field.field_household_detail, name="field-household-detail"),
    path("field/households/<int:pk>/edit/", field.field_household_edit, name="field-household-edit"),
]
