"""Composed reads of cases for other apps' pages (the registry's key-person and household pages)."""

from __future__ import annotations

from django.db.models import Q

from residents.models import Household, KeyPerson

from . import origin
from .models import Case, CaseParty

# A household's or key person's page lists their latest cases; all of them are on the case list.
CASES_SHOWN = 20


def _cases(user, q: Q, limit: int) -> list[Case]:
    # Cases keep their own door: the page's visitor sees the cases they may see, no more.
    return list(Case.objects.visible_to(user).filter(q).order_by("-reported_at")[:limit])


def cases_of_household(user, household: Household, limit: int = CASES_SHOWN) -> list[Case]:
    """Cases about the household, or naming one of its members as a party. One query."""
    parties = CaseParty.objects.filter(resident__household=household).values("case_id")
    # A case found on a visit is "about the household" only for those told where it was found (``origin``).
    return _cases(user, (Q(household=household) & origin.place_told_q(user)) | Q(pk__in=parties), limit)


def cases_of_key_person(user, key_person: KeyPerson, limit: int = CASES_SHOWN) -> list[Case]:
    """Cases naming the key person as a party, or about their household. One query."""
    resident = key_person.resident
    if resident is None:  # erased at the end of its retention period (residents/retention.py)
        return []
    q = Q(pk__in=CaseParty.objects.filter(resident=resident).values("case_id"))
    if resident.household_id is not None:
        q |= Q(household_id=resident.household_id) & origin.place_told_q(user)
    return _cases(user, q, limit)
