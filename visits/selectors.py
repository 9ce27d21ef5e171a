"""Composed reads of visits for other apps' pages (the registry's key-person and household pages)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from core.db import joins_as_written
from residents.models import Household, KeyPerson

from .due import KeyDue, key_person_due_from
from .models import Outcome, Subject, Visit

# A household's page shows its latest visits; older ones are on the visits pages and in the export.
HOUSEHOLD_VISITS_SHOWN = 20


@dataclass
class KeyPersonCare:
    visits: list[Visit]
    due: KeyDue

    @property
    def attempts(self) -> list[Visit]:
        """Visits that were not possible (外出, 拒访, 失联…), with their reason: they do not stop the clock."""
        return [v for v in self.visits if v.outcome == Outcome.NOT_POSSIBLE]

    @property
    def last_done(self) -> Visit | None:
        return next((v for v in self.visits if v.outcome == Outcome.DONE and v.visited_on <= self.due.today), None)


def key_person_care(key_person: KeyPerson, today: datetime.date | None = None) -> KeyPersonCare:
    """All visits of a key person, newest first, with who came along (四帮一), and what is due next.
    Two queries whatever the number of visits: the visits with their worker and case, then their teams.

    Read for someone the key person's own door let in (``KeyPerson.objects.visible_to``): the people
    responsible for the person see the visits they take part in, as they see the person."""
    visits = list(
        Visit.objects.filter(key_person=key_person)
        .select_related("worker", "case")
        .prefetch_related("team")
        .order_by("-visited_on", "-recorded_at")
    )
    return KeyPersonCare(visits=visits, due=key_person_due_from(key_person, visits, today or timezone.localdate()))


def household_visits(user, household: Household, limit: int = HOUSEHOLD_VISITS_SHOWN) -> list[Visit]:
    """The latest visits of a household and of its members listed as key persons, newest first. A key
    person's visit is as private as the key person (PIPL): it is shown only to someone who may see that
    key person, and who may see the visit itself. Two queries: the key persons' ids are read first, so the
    visits are found through their household and key-person indexes (asked as a subquery, the planner walks
    every visit of the village from the newest)."""
    key_persons = list(
        KeyPerson.objects.visible_to(user).filter(resident__household=household).values_list("pk", flat=True)
    )
    visits = (
        Visit.objects.visible_to(user)
        .filter(Q(household=household, subject=Subject.HOUSEHOLD) | Q(key_person__in=key_persons))
        .select_related("worker", "key_person__resident", "case")
        .order_by("-visited_on", "-recorded_at")[:limit]
    )
    with joins_as_written():  # the visits by their household and key-person indexes, then each one's rows by key
        return list(visits)
