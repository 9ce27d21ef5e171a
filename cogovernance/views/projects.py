"""projects pages (docs/cogovernance.md)."""

urlpatterns: list = []
