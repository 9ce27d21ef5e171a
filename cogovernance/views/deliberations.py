"""deliberations pages (docs/cogovernance.md)."""

urlpatterns: list = []
