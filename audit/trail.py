"""Writing the audit log (docs/architecture.md; GB/T 22239-2019 level 3, 安全审计).

Two ways in, one entry format (``audit.models.AuditEntry``):

- ``track(Model, ...)`` — called once per audited model from its app's ``ready()`` — records every
  create, change, archive / restore, move and delete of that model through the ORM's save and delete
  signals, with the values before and after. Whatever saves the row (a page, the API, the admin, a
  command) is covered without each caller remembering to.
- ``record(action, obj, ...)`` for what a save signal does not see: state transitions (conditional
  ``UPDATE``s), imports, exports, bulk archives, and views of sensitive records (a full ID number, a
  key person's page).

Who and from where come from the request being served (``AuditContextMiddleware``); a job or a
command names itself with ``acting_as(label=...)``. ``suspended()`` turns entries off for bulk loads
that are recorded as one entry of their own (an import's rows) or are nobody's action (demo data).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.expressions import Combinable
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids import access

from .models import AuditAction, AuditEntry, ExportRecord

# Shown instead of the value of a secret field: that it changed, never what it is.
HIDDEN = "***"
NEVER_AUDITED = {"updated_at", "created_at", "version", "revision", "last_login"}


@dataclass(frozen=True)
class _Context:
    request: object | None = None
    user: object | None = None
    label: str = ""
    address: str | None = None
    suspended: bool = False


_OUTSIDE = _Context()  # no request, no job: entries are by "the system"
_context: contextvars.ContextVar[_Context] = contextvars.ContextVar("audit_context", default=_OUTSIDE)


def client_address(request) -> str | None:
    """The client's address by the same rule as the login lockout (honours BEHIND_TLS_PROXY)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


class AuditContextMiddleware:
    """Makes the request being served the source of the actor and address of entries written during it.
    The user is read when an entry is written, so the API's token login (done in the view) counts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _context.set(_Context(request=request))
        try:
            return self.get_response(request)
        finally:
            _context.reset(token)


@contextlib.contextmanager
def acting_as(*, user=None, label: str = "", address: str | None = None):
    """For jobs and commands: entries written inside are by ``user`` or by ``label`` (e.g. the job)."""
    token = _context.set(_Context(user=user, label=label, address=address))
    try:
        yield
    finally:
        _context.reset(token)


@contextlib.contextmanager
def suspended():
    """No entries inside: for bulk loads audited as one entry of their own (an import's rows, recorded
    when the import finishes), or that are nobody's action (demo data, generators)."""
    current = _context.get()
    token = _context.set(_Context(current.request, current.user, current.label, current.address, True))
    try:
        yield
    finally:
        _context.reset(token)


def _who() -> tuple[object | None, str, str | None]:
    ctx = _context.get()
    user, address = ctx.user, ctx.address
    if ctx.request is not None:
        request_user = getattr(ctx.request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
        address = address or client_address(ctx.request)
    if user is not None and getattr(user, "is_authenticated", False):
        return user, ctx.label or user.get_username(), address
    return None, ctx.label or str(_("系统")), address


# --- What each audited model says about itself --------------------------------------------------


@dataclass(frozen=True)
class Tracked:
    fields: tuple[str, ...]  # attnames recorded with their values
    secret: Callable[[models.Model], frozenset[str]]  # attnames recorded only as "changed"
    always_secret: frozenset[str]  # those of them that are secret for every object
    move_fields: frozenset[str]  # a change of one of these is a move
    village: Callable[[models.Model], int | None]
    sensitive: Callable[[models.Model], bool]


_tracked: dict[type[models.Model], Tracked] = {}


def via(*path: str) -> Callable[[models.Model], int | None]:
    """The village id at the end of ``path`` (``via("grid", "village_id")``); None where a step is empty."""

    def follow(obj):
        for step in path:
            if obj is None:
                return None
            obj = getattr(obj, step)
        return obj

    return follow


def first_of(*ways: Callable[[models.Model], int | None]) -> Callable[[models.Model], int | None]:
    return lambda obj: next((found for way in ways if (found := way(obj)) is not None), None)


def track(
    model: type[models.Model],
    *,
    exclude: Iterable[str] = (),
    secret: Iterable[str] | Callable[[models.Model], Iterable[str]] = (),
    move_fields: Iterable[str] = (),
    village: Callable[[models.Model], int | None] | None = None,
    sensitive: bool | Callable[[models.Model], bool] = False,
) -> None:
    """Audit every save and delete of ``model``. ``village`` says which village an object belongs to
    (whose town office may read its entries); ``sensitive`` hides an entry's object and changes from
    the town office (key persons: the town sees counts, not names); ``secret`` names the fields recorded
    only as "changed" (or says, for one object, which they are)."""
    skip = NEVER_AUDITED | set(exclude)
    fields = tuple(f.attname for f in model._meta.concrete_fields if f.attname not in skip and not f.primary_key)
    _tracked[model] = Tracked(
        fields=fields,
        secret=_per_object(secret),
        always_secret=frozenset() if callable(secret) else frozenset(secret),
        move_fields=frozenset(move_fields),
        village=village or via("village_id"),
        sensitive=sensitive if callable(sensitive) else (lambda obj, flag=sensitive: flag),
    )
    uid = f"audit:{model._meta.label}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
    post_save.connect(_after_save, sender=model, dispatch_uid=uid)
    post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)


