"""documents pages (docs/cogovernance.md)."""

urlpatterns: list = []
