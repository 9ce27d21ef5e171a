"""Co-governance pages: town (docs/cogovernance.md). The town office sees its villages' deliberations,
projects and village documents side by side, counts only, with a bar chart of the figure it compares."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from grids import access
from grids.models import Village

from .. import selectors

# The figures the chart may compare: (query value, attribute of selectors.VillageCounts, label).
CHART_FIGURES = {
    "open": _lazy("办理中的议题"),
    "resolved": _lazy("本年形成决议"),
    "closed": _lazy("本年办结"),
    "projects": _lazy("本年民生实事（个）"),
    "spent": _lazy("本年已支出（元）"),
    "lights": _lazy("本年路灯（盏）"),
    "copies": _lazy("制度文件印发（份）"),
}


@login_required
def town_counts(request: HttpRequest) -> HttpResponse:
    if not access.may_use_town_pages(request.user):
        raise PermissionDenied(_("此页面供镇综治办使用。"))
    today = timezone.localdate()
    villages = list(
        Village.objects.visible_to(request.user).active().filter(town__archived_at__isnull=True).order_by("name")
    )
    counts = selectors.town_counts([v.pk for v in villages], today.year, today=today)
    rows = [(v, counts[v.pk]) for v in villages]
    figure = request.GET.get("figure", "")
    if figure not in CHART_FIGURES:
        figure = "open"
    chart = {
        "labels": [v.name for v, _c in rows],
        "values": [float(getattr(c, figure)) for _v, c in rows],
        "label": str(CHART_FIGURES[figure]),
    }
    return render(
        request,
        "cogovernance/town_counts.html",
        {
            "rows": rows,
            "today": today,
            "chart": chart,
            "figure": figure,
            "figures": [(k, str(label)) for k, label in CHART_FIGURES.items()],
        },
    )


urlpatterns = [path("town/cogov/", town_counts, name="town-counts")]
