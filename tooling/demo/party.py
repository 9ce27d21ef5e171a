"""Demo Party organisations (docs/party.md), as the seeds draw them (docs/sources.md).

Village A (seed 000): a 村党委 with five branches, each tied to a grid (the sixth, smallest grid has no
branch: its members belong to the fifth grid's branch), two Party groups per branch, 229 members.
Village B (seed 003): a 党总支, one branch per grid, nine Party groups (one per 社), 71 members of whom 47
are under 60 — chosen from the registry so the figure holds for years (under 60: at most 55 on the
registry's fixed day; the others at least 61).

Members are residents of the registry; their 政治面貌 follows (as ``party.services.member_save`` keeps
it), and the registry's other Party members of the village become 群众 so the registry and the Party's
roll agree; the 党员户 tag follows. Most members keep 3–8 contact households of their branch's grid; a few
were contacted this month. Twelve months of meetings up to today on the rule table: most on time, a few
late, the fifth grid's branch of village A lagging (several months missed, some held late); attendance
from each organisation's members with a few absences and their reasons.

Logins: ``member`` (a member of village A's first grid branch, with contact households) and
``secretary`` (that branch's secretary, also a member). Deterministic (seeded random generators) and
idempotent (a village that has Party organisations is left as it is); bulk inserts keep it to seconds.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from grids.models import Grid, Role, User, Village
from grids.services import holders
from party import cadence
from party import services as party_services
from party.models import (
    Attendance,
    Contact,
    ContactLink,
    Level,
    Meeting,
    MeetingKind,
    MeetingRule,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrganisation,
)
from residents.codes import Political
from residents.models import Household, Registration, Resident, Tag

from .registry import TODAY as REGISTRY_DAY

FOUNDED = datetime.date(2021, 7, 1)
MONTHS = 12
LAGGING = ("新庄村", "第五网格党支部")  # the branch that falls behind (the grid whose visits lag too)
ABSENCE_REASONS = ["外出务工", "生病住院", "家中有事", "外出学习", "照顾老人"]
PLACES = {
    OrgKind.COMMITTEE: "村党群服务中心会议室",
    OrgKind.GENERAL_BRANCH: "村党群服务中心会议室",
    OrgKind.BRANCH: "网格党员活动室",
    OrgKind.GROUP: "党小组长家中",
}
TOPICS = {
    MeetingKind.BRANCH_COMMITTEE: ["研究本月网格重点工作", "讨论发展党员和党员教育", "研究困难群众帮扶"],
    MeetingKind.GROUP_MEETING: ["交流联系户走访情况", "学习党章和近期会议精神", "收集群众意见建议"],
    MeetingKind.GENERAL_ASSEMBLY: ["通报支部季度工作", "民主评议党员", "讨论党费收缴和使用"],
    MeetingKind.PARTY_LECTURE: ["书记讲党课：党建引领网格治理", "学习《中国共产党支部工作条例》", "红色家风与乡风文明"],
    MeetingKind.THEME_DAY: ["网格环境整治志愿服务", "走访慰问困难党员和老党员", "重温入党誓词", "矛盾纠纷排查"],
    MeetingKind.FIVE_LINKAGE: ["五事联动：本月矛盾纠纷排查和化解", "五事联动：安全隐患排查", "五事联动：民生实事推进"],
    MeetingKind.JOINT: [
        "“两委”联席会：研究村级重要事项",
        "“两委”联席会：讨论集体经济项目",
        "“两委”联席会：研究网格员考核",
    ],
    MeetingKind.SAFETY_GROUP: ["平安建设领导小组季度会议：研判治安形势", "平安建设领导小组：部署防汛和消防安全"],
}
OTHERS_PRESENT = {MeetingKind.FIVE_LINKAGE: (3, 6), MeetingKind.JOINT: (2, 3), MeetingKind.SAFETY_GROUP: (4, 8)}


@dataclass
class Plan:
    village: str
    top_kind: str
    top_name: str
    branch_grids: list[int]  # grid numbers with a branch, in order
    members: int
    under_60: int | None  # None: as the registry gives it
    groups: str  # "two_per_branch" or "per_micro_grid"


PLANS = [
    Plan("新庄村", OrgKind.COMMITTEE, "新庄村党委", [1, 2, 3, 4, 5], 229, None, "two_per_branch"),
    Plan("河西村", OrgKind.GENERAL_BRANCH, "河西村党总支", [1, 2], 71, 47, "per_micro_grid"),
]
CN = "一二三四五六七八九十"


def seed_party(seeder, today: datetime.date | None = None) -> None:
    """Both villages' Party organisations, members, contact households, contacts and meetings; then the
    demo logins ``member`` and ``secretary`` (added to ``seeder.accounts``)."""
    today = today or timezone.localdate()
    for plan in PLANS:
        village = Village.objects.filter(name=plan.village, archived_at=None).first()
        if village is None or PartyOrganisation.objects.filter(village=village).exists():
            continue
        with transaction.atomic():
            _seed_village(village, plan, today, random.Random(f"party-{plan.village}"))  # noqa: S311 (demo data)
    _logins(seeder)


def _seed_village(village: Village, plan: Plan, today: datetime.date, rng: random.Random) -> None:
    grids = {g.number: g for g in Grid.objects.filter(village=village, archived_at=None)}
    top = PartyOrganisation.objects.create(village=village, kind=plan.top_kind, name=plan.top_name, founded_on=FOUNDED)
    branches: dict[int, PartyOrganisation] = {}
    for i, number in enumerate(plan.branch_grids):
        branches[number] = PartyOrganisation.objects.create(
            village=village,
            kind=OrgKind.BRANCH,
            name=f"第{CN[i]}网格党支部",
            parent=top,
            grid=grids[number],
            founded_on=FOUNDED,
        )
    # A grid without a branch: its members belong to the last branch (the neighbouring, smallest grids).
    branch_of_grid = {n: branches.get(n, branches[plan.branch_grids[-1]]) for n in grids}
    groups: dict[tuple[int, int], PartyOrganisation] = {}  # (branch pk, key) -> group
    if plan.groups == "two_per_branch":
        for i, branch in enumerate(branches.values()):
            for k in (0, 1):
                groups[(branch.pk, k)] = PartyOrganisation.objects.create(
                    village=village,
                    kind=OrgKind.GROUP,
                    name=f"{CN[i]}支部第{CN[k]}党小组",
                    parent=branch,
                    founded_on=FOUNDED,
                )
    else:  # one group per 社 (the micro-grids of village B are its 社, numbered as them)
        for micro_number, grid_number in (
            Household.objects.filter(village=village, archived_at=None)
            .values_list("micro_grid__number", "grid__number")
            .distinct()
            .order_by("micro_grid__number")
        ):
            branch = branch_of_grid[grid_number]
            groups[(branch.pk, micro_number)] = PartyOrganisation.objects.create(
                village=village,
                kind=OrgKind.GROUP,
                name=f"{CN[micro_number - 1]}社党小组",
                parent=branch,
                founded_on=FOUNDED,
            )

    chosen = _choose_residents(village, plan, rng)
    members = []
    for resident in chosen:
        branch = branch_of_grid[resident.household.grid.number]
        key = (
            (resident.household.micro_grid.number % 2)
            if plan.groups == "two_per_branch"
            else resident.household.micro_grid.number
        )
        age = resident.age_on(today)
        probation = rng.random() < 0.03 and age < 45
        if probation:
            joined = today - datetime.timedelta(days=rng.randrange(30, 330))
        else:
            joined_age = rng.randrange(20, max(21, min(age, 50)))
            joined = resident.birth_date.replace(
                year=resident.birth_date.year + joined_age, day=1
            ) + datetime.timedelta(days=rng.randrange(0, 300))
            joined = min(joined, today - datetime.timedelta(days=400))
        members.append(
            PartyMember(
                village=village,
                resident=resident,
                branch=branch,
                group=groups.get((branch.pk, key)),
                joined_on=joined,
                status=MemberStatus.PROBATION if probation else MemberStatus.FULL,
                floating=not resident.lives_here,
                away_place=resident.away_place if not resident.lives_here else "",
            )
        )
    PartyMember.objects.bulk_create(members, batch_size=1000)
    _registry_follows(village, members)
    members = list(PartyMember.objects.filter(village=village).select_related("resident").order_by("pk"))
    staff = holders(Role.VILLAGE_STAFF, village)[0]
    _contacts(village, members, {b.pk: b.grid_id for b in branches.values()}, staff, today, rng)
    _meetings(village, top, members, staff, today, rng, plan)


def _choose_residents(village: Village, plan: Plan, rng: random.Random) -> list[Resident]:
    """Adults of the registry, those it already shows as Party members first. With an under-60 figure to
    hold: that many at most 55 on the registry's day, the rest at least 61, so the figure stays true."""
    residents = list(
        Resident.objects.filter(
            village=village, archived_at=None, household__isnull=False, registration=Registration.REGISTERED
        )
        .exclude(key_listings__isnull=False)  # the registry's key persons are not the demo's Party members
        .select_related("household__grid", "household__micro_grid")
        .order_by("household__number", "pk")
    )

    def ranked(pool):
        pool = list(pool)
        rng.shuffle(pool)
        pool.sort(key=lambda r: r.political not in (Political.CPC_MEMBER, Political.CPC_PROBATIONARY))
        return pool

    ages = {r.pk: r.age_on(REGISTRY_DAY) for r in residents}
    if plan.under_60 is None:
        pool = ranked(r for r in residents if 22 <= ages[r.pk] <= 90)
        chosen = pool[: plan.members]
    else:
        young = ranked(r for r in residents if 22 <= ages[r.pk] <= 55)
        old = ranked(r for r in residents if 61 <= ages[r.pk] <= 90)
        chosen = young[: plan.under_60] + old[: plan.members - plan.under_60]
    if len(chosen) != plan.members:
        raise RuntimeError("the demo registry has too few adults for the Party's figures")
    return sorted(chosen, key=lambda r: (r.household.number, r.pk))


