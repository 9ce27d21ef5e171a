"""The 汇报材料 draft as a Word document and as a printable page (docs/scorecard.md, "The 汇报材料 draft").

Who: the village's staff, the town office (any village of its town) and the system admin. Grid workers,
liaisons, Party-member logins and other villages get a 404: the draft sums up the whole village's work.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit import trail
from grids import access
from grids.models import Village

from ..scorecard.period import BadPeriod, parse
from . import draft_for, word

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPORT_KIND = "governance_report"


def _village(request: HttpRequest, pk: int) -> Village:
    # Staff of the village and the town office (by its villages' ids), the admin: not the field roles.
    return access.readable_village(request.user, pk)


def _period(request: HttpRequest):
    return parse(request.GET.get("period"), timezone.localdate())


def _bad_period(request: HttpRequest, village: Village, error: BadPeriod) -> HttpResponse:
    return render(request, "reports/governance_report.html", {"village": village, "error": str(error)}, status=400)


@login_required
def governance_report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    try:
        period = _period(request)
    except BadPeriod as error:
        return _bad_period(request, village, error)
    draft = draft_for(village, period)
    content = word.render(draft)
    trail.record_export(request, EXPORT_KIND, rows=len(draft.chapters), full_ids=False)
    response = HttpResponse(content, content_type=DOCX)
    filename = f"governance-report-{village.pk}-{period.key}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def governance_report(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    try:
        period = _period(request)
    except BadPeriod as error:
        return _bad_period(request, village, error)
    draft = draft_for(village, period)
    return render(
        request,
        "reports/governance_report.html",
        {"village": village, "period": period, "draft": draft, "printed_at": timezone.now()},
    )
