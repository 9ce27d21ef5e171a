from django.urls import path  # noqa: F401

app_name = "people"

urlpatterns: list = []

# Accounts kept where the people are (README, "Accounts").
from django.urls import path as route  # noqa: E402

from .views import accounts as account_views  # noqa: E402

urlpatterns += [
    route("people/accounts/", account_views.account_list, name="account-list"),
    route("people/accounts/new/", account_views.account_create, name="account-create"),
    route("people/accounts/import/", account_views.account_import, name="account-import"),
    route(
        "people/accounts/import/template.xlsx", account_views.account_import_template, name="account-import-template"
    ),
    route("people/accounts/<int:pk>/", account_views.account_detail, name="account-detail"),
    route("people/accounts/<int:pk>/password/", account_views.account_password, name="account-password"),
    route("people/accounts/<int:pk>/deactivate/", account_views.account_deactivate, name="account-deactivate"),
    route("people/accounts/<int:pk>/reactivate/", account_views.account_reactivate, name="account-reactivate"),
]
