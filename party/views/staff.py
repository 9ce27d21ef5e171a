"""Party pages: staff (docs/party.md)."""

from __future__ import annotations

urlpatterns: list = []
