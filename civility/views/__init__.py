"""Guiding by example and by law pages (docs/civility.md) for the village's staff (the town office reads):
``activities`` (活动 with photos, counts by kind), ``people`` (volunteer teams and the 法律明白人 roster),
``points`` (the points supermarket: the phone counter, the ledger, the shelf, model selections). Each module
keeps its own ``urlpatterns``."""
