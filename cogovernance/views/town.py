"""town pages (docs/cogovernance.md)."""

urlpatterns: list = []
