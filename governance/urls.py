from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views import defaults
from django.views.i18n import set_language

from core import rest
from governance import api
from grids import views as grid_views


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the static file."""
    return redirect(static("favicon.ico"))


# Under /api/ every error is JSON in the API's shape (core/rest.py). Elsewhere: 403 and 404 in the person's
# own layout (grids.access.layout_for); 400 and 500 are Django's own views, the 500 page templates/500.html,
# which needs no request and no database.
handler400 = rest.api_or(400, defaults.bad_request)
handler403 = rest.api_or(403, grid_views.permission_denied)
handler404 = rest.api_or(404, grid_views.page_not_found)
handler500 = rest.api_or(500, defaults.server_error)

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
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
    path("", include("party.urls")),
    path("", include("cogovernance.urls")),
    path("", include("civility.urls")),
    path("", include("towntasks.urls")),
    path("", include("visits.urls")),
    path("", include("people.urls")),
    path("", include("reports.urls")),
    *api.urls(),
]
