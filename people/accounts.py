"""Accounts kept where the people are: a village's staff and the town office create, reset, switch off and
on the accounts they keep (the rule of who keeps whose account is ``grids.access.manageable_accounts``;
README, "Accounts").

A password chosen here is a one-time password: made with ``secrets``, handed back to the caller to be shown
once and never kept in plain, and ``must_change_password`` makes its owner choose their own at the first
login (grids/middleware.py). Saving a password set by someone else ends the person's sessions and tokens and
wipes their phone at its next contact (grids/credentials.py). Every act is audited without the password.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import trail
from audit.models import AuditAction
from core import excel
from grids import access
from grids import services as grid_services
from grids.models import ROLE_PLACE_FIELD, Grid, MicroGrid, Role, Town, User, Village, VillagerGroup
from messaging.services import sms_backend
from messaging.sms import LogBackend

# Letters and digits that cannot be mistaken for one another when read aloud or copied from a screen.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
ONE_TIME_LENGTH = 10
# A mainland mobile number: 11 digits, 1 then 3–9 (GB/T numbering plan of the MIIT).
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def one_time_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(ONE_TIME_LENGTH))


def sms_available() -> bool:
    """Whether a one-time password may go by SMS: a gateway is configured. The default backend writes the
    text of each message to the log (messaging/sms.py), where a password must never be."""
    return not isinstance(sms_backend(), LogBackend)


def _send_by_sms(account: User, password: str) -> None:
    """Within the caller's transaction: a message the gateway refuses leaves the password unchanged."""
    if not account.phone or not sms_available():
        raise ValidationError(_("无法发送短信：该账号没有手机号，或系统未配置短信网关。请改为当面告知。"))
    text = _("【网格化治理平台】您的登录名 %(u)s，一次性密码 %(p)s。首次登录须设置自己的密码，请勿告诉他人。") % {
        "u": account.username,
        "p": password,
    }
    try:
        sms_backend().send(account.phone, text, key=f"account-password-{account.pk}-{secrets.token_hex(4)}")
    except Exception:  # any gateway failure: nothing changes, the keeper is told
        raise ValidationError(_("短信发送失败，密码未改变。请稍后再试或改为当面告知。")) from None


# --- Checks shared by the form and the sheet -----------------------------------------------------------


def clean_phone(value: str) -> str:
    phone = re.sub(r"[\s-]", "", value or "")
    if not MOBILE_RE.match(phone):
        raise ValidationError(_("“%(v)s”不是有效的手机号：请填写 11 位大陆手机号码，如 13800138000。") % {"v": value})
    return phone


def clean_username(value: str) -> str:
    username = (value or "").strip()
    if not username:
        raise ValidationError(_("请填写登录名。"))
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ValidationError(_("登录名只能包含字母、数字和 @ . + - _ 符号。")) from None
    if len(username) > 150:
        raise ValidationError(_("登录名不能超过 150 个字符。"))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("登录名“%(v)s”已被使用，请换一个（例如加上数字）。") % {"v": username})
    return username


def clean_full_name(value: str) -> str:
    name = (value or "").strip()
    if not name:
        raise ValidationError(_("请填写姓名。"))
    if len(name) > 50:
        raise ValidationError(_("姓名不能超过 50 个字符。"))
    return name


def _require_home(by: User, *, village: Village | None, town: Town | None) -> None:
    villages, towns = access.account_homes(by)
    if (village is None) == (town is None):
        raise ValidationError(_("请选择账号所属的村或乡镇。"))
    if village is not None and village.pk not in {v.pk for v in villages}:
        raise PermissionDenied
    if town is not None and town.pk not in {t.pk for t in towns}:
        raise PermissionDenied


def _require_kept(by: User, account: User) -> None:
    if not access.may_manage_account(by, account):
        raise PermissionDenied


def _audit(action: str, account: User, note: str = "") -> None:
    trail.record(action, account, village_id=account.home_village_id, note=note)


# --- The verbs -------------------------------------------------------------------------------------------


