"""The Party app's verbs (docs/party.md). Keyword-only; each checks what the forms and the API both rely on
and raises ``ValidationError`` with a message for people; nothing is half-saved (each is one transaction)."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.uploads import clean_photo
from grids.models import Grid, Role, User, Village
from grids.services import assignment_create
from residents.codes import Political
from residents.models import Household, Resident

from . import cadence
from .models import (
    TOP_KINDS,
    Attendance,
    Contact,
    ContactLink,
    Meeting,
    MeetingPhoto,
    MeetingRule,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrganisation,
    Period,
)

POLITICAL_OF = {MemberStatus.FULL: Political.CPC_MEMBER, MemberStatus.PROBATION: Political.CPC_PROBATIONARY}


# --- Organisations ------------------------------------------------------------------------------------


def organisation_check(org: PartyOrganisation) -> PartyOrganisation:
    """The tree's shape: a top organisation has no parent; a branch hangs under the village's top one (or
    stands alone in a village without one); a group under a branch of the same village; a grid of the same
    village, for a branch only."""
    errors: dict[str, str] = {}
    parent = org.parent
    if org.kind in TOP_KINDS and parent is not None:
        errors["parent"] = _("村党委或党总支没有上级组织（镇党委不在本平台中）。")
    if org.kind == OrgKind.BRANCH and parent is not None and parent.kind not in TOP_KINDS:
        errors["parent"] = _("党支部的上级是村党委或党总支。")
    if org.kind == OrgKind.GROUP and (parent is None or parent.kind != OrgKind.BRANCH):
        errors["parent"] = _("党小组须设在一个党支部下。")
    if parent is not None and (parent.village_id != org.village_id or parent.is_archived):
        errors["parent"] = _("上级组织须是本村仍在使用的党组织。")
    if org.grid_id is not None:
        if org.kind != OrgKind.BRANCH:
            errors["grid"] = _("只有党支部可以建在网格上。")
        elif org.grid.village_id != org.village_id or org.grid.is_archived:
            errors["grid"] = _("请选择本村仍在使用的网格。")
    if errors:
        raise ValidationError(errors)
    org.full_clean(exclude=["parent", "grid", "village", "secretary"])
    return org


@transaction.atomic
def organisation_save(*, by: User, org: PartyOrganisation, committee: list[User] | None = None) -> PartyOrganisation:
    organisation_check(org)
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError:
        raise ValidationError(_("该村已有村党委或党总支，或该网格已有党支部。")) from None
    if committee is not None:
        org.committee.set(committee)
    return org


@transaction.atomic
def organisation_archive(*, by: User, org: PartyOrganisation) -> PartyOrganisation:
    """Archive an organisation; its meetings stay. Refused while it still has members or sub-organisations
    in use (move them first)."""
    if org.is_archived:
        return org
    if org.children.active().exists():
        raise ValidationError(_("请先归档或调整其下属组织。"))
    if (
        PartyMember.objects.active().filter(branch=org).exists()
        or PartyMember.objects.active().filter(group=org).exists()
    ):
        raise ValidationError(_("该组织仍有党员，请先调整党员的组织关系。"))
    org.archived_at = timezone.now()
    org.save(update_fields=["archived_at", "updated_at"])
    return org


# --- Members ------------------------------------------------------------------------------------------


def member_check(member: PartyMember) -> PartyMember:
    errors: dict[str, str] = {}
    resident = member.resident
    if resident.village_id != member.village_id or resident.is_archived:
        errors["resident"] = _("请选择本村登记在册的居民。")
    branch = member.branch
    if branch.village_id != member.village_id or branch.kind != OrgKind.BRANCH or branch.is_archived:
        errors["branch"] = _("请选择本村仍在使用的党支部。")
    group = member.group
    if group is not None and (group.kind != OrgKind.GROUP or group.parent_id != branch.pk or group.is_archived):
        errors["group"] = _("党小组须属于所选的党支部。")
    if member.joined_on and member.joined_on > timezone.localdate():
        errors["joined_on"] = _("入党日期不能晚于今天。")
    if member.floating and not member.away_place.strip():
        errors["away_place"] = _("流动党员请填写流动去向。")
    if errors:
        raise ValidationError(errors)
    member.full_clean(exclude=["resident", "branch", "group", "village", "user"], validate_constraints=False)
    return member


@transaction.atomic
def member_save(*, by: User, member: PartyMember) -> PartyMember:
    """Add or change a member; the registry's 政治面貌 follows the member's status."""
    member_check(member)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError({"resident": _("该居民已登记为党员。")}) from None
    political = POLITICAL_OF[MemberStatus(member.status)]
    Resident.objects.filter(pk=member.resident_id).exclude(political=political).update(political=political)
    return member


@transaction.atomic
def member_archive(*, by: User, member: PartyMember, on: datetime.date | None = None) -> PartyMember:
    """A member leaves the village's organisation (moved away, died): archived, their links ended."""
    if member.is_archived:
        return member
    day = on or timezone.localdate()
    ContactLink.objects.filter(member=member, ended_on__isnull=True).update(ended_on=day)
    member.archived_at = timezone.now()
    member.save(update_fields=["archived_at", "updated_at"])
    return member


