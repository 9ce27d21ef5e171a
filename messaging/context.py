"""Template context for every page: the unread count for the inbox link, worked out only when shown."""

from __future__ import annotations

from functools import cache


def inbox(request):
    user = getattr(request, "user", None)

    @cache
    def unread() -> int:
        if not getattr(user, "is_authenticated", False):
            return 0
        from .models import Notice

        return Notice.objects.visible_to(user).unread().count()

    return {"inbox_unread": unread}
