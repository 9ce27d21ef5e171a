"""The one access door: which places a user may see and which they may change.

Every queryset a user reaches is filtered by a ``Q`` built here (``visible_q`` / ``change_q``), so
the rule lives in one place. A model says how to reach the places from its rows (the *paths*), e.g.
a household: ``village="micro_grid__grid__village", grid="micro_grid__grid", micro_grid="micro_grid"``.

Who sees what:
- system administrator (superuser): everything;
- town office (镇综治办): every village of its town — read; acting on escalated cases and reports comes
  with those features;
- village staff (村两委/综治专干): their village — read and change;
- grid worker (网格员): their grids (and everything in them) — read; correcting the registry of their
  grids is granted by the features that need it through ``change_q(..., grid=...)``;
- micro-grid liaison (微网格联络员): their micro-grid;
- information officer (信息员): their villager group.

Only assignments active today count. The scope is read once per request (one query) and cached on
the user object.

Who may do what beyond seeing and changing rows (write a monthly report, review it, record a visit, see a
full ID number, use the field pages) is answered here too, by the ``may_…`` functions below: each is a
rule on the territory (village, town, grid, micro-grid ids), so this floor needs nothing from the apps
above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import Q
from django.utils import timezone

_CACHE_ATTR = "_grids_scope"


@dataclass(frozen=True)
class Scope:
    is_admin: bool = False
    town_ids: frozenset[int] = field(default_factory=frozenset)
    # The villages of those towns: the town office's rows are found by village id, one indexable
    # condition, rather than through a join to the village table.
    town_village_ids: frozenset[int] = field(default_factory=frozenset)
    village_ids: frozenset[int] = field(default_factory=frozenset)
    grid_ids: frozenset[int] = field(default_factory=frozenset)
    micro_grid_ids: frozenset[int] = field(default_factory=frozenset)
    group_ids: frozenset[int] = field(default_factory=frozenset)
    # Villages where the user is a Party member with a login (``Role.PARTY_MEMBER``): no rows of the
    # registry come with it; the Party app shows them their own contact households.
    member_village_ids: frozenset[int] = field(default_factory=frozenset)
    # Towns where the user works in a department (``Role.DEPARTMENT``): no rows of the registry or of any
    # page come with it; the disputes app shows them the cases assigned to their department
    # (docs/departments.md). Never part of ``town_ids``: the town office is ``Role.TOWN_OFFICE`` only.
    department_town_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def works_in_field(self) -> bool:
        return bool(self.grid_ids or self.micro_grid_ids or self.group_ids)


def scope_for(user) -> Scope:
    """The places a user holds today. One query per request, then cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from .models import Role

    ids: dict[str, set[int]] = {
        "town": set(),
        "village": set(),
        "grid": set(),
        "micro": set(),
        "group": set(),
        "member": set(),
        "department": set(),
    }
    rows = _assignment_rows(user.pk, timezone.localdate())
    town_villages: set[int] = set()
    for role, town_id, village_id, grid_id, micro_id, group_id, town_village_id in rows:
        if role == Role.TOWN_OFFICE:
            ids["town"].add(town_id)
            if town_village_id is not None:
                town_villages.add(town_village_id)
        elif role == Role.VILLAGE_STAFF:
            ids["village"].add(village_id)
        elif role == Role.GRID_WORKER:
            ids["grid"].add(grid_id)
        elif role == Role.LIAISON:
            ids["micro"].add(micro_id)
        elif role == Role.INFO_OFFICER:
            ids["group"].add(group_id)
        elif role == Role.PARTY_MEMBER:
            ids["member"].add(village_id)
        elif role == Role.DEPARTMENT:
            ids["department"].add(town_id)
    scope = Scope(
        is_admin=user.is_superuser,
        town_ids=frozenset(ids["town"]),
        town_village_ids=frozenset(town_villages),
        village_ids=frozenset(ids["village"]),
        grid_ids=frozenset(ids["grid"]),
        micro_grid_ids=frozenset(ids["micro"]),
        group_ids=frozenset(ids["group"]),
        member_village_ids=frozenset(ids["member"]),
        department_town_ids=frozenset(ids["department"]),
    )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def _assignment_rows(user_id: int, day) -> list[tuple]:
    """The user's assignments active on ``day``: role and place columns, and for a town office each village of
    its town (a row per village). The statement is written out: the ORM built it in about 0.8 ms on every
    request, the database answers in 0.2 (docs/performance.md, "What every page pays")."""
    with connection.cursor() as cursor:
        cursor.execute(_assignment_sql(connection.vendor), [user_id, *[connection.ops.adapt_datefield_value(day)] * 2])
        return cursor.fetchall()


