"""Party pages: town (docs/party.md). The town office sees its villages' meeting compliance side by side,
with counts only: no member, no attendance, no link to a village's Party records (political affiliation is
personal information)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Village

from .. import rules, selectors


@login_required
def town_compliance(request: HttpRequest) -> HttpResponse:
    if not rules.may_see_compliance(request.user):
        raise PermissionDenied(_("此页面供镇综治办使用。"))
    today = timezone.localdate()
    villages = list(
        Village.objects.visible_to(request.user).active().filter(town__archived_at__isnull=True).order_by("name")
    )
    rows = selectors.town_compliance(villages, today)
    chart = {
        "labels": [r.village.name for r in rows],
        "on_time": [r.year.on_time_percent for r in rows],
        "label": _("本年按时召开率（%）"),
    }
    return render(request, "party/town_compliance.html", {"rows": rows, "today": today, "chart": chart})


urlpatterns = [path("town/party/", town_compliance, name="town-compliance")]
