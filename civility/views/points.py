"""The points supermarket (积分超市) and the model selections (docs/civility.md).

- The counter (phone pages): find a household of the village, see its balance and the shelf, tap an item,
  confirm, redeemed through ``services.redeem`` (a refusal — balance, stock, someone else took the last one —
  shows the service's message and changes nothing).
- The ledger (desk): households with their balances, one household's append-only entries, an award form
  (through ``services.award``), the Excel export.
- The shelf: items, their points and stock; restocking through ``services.stock_add`` (never below zero).
- Model selections: per year, through ``services.selection_save`` (the points go to the household with it).

Who: the village's staff change (and the admin); the town office reads the lists and gets a 403 on the
counter and every change; a grid worker and another village's staff get a 404, as for anything out of scope.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit import trail
from core.excel import add_sheet, append_row, new_workbook, workbook_bytes
from core.pages import paginate, stamped_xlsx_response
from grids import access
from grids.forms import add_service_errors
from grids.models import Village
from residents.codes import Relation
from residents.models import Household, Resident, head_name

from .. import services
from ..forms_points import (
    AwardForm,
    LedgerFilter,
    RedeemForm,
    SelectionFilter,
    SelectionForm,
    StockItemForm,
    household_search_q,
)
from ..models import ModelSelection, PointsEntry, StockItem

COUNTER_RESULTS = 20  # the counter's search: a phone's screenful or two of big rows

# --- doors -----------------------------------------------------------------------------------------------


def village_for_read(request: HttpRequest, pk: int) -> Village:
    """The village ``pk`` if the user may see its points and selections (its staff, the town office, the
    admin), else 404: a grid worker reaches none, like the records' own ``visible_to``."""
    return access.readable_village(request.user, pk)


def village_for_change(request: HttpRequest, pk: int) -> Village:
    village = village_for_read(request, pk)
    access.require_manage(request.user, village)
    return village


def _household(request: HttpRequest, pk: int, *, change: bool = False) -> Household:
    """A household through the same door as the village's records (the grid's own path left out: the
    supermarket is the village's, not the grid worker's)."""
    households = Household.objects.filter(access.visible_q(request.user, town="village__town", village="village"))
    household = get_object_or_404(households.select_related("village__town"), pk=pk)
    if change:
        access.require_manage(request.user, household.village)
    return household


def _item(request: HttpRequest, pk: int) -> StockItem:
    item = get_object_or_404(StockItem.objects.visible_to(request.user).select_related("village"), pk=pk)
    access.require_manage(request.user, item.village)
    return item


def _with_head_and_balance(queryset):
    return queryset.annotate(
        head_name=head_name(),
        balance=Coalesce("points_account__balance", Value(0), output_field=IntegerField()),
    )


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- the counter (phone) ---------------------------------------------------------------------------------


@login_required
def counter(request: HttpRequest, pk: int) -> HttpResponse:
    """Find the household at the counter: by its number, the head's (any member's) name, or a phone."""
    village = village_for_change(request, pk)
    q = request.GET.get("q", "").strip()
    rows = []
    if q:
        found = Household.objects.active().filter(village=village).filter(household_search_q(q)).distinct()
        rows = list(_with_head_and_balance(found).order_by("number")[: COUNTER_RESULTS + 1])
    return render(
        request,
        "civility/points_counter.html",
        {"village": village, "q": q, "rows": rows[:COUNTER_RESULTS], "more": len(rows) > COUNTER_RESULTS},
    )


@login_required
def counter_household(request: HttpRequest, household: int) -> HttpResponse:
    """The household's balance in big type and the shelf, what it can afford first; ``?item=`` is the confirm
    step for one item (quantity 1, "兑换")."""
    h = _household(request, household, change=True)
    balance = services.balance_of(h)
    shelf = list(
        StockItem.objects.active()
        .filter(village_id=h.village_id)
        .annotate(
            affordable=Case(When(points__lte=balance, stock__gt=0, then=Value(0)), default=Value(1)),
        )
        .order_by("affordable", "points", "name")
    )
    chosen = None
    if (raw := request.GET.get("item", "")).isdigit():
        chosen = next((i for i in shelf if i.pk == int(raw)), None)
    head = Resident.objects.active().filter(household=h, relation=Relation.HEAD).values_list("name", flat=True)
    return render(
        request,
        "civility/points_household.html",
        {
            "household": h,
            "village": h.village,
            "head_name": head.first(),
            "balance": balance,
            "shelf": shelf,
            "chosen": chosen,
            "after": balance - chosen.points if chosen else None,
            "token": uuid.uuid4(),
            "recent": list(PointsEntry.objects.filter(account__household=h).order_by("-at", "-pk")[:3]),
        },
    )