def _registry_follows(village: Village, members: list[PartyMember]) -> None:
    """The registry's 政治面貌 as ``member_save`` keeps it; the village's other residents the registry showed
    as Party members are 群众 (the Party's roll is the record); the 党员户 tag follows."""
    by_status = defaultdict(list)
    for m in members:
        by_status[party_services.POLITICAL_OF[MemberStatus(m.status)]].append(m.resident_id)
    member_ids = [m.resident_id for m in members]
    Resident.objects.filter(village=village, political__in=[Political.CPC_MEMBER, Political.CPC_PROBATIONARY]).exclude(
        pk__in=member_ids
    ).update(political=Political.MASSES)
    for political, ids in by_status.items():
        Resident.objects.filter(pk__in=ids).update(political=political)
    tag = Tag.objects.filter(code="party").first()
    if tag is None:
        return
    through = Household.tags.through
    party_households = set(Resident.objects.filter(pk__in=member_ids).values_list("household_id", flat=True))
    through.objects.filter(tag=tag, household__village=village).exclude(household_id__in=party_households).delete()
    tagged = set(through.objects.filter(tag=tag, household__village=village).values_list("household_id", flat=True))
    through.objects.bulk_create(
        [through(household_id=h, tag_id=tag.pk) for h in sorted(party_households - tagged)], batch_size=1000
    )


