"""The cases' panels on the registry's pages (``residents.panels``), registered in ``DisputesConfig.ready``."""

from __future__ import annotations

from residents import panels

from . import selectors


def key_person_panel(user, key_person):
    cases = selectors.cases_of_key_person(user, key_person)
    return "disputes/panels/cases.html", {"cases": cases, "limit": selectors.CASES_SHOWN}


def household_panel(user, household):
    cases = selectors.cases_of_household(user, household)
    return "disputes/panels/cases.html", {"cases": cases, "limit": selectors.CASES_SHOWN}


def connect() -> None:
    panels.register(panels.KEY_PERSON, key_person_panel, order=20)
    panels.register(panels.HOUSEHOLD, household_panel, order=20)
