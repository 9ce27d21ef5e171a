"""Co-governance verbs (docs/cogovernance.md). Keyword-only; each checks what the forms and the API both rely
on and raises ``ValidationError`` with a message for people; nothing is half-saved (each is one
transaction). A deliberation moves only through ``_move`` (the shared status pipeline), called by the verbs."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit import trail
from audit.models import AuditAction
from core import pipeline
from core.uploads import clean_photo
from grids.models import User

from .models import (
    Deliberation,
    DeliberationEvent,
    DeliberationMeeting,
    DocumentVersion,
    Progress,
    Project,
    ProjectPhoto,
    Research,
    ResearchFile,
    Stage,
    VillageDocument,
)
from .workflow import PROGRESS_STAGES, RESEARCH_STAGES, TRANSITIONS, action_for

MAX_FILE_BYTES = 10 * 1024 * 1024
DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".txt")
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic")


class InvalidMove(pipeline.InvalidTransition):
    message = _lazy("议题当前为「%(from)s」，不能变为「%(to)s」。")
    choices = Stage


class DeliberationChanged(pipeline.Changed):
    message = _lazy("这个议题刚刚被别人处理过，您的操作没有保存。请看一下最新情况，需要的话再操作一次。")
    code = "deliberation_changed"


class PublicityNotOver(pipeline.Changed):
    """The resolution before the publicity week has ended: refused, nothing saved (the API answers 409)."""

    code = "publicity_not_over"

    def __init__(self, deliberation: Deliberation):
        ValidationError.__init__(
            self,
            _("公示期到 %(ends)s 结束，%(first)s 起才能形成决议。")
            % {"ends": deliberation.publicity_ends.isoformat(), "first": deliberation.may_resolve_from.isoformat()},
            code=self.code,
        )


DELIBERATIONS = pipeline.Pipeline(
    Deliberation, TRANSITIONS, state_field="stage", invalid=InvalidMove, changed=DeliberationChanged
)


def _today(on: datetime.date | None) -> datetime.date:
    return on or timezone.localdate()


def _not_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天。")})


# --- Deliberations -----------------------------------------------------------------------------------------


def deliberation_check(d: Deliberation) -> None:
    errors = {}
    if d.grid_id is not None and d.grid.village_id != d.village_id:
        errors["grid"] = _("请选择本村的网格。")
    if d.natural_village_id is not None and d.natural_village.village_id != d.village_id:
        errors["natural_village"] = _("请选择本村的自然村。")
    if d.origin_case_id is not None and d.origin_case.village_id != d.village_id:
        errors["origin_case"] = _("请关联本村的事项。")
    if d.party_organisation_id is not None and d.party_organisation.village_id != d.village_id:
        errors["party_organisation"] = _("请选择本村的党组织。")
    if errors:
        raise ValidationError(errors)
    d.full_clean(exclude=["created_by", "village"])


@transaction.atomic
def deliberation_save(*, by: User, deliberation: Deliberation) -> Deliberation:
    """Propose a topic (new) or edit one still being prepared. The first save writes the timeline's start."""
    d = deliberation
    new = d.pk is None
    if not new and d.stage not in RESEARCH_STAGES:
        raise ValidationError(_("议题已报党组织审定，不能再修改。"))
    if new:
        d.created_by = by
        d.stage = Stage.PROPOSED
    deliberation_check(d)
    d.save()
    if new:
        DeliberationEvent.objects.create(deliberation=d, from_stage="", to_stage=Stage.PROPOSED, by=by)
    return d


def deliberation_move(
    *, deliberation: Deliberation, to: str, by: User, note: str = "", version: int | None = None
) -> Deliberation:
    """A plain move along the state table (research, submit, send back, implement). The steps with their
    own data go through their own verbs: ``deliberation_approve``, ``_meeting``, ``_resolve``, ``_close``."""
    action = action_for(deliberation.stage, to)
    if action is not None and (action.form or action.name == "close"):
        raise ValidationError(_("这一步请填写表单：%s") % action.label)
    return _move(deliberation, to, by=by, note=note, version=version)


