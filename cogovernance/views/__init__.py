"""Co-governance pages (docs/cogovernance.md): ``deliberations``, ``projects`` and ``documents`` for the
village's staff (the town office reads), ``town`` (the town's side-by-side counts), ``public`` (the one page
without a login: a deliberation's publicity notice behind its unguessable link). Each module keeps its own
``urlpatterns``."""
