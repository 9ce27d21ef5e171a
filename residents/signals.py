"""Signals the registry sends for writes that bypass the models' own (bulk imports write rows in batches).

``registry_bulk_saved(sender=Household, grid_ids=set)``: households of these grids were added in bulk
(listened to by visits, whose kept coverage of those grids is then stale)."""

from django.dispatch import Signal

registry_bulk_saved = Signal()

# ``key_person_erased(sender=KeyPerson, key_person_id, resident_id, listed_from, listed_until)``: the
# retention job has erased this listing (residents/retention.py). Apps above the registry that keep
# something naming the person because of that listing (a visit's note, a case's party) anonymise it in the
# same transaction and return a dict of counts ``{"what": n}``, which the erasure's audit entry keeps.
key_person_erased = Signal()