@transaction.atomic
def _move(d: Deliberation, to: str, *, by: User, note: str = "", version: int | None = None, changes=None):
    """Refused unless the table allows the move and nobody moved it since ``version`` (default: the version
    in hand); one event row and one audit entry with the move."""
    action = action_for(d.stage, to)
    if action is not None and action.note_required and not note.strip():
        raise ValidationError({"note": _("请填写说明。")})
    now = timezone.now()
    step = DELIBERATIONS.move(
        d,
        to,
        expected_version=version or d.version,
        changes={**(changes or {}), "updated_at": now},
        event=lambda: DeliberationEvent.objects.create(
            deliberation=d, from_stage=d.stage, to_stage=to, note=note.strip(), by=by, at=now
        ),
    )
    trail.record(AuditAction.TRANSITION, d, changes={"stage": [d.stage, to], **trail.diff_of(d, step.fields)}, note=to)
    return Deliberation.objects.select_related("village").get(pk=d.pk)


def deliberation_approve(
    *,
    deliberation: Deliberation,
    by: User,
    approved_on: datetime.date | None = None,
    publish_on: datetime.date | None = None,
    opinions_to: str = "",
    party_organisation=None,
    note: str = "",
    version: int | None = None,
) -> Deliberation:
    """The Party organisation approved the topic: published for seven days from ``publish_on`` (by default
    the day after the approval)."""
    approved_on = _today(approved_on)
    _not_future(approved_on, "approved_on")
    publish_on = publish_on or approved_on + datetime.timedelta(days=1)
    if publish_on < approved_on:
        raise ValidationError({"publish_on": _("公示不能早于审定日期。")})
    if not opinions_to.strip():
        raise ValidationError({"opinions_to": _("请写明公示期间村民向哪里反映意见。")})
    if party_organisation is not None and party_organisation.village_id != deliberation.village_id:
        raise ValidationError({"party_organisation": _("请选择本村的党组织。")})
    changes = {"approved_on": approved_on, "publish_on": publish_on, "opinions_to": opinions_to.strip()}
    if party_organisation is not None:
        changes["party_organisation"] = party_organisation
    return _move(deliberation, Stage.PUBLISHED, by=by, note=note, version=version, changes=changes)


@transaction.atomic
def deliberation_meeting(
    *, deliberation: Deliberation, by: User, meeting: DeliberationMeeting, version: int | None = None
) -> Deliberation:
    """The deliberation meeting held: saved with the move, or neither."""
    d = deliberation
    meeting.deliberation = d
    meeting.recorded_by = by
    _not_future(meeting.held_on, "held_on")
    if d.publish_on and meeting.held_on < d.approved_on:
        raise ValidationError({"held_on": _("协商议事会应在议题审定之后召开。")})
    meeting.full_clean(exclude=["deliberation", "recorded_by"])
    moved = _move(d, Stage.DELIBERATED, by=by, version=version)
    meeting.save()
    return moved


def deliberation_resolve(
    *,
    deliberation: Deliberation,
    by: User,
    resolution: str,
    resolved_on: datetime.date | None = None,
    version: int | None = None,
) -> Deliberation:
    """The resolution: refused (``PublicityNotOver``, nothing saved) until the seven days of publicity have
    passed; from the eighth day it is accepted."""
    d = deliberation
    resolved_on = _today(resolved_on)
    _not_future(resolved_on, "resolved_on")
    if not resolution.strip():
        raise ValidationError({"resolution": _("请填写决议内容。")})
    if d.stage == Stage.DELIBERATED and d.may_resolve_from and resolved_on < d.may_resolve_from:
        raise PublicityNotOver(d)
    return _move(
        d,
        Stage.RESOLVED,
        by=by,
        version=version,
        changes={"resolution": resolution.strip(), "resolved_on": resolved_on},
    )


def deliberation_close(
    *,
    deliberation: Deliberation,
    by: User,
    note: str,
    closed_on: datetime.date | None = None,
    version: int | None = None,
) -> Deliberation:
    closed_on = _today(closed_on)
    _not_future(closed_on, "closed_on")
    return _move(deliberation, Stage.CLOSED, by=by, note=note, version=version, changes={"closed_on": closed_on})


def _file_name(upload) -> str:
    return (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:120]


