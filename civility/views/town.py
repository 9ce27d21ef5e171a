"""德治/法治 pages: town (docs/civility.md). The town office sees its villages' activities, volunteers,
法律明白人, model selections and points side by side, counts only, with a bar chart of the figure it compares."""

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
from ..models import ActivityKind

# The figures the chart may compare: attribute of selectors.VillageCounts (or an activity kind) -> label.
CHART_FIGURES = {
    "activities": _lazy("本年活动（次）"),
    "participants": _lazy("本年参与（人次）"),
    **dict(ActivityKind.choices),
    "set_dates": _lazy("本年宣传节点活动"),
    "teams": _lazy("志愿服务队"),
    "volunteers": _lazy("志愿者"),
    "advisors": _lazy("法律明白人"),
    "selections": _lazy("本年先进典型"),
    "points_awarded": _lazy("本年发放积分"),
    "points_redeemed": _lazy("本年兑换积分"),
}


def _figure(counts: selectors.VillageCounts, figure: str) -> int:
    return counts.by_kind[figure] if figure in counts.by_kind else getattr(counts, figure)


@login_required
def town_counts(request: HttpRequest) -> HttpResponse:
    if not access.may_use_town_pages(request.user):
        raise PermissionDenied(_("此页面供镇综治办使用。"))
    today = timezone.localdate()
    villages = list(
        Village.objects.visible_to(request.user).active().filter(town__archived_at__isnull=True).order_by("name")
    )
    counts = selectors.town_counts([v.pk for v in villages], today.year, today=today)
    rows = [(v, counts[v.pk], [counts[v.pk].by_kind[k] for k in selectors.KINDS]) for v in villages]
    figure = request.GET.get("figure", "")
    if figure not in CHART_FIGURES:
        figure = "activities"
    chart = {
        "labels": [v.name for v, _c, _k in rows],
        "values": [_figure(c, figure) for _v, c, _k in rows],
        "label": str(CHART_FIGURES[figure]),
    }
    return render(
        request,
        "civility/town_counts.html",
        {
            "rows": rows,
            "kinds": [(k, str(label)) for k, label in ActivityKind.choices],
            "today": today,
            "chart": chart,
            "figure": figure,
            "figures": [(k, str(label)) for k, label in CHART_FIGURES.items()],
        },
    )


urlpatterns = [path("town/civility/", town_counts, name="town-counts")]
