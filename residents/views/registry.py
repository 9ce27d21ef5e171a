"""Registry pages: lists, details, forms, moves, archive/restore, and the grid
worker's phone pages for households. Every lookup goes through ``visible_to``; changes through
``changeable_by``; out of scope is a 404, read-only scope a 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit import trail
from audit.models import AuditAction
from core.pages import paginate
from grids import access
from grids.forms import add_service_errors
from grids.models import Village

from .. import services
from ..codes import Relation
from ..filters import HouseholdFilter, KeyPersonFilter, KeyPlaceFilter, ResidentFilter
from ..forms import (
    FieldHouseholdForm,
    HouseholdForm,
    HouseholdMoveForm,
    KeyPersonForm,
    KeyPlaceForm,
    ResidentForm,
    ResidentMoveForm,
    ResponsibleFormSet,
)
from ..models import Household, KeyPerson, KeyPlace, Resident

# --- helpers --------------------------------------------------------------------------------------


def _require_change(request: HttpRequest, obj, changeable_qs) -> None:
    if not changeable_qs.filter(pk=obj.pk).exists():
        raise PermissionDenied(_("您可以查看，但只有本村村干部可以修改。"))


def _ordered(filterset, *default: str):
    """The user's chosen ordering (OrderingFilter), else the list's natural order."""
    qs = filterset.qs
    return qs if qs.query.order_by else qs.order_by(*default)


def _active_unless_archived_asked(request: HttpRequest, queryset):
    return queryset if request.GET.get("archived") in {"true", "1"} else queryset.active()


def _staff_village(request: HttpRequest, pk: int) -> Village:
    return access.village_for_change(request.user, pk)


def _default_village(request: HttpRequest) -> Village | None:
    villages = list(access.changeable_villages(request.user).active()[:2])
    return villages[0] if len(villages) == 1 else None


# --- Households ---------------------------------------------------------------------------------------


def _household_rows(queryset):
    head = Resident.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD, archived_at__isnull=True)
    members = (
        Resident.objects.filter(household=OuterRef("pk"), archived_at__isnull=True)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        queryset.select_related("grid", "micro_grid", "villager_group")
        .prefetch_related("tags")
        .annotate(head_name=Subquery(head.values("name")[:1]), member_count=Subquery(members))
    )


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    base = _active_unless_archived_asked(request, Household.objects.visible_to(request.user))
    filterset = HouseholdFilter(request.GET, queryset=_household_rows(base), user=request.user)
    page, query = paginate(request, _ordered(filterset, "village_id", "number"))
    return render(
        request,
        "residents/household_list.html",
        {"filter": filterset, "page": page, "query": query, "create_village": _default_village(request)},
    )


def _visible_household(request: HttpRequest, pk: int) -> Household:
    return get_object_or_404(
        Household.objects.visible_to(request.user).select_related(
            "village", "grid", "micro_grid", "villager_group", "natural_village"
        ),
        pk=pk,
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = _visible_household(request, pk)
    members = list(household.members.order_by("archived_at", "relation", "birth_date"))
    key_persons = (
        KeyPerson.objects.visible_to(request.user).filter(resident__household=household).select_related("resident")
    )
    context = {
        "household": household,
        "members": members,
        "key_persons": key_persons,
        "moves": household.moves.select_related("from_micro_grid__grid", "to_micro_grid__grid", "moved_by"),
        "can_change": Household.objects.changeable_by(request.user).filter(pk=household.pk).exists(),
        "can_manage": access.can_manage_village(request.user, household.village),
    }
    return render(request, "residents/household_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest, pk: int) -> HttpResponse:
    village = _staff_village(request, pk)
    form = HouseholdForm(request.POST or None, village=village)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_save(by=request.user, household=form.save(commit=False))
            form.save_m2m()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已新建户“%(h)s”。") % {"h": household})
            return redirect("residents:household-detail", pk=household.pk)
    return render(request, "residents/household_form.html", {"form": form, "village": village})


def _household_for_staff(request: HttpRequest, pk: int) -> Household:
    household = _visible_household(request, pk)
    access.require_manage(request.user, household.village)
    return household


@login_required
@require_http_methods(["GET", "POST"])
def household_update(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_staff(request, pk)
    if household.is_archived:
        raise PermissionDenied(_("该户已归档，请先恢复。"))
    form = HouseholdForm(request.POST or None, instance=household, village=household.village)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_save(by=request.user, household=form.save(commit=False))
            form.save_m2m()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("residents:household-detail", pk=household.pk)
    return render(
        request, "residents/household_form.html", {"form": form, "village": household.village, "household": household}
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_move(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_staff(request, pk)
    form = HouseholdMoveForm(request.POST or None, village=household.village)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_move(
                by=request.user, household=household, to=form.cleaned_data["micro_grid"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已将该户迁到“%(m)s”。") % {"m": form.cleaned_data["micro_grid"]})
            return redirect("residents:household-detail", pk=household.pk)
    return render(request, "residents/household_move.html", {"form": form, "household": household})


@login_required
@require_POST
def household_archive(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_staff(request, pk)
    services.household_archive(by=request.user, household=household)
    messages.success(request, _("已归档该户及其成员；历史记录保留，可随时恢复。"))
    return redirect("residents:household-detail", pk=household.pk)


@login_required
@require_POST
def household_restore(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_for_staff(request, pk)
    try:
        services.household_restore(by=request.user, household=household)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已恢复该户。"))
    return redirect("residents:household-detail", pk=household.pk)


# --- Residents ----------------------------------------------------------------------------------------


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    base = _active_unless_archived_asked(request, Resident.objects.visible_to(request.user))
    base = base.select_related("household", "household__grid")
    filterset = ResidentFilter(request.GET, queryset=base, user=request.user)
    page, query = paginate(request, _ordered(filterset, "village_id", "household_id", "relation", "pk"))
    return render(
        request,
        "residents/resident_list.html",
        {"filter": filterset, "page": page, "query": query, "create_village": _default_village(request)},
    )


def _visible_resident(request: HttpRequest, pk: int) -> Resident:
    return get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("village", "household__grid", "household__micro_grid"),
        pk=pk,
    )


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _visible_resident(request, pk)
    context = {
        "resident": resident,
        "key_listings": KeyPerson.objects.visible_to(request.user).filter(resident=resident),
        "moves": resident.moves.select_related("from_household", "to_household", "moved_by"),
        "can_manage": access.can_manage_village(request.user, resident.village),
        "may_see_full_id": services.may_see_full_id(request.user, resident),
    }
    return render(request, "residents/resident_detail.html", context)


@login_required
@require_POST
def resident_id_number(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number once, and record who saw it."""
    resident = _visible_resident(request, pk)
    try:
        number = services.id_number_reveal(
            viewer=request.user, resident=resident, address=trail.client_address(request), purpose="resident-page"
        )
    except PermissionError:
        raise PermissionDenied(_("只有本村村干部可以查看完整身份证号码。")) from None
    return render(request, "residents/resident_id_number.html", {"resident": resident, "number": number})


