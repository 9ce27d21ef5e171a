"""The inbox page: a person's notices, newest first; opening one marks it read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .models import Notice
from .services import notice_read


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notices = Notice.objects.visible_to(request.user)
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    return render(request, "messaging/inbox.html", {"page": page, "query": ""})


@login_required
@require_http_methods(["POST"])
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read, then go where the notice points (only inside the portal)."""
    notice = get_object_or_404(Notice.objects.visible_to(request.user), pk=pk)
    notice_read(notice=notice)
    target = notice.url if url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None) else ""
    return redirect(target or "messaging:inbox")