@transaction.atomic
def account_create(
    *,
    by: User,
    full_name: str,
    phone: str,
    username: str,
    village: Village | None = None,
    town: Town | None = None,
    by_sms: bool = False,
) -> tuple[User, str | None]:
    """A new account of ``village``'s people, or a new member of ``town``'s office (assigned to it from
    today). Returns the account and its one-time password, to be shown once (None when sent by SMS)."""
    _require_home(by, village=village, town=town)
    password = one_time_password()
    account = User(
        username=clean_username(username),
        full_name=clean_full_name(full_name),
        phone=clean_phone(phone),
        home_village=village,
        must_change_password=True,
    )
    account.set_password(password)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:  # the same login name taken a moment ago by another keeper
        raise ValidationError({"username": _("登录名“%(v)s”已被使用，请换一个。") % {"v": account.username}}) from None
    if town is not None:
        grid_services.assignment_create(
            by=by, user=account, role=Role.TOWN_OFFICE, place=town, start=timezone.localdate()
        )
    _audit(AuditAction.ACCOUNT_CREATE, account, note=str(village or town))
    if by_sms:
        _send_by_sms(account, password)
        return account, None
    return account, password


@transaction.atomic
def account_password_reset(*, by: User, account: User, by_sms: bool = False) -> str | None:
    """A new one-time password for ``account``: its sessions and tokens end and its phone wipes its data at
    the next contact (grids/credentials.py). Returns the password, to be shown once, or sends it by SMS to
    the account's phone and returns None."""
    _require_kept(by, account)
    password = one_time_password()
    account.set_password(password)
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    _audit(AuditAction.PASSWORD_RESET, account, note=_("短信发送") if by_sms else _("页面显示一次"))
    if by_sms:
        _send_by_sms(account, password)
        return None
    return password


@transaction.atomic
def account_deactivate(*, by: User, account: User) -> User:
    """Switch the account off: it cannot log in, its sessions and tokens end (grids/credentials.py)."""
    _require_kept(by, account)
    if not account.is_active:
        raise ValidationError(_("该账号已停用。"))
    account.is_active = False
    account.save(update_fields=["is_active"])
    _audit(AuditAction.ACCOUNT_OFF, account)
    return account


@transaction.atomic
def account_reactivate(*, by: User, account: User) -> User:
    """Switch the account back on; its places are those its assignments still give it."""
    _require_kept(by, account)
    if account.is_active:
        raise ValidationError(_("该账号已是启用状态。"))
    account.is_active = True
    account.save(update_fields=["is_active"])
    _audit(AuditAction.ACCOUNT_ON, account)
    return account


# --- Many at once from a sheet --------------------------------------------------------------------------

SHEET_TITLE = "账号"
# The roles a village's staff may give (grids.forms.AssignmentForm), by the label written in the sheet.
SHEET_ROLES = {
    str(Role.GRID_WORKER.label): Role.GRID_WORKER,
    str(Role.LIAISON.label): Role.LIAISON,
    str(Role.INFO_OFFICER.label): Role.INFO_OFFICER,
    str(Role.VILLAGE_STAFF.label): Role.VILLAGE_STAFF,
}
COLUMNS = [
    excel.Column("姓名", "full_name", required=True, width=12),
    excel.Column("手机号", "phone", required=True, width=14),
    excel.Column("登录名", "username", required=True, width=16),
    excel.Column("岗位", "role", width=16),
    excel.Column("岗位地点", "place", width=16),
]
COLUMN_HEADER = {c.key: c.header for c in COLUMNS}


def sheet_template() -> bytes:
    example = {"full_name": "张三", "phone": "13800138000", "username": "zhangsan", "role": "网格员", "place": "1"}
    return excel.write_workbook(SHEET_TITLE, COLUMNS, [example])


@dataclass
class SheetRow:
    number: int
    values: dict
    errors: list[tuple[str, str]] = field(default_factory=list)  # (header, reason)
    role: Role | None = None
    place: object = None


@dataclass
class SheetResult:
    rows: list[SheetRow]
    created: list[tuple[User, str]] = field(default_factory=list)  # each account and its one-time password

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        return [(row.number, header, reason) for row in self.rows for header, reason in row.errors]


def _place_for(village: Village, role: Role, text: str):
    """The place named in the sheet for ``role``: a grid, micro-grid or group of the village by name or
    number; the village itself for its staff."""
    kind = ROLE_PLACE_FIELD[role]
    if kind == "village":
        return village
    model = {"grid": Grid, "micro_grid": MicroGrid, "villager_group": VillagerGroup}[kind]
    rows = model.objects.active()
    rows = rows.filter(grid__village=village) if model is MicroGrid else rows.filter(village=village)
    match = rows.filter(name=text)
    if text.isdecimal() and model is not MicroGrid:
        match = match | rows.filter(number=int(text))
    found = list(match[:2])
    if len(found) != 1:
        raise ValidationError(
            _("本村没有名为或编号为“%(v)s”的%(what)s。") % {"v": text, "what": model._meta.verbose_name}
        )
    return found[0]


