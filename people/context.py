"""Template context for every page: whether to link the account pages, worked out only when shown."""

from __future__ import annotations

from functools import cache


def account_link(request):
    user = getattr(request, "user", None)

    @cache
    def may_keep_accounts() -> bool:
        from grids.access import may_manage_accounts

        return may_manage_accounts(user)

    return {"may_keep_accounts": may_keep_accounts}
