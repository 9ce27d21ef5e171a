"""The pages that gather everything: the village overview and the town's home.

They sit here, the top of the arrows, because they show the registry, cases and (later) visits and
reports together; each lower app hands over its part as a context dict.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from disputes.summary import town_summary, village_summary
from grids import access
from grids.models import Village
from grids.views import town_villages
from residents.views.registry import registry_overview
from visits import summary as visit_summary


@login_required
def village_overview(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_object_or_404(Village.objects.visible_to(request.user).select_related("town"), pk=pk)
    context = registry_overview(request, village)
    context.update(village_summary(request.user, village))
    context.update(visit_summary.overview([village]))
    return render(request, "reports/village_overview.html", context)


@login_required
def town_home(request: HttpRequest) -> HttpResponse:
    scope = access.scope_for(request.user)
    if not (scope.town_ids or scope.is_admin):
        raise PermissionDenied(_("此页面供镇综治办使用。"))
    towns = list(town_villages(request.user))
    cases = town_summary(request.user)
    for town in towns:
        for village in town.villages.all():
            village.case_figures = cases["case_by_village"].get(village.pk, {})
    villages = [v for town in towns for v in town.villages.all()]
    visits = visit_summary.overview(villages)
    coverage = {v.pk: v.cov for v in visits["visit_rows"]}
    for village in villages:
        village.cov = coverage.get(village.pk)
    return render(request, "reports/town_home.html", {"towns": towns, **cases, **visits})