def _plan(data: bytes, village: Village | None) -> list[SheetRow]:
    rows: list[SheetRow] = []
    seen: dict[str, int] = {}
    for read in excel.read_sheet(data, SHEET_TITLE, COLUMNS):
        row = SheetRow(number=read.number, values=read.values, errors=list(read.errors))
        rows.append(row)
        failed = {header for header, _reason in row.errors}
        for key, check in (("full_name", clean_full_name), ("phone", clean_phone), ("username", clean_username)):
            header = COLUMN_HEADER[key]
            if header in failed:
                continue
            try:
                row.values[key] = check(excel.cell_text(row.values.get(key)))
            except ValidationError as error:
                row.errors.append((header, " ".join(error.messages)))
        username = str(row.values.get("username") or "").lower()
        if username and COLUMN_HEADER["username"] not in {h for h, _r in row.errors}:
            if username in seen:
                row.errors.append((COLUMN_HEADER["username"], _("与第 %(n)s 行的登录名重复。") % {"n": seen[username]}))
            else:
                seen[username] = row.number
        role_text = excel.cell_text(row.values.get("role"))
        place_text = excel.cell_text(row.values.get("place"))
        if role_text:
            if village is None:
                row.errors.append((COLUMN_HEADER["role"], _("镇综治办的人员不在表中指派岗位，请留空。")))
            elif role_text not in SHEET_ROLES:
                row.errors.append(
                    (
                        COLUMN_HEADER["role"],
                        _("“%(v)s”不是可选的岗位（可填：%(options)s）。")
                        % {"v": role_text, "options": "、".join(SHEET_ROLES)},
                    )
                )
            else:
                row.role = SHEET_ROLES[role_text]
                if ROLE_PLACE_FIELD[row.role] != "village" and not place_text:
                    row.errors.append(
                        (COLUMN_HEADER["place"], _("该岗位须填写岗位地点（网格、微网格或村民小组的名称）。"))
                    )
                else:
                    try:
                        row.place = _place_for(village, row.role, place_text)
                    except ValidationError as error:
                        row.errors.append((COLUMN_HEADER["place"], " ".join(error.messages)))
        elif place_text:
            row.errors.append((COLUMN_HEADER["role"], _("填写了岗位地点，请同时填写岗位。")))
    if not rows:
        raise excel.FileError(_("表中没有人员。"))
    return rows


class _Rollback(Exception):
    pass


def accounts_import(
    *, by: User, data: bytes, filename: str, village: Village | None = None, town: Town | None = None
) -> SheetResult:
    """Create every account of the sheet, or none: with any bad row nothing is saved and the result names
    each bad row and column. Each new account gets a one-time password (shown once) and, where the sheet
    names a role, its assignment from today through the assignment rules of grids.services. Raises
    ``excel.FileError`` for a file that is not a readable sheet."""
    _require_home(by, village=village, town=town)
    result = SheetResult(rows=_plan(data, village))
    if result.errors:
        return result
    today = timezone.localdate()
    try:
        with transaction.atomic():
            for row in result.rows:
                try:
                    account, password = account_create(
                        by=by,
                        full_name=row.values["full_name"],
                        phone=row.values["phone"],
                        username=row.values["username"],
                        village=village,
                        town=town,
                    )
                except ValidationError as error:  # a login name taken since the sheet was checked
                    row.errors.append((COLUMN_HEADER["username"], " ".join(error.messages)))
                    continue
                if row.role is not None:
                    try:
                        grid_services.assignment_create(
                            by=by, user=account, role=row.role, place=row.place, start=today
                        )
                    except ValidationError as error:
                        row.errors.append((COLUMN_HEADER["place"], " ".join(error.messages)))
                result.created.append((account, password))
            if result.errors:
                raise _Rollback
            trail.record(
                AuditAction.IMPORT,
                None,
                model="grids.user",
                village_id=village.pk if village else None,
                note=_("批量新建账号 %(n)s 个（%(file)s）") % {"n": len(result.created), "file": filename},
            )
    except _Rollback:
        result.created = []
    return result


IMPORT_HELP = gettext_lazy(
    "每行一人：姓名、手机号（11 位）、登录名必填；岗位（网格员、微网格联络员、信息员、村两委/综治专干）和岗位地点"
    "（网格、微网格或村民小组的名称或编号）可选。任何一行有错，整张表都不导入。"
)