def plain(value):
    """A JSON-safe value, so a value read back from the database compares equal to the one saved."""
    if isinstance(value, models.Model):
        value = value.pk
    elif isinstance(value, FieldFile):
        value = value.name or None
    try:
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    except TypeError:
        return str(value)


def diff_of(obj: models.Model, new_values: dict) -> dict:
    """``{field: [before, after]}`` for an update that bypasses ``save()`` (a conditional ``UPDATE``):
    ``obj`` is the row as it was read, ``new_values`` what the update sets. Expressions (``F()``) and
    unchanged values are left out; a foreign key is compared by id."""
    changes = {}
    for name, new in new_values.items():
        if isinstance(new, Combinable) or name in NEVER_AUDITED:
            continue
        field = obj._meta.get_field(name)
        old = plain(getattr(obj, field.attname))
        new = plain(new)
        if old != new:
            changes[name] = [old, new]
    return changes


def _values(obj, spec: Tracked) -> dict:
    return {name: plain(getattr(obj, name)) for name in spec.fields}


def _touches_nothing_tracked(sender, spec: Tracked, update_fields) -> bool:
    """A save limited to fields none of which is recorded (a login's ``last_login``): nothing to read before it,
    nothing to write after it."""
    if update_fields is None:
        return False
    attnames = {sender._meta.get_field(name).attname for name in update_fields}
    return not attnames & set(spec.fields)


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or _context.get().suspended or instance._state.adding or instance.pk is None:
        return
    spec = _tracked[sender]
    if _touches_nothing_tracked(sender, spec, update_fields):
        return
    row = sender._base_manager.filter(pk=instance.pk).values(*spec.fields).first()
    instance._audit_before = {k: plain(v) for k, v in row.items()} if row else None


def _per_object(secret) -> Callable[[models.Model], frozenset[str]]:
    if callable(secret):
        return lambda obj: frozenset(secret(obj))
    return lambda obj, names=frozenset(secret): names


def _diff(before: dict, after: dict, secret: frozenset[str]) -> dict:
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            changes[name] = HIDDEN if name in secret else [old, new]
    return changes


def _after_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or _context.get().suspended:
        return
    spec = _tracked[sender]
    if not created and _touches_nothing_tracked(sender, spec, update_fields):
        return
    after = _values(instance, spec)
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    secret = spec.secret(instance)
    if created or before is None:
        changes = _created(after, secret)
        action = AuditAction.CREATE
    else:
        changes = _diff(before, after, secret)
        if not changes:
            return
        action = AuditAction.CHANGE
        if "archived_at" in changes:
            action = AuditAction.ARCHIVE if after["archived_at"] else AuditAction.RESTORE
        elif spec.move_fields & changes.keys():
            action = AuditAction.MOVE
    _write(action, instance, spec, changes)


def _created(after: dict, secret: frozenset[str]) -> dict:
    return {k: (HIDDEN if k in secret else [None, v]) for k, v in after.items() if v not in (None, "")}


def record_created(objs: Sequence[models.Model]) -> None:
    """The entries a save of each object would have recorded, for objects made with ``bulk_create`` (which
    sends no signal), written in one statement."""
    if _context.get().suspended or not objs:
        return
    spec = _tracked[objs[0].__class__]
    record_many(
        [
            entry(
                AuditAction.CREATE,
                obj,
                changes=_created(_values(obj, spec), spec.secret(obj)),
                village_id=spec.village(obj),
                sensitive=spec.sensitive(obj),
            )
            for obj in objs
        ]
    )