@cache
def _assignment_sql(vendor: str) -> str:
    from .models import Assignment, Village

    qn = connection.ops.quote_name
    end, assignments, villages = qn("end"), qn(Assignment._meta.db_table), qn(Village._meta.db_table)
    return (
        "SELECT a.role, a.town_id, a.village_id, a.grid_id, a.micro_grid_id, a.villager_group_id, v.id "  # noqa: S608
        f"FROM {assignments} a LEFT OUTER JOIN {villages} v ON v.town_id = a.town_id "
        f"WHERE a.user_id = %s AND a.start <= %s AND (a.{end} IS NULL OR a.{end} >= %s)"
    )


_NOTHING = Q(pk__in=[])


def _member(path: str | None, ids: frozenset[int]) -> Q:
    if not path or not ids:
        return _NOTHING
    return Q(**{f"{path}__in": sorted(ids)})


def visible_q(
    user,
    *,
    town: str | None = None,
    village: str | None = None,
    grid: str | None = None,
    micro_grid: str | None = None,
    group: str | None = None,
) -> Q:
    """Rows the user may see, given the paths from a row to its town / village / grid / micro-grid / group.

    A path left out means the role that holds that level does not reach the model at all (a micro-grid
    liaison does not see a whole grid, so ``Grid`` gives no ``micro_grid`` path).
    """
    scope = scope_for(user)
    if scope.is_admin:
        return Q()
    # The town office reaches a model only through its town path; where the model also has a village
    # path, the town's villages are named by id (one indexable condition instead of a join).
    by_town = _NOTHING
    if town:
        by_town = _member(village, scope.town_village_ids) if village else _member(town, scope.town_ids)
    return (
        by_town
        | _member(village, scope.village_ids)
        | _member(grid, scope.grid_ids)
        | _member(micro_grid, scope.micro_grid_ids)
        | _member(group, scope.group_ids)
    )


def change_q(user, *, village: str | None = None, grid: str | None = None, micro_grid: str | None = None) -> Q:
    """Rows the user may change. The town office reads only. Grid workers and liaisons change only where
    the caller grants them a path (the registry of their own grids, in later features)."""
    scope = scope_for(user)
    if scope.is_admin:
        return Q()
    return (
        _member(village, scope.village_ids) | _member(grid, scope.grid_ids) | _member(micro_grid, scope.micro_grid_ids)
    )


def may_change_at(user, *, village_id: int | None = None, grid_id: int | None = None) -> bool:
    """``change_q(user, village=…, grid=…)`` for one row whose village and grid are known: answered from the
    scope, without a query (tests/grids/test_access.py holds the two equal for every persona)."""
    scope = scope_for(user)
    return scope.is_admin or village_id in scope.village_ids or grid_id in scope.grid_ids


def sees_whole_village(user, village_id: int) -> bool:
    """``visible_q(user, town="town", village="pk")`` for one village: its staff, its town office, the admin
    (who see all of it); answered from the scope."""
    scope = scope_for(user)
    return scope.is_admin or village_id in scope.village_ids or village_id in scope.town_village_ids


def readable_village(user, pk):
    """``get_object_or_404(Village.objects.filter(visible_q(user, town="town", village="pk"))
    .select_related("town"), pk=pk)``: the village with its town if its staff, its town office or the admin asks,
    else 404 (the field roles reach no village's own pages). Answered from the scope, and the row read by a
    written-out statement: the ORM's version cost about 1 ms of every page of a village's records
    (docs/performance.md, "What every page pays"; tests/grids/test_access.py holds the two equal)."""
    from django.http import Http404

    from core.db import row_by_pk

    from .models import Village

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:  # no row has it, and SQLite cannot take it
        raise Http404("No Village matches the given query.")
    village = row_by_pk(Village, pk, related=("town",)) if sees_whole_village(user, pk) else None
    if village is None:
        raise Http404("No Village matches the given query.")
    return village


def visible_villages(user):
    from .models import Village

    return Village.objects.visible_to(user)


def changeable_villages(user):
    """Villages whose territory and assignments the user keeps (village staff, system admin)."""
    from .models import Village

    return Village.objects.filter(change_q(user, village="pk"))


def sole_changeable_village(user):
    """The village the user keeps, when they keep exactly one (the lists' "new" buttons are for it); else None.
    Unordered: two rows say whether there is one, and the village's model order joins the town to sort them.
    Someone who keeps no village (the town office, a grid worker) is answered from the scope: building the
    query that finds nothing cost about 0.3 ms on every list page."""
    scope = scope_for(user)
    if not scope.is_admin and not scope.village_ids:
        return None
    villages = list(changeable_villages(user).active().order_by()[:2])
    return villages[0] if len(villages) == 1 else None


