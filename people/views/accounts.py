"""The account pages: a village's staff and the town office keep their people's accounts (README, "Accounts").

Who keeps whose account is ``grids.access.manageable_accounts``: out of it is a 404, one's own account a 403
that points to the password page. One-time passwords are rendered in the answer to the POST that made them
and kept nowhere (no redirect through the session); nothing sent to a signed-in user is cached
(core/middleware.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import excel
from core.pages import paginate, xlsx_response
from grids import access
from grids.models import Assignment, User

from .. import accounts
from ..forms import AccountFilterForm, AccountForm, ImportForm, ResetForm


def _require_keeper(request: HttpRequest) -> None:
    if not access.may_manage_accounts(request.user):
        raise PermissionDenied(_("只有村干部、镇综治办和系统管理员可以管理账号。"))


def _current_assignments() -> Prefetch:
    rows = Assignment.objects.current().select_related("town", "village", "grid", "micro_grid", "villager_group")
    return Prefetch("assignments", queryset=rows, to_attr="current_assignments")


def _account_for(request: HttpRequest, pk: int) -> User:
    if pk == request.user.pk:
        raise PermissionDenied(_("不能在这里管理自己的账号；修改自己的密码请到“修改密码”页面。"))
    rows = (
        access.manageable_accounts(request.user).select_related("home_village").prefetch_related(_current_assignments())
    )
    return get_object_or_404(rows, pk=pk)


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    _require_keeper(request)
    rows = access.manageable_accounts(request.user).select_related("home_village")
    form = AccountFilterForm(request.GET or None)
    if form.is_valid():
        if q := form.cleaned_data["q"].strip():
            rows = rows.filter(Q(full_name__icontains=q) | Q(username__icontains=q) | Q(phone__contains=q))
        if role := form.cleaned_data["role"]:
            rows = rows.filter(pk__in=Assignment.objects.current().filter(role=role).values("user_id"))
        if active := form.cleaned_data["active"]:
            rows = rows.filter(is_active=active == "1")
    page, query = paginate(request, rows.prefetch_related(_current_assignments()).order_by("full_name", "pk"))
    villages, _towns = access.account_homes(request.user)
    return render(
        request,
        "people/accounts_list.html",
        {"page": page, "query": query, "filter": {"form": form}, "villages": villages},
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    _require_keeper(request)
    form = AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account, password = accounts.account_create(
                by=request.user,
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
                username=form.cleaned_data["username"],
                village=form.village,
                town=form.town,
                by_sms=form.cleaned_data.get("by_sms", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _password_page(request, account, password, created=True)
    return render(request, "people/accounts_form.html", {"form": form})


def _password_page(request: HttpRequest, account: User, password: str | None, *, created: bool) -> HttpResponse:
    """The one-time password, shown once; or, when it went by SMS, the number it went to (masked)."""
    return render(
        request,
        "people/accounts_password.html",
        {"account": account, "password": password, "created": created},
    )


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_keeper(request)
    account = _account_for(request, pk)
    return render(request, "people/accounts_detail.html", {"account": account, "today": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def account_password(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page, then (POST) a new one-time password shown once."""
    _require_keeper(request)
    account = _account_for(request, pk)
    form = ResetForm(request.POST if request.method == "POST" else None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            password = accounts.account_password_reset(
                by=request.user, account=account, by_sms=form.cleaned_data.get("by_sms", False)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _password_page(request, account, password, created=False)
    return render(request, "people/accounts_reset.html", {"account": account, "form": form})


@login_required
@require_POST
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_keeper(request)
    account = _account_for(request, pk)
    try:
        accounts.account_deactivate(by=request.user, account=account)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已停用 %(name)s 的账号，其所有登录已退出。") % {"name": account})
    return redirect("people:account-detail", pk=account.pk)


@login_required
@require_POST
def account_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_keeper(request)
    account = _account_for(request, pk)
    try:
        accounts.account_reactivate(by=request.user, account=account)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已启用 %(name)s 的账号。") % {"name": account})
    return redirect("people:account-detail", pk=account.pk)


@login_required
@require_http_methods(["GET", "POST"])
def account_import(request: HttpRequest) -> HttpResponse:
    """Upload a sheet; all of it is created or none, the passwords shown once as a table."""
    _require_keeper(request)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = accounts.accounts_import(
                by=request.user, data=upload.read(), filename=upload.name, village=form.village, town=form.town
            )
        except excel.FileError as error:
            form.add_error("file", str(error))
        else:
            if result.created:
                return render(request, "people/accounts_import_done.html", {"result": result})
    status = 400 if result is not None and result.errors else 200
    return render(
        request,
        "people/accounts_import.html",
        {"form": form, "result": result, "help": accounts.IMPORT_HELP},
        status=status,
    )


@login_required
def account_import_template(request: HttpRequest) -> HttpResponse:
    _require_keeper(request)
    return xlsx_response(accounts.sheet_template(), "accounts-template.xlsx")
