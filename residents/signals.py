"""Signals the registry sends for writes that bypass the models' own (bulk imports write rows in batches).

``registry_bulk_saved(sender=Household, grid_ids=set)``: households of these grids were added in bulk
(listened to by visits, whose kept coverage of those grids is then stale)."""

from django.dispatch import Signal

registry_bulk_saved = Signal()
