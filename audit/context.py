"""Template context for every page: whether to link the audit log, worked out only when shown."""

from __future__ import annotations

from functools import cache


def audit_link(request):
    user = getattr(request, "user", None)

    @cache
    def may_audit() -> bool:
        from grids.access import may_read_audit

        return may_read_audit(user)

    return {"may_audit": may_audit}
