"""Registry pages, one module per entity: ``households``, ``residents``, ``key_persons``, ``key_places``,
``field`` (the grid worker's phone pages) and ``exchange`` (Excel templates, imports with preview,
exports). Every lookup goes through ``visible_to``; changes through ``changeable_by``; out of scope is a
404, read-only scope a 403."""
