"""public pages (docs/cogovernance.md)."""

urlpatterns: list = []
