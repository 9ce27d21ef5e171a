"""Where a case was found, as each reader is told it (docs/sources.md [L1]; README, "Who sees key persons").

A grid worker's visit that finds a dispute, a hazard or a request opens a case (``visits.services``): its
source is "走访发现" and its household the one visited — for a visit to a key person, the key person's
household. The case keeps no other trace of the visit. Those who may not see key persons (the town office,
liaisons, information officers) would still learn that a household holds one by setting that household
beside what they see of the visits: a household visit that opened the case, or the household still
"to visit" this month on the coverage pages while a visit found the case there.

So for them a case found on a visit — whatever was visited, so that no difference tells a key person's
case from another — names no household: not on its page, not in the API, not in the household pages'
case lists, not in the audit log. They are told what they need to act on it: what the worker wrote (title
and description), the parties the case names, the village and grid, the dates. The visit behind it is
hidden from them too (``visits.models.PRIVATE_VISIT``). Whoever sees key persons in the case's place —
the village's staff, the grid's worker, the admin — and whoever reported the case see everything.
"""

from __future__ import annotations

from django.db.models import Q

from grids import access

from .models import Case, Source


def place_told_q(user) -> Q:
    """Cases whose household ``user`` is told. A department's people are told no household: they reach the
    parties through the case, nothing of the registry (docs/departments.md)."""
    if access.is_department_only(user):
        return Q(pk__in=[])
    q = ~Q(source=Source.VISIT) | access.key_person_places_q(user, village="village", grid="grid")
    if getattr(user, "is_authenticated", False):
        q |= Q(reported_by=user)
    return q


def tells_place(user, case: Case) -> bool:
    """``place_told_q`` for one case."""
    if access.is_department_only(user):
        return False
    if case.source != Source.VISIT:
        return True
    if getattr(user, "is_authenticated", False) and case.reported_by_id == user.pk:
        return True
    return access.may_see_key_persons(user, village_id=case.village_id, grid_id=case.grid_id)


def household_shown(user, case: Case):
    """The case's household as ``user`` may see it: None when they are not told where it was found."""
    return case.household if tells_place(user, case) else None


def audit_secret(case: Case) -> set[str]:
    """Fields of a case the audit log keeps as "changed" only. The town office reads the log of its
    villages, so a case found on a visit keeps its household out of it (for every reader: the log shows a
    field to all of them or to none; the case itself keeps the household)."""
    return {"household_id"} if case.source == Source.VISIT else set()
