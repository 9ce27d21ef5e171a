"""Village documents (村规民约, 公约) pages (docs/cogovernance.md): the list with each document's current
version, a new document with its first text (both saved or neither), a document's page with its history, a
new adopted version, the current text printed on A4, archiving.

Who: as for projects (``projects.village_for_read``): the village's staff change, the town office reads.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import paginate
from grids import access
from grids.forms import add_service_errors

from .. import services
from ..filters_records import DocumentFilter
from ..forms_records import DocumentForm, VersionForm
from ..models import AdoptedBy, DocumentVersion, VillageDocument
from .projects import village_for_change, village_for_read


def _document(request: HttpRequest, pk: int) -> VillageDocument:
    return get_object_or_404(
        VillageDocument.objects.visible_to(request.user).select_related("village", "created_by"), pk=pk
    )


def _current(document: VillageDocument) -> DocumentVersion | None:
    return document.versions.select_related("recorded_by").order_by("-number").first()


@login_required
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    base = VillageDocument.objects.visible_to(request.user).filter(village=village)
    if request.GET.get("archived") != "true":
        base = base.active()
    filterset = DocumentFilter(request.GET or None, queryset=base)
    current = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    documents = filterset.qs.annotate(
        n_versions=Count("versions"),
        current_number=Subquery(current.values("number")[:1]),
        adopted_on=Subquery(current.values("adopted_on")[:1]),
        adopted_by=Subquery(current.values("adopted_by")[:1]),
        copies=Subquery(current.values("copies")[:1]),
    ).order_by("kind", "title", "pk")
    page, query = paginate(request, documents)
    how = dict(AdoptedBy.choices)
    for d in page.object_list:
        d.adopted_by_label = how.get(d.adopted_by, "")
    return render(
        request,
        "cogovernance/document_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "may_change": access.can_manage_village(request.user, village),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The document and its first adopted text in one form: both saved, or neither."""
    village = village_for_change(request, pk)
    form = DocumentForm(request.POST or None, village=village)
    version_form = VersionForm(request.POST or None, initial={"adopted_by": AdoptedBy.VILLAGERS_MEETING})
    if request.method == "POST" and form.is_valid() & version_form.is_valid():  # both checked, every error shown
        document = form.save(commit=False)
        try:
            with transaction.atomic():
                services.document_save(by=request.user, document=document)
                services.document_adopt(by=request.user, document=document, version=version_form.save(commit=False))
        except ValidationError as error:
            document.pk = None  # rolled back: the form stays a new document's
            version_form.instance.pk = None
            if hasattr(error, "error_dict") and set(error.error_dict) <= set(version_form.fields):
                add_service_errors(version_form, error)
            else:
                add_service_errors(form, error)
        else:
            messages.success(request, _("已登记“%(title)s”。") % {"title": document.title})
            return redirect("cogovernance:document-detail", pk=document.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cogovernance/document_form.html",
        {"form": form, "version_form": version_form, "village": village},
        status=status,
    )


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    versions = list(document.versions.select_related("recorded_by").order_by("-number"))
    return render(
        request,
        "cogovernance/document_detail.html",
        {
            "document": document,
            "village": document.village,
            "current": versions[0] if versions else None,
            "versions": versions,
            "may_change": access.can_manage_village(request.user, document.village) and not document.is_archived,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """A new adopted version: the next number; the text starts as the current one, to be amended."""
    document = _document(request, pk)
    access.require_manage(request.user, document.village)
    if document.is_archived:
        messages.error(request, _("该文件已归档，不能再修订。"))
        return redirect("cogovernance:document-detail", pk=document.pk)
    current = _current(document)
    initial = {"adopted_on": timezone.localdate()}
    if current is not None:
        initial |= {"text": current.text, "adopted_by": current.adopted_by, "copies": current.copies}
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.document_adopt(by=request.user, document=document, version=form.save(commit=False))
        except ValidationError as error:
            form.instance.pk = None
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记第 %(n)d 版。") % {"n": version.number})
            return redirect("cogovernance:document-detail", pk=document.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cogovernance/document_adopt.html",
        {"form": form, "document": document, "village": document.village, "current": current},
        status=status,
    )


@login_required
def document_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The current text on A4, for the notice board and the copies handed out."""
    document = _document(request, pk)
    current = _current(document)
    if current is None:
        messages.error(request, _("该文件还没有登记通过的文本。"))
        return redirect("cogovernance:document-detail", pk=document.pk)
    return render(
        request,
        "cogovernance/document_print.html",
        {"document": document, "village": document.village, "current": current},
    )


@login_required
@require_POST
def document_archive(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    access.require_manage(request.user, document.village)
    services.document_archive(by=request.user, document=document)
    messages.success(request, _("已归档；各版本文本保留。"))
    return redirect("cogovernance:document-detail", pk=document.pk)


urlpatterns = [
    path("villages/<int:pk>/cogov/documents/", document_list, name="document-list"),
    path("villages/<int:pk>/cogov/documents/new/", document_new, name="document-new"),
    path("cogov/documents/<int:pk>/", document_detail, name="document-detail"),
    path("cogov/documents/<int:pk>/adopt/", document_adopt, name="document-adopt"),
    path("cogov/documents/<int:pk>/print/", document_print, name="document-print"),
    path("cogov/documents/<int:pk>/archive/", document_archive, name="document-archive"),
]
