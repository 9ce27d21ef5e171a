"""Who sees and does what in the Party app, on top of the access door's scope (grids.access).

Political affiliation is personal information (docs/party.md, "Who sees what"):
- member records, links, meetings with their attendance: the village's staff, the Party secretaries and
  committee members of that village's organisations, the system admin;
- the town office: meeting compliance and counts per village, never a member list or a meeting's attendance;
- a grid worker: the members of their grid as the registry shows them (政治面貌), nothing here;
- a Party member with a login: their own contact households and their own contacts.

The village ids a user holds as a secretary or committee member are read once per request and cached on the
user object, like the door's scope.
"""

from __future__ import annotations

from django.db.models import Q

from grids import access

_CACHE_ATTR = "_party_led_villages"
_NOTHING = Q(pk__in=[])


def led_village_ids(user) -> frozenset[int]:
    """Villages where ``user`` is secretary or committee member of an active Party organisation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from .models import PartyOrganisation

    ids = frozenset(
        PartyOrganisation.objects.active()
        .filter(Q(secretary=user) | Q(committee=user))
        .order_by()
        .values_list("village_id", flat=True)
        .distinct()
    )
    setattr(user, _CACHE_ATTR, ids)
    return ids


def record_village_ids(user) -> frozenset[int] | None:
    """The villages whose member records ``user`` may see; None means every village (the admin)."""
    scope = access.scope_for(user)
    if scope.is_admin:
        return None
    return scope.village_ids | led_village_ids(user)


def records_q(user, *, village: str) -> Q:
    ids = record_village_ids(user)
    if ids is None:
        return Q()
    return Q(**{f"{village}__in": sorted(ids)}) if ids else _NOTHING


def compliance_q(user, *, village: str, town: str) -> Q:
    """Meeting compliance and counts: whoever sees the records, and the town office for its villages."""
    scope = access.scope_for(user)
    if scope.is_admin:
        return Q()
    q = records_q(user, village=village)
    if scope.town_village_ids:
        q |= Q(**{f"{village}__in": sorted(scope.town_village_ids)})
    return q


def own_member_q(user, member: str) -> Q:
    if not getattr(user, "is_authenticated", False):
        return _NOTHING
    return Q(**{f"{member}__user": user})


def may_see_party(user) -> bool:
    """The Party pages of a village at all (the overview, members, meetings)."""
    ids = record_village_ids(user)
    return ids is None or bool(ids)


def may_see_records(user, village_id: int) -> bool:
    ids = record_village_ids(user)
    return ids is None or village_id in ids


def may_see_compliance(user) -> bool:
    """The town's side-by-side page: a town office or the admin."""
    return access.may_use_town_pages(user)
