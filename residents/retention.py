"""The end of a key person's record: erased once its category's period after the listing ended is over.

PIPL 《个人信息保护法》 art. 19 and 47 (docs/sources.md [L1]): kept for the shortest time needed, deleted once
the purpose is achieved. The periods are ``RetentionRule`` rows (one per category, edited in the admin).
The nightly task ``residents.tasks.key_persons_erase`` calls ``key_persons_erase``; README, "Security and
personal data", says what is kept how long.

Erasing a listing blanks its sensitive fields, deletes its 四帮一 team, and takes the resident off it, so
the row names nobody: its category, dates and the village and grid it was in stay, and visits to it stay
with their village, grid and month, so every count (visits per month, coverage, reports) is unchanged.
Apps above the registry anonymise what they hold about the listing through the ``key_person_erased``
signal. Each erasure is claimed on ``erased_at`` (STYLE 7), so a second run, a retry or two workers at
once erase it once, and it writes one ``AuditAction.ERASE`` entry naming the rule and the fields — never
their values.
"""

from __future__ import annotations

import datetime
import logging
import operator
from functools import reduce

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from audit import trail
from audit.models import AuditAction

from .models import KeyPerson, KeyPersonResponsible, Resident, RetentionRule
from .signals import key_person_erased

log = logging.getLogger(__name__)

# Field → its value once erased. ``resident`` last: the row then names nobody.
ERASED_VALUES: dict[str, object] = {
    "note": "",
    "correction_type": "",
    "correction_start": None,
    "correction_end": None,
    "supervision_gap": "",
    "release_date": None,
    "resettlement": "",
    "risk_level": None,
    "guardian_name": "",
    "guardian_phone": "",
    "incident_history": False,
    "treatment": "",
    "health": "",
    "difficulties": "",
    "resident": None,
}


def due_for_erasure(rules: list[RetentionRule], today: datetime.date):
    """Listings ended longer ago than their category's period, not yet erased. A category without a rule
    is kept (the admin adds its rule)."""
    if not rules:
        return KeyPerson.objects.none()
    past = reduce(operator.or_, (Q(category=r.category, listed_until__lt=r.ended_before(today)) for r in rules))
    return KeyPerson.objects.filter(past, erased_at__isnull=True, listed_until__isnull=False).order_by("pk")


def key_persons_erase(*, today: datetime.date | None = None) -> int:
    """Erase every listing past its period; returns how many were erased by this run."""
    today = today or timezone.localdate()
    rules = {rule.category: rule for rule in RetentionRule.objects.all()}
    erased = 0
    with trail.acting_as(label=gettext("保存期限到期删除")):
        for pk, category in list(due_for_erasure(list(rules.values()), today).values_list("pk", "category")):
            erased += key_person_erase(key_person_id=pk, rule=rules[category])
    if erased:
        log.info("retention: %d key-person listings erased", erased)
    return erased


@transaction.atomic
def key_person_erase(*, key_person_id: int, rule: RetentionRule) -> int:
    """Erase one listing under ``rule``: 1 if this call erased it, 0 if it was already erased."""
    # The claim: the row locked and still unerased, or someone else did it (STYLE 7).
    kp = KeyPerson.objects.select_for_update().filter(pk=key_person_id, erased_at__isnull=True).order_by().first()
    if kp is None:
        return 0
    place = (
        Resident.objects.filter(pk=kp.resident_id).values("village_id", "household__grid_id").first()
        if kp.resident_id
        else None
    ) or {}
    resident_id = kp.resident_id
    fields = [name for name, blank in ERASED_VALUES.items() if _value(kp, name) != blank]
    team = KeyPersonResponsible.objects.filter(key_person_id=kp.pk)
    team_size = team.count()
    # Rows written with UPDATE / DELETE, not save(): the tracked saves would copy the values into the log.
    with trail.suspended():
        team.delete()
    KeyPerson.objects.filter(pk=kp.pk).update(
        **ERASED_VALUES,
        erased_at=timezone.now(),
        erased_village_id=place.get("village_id"),
        erased_grid_id=place.get("household__grid_id"),
    )
    kp.refresh_from_db()
    anonymised: dict[str, int] = {}
    if resident_id is not None:
        for _receiver, counts in key_person_erased.send(
            sender=KeyPerson,
            key_person_id=kp.pk,
            resident_id=resident_id,
            listed_from=kp.listed_from,
            listed_until=kp.listed_until,
        ):
            for what, n in (counts or {}).items():
                anonymised[what] = anonymised.get(what, 0) + n
    if team_size:
        fields.append("responsibles")  # the 四帮一 team: names and phones of the family and helpers
    trail.record(
        AuditAction.ERASE,
        kp,
        # Each field as the log shows a secret one: that it changed, never what it was.
        changes={name: [trail.HIDDEN, None] for name in fields}
        | {"retention_rule": {"category": rule.category, "months": rule.months, "source": rule.source}}
        | ({"anonymised": anonymised} if anonymised else {}),
        note=gettext("保存期限届满：%(category)s，列管结束后 %(months)s 个月；依据：%(source)s")
        % {"category": rule.get_category_display(), "months": rule.months, "source": rule.source},
        village_id=kp.erased_village_id,
        sensitive=True,
    )
    return 1


def _value(kp: KeyPerson, name: str):
    return kp.resident_id if name == "resident" else getattr(kp, name)
