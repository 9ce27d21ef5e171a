"""Verbs of grid-worker care and capacity (docs/scorecard.md, "Grid-worker care pages"): accident insurance,
health checks, trainings and the good practices a village reports. Keyword-only; each raises
``ValidationError`` with a message for people and saves nothing when it refuses (one transaction each). The
saves are tracked by the audit trail (people/apps.py); the adoption, a conditional update, records itself."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit import trail
from audit.models import AuditAction
from cogovernance.services import MAX_FILE_BYTES
from core import pipeline
from grids import access
from grids.models import Assignment, Role, Town, User, Village
from grids.services import holders
from messaging.services import notice_send

from .models import GoodPractice, HealthCheck, PracticeStatus, Training, WorkerInsurance

# What a practice's attachment may be: PDF, Word, WPS or text (the documents the co-governance research
# files take, without photos and sheets: a 工作法 is written text).
PRACTICE_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".txt")


def current_workers(*, village: Village | None = None, town: Town | None = None):
    """The current grid workers of a village, or of every village of a town (seed 000 speaks of 网格员)."""
    rows = Assignment.objects.current().filter(role=Role.GRID_WORKER, grid__archived_at__isnull=True)
    rows = rows.filter(grid__village=village) if village is not None else rows.filter(grid__village__town=town)
    return User.objects.filter(is_active=True, pk__in=rows.values("user_id"))


def _is_worker_of(worker: User, village: Village) -> bool:
    return current_workers(village=village).filter(pk=worker.pk).exists()


def _not_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天。")})


@transaction.atomic
def insurance_save(*, by: User, insurance: WorkerInsurance) -> WorkerInsurance:
    """A policy for one of the village's current grid workers; it may not end before it starts."""
    i = insurance
    errors = {}
    if i.worker_id is not None and i.pk is None and not _is_worker_of(i.worker, i.village):
        errors["worker"] = _("请选择本村在岗的网格员。")
    if i.starts_on and i.ends_on and i.ends_on < i.starts_on:
        errors["ends_on"] = _("保险止期不能早于起期。")
    if errors:
        raise ValidationError(errors)
    if i.pk is None:
        i.created_by = by
    i.full_clean(exclude=["village", "created_by"])
    i.save()
    return i


@transaction.atomic
def health_check_add(*, by: User, check: HealthCheck) -> HealthCheck:
    """The day and the institution of a worker's health check; results are never recorded (docs/scorecard.md)."""
    if check.worker_id is not None and not _is_worker_of(check.worker, check.village):
        raise ValidationError({"worker": _("请选择本村在岗的网格员。")})
    _not_future(check.checked_on, "checked_on")
    if (
        check.worker_id is not None
        and check.checked_on
        and HealthCheck.objects.filter(worker_id=check.worker_id, checked_on=check.checked_on).exists()
    ):
        raise ValidationError({"checked_on": _("这一天的体检已登记。")})
    check.created_by = by
    check.full_clean(exclude=["village", "created_by"])
    check.save()
    return check


@transaction.atomic
def training_save(*, by: User, training: Training, attendees) -> Training:
    """A training held by a village (``training.village`` set) or by its town; the attendees are current
    grid workers of that village or town, anyone else is refused on the field."""
    t = training
    scope = current_workers(village=t.village) if t.village_id else current_workers(town=t.town)
    attendees = list(attendees or [])
    allowed = set(scope.filter(pk__in=[a.pk for a in attendees]).values_list("pk", flat=True))
    if strangers := [a for a in attendees if a.pk not in allowed]:
        where = _("本村") if t.village_id else _("本镇")
        raise ValidationError(
            {
                "attendees": _("%(names)s 不是%(where)s在岗的网格员。")
                % {"names": "、".join(str(a) for a in strangers), "where": where}
            }
        )
    _not_future(t.held_on, "held_on")
    if t.pk is None:
        t.created_by = by
    t.full_clean(exclude=["town", "village", "created_by", "attendees"])
    t.save()
    t.attendees.set(attendees)
    return t


def _clean_attachment(upload):
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    if not name.lower().endswith(PRACTICE_SUFFIXES):
        raise ValidationError({"attachment": _("“%s”不是可以上传的文件（PDF、Word、WPS 或文本）。") % name[:120]})
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({"attachment": _("“%s”超过 10 MB。") % name[:120]})
    return upload


@transaction.atomic
def practice_report(*, by: User, practice: GoodPractice) -> GoodPractice:
    """The village reports a work method or case to the town office (seed 000: 上报…两篇)."""
    p = practice
    if not access.can_manage_village(by, p.village):
        raise ValidationError(_("只有本村村干部可以上报。"))
    if p.attachment:
        _clean_attachment(p.attachment)
    p.reported_by = by
    p.reported_on = p.reported_on or timezone.localdate()
    p.status = PracticeStatus.REPORTED
    p.full_clean(exclude=["village", "reported_by", "adopted_by"])
    p.save()
    return p


class PracticeInvalid(pipeline.InvalidTransition):
    message = _lazy("这篇材料当前为「%(from)s」，不能变为「%(to)s」。")
    choices = PracticeStatus


class PracticeChanged(pipeline.Changed):
    message = _lazy("这篇材料刚刚已被处理，您的操作没有重复保存。")
    code = "practice_changed"


PRACTICES = pipeline.Pipeline(
    GoodPractice,
    {PracticeStatus.REPORTED: {PracticeStatus.ADOPTED}},
    state_field="status",
    version_field=None,
    invalid=PracticeInvalid,
    changed=PracticeChanged,
)


@transaction.atomic
def practice_adopt(*, by: User, practice: GoodPractice, note: str = "") -> GoodPractice:
    """The town office adopts a village's practice: a conditional update on the status, so two clicks (or two
    people) adopt it once, and the village's staff are told once (the notice's key is the practice)."""
    if not access.may_review_for_town(by, practice.village.town_id):
        raise ValidationError(_("只有镇综治办可以采用上报的材料。"))
    today = timezone.localdate()
    step = PRACTICES.move(
        practice,
        PracticeStatus.ADOPTED,
        changes={"adopted_on": today, "adopted_by_id": by.pk, "town_note": (note or "").strip()[:500]},
    )
    trail.record(
        AuditAction.TRANSITION,
        practice,
        changes={"status": [practice.status, PracticeStatus.ADOPTED], **trail.diff_of(practice, step.fields)},
    )
    notice_send(
        recipients=holders(Role.VILLAGE_STAFF, practice.village),
        key=f"practice-{practice.pk}-adopted",
        kind="practice",
        title=_("镇综治办采用了本村上报的“%(title)s”") % {"title": practice.title},
        body=(note or "").strip(),
        url=reverse("people:practice-detail", args=[practice.pk]),
    )
    return GoodPractice.objects.select_related("village__town").get(pk=practice.pk)