def _after_delete(sender, instance, **kwargs):
    if _context.get().suspended:
        return
    spec = _tracked[sender]
    secret = spec.secret(instance)
    before = {k: (HIDDEN if k in secret else [v, None]) for k, v in _values(instance, spec).items()}
    _write(AuditAction.DELETE, instance, spec, before)


def _write(action: str, obj, spec: Tracked, changes: dict) -> None:
    record(action, obj, changes=changes, village_id=spec.village(obj), sensitive=spec.sensitive(obj))


# --- Explicit entries ----------------------------------------------------------------------------


def entry(
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict | None = None,
    note: str = "",
    village_id: int | None = None,
    sensitive: bool | None = None,
    model: str = "",
    label: str = "",
) -> AuditEntry:
    """An unsaved entry (for ``bulk_create`` of many at once); ``record`` saves one."""
    actor, actor_label, address = _who()
    spec = _tracked.get(obj.__class__)  # __class__: a lazy request.user is its user if obj is not None else None
    if obj is not None and village_id is None and spec is not None:
        village_id = spec.village(obj)
    if sensitive is None:
        sensitive = bool(spec and spec.sensitive(obj))
    return AuditEntry(
        at=timezone.now(),
        actor=actor,
        actor_label=(label or actor_label)[:150],
        address=address,
        action=action,
        model=obj._meta.label_lower if obj is not None else model,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        village_id=village_id,
        changes=changes or {},
        note=note[:500],
        sensitive=sensitive,
    )


def record(action: str, obj: models.Model | None = None, **kwargs) -> AuditEntry | None:
    if _context.get().suspended:
        return None
    made = entry(action, obj, **kwargs)
    made.save()
    return made


def record_many(entries: list[AuditEntry]) -> None:
    if not _context.get().suspended:
        AuditEntry.objects.bulk_create(entries)


# --- Logins ---------------------------------------------------------------------------------------


def on_login(sender, request, user, **kwargs):
    record(AuditAction.LOGIN, user)


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(AuditAction.LOGOUT, user, label=user.get_username())


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Who tried is only the name typed; the address is the useful part (with the lockout's record).
    typed = str(credentials.get("username", ""))[:100]
    record(AuditAction.LOGIN_FAILED, label=typed or "?", model="grids.user")


# --- Retention ------------------------------------------------------------------------------------


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)


def audit_purge(*, now: datetime.datetime | None = None) -> int:
    """Remove entries older than the retention (never fewer than 180 days: settings refuse less), and the
    export records of the same age: who exported what is the audit of exports, and its filter text may hold
    a searched name (README, "What is kept how long")."""
    cutoff = retention_cutoff(now)
    ExportRecord.objects.filter(exported_at__lt=cutoff).delete()
    return AuditEntry.objects.purge_before(cutoff)


def secret_fields(label: str) -> frozenset[str]:
    """The fields of a tracked model (``app_label.model``) that are recorded only as "changed" today: the
    audit pages hide them from the town also in entries written before they became secret."""
    for model, spec in _tracked.items():
        if model._meta.label_lower == label:
            return spec.always_secret
    return frozenset()


def tracked_models() -> list[type[models.Model]]:
    return list(_tracked)


def record_export(request, kind: str, rows: int, full_ids: bool) -> None:
    """File an export of village data: who, when, what, how many rows, and whether ID numbers were full."""
    # Filed under the village the user keeps, so its staff see their village's exports; exports by the
    # town office or the system admin span villages and are filed under none (the admin sees all).
    villages = list(access.changeable_villages(request.user)[:2])
    export = ExportRecord.objects.create(
        village=villages[0] if len(villages) == 1 else None,
        user=request.user,
        kind=kind,
        rows=rows,
        full_id_numbers=full_ids,
        query=request.GET.urlencode()[:500],
        address=client_address(request),
    )
    record(
        AuditAction.EXPORT,
        model=kind,
        village_id=export.village_id,
        note=f"{kind} {request.GET.urlencode()}",
        changes={"rows": [None, rows], "full_id_numbers": [None, full_ids]},
    )
