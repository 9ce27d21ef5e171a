"""Key-person pages: list, detail (each view recorded), and the listing with its people responsible,
saved together."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit import trail
from audit.models import AuditAction
from core.db import get_as_written_or_404
from core.pages import paginate
from grids import access

from .. import panels
from ..filters import KeyPersonFilter
from ..forms import KeyPersonForm, ResponsibleFormSet
from ..models import KeyPerson, Resident
from ._shared import _ordered
from .residents import _resident_for_staff


def _rows(key_persons):
    """The resident's name and the household's grid as values, not three objects a row (docs/performance.md,
    "What a row shows")."""
    return key_persons.annotate(resident_name=F("resident__name"), grid_name=F("resident__household__grid__name"))


@login_required
def key_person_list(request: HttpRequest) -> HttpResponse:
    base = KeyPerson.objects.visible_to(request.user).with_last_visit()
    if "current" not in request.GET:
        base = base.current()
    filterset = KeyPersonFilter(request.GET, queryset=base, user=request.user)
    # Ordered by the resident's name, joined: the ids statement reads every listing anyway, and counts them.
    ordered = _ordered(filterset, "category", "-risk_level", "resident__name")
    page, query = paginate(request, ordered, rows=_rows, reads_all=True)
    every = _("每 %(d)s 天")  # the visit interval, written once per row by the rows (core/jinja.py)
    for key_person in page.object_list:
        key_person.every_label = every % {"d": key_person.cadence.interval_days}
    return render(request, "residents/key_person_list.html", {"filter": filterset, "page": page, "query": query})


def _visible_key_person(request: HttpRequest, pk: int) -> KeyPerson:
    key_persons = KeyPerson.objects.visible_to(request.user).select_related(
        "resident__village", "resident__household__grid"
    )
    return get_as_written_or_404(key_persons, pk=pk)


@login_required
def key_person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    key_person = _visible_key_person(request, pk)
    trail.record(AuditAction.VIEW, key_person)
    context = {
        "kp": key_person,
        "responsibles": key_person.responsibles.select_related("user"),
        "can_manage": access.can_manage_village(request.user, key_person.resident.village),
        # Visits and cases, from the apps above the registry (residents/panels.py).
        "panels": panels.panels_for(panels.KEY_PERSON, request.user, key_person),
    }
    return render(request, "residents/key_person_detail.html", context)


def _key_person_form_page(request: HttpRequest, resident: Resident, key_person: KeyPerson | None) -> HttpResponse:
    """The listing and its people responsible, saved together or not at all."""
    form = KeyPersonForm(request.POST or None, instance=key_person, resident=resident)
    risk = form.data.get("risk_level") if form.is_bound else (key_person.risk_level if key_person else None)
    category = form.data.get("category") if form.is_bound else (key_person.category if key_person else None)
    formset = ResponsibleFormSet(
        request.POST or None,
        instance=key_person or KeyPerson(resident=resident),
        prefix="responsible",
        risk_level=int(risk) if str(risk or "").isdecimal() else None,  # not isdigit(): "²" is a digit to it
        category=category,
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            saved = form.save()
            formset.instance = saved
            formset.save()
        messages.success(
            request, _("已保存%(name)s（%(cat)s）。") % {"name": resident.name, "cat": saved.get_category_display()}
        )
        return redirect("residents:keyperson-detail", pk=saved.pk)
    return render(
        request,
        "residents/key_person_form.html",
        {"form": form, "formset": formset, "resident": resident, "kp": key_person},
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_person_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _key_person_form_page(request, _resident_for_staff(request, pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def key_person_update(request: HttpRequest, pk: int) -> HttpResponse:
    key_person = _visible_key_person(request, pk)
    access.require_manage(request.user, key_person.resident.village)
    return _key_person_form_page(request, key_person.resident, key_person)
