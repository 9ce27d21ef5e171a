"""The inbox page: a person's notices, newest first, filtered (unread or all, by kind); opening one marks
it read, and all can be marked read at once. Shown in the phone layout to those who work in the field
(``grids.access.layout_for``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from grids import access

from .models import KIND_LABELS, Notice
from .services import notice_read, notices_read_all

SHOW = {"all": _("全部"), "unread": _("未读")}


def _filters(data) -> dict[str, str]:
    """The inbox's filters from a query or a form: anything unknown falls back to all notices."""
    show = data.get("show", "")
    kind = data.get("kind", "")
    return {"show": show if show in SHOW else "", "kind": kind if kind in KIND_LABELS else ""}


def _query(filters: dict[str, str]) -> str:
    return urlencode({name: value for name, value in filters.items() if value})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    filters = _filters(request.GET)
    notices = Notice.objects.visible_to(request.user)
    if filters["show"] == "unread":
        notices = notices.unread()
    if filters["kind"]:
        notices = notices.filter(kind=filters["kind"])
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": _query(filters),
        "filters": filters,
        "show_choices": [("", SHOW["all"]), ("unread", SHOW["unread"])],
        "kind_choices": [("", _("全部类型")), *KIND_LABELS.items()],
        "layout": access.layout_for(request.user),
    }
    return render(request, "messaging/inbox.html", context)


@login_required
@require_http_methods(["POST"])
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    """Mark read every unread notice the filter shows (of its kind, if one is chosen), then back to it."""
    filters = _filters(request.POST)
    notices_read_all(user=request.user, kind=filters["kind"])
    query = _query(filters)
    return redirect(reverse("messaging:inbox") + (f"?{query}" if query else ""))


@login_required
@require_http_methods(["POST"])
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read, then go where the notice points (only inside the portal)."""
    notice = get_object_or_404(Notice.objects.visible_to(request.user), pk=pk)
    notice_read(notice=notice)
    target = notice.url if url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None) else ""
    return redirect(target or "messaging:inbox")