@login_required
@require_POST
def counter_redeem(request: HttpRequest, household: int) -> HttpResponse:
    h = _household(request, household, change=True)
    form = RedeemForm(request.POST, village=h.village)
    back = reverse("civility:points-household", kwargs={"household": h.pk})
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    item, quantity = form.cleaned_data["item"], form.cleaned_data["quantity"]
    try:
        token = form.cleaned_data["token"]
        entry = services.redeem(
            household=h, item=item, quantity=quantity, by=request.user, client_token=str(token) if token else ""
        )
    except ValidationError as error:
        messages.error(request, _refusal(error))
        return redirect(back)
    messages.success(
        request,
        _("已兑换 %(item)s × %(n)d，扣 %(cost)d 分，余额 %(balance)d 分。")
        % {"item": item.name, "n": quantity, "cost": -entry.points, "balance": entry.balance_after},
    )
    return redirect(back)


# --- the ledger (desk) -----------------------------------------------------------------------------------


def _ledger_filter(request: HttpRequest, village: Village) -> LedgerFilter:
    base = _with_head_and_balance(Household.objects.active().filter(village=village))
    return LedgerFilter(request.GET or None, queryset=base)


def _ledger_rows(filterset: LedgerFilter):
    qs = filterset.qs
    return qs if qs.query.order_by else qs.order_by("-balance", "number")


@login_required
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    filterset = _ledger_filter(request, village)
    # By balance, computed: the ids statement reads every household anyway, and counts them (core.pages).
    page, query = paginate(request, _ledger_rows(filterset), reads_all=True)
    return render(
        request,
        "civility/points_ledger.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "may_change": access.can_manage_village(request.user, village),
        },
    )


