"""The Party app's pages, by audience: ``staff`` (the village's desk pages), ``field`` (a member's phone
pages), ``town`` (the town office's side-by-side compliance). Each module keeps its own ``urlpatterns``."""
