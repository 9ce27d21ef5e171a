"""The audit log's pages: the list (filtered, paged) and its export, for the system admin and the town
office; a sensitive entry keeps its object and changes from the town (docs/architecture.md)."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import excel
from core.pages import paginate, xlsx_response
from grids import access

from . import trail
from .filters import AuditFilter, model_name
from .models import AuditAction, AuditEntry

AUDIT_EXPORT_LIMIT = 50_000


def _audit_entries(request: HttpRequest) -> tuple[AuditFilter, bool]:
    """The entries this user may read, filtered as asked; 404 for anyone who may read none."""
    if not access.may_read_audit(request.user):
        raise Http404
    entries = AuditEntry.objects.visible_to(request.user).select_related("village")
    return AuditFilter(request.GET, queryset=entries, user=request.user), access.scope_for(request.user).is_admin


def _shown(entry: AuditEntry, reveal: bool) -> AuditEntry:
    """What a reader sees of an entry: a sensitive one keeps its object and changes from the town."""
    entry.hidden = entry.sensitive and not reveal
    entry.model_name = model_name(entry.model) if entry.model else ""
    if entry.hidden:
        entry.shown_repr, entry.shown_changes = _("（敏感信息，仅系统管理员可见）"), []
        return entry
    labels = _field_labels(entry.model)
    secret = frozenset() if reveal else trail.secret_fields(entry.model)
    entry.shown_repr = entry.object_repr
    entry.shown_changes = [
        (labels.get(name, name), *(value if isinstance(value, list) and len(value) == 2 else ("", value)))
        if name not in secret
        else (labels.get(name, name), "", trail.HIDDEN)
        for name, value in entry.changes.items()
    ]
    return entry


def _field_labels(label: str) -> dict[str, str]:
    try:
        fields = apps.get_model(label)._meta.concrete_fields
    except (LookupError, ValueError):
        return {}
    return {f.attname: str(f.verbose_name) for f in fields} | {f.name: str(f.verbose_name) for f in fields}


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    filterset, reveal = _audit_entries(request)
    page, query = paginate(request, filterset.qs)
    entries = [_shown(entry, reveal) for entry in page.object_list]
    context = {
        "filter": filterset,
        "page": page,
        "query": query,
        "entries": entries,
        "audit_retention_days": settings.AUDIT_RETENTION_DAYS,
    }
    return render(request, "audit/audit_list.html", context)


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered entries as a workbook (at most 50,000, newest first); the export is itself audited."""
    filterset, reveal = _audit_entries(request)
    if not filterset.is_valid():
        return redirect(f"{reverse('audit:audit-list')}?{request.GET.urlencode()}")
    book = excel.new_workbook()
    sheet = excel.add_sheet(
        book,
        _("审计日志"),
        [
            _("时间"),
            _("操作人"),
            _("来源地址"),
            _("操作"),
            _("对象类型"),
            _("对象"),
            _("行政村"),
            _("变更内容"),
            _("说明"),
        ],
    )
    rows = 0
    for entry in filterset.qs[:AUDIT_EXPORT_LIMIT].iterator(chunk_size=2000):
        entry = _shown(entry, reveal)
        changes = "；".join(f"{label}: {before} → {after}" for label, before, after in entry.shown_changes)
        at = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S")
        village = entry.village.name if entry.village else ""
        excel.append_row(
            sheet,
            [
                at,
                entry.actor_label,
                entry.address or "",
                entry.get_action_display(),
                entry.model_name,
                entry.shown_repr,
                village,
                changes,
                entry.note,
            ],
        )
        rows += 1
    content = excel.workbook_bytes(book)
    trail.record(
        AuditAction.EXPORT,
        model="audit.auditentry",
        note=f"audit {request.GET.urlencode()}",
        changes={"rows": [None, rows]},
    )
    return xlsx_response(content, f"audit-{timezone.localdate():%Y%m%d}.xlsx")
