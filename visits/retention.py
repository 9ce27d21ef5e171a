"""A key person's record erased at the end of its retention period (residents/retention.py; README,
"Security and personal data"): the visits to that listing stay — they are the month's counts, with their
village, grid and month — but what the worker wrote about the person goes. Connected in
``VisitsConfig.ready`` to the registry's ``key_person_erased``; written with ``UPDATE`` so that the tracked
saves do not copy the notes into the audit log."""

from __future__ import annotations

from .models import Visit


def on_key_person_erased(sender, *, key_person_id: int, **kwargs) -> dict[str, int]:
    notes = Visit.objects.filter(key_person_id=key_person_id).exclude(note="").update(note="")
    return {"visit_notes": notes} if notes else {}