@transaction.atomic
def member_login_grant(*, by: User, member: PartyMember, user: User, start: datetime.date | None = None) -> PartyMember:
    """Give a member's login the field role on their village (``Role.PARTY_MEMBER``): they then see their
    own contact households on the phone and record contacts."""
    if PartyMember.objects.filter(user=user).exclude(pk=member.pk).exists():
        raise ValidationError(_("该账号已关联其他党员。"))
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    village = Village.objects.get(pk=member.village_id)
    if (
        not user.assignments.filter(role=Role.PARTY_MEMBER, village=village)
        .exclude(end__lt=timezone.localdate())
        .exists()
    ):
        assignment_create(by=by, user=user, role=Role.PARTY_MEMBER, place=village, start=start or timezone.localdate())
    return member


@transaction.atomic
def member_login_remove(*, by: User, member: PartyMember) -> PartyMember:
    """The member no longer records from the phone: the link to the account goes and the field role ends
    today (yesterday if it began today would leave it before its start, so then it ends today too)."""
    user = member.user
    if user is None:
        return member
    member.user = None
    member.save(update_fields=["user", "updated_at"])
    today = timezone.localdate()
    for assignment in user.assignments.filter(role=Role.PARTY_MEMBER, village_id=member.village_id).exclude(
        end__lt=today
    ):
        assignment.end = today
        assignment.save(update_fields=["end"])
    return member


# --- Contact households -------------------------------------------------------------------------------


@transaction.atomic
def contact_link(
    *, by: User, member: PartyMember, household: Household, on: datetime.date | None = None
) -> ContactLink:
    """Link ``household`` to ``member`` from ``on``; the household's current link to another member ends
    the day before (history kept). Linking it again to the same member changes nothing."""
    day = on or timezone.localdate()
    if member.is_archived:
        raise ValidationError(_("该党员已不在本村党组织，不能再联系户。"))
    if household.village_id != member.village_id or household.is_archived:
        raise ValidationError({"household": _("请选择本村在册的户。")})
    current = ContactLink.objects.select_for_update().filter(household=household, ended_on__isnull=True).first()
    if current is not None:
        if current.member_id == member.pk:
            return current
        if current.started_on >= day:
            current.delete()  # a link that had not yet begun is a correction, not history
        else:
            current.ended_on = day - datetime.timedelta(days=1)
            current.save(update_fields=["ended_on"])
    return ContactLink.objects.create(member=member, household=household, started_on=day, created_by=by)


@transaction.atomic
def contact_unlink(*, by: User, link: ContactLink, on: datetime.date | None = None) -> ContactLink:
    if link.ended_on is None:
        link.ended_on = max(on or timezone.localdate(), link.started_on)
        link.save(update_fields=["ended_on"])
    return link


def contact_record(
    *,
    by: User,
    member: PartyMember,
    household: Household,
    contacted_on: datetime.date | None = None,
    note: str = "",
    client_token: uuid.UUID | None = None,
) -> tuple[Contact, bool]:
    """A member's contact with one of their current contact households. Returns (contact, created): a retry
    with the same ``client_token`` returns the first one."""
    day = contacted_on or timezone.localdate()
    if client_token is not None:
        found = Contact.objects.filter(client_token=client_token).first()
        if found is not None:
            if found.member_id != member.pk:
                raise ValidationError(_("提交的标识已被使用。"))
            return found, False
    if day > timezone.localdate():
        raise ValidationError({"contacted_on": _("联系日期不能晚于今天。")})
    if not ContactLink.objects.filter(member=member, household=household, ended_on__isnull=True).exists():
        raise ValidationError({"household": _("这户不是您当前的联系户。")})
    try:
        with transaction.atomic():
            return (
                Contact.objects.create(
                    member=member,
                    household=household,
                    contacted_on=day,
                    note=note.strip()[:500],
                    client_token=client_token,
                    recorded_by=by,
                ),
                True,
            )
    except IntegrityError:
        return Contact.objects.get(client_token=client_token), False


