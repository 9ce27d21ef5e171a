from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from governance import api
from grids import views as grid_views

urlpatterns = [
    path("", grid_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", grid_views.Logout.as_view(), name="logout"),
    path("accounts/password/", grid_views.PasswordChange.as_view(), name="password_change"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("grids.urls")),
    path("", include("messaging.urls")),
    path("", include("audit.urls")),
    path("", include("residents.urls")),
    path("", include("disputes.urls")),
    path("", include("visits.urls")),
    path("", include("reports.urls")),
    *api.urls(),
]
