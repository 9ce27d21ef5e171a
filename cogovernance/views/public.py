"""The one co-governance page without a login: a deliberation's publicity notice (公示), found by its
unguessable link (docs/cogovernance.md, "Who sees what"). It shows only the allow-listed fields
(``cogovernance.public.notice``), the free text redacted; it writes nothing (no session, no cookie), and asks
to be neither kept nor indexed nor told where its visitors came from."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from .. import public


@require_GET
def notice(request: HttpRequest, token: str) -> HttpResponse:
    # The same 404 for a wrong token as for a deliberation not (or no longer) public: nothing is told.
    d = public.notice_queryset().filter(public_token=token).first()
    if d is None:
        raise Http404
    response = render(request, "cogovernance/public_notice.html", {"notice": public.notice(d)})
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("p/notice/<str:token>/", notice, name="public-notice"),
]