def _contacts(village, members, grid_of_branch, staff, today, rng) -> None:
    """Most members (not the floating ones) keep 3–8 households of their branch's grid; about half of the
    links were contacted last month, a quarter so far this month."""
    free: dict[int, list[int]] = defaultdict(list)
    for pk, grid_id in (
        Household.objects.filter(village=village, archived_at=None).order_by("number").values_list("pk", "grid_id")
    ):
        free[grid_id].append(pk)
    for pool in free.values():
        rng.shuffle(pool)
    links: list[ContactLink] = []
    for member in members:
        if member.floating or rng.random() < 0.03:
            continue
        pool = free[grid_of_branch[member.branch_id]]
        for _ in range(min(rng.randint(3, 8), len(pool))):
            links.append(
                ContactLink(
                    member=member,
                    household_id=pool.pop(),
                    started_on=max(member.joined_on, datetime.date(2025, 1, 1)),
                    created_by=staff,
                )
            )
    ContactLink.objects.bulk_create(links, batch_size=2000)
    month_start = today.replace(day=1)
    last_month_start = (month_start - datetime.timedelta(days=1)).replace(day=1)
    contacts = []
    for link in links:
        if rng.random() < 0.5:
            day = last_month_start + datetime.timedelta(days=int(rng.random() * (month_start - last_month_start).days))
            contacts.append(_contact(link, day, staff, rng))
        if rng.random() < 0.25:
            day = month_start + datetime.timedelta(days=int(rng.random() * today.day))  # one draw, whatever the day
            contacts.append(_contact(link, day, staff, rng))
    Contact.objects.bulk_create(contacts, batch_size=2000)


def _contact(link: ContactLink, day: datetime.date, staff: User, rng: random.Random) -> Contact:
    note = rng.choice(["", "", "家中一切正常", "反映路灯不亮，已转网格员", "老人身体不好，已告知村医"])
    return Contact(member=link.member, household_id=link.household_id, contacted_on=day, note=note, recorded_by=staff)


