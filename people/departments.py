"""The accounts of a town's departments (docs/departments.md): the town office creates a login for someone of
one of its departments (司法所, 派出所…) and ends it when they leave. The login holds the department role on the
town and the link to its department (``disputes.services.department_member_add``); resetting its password or
switching it off is done on the usual account pages, where the town office keeps it
(``grids.access.manageable_accounts``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from disputes import services as dispute_services
from disputes.models import Department
from grids.models import User

from . import accounts


@transaction.atomic
def department_account_create(
    *, by: User, department: Department, full_name: str, phone: str, username: str, by_sms: bool = False
) -> tuple[User, str | None]:
    """A new login for someone of ``department``. Returns it and its one-time password (None when sent by
    SMS), shown once like any other new account's."""
    if not dispute_services.may_keep_departments(by, department.town_id):
        raise PermissionDenied(_("只有本镇综治办可以为本镇职能部门建账号。"))
    password = accounts.one_time_password()
    account = User(
        username=accounts.clean_username(username),
        full_name=accounts.clean_full_name(full_name),
        phone=accounts.clean_phone(phone),
        home_village=None,
        must_change_password=True,
    )
    account.set_password(password)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise ValidationError({"username": _("登录名“%(v)s”已被使用，请换一个。") % {"v": account.username}}) from None
    dispute_services.department_member_add(by=by, user=account, department=department)
    accounts._audit(AuditAction.ACCOUNT_CREATE, account, note=f"{department.town} · {department}")
    if by_sms:
        accounts._send_by_sms(account, password)
        return account, None
    return account, password
