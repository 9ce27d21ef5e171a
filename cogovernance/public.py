"""What the public sees of a deliberation: its publicity notice behind the unguessable link
(docs/cogovernance.md, "Who sees what"). The notice's free text is written by the village's staff and may
name a villager or give a number; ``redact`` takes out what the registry knows to be personal (its
residents' names, the guardians' and the people in charge's, their phones) and every number shaped like a
mobile phone or an ID card, before anything is shown without a login."""

from __future__ import annotations

import re

from django.urls import reverse

from residents.models import Household, KeyPerson, KeyPersonResponsible, KeyPlace, Resident

from .models import Deliberation, Stage

NAME_MASK = "某某"
NUMBER_MASK = "***"

# The stages of an approved deliberation: from the Party organisation's approval on, its notice is public.
PUBLIC_STAGES = frozenset({Stage.PUBLISHED, Stage.DELIBERATED, Stage.RESOLVED, Stage.IMPLEMENTING, Stage.CLOSED})

# ID numbers (GB 11643: 18 characters, the last a digit or X; the older 15 digits), also written in groups,
# and any longer run of digits; then mainland mobile numbers (1[3-9] and nine digits), also as 3-4-4. ``\d``
# matches full-width digits too.
_ID_LIKE = re.compile(r"\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx]|\d{15,}")
_MOBILE = re.compile(r"1[3-9]\d(?:[ -]?\d{4}){2}")


def _distinct(*querysets) -> list[str]:
    """One query: the union (distinct) of single-column querysets, without their default orderings."""
    first, *rest = (qs.order_by() for qs in querysets)
    return list(first.union(*rest))


def personal_names(village_id: int) -> list[str]:
    """Names the registry holds for people of the village, two characters or more, longest first."""
    names = _distinct(
        Resident.objects.filter(village_id=village_id).values_list("name", flat=True),
        KeyPerson.objects.filter(resident__village_id=village_id).values_list("guardian_name", flat=True),
        KeyPersonResponsible.objects.filter(key_person__resident__village_id=village_id).values_list("name", flat=True),
        KeyPlace.objects.filter(village_id=village_id).values_list("person_in_charge", flat=True),
    )
    return sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True)


def personal_phones(village_id: int) -> list[str]:
    phones = _distinct(
        Resident.objects.filter(village_id=village_id).values_list("phone", flat=True),
        Household.objects.filter(village_id=village_id).values_list("phone", flat=True),
        KeyPerson.objects.filter(resident__village_id=village_id).values_list("guardian_phone", flat=True),
        KeyPersonResponsible.objects.filter(key_person__resident__village_id=village_id).values_list(
            "phone", flat=True
        ),
        KeyPlace.objects.filter(village_id=village_id).values_list("phone", flat=True),
    )
    return sorted({p.strip() for p in phones if p and p.strip()}, key=len, reverse=True)


def redactor(village_id: int):
    """A function taking out of a text the village's people's names ("某某") and phones, mobile numbers and
    ID-like numbers ("***"). Two queries when made, whatever the size of the registry, then plain string
    work for each text; names longest first, so that "张三丰" is not left as "某某丰" by "张三"."""
    names, phones = personal_names(village_id), personal_phones(village_id)

    def clean(text: str) -> str:
        if not text:
            return text
        for phone in phones:
            text = text.replace(phone, NUMBER_MASK)
        text = _MOBILE.sub(NUMBER_MASK, _ID_LIKE.sub(NUMBER_MASK, text))
        for name in names:
            text = text.replace(name, NAME_MASK)
        return text

    return clean


def redact(text: str, village_id: int) -> str:
    """``text`` as the public may read it (``redactor``)."""
    return redactor(village_id)(text) if text else text


def notice_queryset():
    """Deliberations whose notice is public: approved (published or later, with a publication day), not
    archived. Anything else, like a wrong token, is not found."""
    return Deliberation.objects.filter(
        stage__in=PUBLIC_STAGES, publish_on__isnull=False, archived_at__isnull=True
    ).select_related("village", "party_organisation")


def notice(d: Deliberation) -> dict:
    """The allow-listed fields of the public notice, the free text redacted. Nothing else of the record
    leaves: not the proposer, the research, the meeting, the resolution, the progress or who recorded it."""
    clean = redactor(d.village_id)
    return {
        "title": clean(d.title),
        "summary": clean(d.summary),
        "publish_on": d.publish_on,
        "publicity_ends": d.publicity_ends,
        "opinions_to": clean(d.opinions_to),
        "village": d.village.name,
        "organisation": d.party_organisation.name if d.party_organisation_id else "",
    }


def notice_path(d: Deliberation) -> str:
    """The public notice's address, for the staff's page to show and copy."""
    return reverse("cogovernance:public-notice", args=[d.public_token])
