"""Template context for every page."""

from __future__ import annotations

from functools import cache


def inbox(request):
    """The unread count for the inbox link and whether to link the audit log, each worked out only when
    a page shows it."""
    user = getattr(request, "user", None)

    @cache
    def unread() -> int:
        if not getattr(user, "is_authenticated", False):
            return 0
        from .models import Notice

        return Notice.objects.visible_to(user).unread().count()

    @cache
    def may_audit() -> bool:
        from .access import may_read_audit

        return may_read_audit(user)

    return {"inbox_unread": unread, "may_audit": may_audit}
