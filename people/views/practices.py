"""Good practices (docs/scorecard.md, "Grid-worker care pages"; seed 000: 今年向镇综治办上报网格优秀工作法、
网格优秀案例两篇): the village's staff report a method or a case with an optional document; the town office
sees its villages' reports and adopts one with a note, once (a conditional update on the status), and the
village's staff are told through their inbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.pages import paginate, stored_file_response
from grids import access
from grids.forms import add_service_errors
from grids.models import Village

from .. import services
from ..forms_care import AdoptForm, PracticeFilter, PracticeForm, TownPracticeFilter
from ..models import GoodPractice, PracticeStatus
from .care import village_for_change, village_for_read
from .trainings import _require_town

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".wps": "application/vnd.ms-works",
    ".txt": "text/plain; charset=utf-8",
}


@login_required
def village_practices(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    base = GoodPractice.objects.visible_to(request.user).filter(village=village).select_related("reported_by")
    filterset = PracticeFilter(request.GET or None, queryset=base.order_by("-reported_on", "-pk"))
    page, query = paginate(request, filterset.qs)
    return render(
        request,
        "people/practice_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "may_change": access.can_manage_village(request.user, village) and not village.is_archived,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_change(request, pk)
    form = PracticeForm(request.POST or None, request.FILES or None, village=village)
    if request.method == "POST" and form.is_valid():
        practice = form.save(commit=False)
        try:
            services.practice_report(by=request.user, practice=practice)
        except ValidationError as error:
            practice.pk = None
            add_service_errors(form, error)
        else:
            messages.success(request, _("已向镇综治办上报“%(title)s”。") % {"title": practice.title})
            return redirect("people:practice-detail", pk=practice.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "people/care_form.html",
        {"village": village, "form": form, "title": _("上报优秀工作法或案例"), "multipart": True},
        status=status,
    )


def _practice(request: HttpRequest, pk: int) -> GoodPractice:
    rows = GoodPractice.objects.visible_to(request.user).select_related("village__town", "reported_by", "adopted_by")
    return get_object_or_404(rows, pk=pk)


@login_required
def practice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    practice = _practice(request, pk)
    may_adopt = practice.status == PracticeStatus.REPORTED and access.may_review_for_town(
        request.user, practice.village.town_id
    )
    return render(
        request,
        "people/practice_detail.html",
        {"practice": practice, "village": practice.village, "may_adopt": may_adopt},
    )


@login_required
def practice_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    practice = _practice(request, pk)
    if not practice.attachment:
        raise Http404
    name = practice.attachment.name.rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return stored_file_response(
        practice.attachment, content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"), filename=name
    )


@login_required
def town_practices(request: HttpRequest) -> HttpResponse:
    _require_town(request)
    villages = Village.objects.visible_to(request.user).active().order_by("name")
    base = GoodPractice.objects.visible_to(request.user).select_related("village", "reported_by")
    filterset = TownPracticeFilter(
        request.GET or None, queryset=base.order_by("-reported_on", "-pk"), villages=villages
    )
    page, query = paginate(request, filterset.qs)
    return render(request, "people/town_practices.html", {"filter": filterset, "page": page, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def practice_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    practice = _practice(request, pk)
    if not access.may_review_for_town(request.user, practice.village.town_id):
        raise PermissionDenied(_("只有镇综治办可以采用上报的材料。"))
    form = AdoptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.practice_adopt(by=request.user, practice=practice, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已采用“%(title)s”，已通知该村。") % {"title": practice.title})
        return redirect("people:practice-detail", pk=practice.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "people/practice_adopt.html",
        {"practice": practice, "village": practice.village, "form": form},
        status=status,
    )


urlpatterns = [
    path("villages/<int:pk>/practices/", village_practices, name="village-practices"),
    path("villages/<int:pk>/practices/new/", practice_new, name="practice-new"),
    path("practices/<int:pk>/", practice_detail, name="practice-detail"),
    path("practices/<int:pk>/attachment/", practice_attachment, name="practice-attachment"),
    path("practices/<int:pk>/adopt/", practice_adopt, name="practice-adopt"),
    path("town/practices/", town_practices, name="town-practices"),
]
