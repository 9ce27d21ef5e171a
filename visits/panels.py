"""The visits' panels on the registry's pages (``residents.panels``), registered in ``VisitsConfig.ready``."""

from __future__ import annotations

from residents import panels

from . import selectors


def key_person_panel(user, key_person):
    care = selectors.key_person_care(key_person)
    return "visits/panels/key_person_care.html", {"care": care, "kp": key_person}


def household_panel(user, household):
    visits = selectors.household_visits(user, household)
    return "visits/panels/household_visits.html", {"visits": visits, "limit": selectors.HOUSEHOLD_VISITS_SHOWN}


def connect() -> None:
    panels.register(panels.KEY_PERSON, key_person_panel, order=10)
    panels.register(panels.HOUSEHOLD, household_panel, order=10)
