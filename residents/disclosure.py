"""What a viewer is shown of who a resident is: the ID number, the birth date, the age, and what a search
by ID number answers (docs/personal-data.md).

An ID number is region (6) + birth date (8) + sequence (3) + check (1). Whoever sees the birth date and
part of the number, and may search by a full number, can try the few candidates that remain and let the
search confirm one: the town office rebuilt nearly every number of the demo that way. So, for a viewer
who may not see a village's full numbers (``access.may_see_full_id``):

- the number is masked to its first two characters (the province): nothing of the birth date, the
  sequence or the check character;
- no birth date; the age is the difference of the years (this year − the year of birth), which changes
  for everyone on 1 January and so does not tell the day of a birthday either;
- an ordering by birth orders by the year of birth, then by name;
- a search by the last four characters is not offered;
- a search by a full number answers only among the residents the viewer already sees, is recorded in the
  audit log like a reveal, and is refused after ``ID_SEARCH_DAILY_LIMIT`` a day.

What is left to guess is the birth day within a year and the sequence (about 365 × 500 candidates for
one person); at 20 tries a day that is twelve years on average for one person, and every try is in the log.

A village's staff (and the admin) see the birth date, the age in full years and a mask that keeps the
first and last four characters, and may reveal the whole number (recorded, ``services.id_number_reveal``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail
from audit.models import AuditAction, AuditEntry
from grids import access

from . import idnumber


def sees_in_full(viewer, village_id: int) -> bool:
    return access.may_see_full_id(viewer, village_id)


def masked_id(viewer, resident) -> str:
    if not resident.id_cipher:
        return ""
    if sees_in_full(viewer, resident.village_id):
        return idnumber.mask(resident.id_number)
    return idnumber.mask_hard(resident.id_number)


def birth_date(viewer, resident) -> datetime.date | None:
    return resident.birth_date if sees_in_full(viewer, resident.village_id) else None


def age(viewer, resident, *, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    if sees_in_full(viewer, resident.village_id):
        return resident.age_on(today)
    return today.year - resident.birth_date.year


def may_search_tails(viewer) -> bool:
    """The "ends with 1234" search: for those who see every number they could find with it."""
    return access.may_see_full_ids_everywhere(viewer)


def searches_today(viewer) -> int:
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    return AuditEntry.objects.filter(actor=viewer, action=AuditAction.SEARCH_ID, at__gte=start).count()


def check_id_search(viewer, text: str) -> None:
    """Before a search by a full ID number: for a viewer who may not see every number they could find,
    record it (like a reveal) or refuse it once today's allowance is used. Other searches pass."""
    if not text or not idnumber.looks_like_full_number(text) or access.may_see_full_ids_everywhere(viewer):
        return
    limit = settings.ID_SEARCH_DAILY_LIMIT
    if searches_today(viewer) >= limit:
        raise ValidationError(
            _("按完整身份证号码查询每天最多 %(n)d 次，今天的次数已用完；请明天再查，或请本村工作人员查询。"),
            code="id_search_limit",
            params={"n": limit},
        )
    # Saved directly, not through ``trail.record``: the count above must see every search, also where the
    # trail is paused (the demo's seeding).
    trail.entry(
        AuditAction.SEARCH_ID,
        model="residents.resident",
        note=_("按完整身份证号码查询：%(masked)s") % {"masked": idnumber.mask_hard(idnumber.normalize(text))},
        sensitive=True,
    ).save()