# --- Meetings -----------------------------------------------------------------------------------------


def rule_period(kind: str) -> str:
    rule = MeetingRule.objects.filter(kind=kind).only("period").first()
    return rule.period if rule else Period.MONTH


def meeting_check(meeting: Meeting, *, present: list[PartyMember], absent: dict[PartyMember, str]) -> Meeting:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    org = meeting.organisation
    if org.is_archived:
        errors["organisation"] = _("该组织已归档。")
    if meeting.held_on and meeting.held_on > today:
        errors["held_on"] = _("召开日期不能晚于今天（会议开过后再登记）。")
    if not meeting.period and meeting.held_on:
        meeting.period = cadence.period_key(meeting.held_on, rule_period(meeting.kind))
    if meeting.period and meeting.held_on and "held_on" not in errors:
        try:
            starts, _ends = cadence.period_bounds(meeting.period)
        except (ValueError, IndexError):
            errors["period"] = _("所属周期的格式是 2026-11 或 2026-Q4。")
        else:
            if meeting.held_on < starts:
                errors["period"] = _("会议不能登记在召开日期之后的周期。")
    both = {m.pk for m in present} & {m.pk for m in absent}
    if both:
        errors["attendance"] = _("同一名党员不能既出席又缺席。")
    allowed = set(organisation_members(org).values_list("pk", flat=True))
    strangers = [m for m in [*present, *absent] if m.pk not in allowed]
    if strangers:
        errors["attendance"] = _("%(names)s 不是该组织的党员。") % {"names": "、".join(str(m) for m in strangers[:5])}
    missing_reason = [m for m, reason in absent.items() if not (reason or "").strip()]
    if missing_reason:
        errors["attendance"] = _("请填写缺席原因：%(names)s。") % {
            "names": "、".join(str(m) for m in missing_reason[:5])
        }
    if not present and not meeting.others_present:
        errors["attendance"] = _("请登记出席的人员。")
    if errors:
        raise ValidationError(errors)
    meeting.full_clean(exclude=["organisation", "village", "recorded_by", "chair"])
    return meeting


def organisation_members(org: PartyOrganisation):
    """Members who may be recorded at a meeting of ``org``: its members (a group's, a branch's), or every
    member of the village for the village's top organisation (the form's checklist and the check here)."""
    members = PartyMember.objects.active().filter(village_id=org.village_id)
    if org.kind == OrgKind.BRANCH:
        members = members.filter(branch=org)
    elif org.kind == OrgKind.GROUP:
        members = members.filter(group=org)
    return members


@transaction.atomic
def meeting_record(
    *,
    by: User,
    meeting: Meeting,
    present: list[PartyMember],
    absent: dict[PartyMember, str] | None = None,
    photos: list | None = None,
) -> Meeting:
    """Record a meeting held, its attendance and photos, in one transaction. ``meeting.period`` empty: the
    period of its date under the kind's rule. Held after its period ended: marked late."""
    absent = absent or {}
    meeting.village_id = meeting.organisation.village_id
    meeting.recorded_by = by
    meeting_check(meeting, present=present, absent=absent)
    cleaned = [clean_photo(upload) for upload in (photos or [])]  # a bad photo refuses the whole meeting
    meeting.late = cadence.is_late(meeting.held_on, meeting.period)
    meeting.save()
    Attendance.objects.filter(meeting=meeting).delete()
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=m, present=True) for m in present]
        + [
            Attendance(meeting=meeting, member=m, present=False, absence_reason=r.strip()[:100])
            for m, r in absent.items()
        ]
    )
    for photo in cleaned:
        MeetingPhoto.objects.create(meeting=meeting, image=photo, width=photo.width, height=photo.height)
    return meeting


def grid_branch(grid: Grid) -> PartyOrganisation | None:
    return PartyOrganisation.objects.active().filter(grid=grid, kind=OrgKind.BRANCH).first()