def _clean_file(upload):
    """A photo re-encoded without its metadata; a document kept as it is, by suffix and size."""
    name = _file_name(upload).lower()
    if name.endswith(PHOTO_SUFFIXES):
        return clean_photo(upload)
    if not name.endswith(DOCUMENT_SUFFIXES):
        raise ValidationError(
            {"files": _("“%s”不是可以上传的文件（照片、PDF、Word、Excel、WPS 或文本）。") % _file_name(upload)}
        )
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({"files": _("“%s”超过 10 MB。") % _file_name(upload)})
    return upload


@transaction.atomic
def research_add(*, deliberation: Deliberation, by: User, research: Research, files: list | None = None) -> Research:
    if deliberation.stage not in RESEARCH_STAGES:
        raise ValidationError(_("议题已报党组织审定，不能再添加调研记录。"))
    research.deliberation = deliberation
    research.recorded_by = by
    _not_future(research.held_on, "held_on")
    research.full_clean(exclude=["deliberation", "recorded_by"])
    cleaned = [(_file_name(f), _clean_file(f)) for f in (files or [])]  # a bad file refuses the whole record
    research.save()
    for name, content in cleaned:
        ResearchFile.objects.create(research=research, file=content, name=name, uploaded_by=by)
    return research


@transaction.atomic
def progress_add(*, deliberation: Deliberation, by: User, progress: Progress) -> Progress:
    if deliberation.stage not in PROGRESS_STAGES:
        raise ValidationError(_("决议组织实施后才能记录落实进展。"))
    progress.deliberation = deliberation
    progress.recorded_by = by
    _not_future(progress.noted_on, "noted_on")
    progress.full_clean(exclude=["deliberation", "recorded_by"])
    progress.save()
    return progress


def spent_on(deliberation: Deliberation) -> Decimal:
    return deliberation.progress.aggregate(s=Sum("spent"))["s"] or Decimal(0)


# --- Projects ----------------------------------------------------------------------------------------------


@transaction.atomic
def project_save(*, by: User, project: Project, natural_villages=None, photos: list | None = None) -> Project:
    p = project
    errors = {}
    if p.grid_id is not None and p.grid.village_id != p.village_id:
        errors["grid"] = _("请选择本村的网格。")
    if p.deliberation_id is not None and p.deliberation.village_id != p.village_id:
        errors["deliberation"] = _("请选择本村的议事。")
    if natural_villages is not None and any(n.village_id != p.village_id for n in natural_villages):
        errors["natural_villages"] = _("请选择本村的自然村。")
    if p.done_on is not None and p.done_on > timezone.localdate():
        errors["done_on"] = _("日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    if p.pk is None:
        p.created_by = by
    p.full_clean(exclude=["created_by", "village", "natural_villages"])
    cleaned = [clean_photo(f) for f in (photos or [])]
    p.save()
    if natural_villages is not None:
        p.natural_villages.set(natural_villages)
    for photo in cleaned:
        ProjectPhoto.objects.create(project=p, image=photo, width=photo.width, height=photo.height, uploaded_by=by)
    return p


# --- Village documents -------------------------------------------------------------------------------------


@transaction.atomic
def document_save(*, by: User, document: VillageDocument) -> VillageDocument:
    if document.pk is None:
        document.created_by = by
    # The village is validated too: one active document per title in a village is a constraint on it.
    document.full_clean(exclude=["created_by"])
    document.save()
    return document


@transaction.atomic
def document_adopt(*, by: User, document: VillageDocument, version: DocumentVersion) -> DocumentVersion:
    """A new adopted text: the next number; the earlier versions stay."""
    locked = VillageDocument.objects.select_for_update().get(pk=document.pk)
    if locked.is_archived:
        raise ValidationError(_("该文件已归档。"))
    _not_future(version.adopted_on, "adopted_on")
    latest = locked.versions.aggregate(n=Max("number"), on=Max("adopted_on"))
    if latest["on"] and version.adopted_on < latest["on"]:
        raise ValidationError({"adopted_on": _("新版本的通过日期不能早于上一版（%s）。") % latest["on"].isoformat()})
    version.document = locked
    version.number = (latest["n"] or 0) + 1
    version.recorded_by = by
    version.full_clean(exclude=["document", "recorded_by"])
    version.save()
    return version


def document_archive(*, by: User, document: VillageDocument) -> VillageDocument:
    if not document.is_archived:
        document.archived_at = timezone.now()
        document.save(update_fields=["archived_at", "updated_at"])
    return document