@login_required
def ledger_export(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    filterset = _ledger_filter(request, village)
    book = new_workbook()
    sheet = add_sheet(book, "积分余额", ["户编号", "户主", "门牌地址", "联系电话", "积分余额"], widths={"C": 24})
    rows = 0
    for h in _ledger_rows(filterset).iterator(chunk_size=2000):
        append_row(sheet, [h.number, h.head_name or "", h.address, h.phone, h.balance])
        rows += 1
    trail.record_export(request, "civility_points", rows, False)
    return stamped_xlsx_response(workbook_bytes(book), "points")


@login_required
def household_ledger(request: HttpRequest, household: int) -> HttpResponse:
    h = _household(request, household)
    entries = PointsEntry.objects.filter(account__household=h).select_related("by", "item").order_by("-at", "-pk")
    page, query = paginate(request, entries)
    return render(
        request,
        "civility/points_household_ledger.html",
        {
            "household": h,
            "village": h.village,
            "balance": services.balance_of(h),
            "page": page,
            "query": query,
            "may_change": access.can_manage_village(request.user, h.village) and not h.is_archived,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def award(request: HttpRequest, household: int) -> HttpResponse:
    h = _household(request, household, change=True)
    form = AwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.award(by=request.user, household=h, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已为 %(h)s 记 %(p)d 分，余额 %(b)d 分。")
                % {"h": h.number, "p": entry.points, "b": entry.balance_after},
            )
            return redirect("civility:points-household-ledger", household=h.pk)
    return render(
        request,
        "civility/points_award.html",
        {"form": form, "household": h, "village": h.village, "balance": services.balance_of(h)},
        status=400 if request.method == "POST" else 200,
    )


# --- the shelf -------------------------------------------------------------------------------------------


@login_required
def stock_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    items = StockItem.objects.active().filter(village=village).order_by("points", "name")
    page, query = paginate(request, items)
    return render(
        request,
        "civility/stock_list.html",
        {
            "village": village,
            "page": page,
            "query": query,
            "may_change": access.can_manage_village(request.user, village),
        },
    )


def _stock_form(request: HttpRequest, village: Village, item: StockItem | None) -> HttpResponse:
    form = StockItemForm(request.POST or None, instance=item, village=village)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        try:
            services.stock_save(by=request.user, item=saved, add=form.cleaned_data["add"])
        except ValidationError as error:
            if item is None:
                saved.pk = None  # rolled back: the form stays a new item's
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存“%(name)s”，库存 %(n)d 件。") % {"name": saved.name, "n": saved.stock})
            return redirect("civility:stock-list", pk=village.pk)
    return render(
        request,
        "civility/stock_form.html",
        {"form": form, "village": village, "item": item},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def stock_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _stock_form(request, village_for_change(request, pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def stock_edit(request: HttpRequest, item: int) -> HttpResponse:
    it = _item(request, item)
    if it.is_archived:
        messages.error(request, _("该物品已下架，不能再修改。"))
        return redirect("civility:stock-list", pk=it.village_id)
    return _stock_form(request, it.village, it)


@login_required
@require_POST
def stock_archive(request: HttpRequest, item: int) -> HttpResponse:
    it = _item(request, item)
    try:
        services.stock_archive(by=request.user, item=it)
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("“%(name)s”已下架。") % {"name": it.name})
    return redirect("civility:stock-list", pk=it.village_id)


# --- model selections ------------------------------------------------------------------------------------


def _selection_filter(request: HttpRequest, village: Village) -> SelectionFilter:
    base = ModelSelection.objects.active().filter(village=village)
    return SelectionFilter(request.GET or None, queryset=base)


def _selection_rows(filterset: SelectionFilter):
    return filterset.qs.select_related("household", "resident__household").order_by("-year", "honour", "pk")


@login_required
def selection_list(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    filterset = _selection_filter(request, village)
    page, query = paginate(request, _selection_rows(filterset))
    return render(
        request,
        "civility/selection_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "may_change": access.can_manage_village(request.user, village),
        },
    )


@login_required
def selection_export(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_read(request, pk)
    rows_qs = _selection_rows(_selection_filter(request, village))
    book = new_workbook()
    headers = ["年度", "称号", "户编号", "个人", "评选事迹", "评选日期", "奖励积分"]
    sheet = add_sheet(book, "先进典型", headers, widths={"E": 40})
    rows = 0
    for s in rows_qs:
        household = s.household or (s.resident.household if s.resident else None)
        append_row(
            sheet,
            [
                s.year,
                s.get_honour_display(),
                household.number if household else "",
                s.resident.name if s.resident else "",
                s.reason,
                s.selected_on.isoformat(),
                s.points,
            ],
        )
        rows += 1
    trail.record_export(request, "civility_selections", rows, False)
    return stamped_xlsx_response(workbook_bytes(book), "selections")


@login_required
@require_http_methods(["GET", "POST"])
def selection_new(request: HttpRequest, pk: int) -> HttpResponse:
    village = village_for_change(request, pk)
    today = timezone.localdate()
    form = SelectionForm(request.POST or None, village=village, initial={"year": today.year, "selected_on": today})
    if request.method == "POST" and form.is_valid():
        selection = form.save(commit=False)
        try:
            services.selection_save(by=request.user, selection=selection)
        except ValidationError as error:
            selection.pk = None  # rolled back: the form stays a new selection's
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已登记%(year)d年度“%(honour)s”。")
                % {"year": selection.year, "honour": selection.get_honour_display()},
            )
            return redirect("civility:selection-list", pk=village.pk)
    return render(
        request,
        "civility/selection_form.html",
        {"form": form, "village": village},
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("villages/<int:pk>/civility/counter/", counter, name="points-counter"),
    path("civility/counter/<int:household>/", counter_household, name="points-household"),
    path("civility/counter/<int:household>/redeem/", counter_redeem, name="points-redeem"),
    path("villages/<int:pk>/civility/points/", ledger, name="points-ledger"),
    path("villages/<int:pk>/civility/points/export/", ledger_export, name="points-export"),
    path("civility/points/<int:household>/", household_ledger, name="points-household-ledger"),
    path("civility/points/<int:household>/award/", award, name="points-award"),
    path("villages/<int:pk>/civility/stock/", stock_list, name="stock-list"),
    path("villages/<int:pk>/civility/stock/new/", stock_new, name="stock-new"),
    path("civility/stock/<int:item>/edit/", stock_edit, name="stock-edit"),
    path("civility/stock/<int:item>/archive/", stock_archive, name="stock-archive"),
    path("villages/<int:pk>/civility/selections/", selection_list, name="selection-list"),
    path("villages/<int:pk>/civility/selections/export/", selection_export, name="selection-export"),
    path("villages/<int:pk>/civility/selections/new/", selection_new, name="selection-new"),
]
