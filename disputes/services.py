"""The verbs of cases. Pages, the field view, the API, visits and the demo data all call these.

Every verb is atomic. A state change goes through ``case_transition``: it refuses what the table in
``workflow.py`` does not allow, applies the change only if the case is still the version the person
saw (a conditional UPDATE — two people acting at once: one wins, the other is told), and writes the
timeline event in the same transaction (the steps are ``core.pipeline``'s, shared with monthly reports and
registry imports).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit import trail
from audit.models import AuditAction
from core import pipeline, uploads
from grids import access
from grids.models import Grid, Role, User, Village
from grids.services import holders
from messaging.services import notice_send, notices_done
from residents.models import Household, Resident

from .assignees import assignable_people
from .models import (
    Case,
    CaseAttachment,
    CaseEvent,
    CaseParty,
    Department,
    Kind,
    MediationSession,
    Mediator,
    Outcome,
    Source,
    State,
    Tier,
)
from .workflow import ACTIONS, TRANSITIONS, Actor


class InvalidTransition(pipeline.InvalidTransition):
    message = _lazy("案件当前为「%(from)s」，不能变为「%(to)s」。")
    choices = State


class CaseChanged(pipeline.Changed):
    message = _lazy("这件案件刚刚被别人处理过，您的操作没有保存。请看一下最新情况，需要的话再操作一次。")
    code = "case_changed"


CASES = pipeline.Pipeline(Case, TRANSITIONS, invalid=InvalidTransition, changed=CaseChanged)


@dataclass
class PartyInput:
    role: str
    name: str = ""
    phone: str = ""
    resident: Resident | None = None


# --- Reporting -----------------------------------------------------------------------------------


def _number(case: Case) -> str:
    return f"{timezone.localtime(case.reported_at):%Y}-{case.pk:06d}"


def case_url(case: Case) -> str:
    return reverse("disputes:case-detail", args=[case.pk])


def case_topic(case: Case) -> str:
    """What the inbox notices about ``case`` are about: once the case moves on they show as handled."""
    return f"case-{case.pk}"


@transaction.atomic
def case_report(
    *,
    by: User,
    village: Village,
    grid: Grid,
    kind: str,
    category: str,
    title: str,
    description: str,
    source: str = Source.GRID_WORKER,
    occurred_on: datetime.date | None = None,
    location: str = "",
    people_involved: int = 2,
    household: Household | None = None,
    major: bool = False,
    parties: Sequence[PartyInput] = (),
    photos: Iterable = (),
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    reported_at: datetime.datetime | None = None,
) -> Case:
    """Open a case. A major one goes to the town at once and the town office is told."""
    errors: dict[str, list[str]] = {}
    if not category.startswith(f"{kind}."):
        errors.setdefault("category", []).append(_("类别与类型不符，请重新选择类别。"))
    if grid.village_id != village.pk:
        errors.setdefault("grid", []).append(_("网格必须属于本村。"))
    if household is not None and household.village_id != village.pk:
        errors.setdefault("household", []).append(_("该户不在本村。"))
    # Photos are checked (and re-encoded) before anything is written: a bad one refuses the whole report.
    cleaned_photos = []
    for photo in photos:
        try:
            cleaned_photos.append(uploads.clean_photo(photo))
        except ValidationError as exc:
            errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    now = reported_at or timezone.now()
    case = Case(
        kind=kind,
        category=category,
        title=title,
        description=description,
        occurred_on=occurred_on or timezone.localdate(),
        location=location,
        people_involved=people_involved,
        village=village,
        grid=grid,
        household=household,
        source=source,
        reported_by=by,
        reported_at=now,
        major=major,
        state=State.REPORTED,
        tier=Tier.GROUP,
        state_since=now,
        tier_since=now,
        latitude=latitude,
        longitude=longitude,
    )
    case.full_clean(exclude=["number"])
    case.save()
    case.number = _number(case)
    case.save(update_fields=["number"])
    for party in parties:
        CaseParty.objects.create(
            case=case,
            role=party.role,
            resident=party.resident,
            name=party.resident.name if party.resident else party.name,
            phone=party.phone or (party.resident.phone if party.resident else ""),
        )
    for photo in cleaned_photos:
        CaseAttachment.objects.create(
            case=case, image=photo, width=photo.width, height=photo.height, uploaded_by=by, uploaded_at=now
        )
    CaseEvent.objects.create(
        case=case, by=by, at=now, action="report", from_state="", to_state=State.REPORTED, to_tier=case.tier
    )
    if major:
        # Seed 000: disputes that may escalate, major ones and those affecting stability go to the town at once.
        case = case_transition(
            case=case,
            to=State.ESCALATED,
            by=by,
            action="escalate",
            note=_("重大事项，立即上报镇综治中心。"),
            changes={"tier": Tier.TOWN, "tier_since": now},
            at=now,
        )
    # The village hears of every new case, the major ones too (the town is told by the escalation).
    _notify(case, holders(Role.VILLAGE_STAFF, village), key="reported", title=_("新上报案件：%s") % case.title)
    return case


# --- The machine -------------------------------------------------------------------------------------


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to: str,
    by: User,
    action: str,
    note: str = "",
    version: int | None = None,
    changes: dict | None = None,
    at: datetime.datetime | None = None,
) -> Case:
    """Move ``case`` to state ``to``: refused unless the table allows it and nobody changed the case since
    ``version`` (default: the version in hand). Writes one event. Returns the case as it now is."""
    now = at or timezone.now()
    new_tier = (changes or {}).get("tier", case.tier)
    step = CASES.move(
        case,
        to,
        expected_version=version or case.version,
        changes={**(changes or {}), "state_since": now, "updated_at": now},
        event=lambda: CaseEvent.objects.create(
            case=case,
            by=by,
            at=now,
            action=action,
            from_state=case.state,
            to_state=to,
            from_tier=case.tier,
            to_tier=new_tier,
            note=note,
        ),
    )
    fields, event = step.fields, step.event
    trail.record(
        AuditAction.TRANSITION, case, changes={"state": [case.state, to], **trail.diff_of(case, fields)}, note=action
    )
    fresh = Case.objects.select_related("village__town").get(pk=case.pk)
    fresh.last_event = event
    # The case has moved on: what the inbox asked of anyone before this step is done; then the next step's
    # people are told.
    notices_done(topic=case_topic(fresh))
    _notify_transition(fresh, event)
    return fresh


def _notify(case: Case, recipients, *, key: str, title: str, body: str = "") -> None:
    notice_send(
        recipients=recipients,
        key=f"case-{case.pk}-{key}",
        kind="case",
        title=title,
        body=body,
        url=case_url(case),
        topic=case_topic(case),
    )


def _notify_transition(case: Case, event: CaseEvent) -> None:
    """Who hears of a step: the level that must act next, and the village when the town decided."""
    key = f"event-{event.pk}"
    if event.action == "escalate":
        if event.to_tier == Tier.TOWN:
            recipients = holders(Role.TOWN_OFFICE, case.village.town)
            title = _("%(village)s上报镇综治中心：%(title)s") % {"village": case.village.name, "title": case.title}
        else:
            recipients = holders(Role.VILLAGE_STAFF, case.village)
            title = _("网格员提请村调委会处理：%s") % case.title
        _notify(case, recipients, key=key, title=title, body=event.note)
    elif event.from_tier == Tier.TOWN and event.action in {"accept", "send_back", "assign", "resolve"}:
        title = _("镇综治中心%(action)s：%(title)s") % {"action": ACTIONS[event.action].label, "title": case.title}
        _notify(case, holders(Role.VILLAGE_STAFF, case.village), key=key, title=title, body=event.note)
    if event.action in {"assign", "reopen"} and case.assignee_id and case.assignee_id != event.by_id:
        _notify(case, [case.assignee], key=f"{key}-assignee", title=_("请签收案件：%s") % case.title, body=event.note)


def _actor(user: User, case: Case, action: str) -> Actor:
    actor = Actor(user, case)
    if not actor.may(action):
        raise PermissionDenied(_("您不能对这件案件执行「%s」。") % ACTIONS[action].label)
    return actor


def _require_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("请填写说明。")]})
    return note


def case_accept(
    *, case: Case, by: User, version: int, tier: int | None = None, note: str = "", at: datetime.datetime | None = None
) -> Case:
    _actor(by, case, "accept")
    now = at or timezone.now()
    changes = {"accepted_at": now, "tier_since": now}
    if case.state == State.REPORTED:
        if tier not in (Tier.GROUP, Tier.VILLAGE):
            raise ValidationError({"tier": [_("请选择由村组/网格员调处还是由村调委会调处。")]})
        changes["tier"] = tier
    return case_transition(
        at=at, case=case, to=State.ACCEPTED, by=by, action="accept", note=note, version=version, changes=changes
    )


def case_reject(*, case: Case, by: User, version: int, note: str, at: datetime.datetime | None = None) -> Case:
    _actor(by, case, "reject")
    note = _require_note(note)
    return case_transition(
        at=at,
        case=case,
        to=State.REJECTED,
        by=by,
        action="reject",
        note=note,
        version=version,
        changes={"closed_at": (at or timezone.now())},
    )


def case_assign(
    *,
    case: Case,
    by: User,
    version: int,
    assignee: User | None = None,
    department: Department | None = None,
    mediators: Iterable[Mediator] = (),
    note: str = "",
    at: datetime.datetime | None = None,
) -> Case:
    _actor(by, case, "assign")
    errors = {}
    if case.tier == Tier.TOWN and department is None:
        errors["department"] = [_("请选择承办部门。")]
    if case.tier != Tier.TOWN and assignee is None:
        errors["assignee"] = [_("请选择责任人。")]
    if assignee is not None and not assignable_people(case).filter(pk=assignee.pk).exists():
        errors["assignee"] = [_("责任人必须是本村（镇级案件为镇综治办）在岗人员。")]
    if department is not None and department.is_archived:
        errors["department"] = [_("该部门已停用。")]
    mediators = list(mediators)
    if any(m.village_id != case.village_id or m.is_archived for m in mediators):
        errors["mediators"] = [_("调解团成员必须是本村在册成员。")]
    if errors:
        raise ValidationError(errors)
    detail = ", ".join(str(x) for x in (department, assignee) if x is not None)
    case = case_transition(
        at=at,
        case=case,
        to=State.HANDLING,
        by=by,
        action="assign",
        note="\n".join(x for x in (_("交由：%s") % detail, note) if x.strip()),
        version=version,
        changes={"assignee": assignee, "department": department, "signed_at": None},
    )
    if mediators:
        case.mediators.add(*mediators)
    return case


def case_escalate(
    *, case: Case, by: User, version: int, note: str, major: bool = False, at: datetime.datetime | None = None
) -> Case:
    _actor(by, case, "escalate")
    note = _require_note(note)
    to_tier = Tier.TOWN if major else case.tier + 1
    now = at or timezone.now()
    return case_transition(
        at=at,
        case=case,
        to=State.ESCALATED,
        by=by,
        action="escalate",
        note=note,
        version=version,
        changes={
            "tier": to_tier,
            "tier_since": now,
            "major": case.major or major,
            "assignee": None,
            "department": None,
            "signed_at": None,
        },
    )


def case_send_back(*, case: Case, by: User, version: int, note: str, at: datetime.datetime | None = None) -> Case:
    _actor(by, case, "send_back")
    note = _require_note(note)
    return case_transition(
        at=at,
        case=case,
        to=State.ACCEPTED,
        by=by,
        action="send_back",
        note=note,
        version=version,
        changes={"tier": case.tier - 1, "tier_since": (at or timezone.now())},
    )


def outcomes_for(kind: str) -> list[tuple[str, str]]:
    allowed = {Outcome.AGREEMENT, Outcome.NO_AGREEMENT} if kind == Kind.DISPUTE else {Outcome.DONE}
    return [(value, label) for value, label in Outcome.choices if value in allowed]


def case_resolve(
    *,
    case: Case,
    by: User,
    version: int,
    outcome: str,
    resolution: str,
    agreement_text: str = "",
    at: datetime.datetime | None = None,
) -> Case:
    _actor(by, case, "resolve")
    errors = {}
    if outcome not in dict(outcomes_for(case.kind)):
        errors["outcome"] = [_("请选择处置结果。")]
    if not (resolution or "").strip():
        errors["resolution"] = [_("请填写化解/处置情况。")]
    if errors:
        raise ValidationError(errors)
    return case_transition(
        at=at,
        case=case,
        to=State.RESOLVED,
        by=by,
        action="resolve",
        note=resolution.strip(),
        version=version,
        changes={
            "outcome": outcome,
            "resolution": resolution.strip(),
            "agreement_text": agreement_text.strip() if outcome == Outcome.AGREEMENT else "",
            "resolved_at": (at or timezone.now()),
        },
    )


def case_feedback(*, case: Case, by: User, version: int, note: str, at: datetime.datetime | None = None) -> Case:
    _actor(by, case, "feedback")
    return case_transition(
        at=at, case=case, to=State.FEEDBACK, by=by, action="feedback", note=_require_note(note), version=version
    )


def case_close(*, case: Case, by: User, version: int, note: str = "", at: datetime.datetime | None = None) -> Case:
    """The return visit found the parties satisfied (事结心结双解决)."""
    _actor(by, case, "close")
    return case_transition(
        at=at,
        case=case,
        to=State.CLOSED,
        by=by,
        action="close",
        note=note,
        version=version,
        changes={"satisfied": True, "closed_at": (at or timezone.now())},
    )


def case_reopen(*, case: Case, by: User, version: int, note: str, at: datetime.datetime | None = None) -> Case:
    """The return visit found it not settled: back to its handler, with a fresh clock."""
    _actor(by, case, "reopen")
    return case_transition(
        at=at,
        case=case,
        to=State.HANDLING,
        by=by,
        action="reopen",
        note=_require_note(note),
        version=version,
        changes={"satisfied": False, "outcome": "", "tier_since": (at or timezone.now()), "signed_at": None},
    )


ACTION_SERVICES = {
    "accept": case_accept,
    "reject": case_reject,
    "assign": case_assign,
    "escalate": case_escalate,
    "send_back": case_send_back,
    "resolve": case_resolve,
    "feedback": case_feedback,
    "close": case_close,
    "reopen": case_reopen,
}


# --- Steps that do not move the state ------------------------------------------------------------


def _step_event(case: Case, by: User, action: str, *, note: str = "", at: datetime.datetime | None = None) -> None:
    """A timeline line for a step that leaves the state and the tier as they are."""
    CaseEvent.objects.create(
        case=case,
        by=by,
        at=at or timezone.now(),
        action=action,
        from_state=case.state,
        to_state=case.state,
        from_tier=case.tier,
        to_tier=case.tier,
        note=note,
    )


@transaction.atomic
def case_sign(*, case: Case, by: User, at: datetime.datetime | None = None) -> Case:
    """签收: the person the case was handed to confirms they have it. The time is kept."""
    if not Actor(by, case).may_sign():
        raise PermissionDenied(_("只有责任人本人可以签收。"))
    now = at or timezone.now()
    claimed = Case.objects.filter(pk=case.pk, assignee=by, state=State.HANDLING, signed_at__isnull=True).update(
        signed_at=now, version=F("version") + 1, updated_at=now
    )
    if claimed != 1:
        raise CaseChanged()
    _step_event(case, by, "sign", at=now)
    trail.record(AuditAction.CHANGE, case, changes={"signed_at": [None, trail.plain(now)]}, note="sign")
    notices_done(topic=case_topic(case))  # "please sign" is answered
    return Case.objects.select_related("village__town").get(pk=case.pk)


@transaction.atomic
def case_hand_over(*, case: Case, by: User, to: User, note: str = "", at: datetime.datetime | None = None) -> Case:
    """The person handling ``case`` left their post: it passes to ``to`` (their successor, or the village
    staff member who carries it until there is one) in the state and at the tier it is in. The new
    handler signs again (签收) and is told; the timeline says who handed it over and why; the leaver no
    longer reaches the case as its handler (``Case.objects.visible_to``). Only the village's staff (or the
    admin) hand over, only an open case of the village's tiers, only to someone ``assignable_people``
    names. A case changed meanwhile is refused like any stale step (``CaseChanged``)."""
    if not (Actor(by, case).is_staff or access.scope_for(by).is_admin):
        raise PermissionDenied(_("只有本村村干部可以办理案件交接。"))
    if not case.is_open or case.tier == Tier.TOWN:
        raise ValidationError(_("该案件已结束或在镇级办理，不能由村里交接。"))
    if not assignable_people(case).filter(pk=to.pk).exists():
        raise ValidationError({"assignee": [_("责任人必须是本村（镇级案件为镇综治办）在岗人员。")]})
    now = at or timezone.now()
    before = case.assignee_id
    moved = Case.objects.filter(pk=case.pk, version=case.version, assignee_id=before).update(
        assignee=to, signed_at=None, version=F("version") + 1, updated_at=now
    )
    if moved != 1:
        raise CaseChanged()
    _step_event(case, by, "hand_over", note=note, at=now)
    trail.record(AuditAction.CHANGE, case, changes={"assignee": [before, to.pk]}, note="hand_over")
    notices_done(topic=case_topic(case))  # what the leaver was asked to do is no longer theirs
    fresh = Case.objects.select_related("village__town").get(pk=case.pk)
    _notify(fresh, [to], key=f"handover-{fresh.version}", title=_("请签收案件：%s") % fresh.title, body=note)
    return fresh


@transaction.atomic
def case_session_add(
    *,
    case: Case,
    by: User,
    held_on: datetime.date,
    place: str,
    parties_present: str,
    notes: str,
    outcome: str,
    mediators: Iterable[Mediator] = (),
    other_mediators: str = "",
) -> MediationSession:
    if not Actor(by, case).may_record_session():
        raise PermissionDenied(_("只有调处中的纠纷可以由责任人或调处层级记录调解。"))
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": [_("调解日期不能晚于今天。")]})
    mediators = list(mediators)
    if any(m.village_id != case.village_id for m in mediators):
        raise ValidationError({"mediators": [_("调解团成员必须是本村在册成员。")]})
    session = MediationSession.objects.create(
        case=case,
        held_on=held_on,
        place=place,
        parties_present=parties_present,
        notes=notes,
        outcome=outcome,
        other_mediators=other_mediators,
        recorded_by=by,
    )
    session.mediators.set(mediators)
    case.mediators.add(*mediators)
    _step_event(
        case,
        by,
        "session",
        note=_("%(date)s 调解（%(outcome)s）") % {"date": held_on, "outcome": session.get_outcome_display()},
    )
    return session


@transaction.atomic
def case_mediators_set(*, case: Case, by: User, mediators: Iterable[Mediator]) -> Case:
    if not Actor(by, case).may_set_mediators():
        raise PermissionDenied(_("只有本村村干部可以指派调解团成员。"))
    mediators = list(mediators)
    if any(m.village_id != case.village_id or m.is_archived for m in mediators):
        raise ValidationError({"mediators": [_("调解团成员必须是本村在册成员。")]})
    before = sorted(case.mediators.values_list("pk", flat=True))
    case.mediators.set(mediators)
    trail.record(AuditAction.CHANGE, case, changes={"mediators": [before, sorted(m.pk for m in mediators)]})
    _step_event(case, by, "mediators", note="、".join(m.name for m in mediators) or _("（无）"))
    return case


@transaction.atomic
def mediator_archive(*, mediator: Mediator, by: User) -> Mediator:
    """Take a member off the village's mediation team (their past sessions keep their names)."""
    mediator = Mediator.objects.select_for_update().get(pk=mediator.pk)
    if not mediator.is_archived:
        mediator.archived_at = timezone.now()
        mediator.save(update_fields=["archived_at", "updated_at"])
    return mediator


@transaction.atomic
def case_photo_add(*, case: Case, by: User, upload, caption: str = "") -> CaseAttachment:
    if not Actor(by, case).may_attach():
        raise PermissionDenied(_("您不能为这件案件添加照片。"))
    try:
        photo = uploads.clean_photo(upload)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from exc
    return CaseAttachment.objects.create(
        case=case, image=photo, width=photo.width, height=photo.height, caption=caption, uploaded_by=by
    )


def party_from_registry(*, village: Village, id_number: str) -> Resident | None:
    return Resident.objects.filter(village=village).with_id_number(id_number).first()
