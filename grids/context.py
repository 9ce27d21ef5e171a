"""Template context for every page."""

from __future__ import annotations

from functools import cache


def inbox(request):
    """The unread count for the inbox link, counted only when a page shows it (one query)."""
    user = getattr(request, "user", None)

    @cache
    def unread() -> int:
        if not getattr(user, "is_authenticated", False):
            return 0
        from .models import Notice

        return Notice.objects.visible_to(user).unread().count()

    return {"inbox_unread": unread}
