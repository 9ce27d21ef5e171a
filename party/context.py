"""Template context for every page: where the "党建" link goes, worked out only when shown.

The link is for those who see a village's Party records (``rules.may_see_records``). Their villages are
known without a query for the village's staff and the admin (the door's scope, read once per request); a
Party secretary or committee member is found by one query, asked only of an account that holds the Party
member's role (a secretary who keeps the records from the portal is a member with a login,
docs/party.md) — so the pages of a town office or a grid worker do not pay for a link they never get.
"""

from __future__ import annotations

from functools import cache


class _Everywhere:
    """The admin's villages: every one."""

    def __contains__(self, village_id) -> bool:
        return True

    def __bool__(self) -> bool:
        return True


def party_link(request):
    user = getattr(request, "user", None)

    @cache
    def village_ids() -> frozenset[int] | _Everywhere:
        from grids import access

        from . import rules

        if not getattr(user, "is_authenticated", False):
            return frozenset()
        scope = access.scope_for(user)
        if scope.is_admin:
            return _Everywhere()
        ids = set(scope.village_ids)
        if scope.member_village_ids:
            ids |= rules.led_village_ids(user)
        return frozenset(ids)

    @cache
    def nav_village() -> int | None:
        """The village the main menu's link opens: the lowest of the user's (most have one)."""
        ids = village_ids()
        return min(ids) if isinstance(ids, frozenset) and ids else None

    return {"party_villages": village_ids, "party_nav_village": nav_village}