def _meetings(village, top, members, staff, today, rng, plan) -> None:
    """Twelve months of the meetings the rule table asks, up to today."""
    months_back = today.year * 12 + today.month - 1 - (MONTHS - 1)
    first = datetime.date(months_back // 12, months_back % 12 + 1, 1)
    rules = list(MeetingRule.objects.filter(active=True))
    orgs = list(PartyOrganisation.objects.filter(village=village))
    in_branch: dict[int, list[PartyMember]] = defaultdict(list)
    in_group: dict[int, list[PartyMember]] = defaultdict(list)
    for m in members:
        in_branch[m.branch_id].append(m)
        if m.group_id:
            in_group[m.group_id].append(m)
    # The top's committee: the first member of each branch and two more; a branch's: its first three.
    top_committee = list(dict.fromkeys([ms[0] for ms in in_branch.values() if ms] + members[1:3]))
    name_of = {o.pk: o.name for o in orgs}
    meetings: list[Meeting] = []
    attendees: list[list[PartyMember]] = []
    for org in orgs:
        lagging = (village.name, name_of.get(org.parent_id) if org.kind == OrgKind.GROUP else org.name) == LAGGING
        for rule in rules:
            if org.kind not in cadence.LEVEL_KINDS[Level(rule.level)]:
                continue
            for n, key in enumerate(cadence.periods(rule.period, first, today)):
                starts, ends = cadence.period_bounds(key)
                # Each period drawn by a generator of its own: whether it was held does not move with the day
                # the demo is seeded on (a draw elsewhere, such as a contact's day this month, would shift it).
                period_rng = random.Random(f"party-meeting-{village.name}-{org.name}-{rule.kind}-{key}")  # noqa: S311
                held_on = _held_on(starts, ends, today, period_rng, lagging=n if lagging else None)
                if held_on is None:
                    continue
                if org.kind == OrgKind.GROUP:
                    people = in_group[org.pk]
                elif org.kind == OrgKind.BRANCH:
                    people = in_branch[org.pk]
                    if rule.kind == MeetingKind.BRANCH_COMMITTEE:
                        people = people[:3]
                else:
                    people = top_committee
                if not people:
                    continue
                people = sorted(people, key=lambda m: m.floating)  # the chair is there
                low, high = OTHERS_PRESENT.get(rule.kind, (0, 0))
                meetings.append(
                    Meeting(
                        village=village,
                        organisation=org,
                        kind=rule.kind,
                        held_on=held_on,
                        period=key,
                        late=cadence.is_late(held_on, key),
                        place=PLACES[org.kind],
                        topic=rng.choice(TOPICS.get(rule.kind, ["其他会议"])),
                        chair=people[0],
                        others_present=rng.randint(low, high) if high else 0,
                        minutes="会议由主持人通报情况，与会人员逐项讨论。",
                        decisions="按会议分工抓好落实，下次会议通报进展。",
                        recorded_by=staff,
                    )
                )
                attendees.append(people)
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    rows = []
    for meeting, people in zip(meetings, attendees, strict=True):
        for i, m in enumerate(people):
            absent = m.floating or (i > 0 and rng.random() < 0.08)
            reason = ("流动在外" if m.floating else rng.choice(ABSENCE_REASONS)) if absent else ""
            rows.append(Attendance(meeting=meeting, member=m, present=not absent, absence_reason=reason))
    Attendance.objects.bulk_create(rows, batch_size=5000)


def _held_on(starts, ends, today, rng, *, lagging: int | None) -> datetime.date | None:
    """When a period's meeting was held: None if it was not (yet). On time most of the time; the lagging
    branch (``lagging``: the period's place in its rule's run) misses one in four and holds one in five late,
    whatever the day the demo is seeded on. This period: held if its day has come."""
    roll = rng.random()
    if lagging is not None:
        missed, late = lagging % 4 == 1, lagging % 5 == 3
    else:
        missed, late = roll < 0.02, roll > 0.96
    if missed:
        return None
    if late and ends < today:
        day = ends + datetime.timedelta(days=rng.randint(3, 20))
        return day if day <= today else None
    span = (ends - starts).days
    day = starts + datetime.timedelta(days=rng.randint(4, 24 if span < 40 else 80))
    return day if day <= today else None


def _logins(seeder) -> None:
    """``member``: a member of village A's first grid branch with contact households; ``secretary``: that
    branch's secretary (a member too). Both get the member's field role through ``member_login_grant``."""
    from . import ASSIGNED_FROM, DemoAccount

    branch = PartyOrganisation.objects.filter(village__name="新庄村", name="第一网格党支部", archived_at=None).first()
    if branch is None:
        return
    with_links = (
        PartyMember.objects.filter(branch=branch, archived_at__isnull=True)
        .filter(pk__in=ContactLink.objects.current().values("member"))
        .order_by("pk")
    )
    for username, role in (("secretary", "支部书记"), ("member", "党员")):
        member = PartyMember.objects.filter(user__username=username).first()
        if member is None:
            member = with_links.filter(user__isnull=True).first()
            user = seeder.user(username, village=branch.village, full_name=member.resident.name)
            party_services.member_login_grant(by=None, member=member, user=user, start=ASSIGNED_FROM)
            Contact.objects.filter(member=member).update(recorded_by=user)  # from their own phone
        else:
            user = member.user
        if username == "secretary" and branch.secretary_id is None:
            branch.secretary = user
            branch.save(update_fields=["secretary", "updated_at"])
        seeder.accounts.append(DemoAccount(username, f"新庄村{branch.name}{role}（联系户）", "/field/party/"))
