"""The 六好 scorecard's pages (docs/scorecard.md): a village's scorecard for a period, the town's villages
side by side and its Excel export. A village's scorecard is for those who see its records (its staff, the
town office, the admin; anyone else gets a 404); the town's comparison for the town office and the admin
(others 403, like the town's other pages)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail
from core.excel import add_sheet, append_row, new_workbook, workbook_bytes
from core.pages import xlsx_response
from grids import access
from grids.models import Village

from . import BadPeriod, Criterion, compute, parse
from .period import MONTH, QUARTER, YEAR, of

TOTAL = "total"


def _period(request: HttpRequest):
    """(period, error message): a bad ``period`` answers the page with its message and a 400."""
    try:
        return parse(request.GET.get("period")), ""
    except BadPeriod as error:
        return None, str(error)


def _choices(period) -> dict:
    """The picker's choices: the years around the period's, its quarters and months."""
    today = timezone.localdate()
    year = period.first.year if period else today.year
    return {
        "years": [str(y) for y in range(today.year, today.year - 5, -1)],
        "quarters": [f"{year}-Q{q}" for q in range(1, 5)],
        "months": [f"{year}-{m:02d}" for m in range(1, 13)],
    }


def _bars(values: list[tuple[str, int | None]]) -> list[dict]:
    return [{"label": label, "pct": v or 0, "n": "—" if v is None else v} for label, v in values]


@login_required
def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    village = access.readable_village(request.user, pk)
    period, error = _period(request)
    context = {
        "village": village,
        "period": period,
        "error": error,
        "raw": request.GET.get("period", ""),
        **_choices(period),
    }
    if error:
        return render(request, "reports/scorecard.html", context, status=400)
    card = compute([village.pk], period)[village.pk]
    context.update(
        card=card,
        bars=_bars([(c.label, c.score) for c in card.criteria]),
        current={
            YEAR: of(YEAR, timezone.localdate()).key,
            QUARTER: of(QUARTER, timezone.localdate()).key,
            MONTH: of(MONTH, timezone.localdate()).key,
        },
    )
    return render(request, "reports/scorecard.html", context)


def _town(request: HttpRequest, *, previous: bool = False):
    """The town's villages, the period and their scorecards; the page shows scores only, so it skips the
    previous period (the export's detail sheet shows it)."""
    if not access.may_use_town_pages(request.user):
        raise PermissionDenied(_("此页面供镇综治办使用。"))
    villages = list(
        Village.objects.visible_to(request.user).active().filter(town__archived_at__isnull=True).order_by("name")
    )
    period, error = _period(request)
    if error:
        return villages, None, error, {}
    return villages, period, "", compute([v.pk for v in villages], period, links=False, previous=previous)


@login_required
def town_scorecards(request: HttpRequest) -> HttpResponse:
    villages, period, error, cards = _town(request)
    context = {"period": period, "error": error, "raw": request.GET.get("period", ""), **_choices(period)}
    if error:
        return render(request, "reports/town_scorecards.html", context, status=400)
    chosen = request.GET.get("criterion", TOTAL)
    if chosen not in Criterion.values:
        chosen = TOTAL
    rows = [(v, cards[v.pk]) for v in villages]

    def figure(card):
        return card.total if chosen == TOTAL else next(c.score for c in card.criteria if c.code == chosen)

    context.update(
        rows=rows,
        criteria=Criterion.choices,
        chosen=chosen,
        chosen_label=_("总分") if chosen == TOTAL else Criterion(chosen).label,
        bars=_bars([(v.name, figure(card)) for v, card in rows]),
    )
    return render(request, "reports/town_scorecards.html", context)


@login_required
def town_scorecards_export(request: HttpRequest) -> HttpResponse:
    villages, period, error, cards = _town(request, previous=True)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    book = new_workbook()
    headers = [_("村"), *[str(label) for _c, label in Criterion.choices], _("总分")]
    sheet = add_sheet(book, _("六好评分"), headers, widths={"A": 20})
    for village in villages:
        card = cards[village.pk]
        append_row(sheet, [village.name, *[c.score for c in card.criteria], card.total])
    details = add_sheet(
        book,
        _("指标明细"),
        [_("村"), _("六好"), _("指标"), _("数值"), _("单位"), _("目标"), _("达标"), _("上期")],
        widths={"A": 20, "B": 14, "C": 34},
    )
    for village in villages:
        for c in cards[village.pk].criteria:
            for i in c.indicators:
                met = "" if i.met is None else (_("是") if i.met else _("否"))
                value = _("无记录") if i.value is None else i.value
                target = f"{i.comparison_sign}{i.target}"
                append_row(details, [village.name, c.label, i.label, value, i.unit, target, met, i.previous])
    trail.record_export(request, "reports_scorecards", len(villages), False)
    return xlsx_response(workbook_bytes(book), f"scorecards-{period.key}.xlsx")
