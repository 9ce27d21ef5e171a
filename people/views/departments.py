"""The town office's page of its departments' people (docs/departments.md): who answers for which department,
a new login for one of them, and the end of a membership. Resetting a password or switching an account off is
on the account pages (README, "Accounts")."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import paginate
from disputes import services as dispute_services
from disputes.models import Department, DepartmentMember
from grids import access

from .. import accounts, departments


def _town_departments(request: HttpRequest):
    scope = access.scope_for(request.user)
    if not (scope.town_ids or scope.is_admin):
        raise PermissionDenied(_("此页面供镇综治办使用。"))
    rows = Department.objects.active().select_related("town")
    return rows if scope.is_admin else rows.filter(town__in=sorted(scope.town_ids))


class DepartmentAccountForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.none(), label=gettext_lazy("职能部门"))
    full_name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    phone = forms.CharField(
        label=gettext_lazy("手机号"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    username = forms.CharField(
        label=gettext_lazy("登录名"),
        max_length=150,
        help_text=gettext_lazy("用于登录，只能包含字母、数字和 @ . + - _ 符号；不能与他人重复。"),
    )

    def __init__(self, *args, departments_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_qs  # another town's department is a bad value

    def clean_full_name(self):
        return accounts.clean_full_name(self.cleaned_data["full_name"])

    def clean_phone(self):
        return accounts.clean_phone(self.cleaned_data["phone"])

    def clean_username(self):
        return accounts.clean_username(self.cleaned_data["username"])


@login_required
@require_http_methods(["GET", "POST"])
def department_people(request: HttpRequest) -> HttpResponse:
    """The town's departments with the people who answer for them today; a form for a new login."""
    mine = _town_departments(request)
    form = DepartmentAccountForm(request.POST or None, departments_qs=mine)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, password = departments.department_account_create(
                by=request.user,
                department=data["department"],
                full_name=data["full_name"],
                phone=data["phone"],
                username=data["username"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(
                request, "people/accounts_password.html", {"account": account, "password": password, "created": True}
            )
    rows = mine
    q = (request.GET.get("q") or "").strip()
    if q:
        named = DepartmentMember.objects.current().filter(
            Q(user__full_name__icontains=q) | Q(user__username__icontains=q)
        )
        rows = rows.filter(Q(name__icontains=q) | Q(pk__in=named.values("department_id")))
    current = DepartmentMember.objects.current().select_related("user").order_by("start", "pk")
    rows = rows.prefetch_related(Prefetch("members", queryset=current, to_attr="current_members"))
    page, query = paginate(request, rows.order_by("town__name", "order", "name"))
    context = {"page": page, "query": query, "form": form, "q": q}
    return render(request, "people/departments.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def department_member_end(request: HttpRequest, pk: int) -> HttpResponse:
    """The person leaves the department today (the last day they count)."""
    mine = _town_departments(request)
    member = get_object_or_404(
        DepartmentMember.objects.current().filter(department__in=mine).select_related("department", "user"), pk=pk
    )
    try:
        dispute_services.department_member_end(by=request.user, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(user)s 不再承办%(dept)s的案件（今天为最后一天）。") % {"user": member.user, "dept": member.department},
        )
    return redirect("people:department-people")
