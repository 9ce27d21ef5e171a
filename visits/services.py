"""The verbs of visits. The phone pages, the API, the demo data and the tasks all call these."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import uploads
from disputes import services as case_services
from grids import access
from grids.models import Role, User
from grids.services import holders
from messaging.services import notice_send
from residents.models import Household, KeyPerson, KeyPersonResponsible, KeyPlace

from . import due, fielddays
from .models import CASE_FINDINGS, CoverageSnapshot, Finding, Outcome, ReminderPolicy, Subject, Visit, VisitPhoto


def subject_place(target) -> tuple[str, object, object, object]:
    """(subject, village, grid, micro-grid) of a household, key person or key place, as they are now."""
    if isinstance(target, Household):
        return Subject.HOUSEHOLD, target.village, target.grid, target.micro_grid
    if isinstance(target, KeyPerson):
        household = target.resident.household
        if household is None:
            raise ValidationError(_("该重点人员没有所在户，无法确定网格。"))
        return Subject.KEY_PERSON, household.village, household.grid, household.micro_grid
    if isinstance(target, KeyPlace):
        return Subject.KEY_PLACE, target.village, target.grid, target.micro_grid
    raise TypeError(target)


def late_entry_limit(month: datetime.date, policy: ReminderPolicy) -> datetime.date:
    return due.month_end(month) + datetime.timedelta(days=policy.late_entry_days)


def visit_record(
    *,
    worker: User,
    target,
    visited_on: datetime.date | None = None,
    outcome: str = Outcome.DONE,
    reason: str = "",
    finding: str = Finding.NOTHING,
    note: str = "",
    photos: Iterable = (),
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    team: Sequence[KeyPersonResponsible] = (),
    client_token: uuid.UUID | None = None,
    case_category: str = "",
    today: datetime.date | None = None,
) -> tuple[Visit, bool]:
    """Record a visit. Returns (visit, created): the same ``client_token`` again returns the first visit
    and creates nothing (a double tap, a retry after a timeout)."""
    if client_token is not None:
        existing = Visit.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing, False
    try:
        return _record(
            worker=worker,
            target=target,
            visited_on=visited_on,
            outcome=outcome,
            reason=reason,
            finding=finding,
            note=note,
            photos=photos,
            latitude=latitude,
            longitude=longitude,
            team=team,
            client_token=client_token,
            case_category=case_category,
            today=today,
        ), True
    except IntegrityError:
        # Two submissions with one token at the same moment: the other one was first.
        existing = Visit.objects.filter(client_token=client_token).first() if client_token else None
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def _record(
    *,
    worker,
    target,
    visited_on,
    outcome,
    reason,
    finding,
    note,
    photos,
    latitude,
    longitude,
    team,
    client_token,
    case_category,
    today,
) -> Visit:
    today = today or timezone.localdate()
    visited_on = visited_on or today
    subject, village, grid, micro_grid = subject_place(target)
    if not access.may_record_visit(
        worker, village_id=grid.village_id, grid_id=grid.pk, micro_grid_id=micro_grid.pk if micro_grid else None
    ):
        raise PermissionDenied(_("只有本网格的网格员或本村村干部可以记录走访。"))
    errors: dict[str, list[str]] = {}
    policy = ReminderPolicy.current()
    month = due.month_start(visited_on)
    late = month < due.month_start(today)
    if visited_on > today:
        errors.setdefault("visited_on", []).append(_("走访日期不能晚于今天。"))
    elif late and today > late_entry_limit(month, policy):
        errors.setdefault("visited_on", []).append(
            _("%(month)s 的走访最晚可在 %(limit)s 前补录，已超过补录期限。")
            % {"month": f"{month:%Y-%m}", "limit": late_entry_limit(month, policy).isoformat()}
        )
    if outcome == Outcome.NOT_POSSIBLE:
        if not reason:
            errors.setdefault("reason", []).append(_("请选择未能走访的原因。"))
        if finding != Finding.NOTHING:
            errors.setdefault("finding", []).append(_("未能走访时不能登记发现情况。"))
    else:
        reason = ""
    if getattr(target, "is_archived", False):
        errors.setdefault(None, []).append(_("该户/场所已归档。"))
    team = list(team)
    if team and (subject != Subject.KEY_PERSON or any(m.key_person_id != target.pk for m in team)):
        errors.setdefault("team", []).append(_("参与人员必须是该重点人员的帮扶责任人。"))
    if finding in CASE_FINDINGS and not note.strip():
        errors.setdefault("note", []).append(_("发现问题时请简要写明情况，会据此上报案件。"))
    cleaned_photos = []
    for photo in photos:
        try:
            cleaned_photos.append(uploads.clean_photo(photo))
        except ValidationError as exc:
            errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    visit = Visit.objects.create(
        worker=worker,
        subject=subject,
        household=target if subject == Subject.HOUSEHOLD else None,
        key_person=target if subject == Subject.KEY_PERSON else None,
        key_place=target if subject == Subject.KEY_PLACE else None,
        village=village,
        grid=grid,
        micro_grid=micro_grid,
        visited_on=visited_on,
        month=month,
        late=late,
        outcome=outcome,
        reason=reason,
        finding=finding,
        note=note.strip(),
        latitude=latitude,
        longitude=longitude,
        client_token=client_token,
    )
    fielddays.mark(worker.pk, visited_on)
    if team:
        visit.team.set(team)
    for photo in cleaned_photos:
        VisitPhoto.objects.create(visit=visit, image=photo, width=photo.width, height=photo.height)
    if finding in CASE_FINDINGS:
        visit.case = _open_case(visit, target, case_category)
        visit.save(update_fields=["case"])
    if subject == Subject.KEY_PERSON and outcome == Outcome.NOT_POSSIBLE:
        _flag_if_unreached(visit, target)
    return visit


def _open_case(visit: Visit, target, category: str):
    """A finding becomes a case through the cases service; the case and the visit point at each other."""
    kind = CASE_FINDINGS[visit.finding]
    if not category.startswith(f"{kind}."):
        category = f"{kind}.other"
    household = visit.household or (visit.key_person.resident.household if visit.key_person else None)
    first_line = visit.note.splitlines()[0][:40]
    return case_services.case_report(
        by=visit.worker,
        village=visit.village,
        grid=visit.grid,
        kind=kind,
        category=category,
        title=_("走访发现：%s") % first_line,
        description=visit.note,
        source="visit",
        occurred_on=visit.visited_on,
        household=household,
        people_involved=1,
    )


def _flag_if_unreached(visit: Visit, key_person: KeyPerson) -> None:
    last_two = list(key_person.visits.order_by("-visited_on", "-recorded_at").values_list("outcome", flat=True)[:2])
    if last_two == [Outcome.NOT_POSSIBLE, Outcome.NOT_POSSIBLE]:
        notice_send(
            recipients=holders(Role.VILLAGE_STAFF, visit.village),
            key=f"unreached-{key_person.pk}-{visit.pk}",
            kind="visit",
            title=_("重点人员连续两次未能走访，有脱管风险：%s") % key_person.resident.name,
            body=visit.get_reason_display(),
            url=f"/key-persons/{key_person.pk}/",
        )


# --- Month close -------------------------------------------------------------------------------------


def coverage_snapshot(*, month: datetime.date, grid_ids=None) -> int:
    """Keep a closed month's coverage per grid as it stood (idempotent: a second run rewrites the same
    figures). Returns how many grids were written."""
    from grids.models import Grid

    month = due.month_start(month)
    if grid_ids is None:
        grid_ids = list(Grid.objects.values_list("pk", flat=True))
    figures = due.coverage_by_grid(grid_ids, month, today=due.month_end(month))
    # One transaction: the month's figures all or none, and what watches the snapshots (the kept dashboard
    # figures, reports/scorecard/kept.py) is told once.
    with transaction.atomic():
        for grid_id, cov in figures.items():
            CoverageSnapshot.objects.update_or_create(
                grid_id=grid_id,
                month=month,
                defaults={
                    "households_due": cov.households_due,
                    "households_done": cov.households_done,
                    "key_persons_due": cov.key_persons_due,
                    "key_persons_done": cov.key_persons_done,
                    "key_places_due": cov.key_places_due,
                    "key_places_done": cov.key_places_done,
                    "key_persons_overdue": cov.key_persons_overdue,
                    "taken_at": timezone.now(),
                },
            )
    return len(figures)
