"""Template context for every page: where the main menu's "共治" link goes (and "德治" beside it, to the
same village's civility pages), worked out only when shown.

The link is for the village's staff (their village, known from the door's scope without a query: the scope is
read once per request anyway) and the admin (the first village, one query, asked only on an admin's page).
The town office reads its villages' deliberations from each village's page, a grid worker sees none: their
pages pay nothing for a link they never get (docs/cogovernance.md, "Who sees what").
"""

from __future__ import annotations

from functools import cache


def cogov_link(request):
    user = getattr(request, "user", None)

    @cache
    def nav_village() -> int | None:
        from grids import access
        from grids.models import Village

        if not getattr(user, "is_authenticated", False):
            return None
        scope = access.scope_for(user)
        if scope.village_ids:
            return min(scope.village_ids)
        if scope.is_admin:
            return Village.objects.order_by("pk").values_list("pk", flat=True).first()
        return None

    return {"cogov_nav_village": nav_village}
