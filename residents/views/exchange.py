"""Excel in and out: templates, imports (upload → check → preview → confirm → progress → result), and
exports of what a list's filters show. Exports hold personal data: every one is recorded, and ID numbers
are full only for those who may see them in full."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from audit import trail
from audit.models import AuditAction
from core.pages import stamped_xlsx_response, xlsx_response
from grids import access

from .. import excel, idnumber, imports, tasks
from ..filters import HouseholdFilter, KeyPersonFilter, KeyPlaceFilter, ResidentFilter
from ..models import Household, ImportJob, ImportKind, ImportMode, ImportStatus, KeyPerson, KeyPlace, Resident
from ._shared import _active_unless_archived_asked, _staff_village

MAX_UPLOAD = 20 * 1024 * 1024


# --- templates --------------------------------------------------------------------------------------------


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in excel.SHEETS:
        return HttpResponse(status=404)
    return xlsx_response(excel.template(kind), f"{kind}-template.xlsx")


# --- imports --------------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("导入内容"), choices=ImportKind.choices)
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件（可先下载模板）。"))
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过 20 MB，请拆分后分批导入。"))
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = _staff_village(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            village=village,
            created_by=request.user,
            kind=form.cleaned_data["kind"],
            file=upload,
            filename=upload.name[:200],
        )
        transaction.on_commit(lambda: tasks.import_plan.delay(job.pk))
        return redirect("residents:import-detail", pk=job.pk)
    recent = ImportJob.objects.visible_to(request.user).filter(village=village)[:10]
    return render(request, "residents/import_new.html", {"form": form, "village": village, "recent": recent})


def _visible_job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user).select_related("village", "created_by"), pk=pk)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    progress = imports.progress_get(job) if job.is_busy else None
    percent = int(100 * progress["done"] / progress["total"]) if progress and progress["total"] else None
    return render(
        request,
        "residents/import_detail.html",
        {"job": job, "s": job.summary, "progress": progress, "percent": percent, "modes": ImportMode.choices},
    )


@login_required
@require_POST
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    mode = request.POST.get("mode", ImportMode.ALL_OR_NOTHING)
    if mode not in ImportMode.values:
        mode = ImportMode.ALL_OR_NOTHING
    # Claim before acting: a double click or a second tab applies the file once.
    try:
        imports.import_move(
            job,
            ImportStatus.APPLYING,
            changes={"mode": mode},
            event=lambda: trail.record(
                AuditAction.IMPORT, job, village_id=job.village_id, note=_("确认导入 %(file)s") % {"file": job.filename}
            ),
        )
    except (imports.InvalidImportTransition, imports.ImportChanged):
        messages.info(request, _("该导入已在处理或已完成。"))
    else:
        transaction.on_commit(lambda: tasks.import_apply.delay(job.pk))
    return redirect("residents:import-detail", pk=job.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    try:
        imports.import_cancel(job=job)
    except (imports.InvalidImportTransition, imports.ImportChanged):
        messages.info(request, _("该导入已在处理或已完成，不能再取消。"))
    else:
        messages.success(request, _("已取消导入，上传的文件已删除。"))
    return redirect("residents:import-detail", pk=job.pk)


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    if job.status == ImportStatus.PLANNING:
        raise PermissionDenied(_("还在检查文件，请稍候。"))
    try:
        content = imports.error_rows_workbook(job)
    except imports.FileGone:
        # The rows are cut from the uploaded file, which goes when the job ends (it holds ID numbers).
        messages.info(
            request,
            _(
                "导入结束后，上传的文件已删除（其中含身份证号码），不能再下载错误行。请按本页列出的行号和原因在原文件中更正后重新上传。"
            ),
        )
        return redirect("residents:import-detail", pk=job.pk)
    return xlsx_response(content, f"errors-{job.pk}.xlsx")


# --- exports -------------------------------------------------------------------------------------------------


def _id_cell(request: HttpRequest, resident: Resident, full_villages: set[int]) -> str:
    if resident.village_id in full_villages:
        return resident.id_number
    return idnumber.mask_hard(resident.id_number)


def _full_id_villages(request: HttpRequest) -> set[int]:
    scope = access.scope_for(request.user)
    if scope.is_admin:
        return set(Resident.objects.values_list("village_id", flat=True).distinct())
    return set(scope.village_ids)


def _resident_row(r: Resident, id_number: str) -> dict:
    h = r.household
    row = {
        "name": r.name,
        "id_number": id_number,
        "relation": r.relation,
        "phone": r.phone,
        "ethnicity": r.ethnicity,
        "political": r.political,
        "marriage": r.marriage,
        "education": r.education,
        "occupation": r.occupation,
        "workplace": r.workplace,
        "hukou_place": r.hukou_place,
        "current_address": r.current_address,
        "registration": r.registration,
        "inflow_reason": r.inflow_reason,
        "registered_on": r.registered_on,
        "document_expires": r.document_expires,
        "lives_here": r.lives_here,
        "away_place": r.away_place,
        "away_since": r.away_since,
    }
    if h is not None:
        row.update(
            household_number=h.number,
            micro_grid=f"{h.micro_grid.grid.name}/{h.micro_grid.name}",
            villager_group=h.villager_group.name,
            natural_village=h.natural_village.name if h.natural_village_id else "",
            address=h.address,
            household_phone=h.phone,
            living_status=h.living_status,
            tags="、".join(t.name for t in h.tags.all()),
        )
    return row


def _export_residents(request: HttpRequest, residents, kind: str) -> HttpResponse:
    residents = residents.select_related(
        "household__micro_grid__grid", "household__villager_group", "household__natural_village"
    ).prefetch_related("household__tags")
    full = _full_id_villages(request)
    rows = []
    full_used = False
    for r in residents.iterator(chunk_size=2000):
        full_used |= r.village_id in full
        rows.append(_resident_row(r, _id_cell(request, r, full)))
    trail.record_export(request, kind, len(rows), full_used)
    title, columns = excel.SHEETS[ImportKind.HOUSEHOLDS]
    return stamped_xlsx_response(excel.write_workbook(title, columns, rows), kind)


@login_required
def household_export(request: HttpRequest) -> HttpResponse:
    base = _active_unless_archived_asked(request, Household.objects.visible_to(request.user))
    households = HouseholdFilter(request.GET, queryset=base, user=request.user).qs
    members = Resident.objects.active().filter(household__in=households.values("pk"))
    return _export_residents(request, members.order_by("household__number", "relation", "birth_date"), "households")


@login_required
def resident_export(request: HttpRequest) -> HttpResponse:
    base = _active_unless_archived_asked(request, Resident.objects.visible_to(request.user))
    residents = ResidentFilter(request.GET, queryset=base, user=request.user).qs
    return _export_residents(request, residents.order_by("village", "household__number", "relation"), "residents")


@login_required
def key_person_export(request: HttpRequest) -> HttpResponse:
    base = KeyPerson.objects.visible_to(request.user)
    if "current" not in request.GET:
        base = base.current()
    key_persons = KeyPersonFilter(request.GET, queryset=base, user=request.user).qs.select_related("resident")
    full = _full_id_villages(request)
    rows, full_used = [], False
    for kp in key_persons.order_by("category", "resident__name"):
        full_used |= kp.resident.village_id in full
        row = {c.key: getattr(kp, c.key, None) for c in excel.KEY_PERSON_COLUMNS}
        row.update(id_number=_id_cell(request, kp.resident, full), name=kp.resident.name)
        rows.append(row)
    trail.record_export(request, "key_persons", len(rows), full_used)
    title, columns = excel.SHEETS[ImportKind.KEY_PERSONS]
    return xlsx_response(excel.write_workbook(title, columns, rows), "key-persons.xlsx")


@login_required
def key_place_export(request: HttpRequest) -> HttpResponse:
    base = _active_unless_archived_asked(request, KeyPlace.objects.visible_to(request.user))
    places = KeyPlaceFilter(request.GET, queryset=base, user=request.user).qs.select_related("grid", "micro_grid")
    rows = [
        {
            "name": p.name,
            "type": p.get_type_display(),
            "grid": p.grid.name,
            "micro_grid": p.micro_grid.name if p.micro_grid_id else "",
            "address": p.address,
            "person_in_charge": p.person_in_charge,
            "phone": p.phone,
            "hazards": p.hazards,
        }
        for p in places.order_by("grid", "type", "name")
    ]
    trail.record_export(request, "key_places", len(rows), False)
    return xlsx_response(excel.write_workbook("重点场所", excel.KEY_PLACE_COLUMNS, rows), "key-places.xlsx")
