"""德治/法治 pages (docs/civility.md). Each module keeps its own ``urlpatterns``."""