@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request: HttpRequest, pk: int) -> HttpResponse:
    village = _staff_village(request, pk)
    initial = {}
    if number := request.GET.get("household"):
        initial["household"] = number
    form = ResidentForm(request.POST or None, village=village, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_save(
                by=request.user, resident=form.save(commit=False), id_number=form.cleaned_data["id_number"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记居民“%(name)s”。") % {"name": resident.name})
            return redirect("residents:resident-detail", pk=resident.pk)
    return render(request, "residents/resident_form.html", {"form": form, "village": village})


def _resident_for_staff(request: HttpRequest, pk: int) -> Resident:
    resident = _visible_resident(request, pk)
    access.require_manage(request.user, resident.village)
    return resident


@login_required
@require_http_methods(["GET", "POST"])
def resident_update(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_for_staff(request, pk)
    if resident.is_archived:
        raise PermissionDenied(_("该居民已归档，请先恢复。"))
    form = ResidentForm(request.POST or None, instance=resident, village=resident.village)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_save(
                by=request.user, resident=form.save(commit=False), id_number=form.cleaned_data["id_number"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("residents:resident-detail", pk=resident.pk)
    return render(
        request, "residents/resident_form.html", {"form": form, "village": resident.village, "resident": resident}
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_move(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_for_staff(request, pk)
    form = ResidentMoveForm(request.POST or None, village=resident.village)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_move(
                by=request.user,
                resident=resident,
                to=form.cleaned_data["household"],
                relation=form.cleaned_data["relation"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已迁移。"))
            return redirect("residents:resident-detail", pk=resident.pk)
    return render(request, "residents/resident_move.html", {"form": form, "resident": resident})


@login_required
@require_POST
def resident_archive(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_for_staff(request, pk)
    services.resident_archive(by=request.user, resident=resident)
    messages.success(request, _("已归档；历史记录保留，可随时恢复。"))
    return redirect("residents:resident-detail", pk=resident.pk)


@login_required
@require_POST
def resident_restore(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_for_staff(request, pk)
    try:
        services.resident_restore(by=request.user, resident=resident)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已恢复。"))
    return redirect("residents:resident-detail", pk=resident.pk)


# --- Key persons ----------------------------------------------------------------------------------------


@login_required
def key_person_list(request: HttpRequest) -> HttpResponse:
    base = KeyPerson.objects.visible_to(request.user).select_related("resident__household__grid")
    if "current" not in request.GET:
        base = base.current()
    filterset = KeyPersonFilter(request.GET, queryset=base, user=request.user)
    page, query = paginate(request, _ordered(filterset, "category", "-risk_level", "resident__name"))
    return render(request, "residents/key_person_list.html", {"filter": filterset, "page": page, "query": query})


def _visible_key_person(request: HttpRequest, pk: int) -> KeyPerson:
    return get_object_or_404(
        KeyPerson.objects.visible_to(request.user).select_related("resident__village", "resident__household__grid"),
        pk=pk,
    )


@login_required
def key_person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    key_person = _visible_key_person(request, pk)
    trail.record(AuditAction.VIEW, key_person)
    context = {
        "kp": key_person,
        "responsibles": key_person.responsibles.select_related("user"),
        "can_manage": access.can_manage_village(request.user, key_person.resident.village),
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


# --- Key places -----------------------------------------------------------------------------------------


@login_required
def key_place_list(request: HttpRequest) -> HttpResponse:
    base = _active_unless_archived_asked(request, KeyPlace.objects.visible_to(request.user)).select_related("grid")
    filterset = KeyPlaceFilter(request.GET, queryset=base, user=request.user)
    page, query = paginate(request, _ordered(filterset, "village", "grid", "type", "name"))
    return render(
        request,
        "residents/key_place_list.html",
        {"filter": filterset, "page": page, "query": query, "create_village": _default_village(request)},
    )


def _visible_key_place(request: HttpRequest, pk: int) -> KeyPlace:
    return get_object_or_404(
        KeyPlace.objects.visible_to(request.user).select_related("village", "grid", "micro_grid", "owner"), pk=pk
    )


@login_required
def key_place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = _visible_key_place(request, pk)
    context = {
        "place": place,
        "tenants": place.tenants.all(),
        "can_manage": access.can_manage_village(request.user, place.village),
    }
    return render(request, "residents/key_place_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def key_place_create(request: HttpRequest, pk: int) -> HttpResponse:
    village = _staff_village(request, pk)
    form = KeyPlaceForm(request.POST or None, village=village)
    if request.method == "POST" and form.is_valid():
        place = form.save()
        messages.success(request, _("已新建重点场所“%(name)s”。") % {"name": place.name})
        return redirect("residents:keyplace-detail", pk=place.pk)
    return render(request, "residents/key_place_form.html", {"form": form, "village": village})


@login_required
@require_http_methods(["GET", "POST"])
def key_place_update(request: HttpRequest, pk: int) -> HttpResponse:
    place = _visible_key_place(request, pk)
    access.require_manage(request.user, place.village)
    if place.is_archived:
        raise PermissionDenied(_("该场所已归档，请先恢复。"))
    form = KeyPlaceForm(request.POST or None, instance=place, village=place.village)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存。"))
        return redirect("residents:keyplace-detail", pk=place.pk)
    return render(request, "residents/key_place_form.html", {"form": form, "village": place.village, "place": place})


# --- Field (phone) pages for grid workers ----------------------------------------------------------------


def _require_field_worker(request: HttpRequest) -> None:
    if not access.scope_for(request.user).works_in_field:
        raise PermissionDenied(_("此页面供网格员使用。"))


@login_required
def field_household_list(request: HttpRequest) -> HttpResponse:
    """Find a household of my grids by name, address, phone or the last four of an ID number."""
    _require_field_worker(request)
    base = _household_rows(Household.objects.visible_to(request.user).active())
    filterset = HouseholdFilter(request.GET, queryset=base, user=request.user)
    page, query = paginate(request, filterset.qs.order_by("micro_grid__number", "address"), per_page=20)
    return render(request, "residents/field_household_list.html", {"filter": filterset, "page": page, "query": query})


@login_required
def field_household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_field_worker(request)
    household = _visible_household(request, pk)
    members = household.members.active().order_by("relation", "birth_date")
    can_change = Household.objects.changeable_by(request.user).filter(pk=household.pk).exists()
    return render(
        request,
        "residents/field_household_detail.html",
        {"household": household, "members": members, "can_change": can_change},
    )


@login_required
@require_http_methods(["GET", "POST"])
def field_household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_field_worker(request)
    household = _visible_household(request, pk)
    _require_change(request, household, Household.objects.changeable_by(request.user))
    form = FieldHouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        services.household_save(by=request.user, household=form.save(commit=False))
        messages.success(request, _("已保存。"))
        return redirect("residents:field-household-detail", pk=household.pk)
    return render(request, "residents/field_household_edit.html", {"form": form, "household": household})


@login_required
@require_POST
def key_place_archive(request: HttpRequest, pk: int) -> HttpResponse:
    place = _visible_key_place(request, pk)
    access.require_manage(request.user, place.village)
    services.key_place_set_archived(place=place, archived=request.POST.get("restore") != "1")
    messages.success(request, _("已恢复。") if request.POST.get("restore") == "1" else _("已归档；可随时恢复。"))
    return redirect("residents:keyplace-detail", pk=place.pk)
