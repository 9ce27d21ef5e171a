"""A key person's record erased at the end of its retention period (residents/retention.py; README,
"Security and personal data"): the cases of that listing stop naming the person.

The registry cannot import cases (docs/architecture.md, the floors), so it sends ``key_person_erased`` and
this app, connected in ``DisputesConfig.ready``, anonymises what it holds. A case does not point at a
listing; it names the resident as a party. The cases of the listing are those reported while the person
was listed (from the first to the last day of the listing) that name them: their party row keeps its role
but no longer the resident, name or phone, and the person's name is taken out of the case's text and its
timeline and mediation records. A case about the same resident outside the listing is their own matter and
kept by the cases' own rules. The rows are written with ``UPDATE``: the tracked saves would copy the
erased names into the audit log.
"""

from __future__ import annotations

import datetime

from django.db.models import Value
from django.db.models.functions import Replace
from django.utils.translation import gettext

from residents.models import Resident

from .models import Case, CaseEvent, CaseParty, MediationSession


def _anonymous() -> str:
    return gettext("（已匿名）")


def on_key_person_erased(
    sender, *, resident_id: int, listed_from: datetime.date, listed_until: datetime.date, **kwargs
) -> dict[str, int]:
    parties = CaseParty.objects.filter(
        resident_id=resident_id,
        case__reported_at__date__gte=listed_from,
        case__reported_at__date__lte=listed_until,
    )
    case_ids = list(parties.values_list("case_id", flat=True).distinct())
    if not case_ids:
        return {}
    name = Resident.objects.filter(pk=resident_id).values_list("name", flat=True).first() or ""
    n = parties.update(resident=None, name=_anonymous(), phone="")
    if name:
        stand_in = Value(_anonymous())

        def scrub(field: str):
            return Replace(field, Value(name), stand_in)

        Case.objects.filter(pk__in=case_ids).update(
            title=scrub("title"),
            description=scrub("description"),
            resolution=scrub("resolution"),
            agreement_text=scrub("agreement_text"),
        )
        CaseEvent.objects.filter(case_id__in=case_ids).update(note=scrub("note"))
        MediationSession.objects.filter(case_id__in=case_ids).update(
            parties_present=scrub("parties_present"), notes=scrub("notes")
        )
    return {"case_parties": n, "cases": len(case_ids)}