def can_manage_village(user, village) -> bool:
    scope = scope_for(user)
    return scope.is_admin or village.pk in scope.village_ids


def require_manage(user, village) -> None:
    """For views: the object is visible; changing it needs the village's staff. Those who may only read
    (the town office, a grid worker on a staff page) get a 403 that says so."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if not can_manage_village(user, village):
        raise PermissionDenied(_("您可以查看，但只有本村村干部可以修改。"))
    if village.is_archived:
        raise PermissionDenied(_("该村已归档。"))


def village_for_change(user, pk):
    """The village ``pk`` for a staff page: 404 when the user cannot see it, 403 when they only read it."""
    from django.shortcuts import get_object_or_404

    village = get_object_or_404(visible_villages(user).select_related("town"), pk=pk)
    require_manage(user, village)
    return village


def may_read_audit(user) -> bool:
    """The audit log: the system admin (all of it) and the town office (its town's villages)."""
    scope = scope_for(user)
    return scope.is_admin or bool(scope.town_ids)


# --- Who may do what --------------------------------------------------------------------------------


def may_review_for_town(user, town_id: int) -> bool:
    """Review (approve, return) what a village of ``town_id`` sends up: that town's office, the admin."""
    scope = scope_for(user)
    return scope.is_admin or town_id in scope.town_ids


def may_use_town_pages(user) -> bool:
    """The town office's pages (its villages side by side): any town office, the admin."""
    scope = scope_for(user)
    return scope.is_admin or bool(scope.town_ids)


def may_report_from_field(user) -> bool:
    """The phone pages for reporting cases: grid workers, micro-grid liaisons, and the information officers
    (villager-group heads) who help them collect information (docs/sources.md [S2] §一(一))."""
    return scope_for(user).works_in_field


def is_party_member_only(user) -> bool:
    """A Party member's login and nothing else: their home is their contact households (docs/party.md)."""
    scope = scope_for(user)
    return bool(scope.member_village_ids) and not (
        scope.works_in_field or scope.village_ids or scope.town_ids or scope.is_admin
    )


def is_department_only(user) -> bool:
    """A department's login and nothing else: their home is their department's cases (docs/departments.md)."""
    scope = scope_for(user)
    return bool(scope.department_town_ids) and not (
        scope.works_in_field or scope.village_ids or scope.town_ids or scope.member_village_ids or scope.is_admin
    )


FIELD_LAYOUT = "layouts/field.html"
STAFF_LAYOUT = "layouts/staff.html"


def works_on_phone(user) -> bool:
    """Pages that people at a desk and in the field both open (the inbox, the error pages) show in the phone
    layout to those who only work in the field: grid workers, micro-grid liaisons and information officers.
    Whoever also holds a village, town or admin role keeps the desk layout, where their menus are
    (docs/architecture.md, templates by audience)."""
    scope = scope_for(user)
    on_phone = scope.works_in_field or bool(scope.member_village_ids)
    return on_phone and not (scope.village_ids or scope.town_ids or scope.is_admin)


def layout_for(user) -> str:
    """The layout a shared page extends for ``user`` (``works_on_phone``)."""
    return FIELD_LAYOUT if works_on_phone(user) else STAFF_LAYOUT


def may_record_visit(user, *, village_id: int, grid_id: int, micro_grid_id: int | None = None) -> bool:
    """A visit in a grid: the grid's worker, the micro-grid's liaison, the village's staff (who visit key
    persons too), the admin."""
    scope = scope_for(user)
    return (
        scope.is_admin
        or grid_id in scope.grid_ids
        or village_id in scope.village_ids
        or (micro_grid_id is not None and micro_grid_id in scope.micro_grid_ids)
    )


def key_person_places_q(user, *, village: str, grid: str) -> Q:
    """Rows in the places where ``user`` may know who is a key person: the village's staff, the grid's
    worker, the admin (the places ``KeyPerson.objects.visible_to`` starts from; the people named
    responsible see only the persons they are named for). The town office, liaisons and information
    officers see key persons as counts only (docs/sources.md [L1]; README, "Who sees key persons")."""
    return visible_q(user, village=village, grid=grid)


def may_see_key_persons(user, *, village_id: int, grid_id: int) -> bool:
    """``key_person_places_q`` for one place: a village and one of its grids."""
    scope = scope_for(user)
    return scope.is_admin or village_id in scope.village_ids or grid_id in scope.grid_ids


def may_see_full_id(user, village_id: int) -> bool:
    """Full ID numbers of a village's residents: its staff and the admin. Everyone else (grid workers,
    liaisons, the town office) sees them masked."""
    scope = scope_for(user)
    return scope.is_admin or village_id in scope.village_ids


def may_see_full_ids_everywhere(user) -> bool:
    """Whether every village the user sees is one whose full ID numbers they may see (the admin; a
    village's staff, also when they work one of its grids). What a search or an ordering tells about
    birth dates and ID numbers is answered in full only for them (residents/disclosure.py)."""
    scope = scope_for(user)
    if scope.is_admin:
        return True
    if not scope.village_ids or scope.town_ids:
        return False
    if not scope.works_in_field:
        return True
    from .models import Village

    return not Village.objects.visible_to(user).exclude(pk__in=scope.village_ids).exists()


# --- Who keeps whose account (README, "Accounts") -----------------------------------------------------------
#
# An account is kept where its person works, one level at a time:
# - a village's staff keep the accounts of their village's people (``User.home_village``) who hold no place
#   outside that village (today or later) and hold no town office role;
# - the town office keeps the accounts of its own staff: no home village, holding or having held a town
#   office role of that town and nothing outside it; and the accounts of its town's departments (no home
#   village, holding or having held ``Role.DEPARTMENT`` in that town and nothing outside it;
#   docs/departments.md);
# - the system admin keeps every account but the superusers' (those stay in the Django admin).
# Nobody keeps their own account through these pages (their password has its own page), and nobody keeps a
# superuser's: rights are never raised by managing an account.


def may_manage_accounts(user) -> bool:
    """The account pages at all: a village's staff, a town office, the system admin."""
    scope = scope_for(user)
    return scope.is_admin or bool(scope.village_ids or scope.town_ids)


def _open_assignments():
    from .models import Assignment

    today = timezone.localdate()
    return Assignment.objects.filter(Q(end__isnull=True) | Q(end__gte=today))


def _village_kept_q(scope: Scope) -> Q:
    if not scope.village_ids:
        return _NOTHING
    from .models import Grid, MicroGrid, Role, VillagerGroup

    villages = sorted(scope.village_ids)
    inside = (
        Q(village__in=villages)
        | Q(grid__in=Grid.objects.filter(village__in=villages).values("pk"))
        | Q(micro_grid__in=MicroGrid.objects.filter(grid__village__in=villages).values("pk"))
        | Q(villager_group__in=VillagerGroup.objects.filter(village__in=villages).values("pk"))
    )
    elsewhere = _open_assignments().exclude(inside & ~Q(role=Role.TOWN_OFFICE)).values("user_id")
    return Q(home_village__in=villages) & ~Q(pk__in=elsewhere)


def _town_kept_q(scope: Scope) -> Q:
    if not scope.town_ids:
        return _NOTHING
    from .models import Assignment, Role

    towns = sorted(scope.town_ids)
    town_roles = (Role.TOWN_OFFICE, Role.DEPARTMENT)  # its own staff and its departments' people
    held = Assignment.objects.filter(role__in=town_roles, town__in=towns).values("user_id")
    elsewhere = _open_assignments().exclude(role__in=town_roles, town__in=towns).values("user_id")
    return Q(home_village__isnull=True) & Q(pk__in=held) & ~Q(pk__in=elsewhere)


def manageable_accounts(user):
    """The accounts ``user`` keeps (see above), never their own nor a superuser's; out of it is a 404."""
    from .models import User

    scope = scope_for(user)
    if scope.is_admin:
        kept = Q()
    else:
        if not (scope.village_ids or scope.town_ids):
            return User.objects.none()
        kept = _village_kept_q(scope) | _town_kept_q(scope)
    return User.objects.filter(kept).exclude(is_superuser=True).exclude(pk=user.pk)


def may_manage_account(manager, account) -> bool:
    """Whether ``manager`` may reset, switch off or on ``account`` (``manageable_accounts``)."""
    if account.pk is None or account.pk == getattr(manager, "pk", None):
        return False
    return manageable_accounts(manager).filter(pk=account.pk).exists()


def account_homes(user) -> tuple[list, list]:
    """Where ``user`` may create accounts: (villages, towns). A village's staff create them for the village
    (the person is then assigned there); a town office for its own staff (assigned to the town office)."""
    from .models import Town, Village

    scope = scope_for(user)
    if scope.is_admin:
        return list(Village.objects.active().order_by("name")), list(Town.objects.order_by("name"))
    villages = list(Village.objects.filter(pk__in=scope.village_ids).order_by("name"))
    towns = list(Town.objects.filter(pk__in=scope.town_ids).order_by("name"))
    return villages, towns
