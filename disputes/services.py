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
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit import trail
from audit.models import AuditAction
from core import pipeline, uploads
from grids import access
from grids.models import Assignment, Grid, Role, User, Village
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
    DepartmentMember,
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
            recipients = holders(Role.TOWN_OFFICE, case.village.town_id)
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
    if event.action in {"assign", "reopen"} and case.department_id and case.tier == Tier.TOWN:
        _notify(
            case,
            department_people(case.department),
            key=f"{key}-department",
            title=_("请签收镇综治中心交办的案件：%s") % case.title,
            body=event.note,
        )
    if event.action == "dept_return" or (event.action == "resolve" and event.from_tier == Tier.TOWN):
        # The department's feedback reaches the town office, which closes the case or assigns it again.
        town_office = holders(Role.TOWN_OFFICE, case.village.town_id)
        if event.by_id not in {u.pk for u in town_office}:
            title = _("职能部门%(action)s：%(title)s") % {"action": ACTIONS[event.action].label, "title": case.title}
            _notify(case, town_office, key=f"{key}-town", title=title, body=event.note)


def department_people(department: Department) -> list[User]:
    """The people who answer for ``department`` today: a current membership and the department role on its
    town (the same two conditions as ``CaseQuerySet.visible_to``)."""
    members = DepartmentMember.objects.current().filter(department=department).values("user_id")
    on_town = Assignment.objects.current().filter(role=Role.DEPARTMENT, town=department.town_id).values("user_id")
    return list(User.objects.filter(is_active=True, pk__in=members).filter(pk__in=on_town).order_by("pk"))


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
    elif department is not None and department.town_id != case.village.town_id:
        errors["department"] = [_("只能交由本镇的职能部门承办。")]
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


def case_dept_return(*, case: Case, by: User, version: int, note: str, at: datetime.datetime | None = None) -> Case:
    """The department hands the case back to the town (not within its remit, or it needs another office):
    it waits to be assigned again, at the town's tier; the town's clock keeps running (docs/departments.md)."""
    _actor(by, case, "dept_return")
    return case_transition(
        at=at,
        case=case,
        to=State.ACCEPTED,
        by=by,
        action="dept_return",
        note=_require_note(note),
        version=version,
        changes={"department": None, "assignee": None, "signed_at": None},
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
    "dept_return": case_dept_return,
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
    actor = Actor(by, case)
    if not actor.may_sign():
        raise PermissionDenied(_("只有责任人本人或承办部门人员可以签收。"))
    now = at or timezone.now()
    # The person named, or the department the case is assigned to (docs/departments.md).
    holder = {"assignee": by} if actor.is_assignee else {"department_id": case.department_id}
    claimed = Case.objects.filter(pk=case.pk, state=State.HANDLING, signed_at__isnull=True, **holder).update(
        signed_at=now, version=F("version") + 1, updated_at=now
    )
    if claimed != 1:
        raise CaseChanged()
    _step_event(case, by, "sign", at=now)
    trail.record(AuditAction.CHANGE, case, changes={"signed_at": [None, trail.plain(now)]}, note="sign")
    notices_done(topic=case_topic(case))  # "please sign" is answered
    return Case.objects.select_related("village__town").get(pk=case.pk)


@transaction.atomic
def case_dept_note(
    *, case: Case, by: User, note: str, version: int | None = None, at: datetime.datetime | None = None
) -> Case:
    """处置记录: what the department did (a call, a site visit, a meeting), a line on the timeline the town
    reads. Only while the department handles the signed case; the state stays (docs/departments.md)."""
    if not Actor(by, case).may_note():
        raise PermissionDenied(_("只有签收后的承办部门人员可以记录处置情况。"))
    note = _require_note(note)
    if len(note) > 2000:
        raise ValidationError({"note": [_("处置记录不超过 2000 字。")]})
    now = at or timezone.now()
    # The case moves on (its version rises), so a page that was open meanwhile is told, like any step.
    moved = Case.objects.filter(pk=case.pk, version=version or case.version, state=State.HANDLING).update(
        version=F("version") + 1, updated_at=now
    )
    if moved != 1:
        raise CaseChanged()
    _step_event(case, by, "dept_note", note=note, at=now)
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


# --- A department's people (docs/departments.md) ----------------------------------------------------------


def may_keep_departments(user: User, town_id: int) -> bool:
    """Who keeps a town's department people: that town's office, the admin (``grids.access`` keeps accounts
    the same way)."""
    scope = access.scope_for(user)
    return scope.is_admin or town_id in scope.town_ids


@transaction.atomic
def department_member_add(
    *, by: User | None, user: User, department: Department, start: datetime.date | None = None
) -> DepartmentMember:
    """``user`` answers for ``department`` from ``start``: the link to the department, and the department
    role on its town (the door: ``grids.access``), given once per town. Refused for an archived department,
    someone already a current member of it, or anyone of a village (a department's login holds nothing else)."""
    if by is not None and not may_keep_departments(by, department.town_id):
        raise PermissionDenied(_("只有本镇综治办可以管理职能部门人员。"))
    if department.is_archived:
        raise ValidationError({"department": [_("该部门已停用。")]})
    if user.home_village_id is not None:
        raise ValidationError(_("职能部门人员不属于任何村，请为其单独建账号。"))
    start = start or timezone.localdate()
    if DepartmentMember.objects.active_on(start).filter(department=department, user=user).exists():
        raise ValidationError(_("%(user)s 已是%(dept)s的人员。") % {"user": user, "dept": department})
    on_town = Assignment.objects.active_on(start).filter(user=user, role=Role.DEPARTMENT, town=department.town_id)
    if not on_town.exists():
        from grids.services import assignment_create

        assignment_create(by=by, user=user, role=Role.DEPARTMENT, place=department.town, start=start)
    member = DepartmentMember(department=department, user=user, start=start)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def department_member_end(
    *, by: User | None, member: DepartmentMember, on: datetime.date | None = None
) -> DepartmentMember:
    """The person no longer answers for the department from the day after ``on`` (default today). When they
    hold no other department of the town, their department role on the town ends the same day, so the
    login's door closes (and its credentials end at night: grids/credentials.py)."""
    department = member.department
    if by is not None and not may_keep_departments(by, department.town_id):
        raise PermissionDenied(_("只有本镇综治办可以管理职能部门人员。"))
    on = on or timezone.localdate()
    if member.end is not None and member.end <= on:
        raise ValidationError(_("该人员已不在本部门。"))
    if on < member.start:
        raise ValidationError({"end": [_("结束日期不能早于开始日期。")]})
    member.end = on
    member.save(update_fields=["end"])
    still = (
        DepartmentMember.objects.active_on(on + datetime.timedelta(days=1))
        .filter(user=member.user, department__town=department.town_id)
        .exists()
    )
    if not still:
        Assignment.objects.filter(
            user=member.user, role=Role.DEPARTMENT, town=department.town_id, start__lte=on
        ).filter(Q(end__isnull=True) | Q(end__gt=on)).update(end=on)
    return member
