"""Middleware every app's responses go through."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """What a signed-in user is sent — a resident's page, a workbook, an API answer — is kept by neither
    the browser nor a proxy (``Cache-Control: no-store``, Django's ``add_never_cache_headers``): an office
    computer shared by several people must not show it again from its cache, to the next person or after
    a logout. A response that sets its own policy keeps it (a photo, served through its access check, is
    cached privately for an hour). Static files never get here: WhiteNoise, above in ``MIDDLEWARE``, answers
    them itself with its own long cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read after the view: the API signs its token users in there (it sets ``request.user`` then).
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
