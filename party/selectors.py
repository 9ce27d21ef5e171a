"""Composed reads of the Party app for pages: this app's own and those above it (the monthly report's
figures, the town's pages, the scorecard). The caller has let the user in through ``party.rules``; these
read what they are given, in a fixed number of queries whatever the village's size (docs/party.md)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from core.db import InIds
from grids.models import Grid
from residents.models import Household

from . import cadence
from .models import Contact, ContactLink, Meeting, MemberStatus, OrgKind, PartyMember, PartyOrganisation

AGE_BANDS = ((0, 35, "35岁以下"), (35, 45, "35–44岁"), (45, 60, "45–59岁"), (60, 200, "60岁及以上"))


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    return cadence.period_bounds(cadence.period_key(day, "month"))


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass
class MemberCounts:
    total: int = 0
    full: int = 0
    probation: int = 0
    floating: int = 0
    under_60: int = 0
    by_band: dict[str, int] = field(default_factory=dict)
    by_branch: dict[int, int] = field(default_factory=dict)


def member_counts(village_ids: list[int], today: datetime.date | None = None) -> dict[int, MemberCounts]:
    """Active members per village: totals, status, floating, under 60, age bands, per branch. One query."""
    today = today or timezone.localdate()
    out: dict[int, MemberCounts] = defaultdict(MemberCounts)
    # Unordered: a member's default order is its branch's, which joins the branch, its village and town.
    rows = (
        PartyMember.objects.active()
        .filter(village_id__in=village_ids)
        .order_by()
        .values_list("village_id", "branch_id", "status", "floating", "resident__birth_date")
    )
    for village_id, branch_id, status, floating, birth in rows:
        c = out[village_id]
        c.total += 1
        c.full += status == MemberStatus.FULL
        c.probation += status == MemberStatus.PROBATION
        c.floating += floating
        age = age_on(birth, today)
        c.under_60 += age < 60
        band = next(label for low, high, label in AGE_BANDS if low <= age < high)
        c.by_band[band] = c.by_band.get(band, 0) + 1
        c.by_branch[branch_id] = c.by_branch.get(branch_id, 0) + 1
    return out


@dataclass
class GridContacts:
    grid_id: int
    households: int = 0
    linked: int = 0  # households with a current contact member
    contacted: int = 0  # of those, contacted by their member in the month

    @property
    def linked_percent(self) -> int | None:
        return round(100 * self.linked / self.households) if self.households else None

    @property
    def contacted_percent(self) -> int | None:
        return round(100 * self.contacted / self.linked) if self.linked else None


def contact_coverage(village_ids: list[int], month: datetime.date | None = None) -> dict[int, GridContacts]:
    """Per active grid of the villages: active households, those with a current contact member, and those
    contacted by that member in ``month`` (default this month). Three queries."""
    first, last = month_bounds(month or timezone.localdate())
    out = {
        g: GridContacts(g)
        for g in Grid.objects.active().filter(village_id__in=village_ids).values_list("pk", flat=True)
    }
    households = Household.objects.active().filter(village_id__in=village_ids)
    for grid_id, n in households.values_list("grid_id").annotate(n=Count("pk")).order_by():
        if grid_id in out:
            out[grid_id].households = n
    # By the households' ids in the links' household index: a semi-join made PostgreSQL scan the county's
    # 157,000 links for a village's 1,100 (26 → 7 ms; docs/performance.md "Rows by a list of ids").
    links = ContactLink.objects.current().filter(InIds("household_id", households.values("pk")))
    for grid_id, linked, reached in _linked_and_reached(links, "household__grid_id", first, last):
        if grid_id in out:
            out[grid_id].linked = linked
            out[grid_id].contacted = reached
    return out


def _linked_and_reached(links, by: str, first: datetime.date, last: datetime.date):
    """(group, current links, those whose member has a contact with the household between the two days) per
    value of ``by``: one query. One current link per household, so neither count counts a household twice.
    Each link's contact is looked up in the contacts' household-and-day index."""
    contacted = Contact.objects.filter(
        member=OuterRef("member"),
        household=OuterRef("household"),
        contacted_on__range=(first, last),
    )
    return (
        links.values_list(by).annotate(linked=Count("pk"), reached=Count("pk", filter=Q(Exists(contacted)))).order_by()
    )


def coverage_total(rows) -> GridContacts:
    total = GridContacts(0)
    for r in rows:
        total.households += r.households
        total.linked += r.linked
        total.contacted += r.contacted
    return total


def organisation_tree(village_id: int) -> list[dict]:
    """The village's active organisations as a tree: [{"org", "children": [...]}], top first. One query."""
    orgs = list(
        PartyOrganisation.objects.active()
        .filter(village_id=village_id)
        .select_related("grid", "secretary")
        .order_by("kind", "name")
    )
    nodes = {o.pk: {"org": o, "children": []} for o in orgs}
    roots = []
    for o in orgs:
        parent = nodes.get(o.parent_id)
        (parent["children"] if parent else roots).append(nodes[o.pk])
    order = {OrgKind.COMMITTEE: 0, OrgKind.GENERAL_BRANCH: 0, OrgKind.BRANCH: 1, OrgKind.GROUP: 2}
    roots.sort(key=lambda n: (order[n["org"].kind], n["org"].name))
    return roots


@dataclass
class Compliance:
    """Meetings owed by a village's organisations: this month's and this year's tallies, per kind."""

    month: cadence.Tally
    year: cadence.Tally
    year_by_kind: dict[str, cadence.Tally]
    items: list[cadence.Item]


def compliance(village_ids: list[int], today: datetime.date | None = None) -> dict[int, Compliance]:
    """Per village: the meetings owed this year up to ``today``, how many held on time, late, due, overdue;
    "this month" counts the periods that contain today and the meetings held this month. Four queries."""
    today = today or timezone.localdate()
    first, last = cadence.year_span(today)
    found = cadence.items(village_ids=village_ids, first=first, last=last, today=today)
    by_village: dict[int, list[cadence.Item]] = defaultdict(list)
    for item in found:
        by_village[item.village_id].append(item)
    out = {}
    for village_id in village_ids:
        mine = by_village.get(village_id, [])
        year = cadence.tally(mine)[None]
        current = [i for i in mine if i.starts <= today <= i.ends]
        out[village_id] = Compliance(
            month=cadence.tally(current)[None],
            year=year,
            year_by_kind=dict(cadence.tally(mine, key=lambda i: i.kind)),
            items=mine,
        )
    return out


def meetings_held(village_ids: list[int], first: datetime.date, last: datetime.date) -> dict[int, Counter]:
    """Meetings held between two days per village, by kind. One query."""
    out: dict[int, Counter] = defaultdict(Counter)
    rows = (
        Meeting.objects.filter(village_id__in=village_ids, held_on__range=(first, last))
        .values_list("village_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for village_id, kind, n in rows:
        out[village_id][kind] += n
    return out


def member_for_user(user) -> PartyMember | None:
    """The active member record linked to a login, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return PartyMember.objects.active().filter(user=user).select_related("branch", "resident").first()


# --- field and demo: the member's phone page -----------------------------------------------------------


def member_contact_households(member: PartyMember, month: datetime.date | None = None) -> list[Household]:
    """A member's current contact households in natural order, each with ``contacted_on`` (their last
    contact this month or None) and the head's name as the field pages show it (``head_name``; the household
    number when it has no head on record). Two queries."""
    from django.db.models import OuterRef, Subquery

    from residents.codes import Relation
    from residents.models import Resident

    first, last = month_bounds(month or timezone.localdate())
    head = Resident.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD, archived_at__isnull=True)
    households = list(
        Household.objects.active()
        .filter(party_links__member=member, party_links__ended_on__isnull=True)
        .annotate(head_name=Subquery(head.order_by("pk").values("name")[:1]))
        .order_by("number", "pk")
    )
    last_contact = {}
    if households:
        last_contact = dict(
            Contact.objects.filter(
                member=member, household__in=[h.pk for h in households], contacted_on__range=(first, last)
            )
            .values_list("household_id")
            .annotate(day=Max("contacted_on"))
            .order_by()
        )
    for h in households:
        h.contacted_on = last_contact.get(h.pk)
    return households


# --- town, reminders and the report: the town's compliance page and dashboard column, the monthly report


@dataclass
class Contacts:
    """A village's contact households: active households, those with a current contact member, and those
    contacted by that member in the month."""

    households: int = 0
    linked: int = 0
    contacted: int = 0

    @property
    def linked_percent(self) -> int | None:
        return round(100 * self.linked / self.households) if self.households else None

    @property
    def contacted_percent(self) -> int | None:
        return round(100 * self.contacted / self.linked) if self.linked else None


def contacts_by_village(
    village_ids: list[int], month: datetime.date | None = None, *, member_villages: dict[int, int] | None = None
) -> dict[int, Contacts]:
    """``contact_coverage`` summed per village (every active household, on a grid in use or not). Two
    queries. ``member_villages`` ({member: village}, every member of the villages, archived or not): the
    links are then counted per member and summed here, without joining each to its member."""
    first, last = month_bounds(month or timezone.localdate())
    out = {v: Contacts() for v in village_ids}
    households = Household.objects.active().filter(village_id__in=village_ids)
    for village_id, n in households.values_list("village_id").annotate(n=Count("pk")).order_by():
        out[village_id].households = n
    # Found by the ids of the villages' members (a member keeps households of their own village only:
    # services.contact_link), in the links' member index, less those of the villages' archived households
    # (a handful): no scan of the county's links, no lookup of every linked household (a town's 11,000 links:
    # 45 → 32 ms, docs/performance.md "Rows by a list of ids").
    members = PartyMember.objects.filter(village_id__in=village_ids).values("pk")
    archived = Household.objects.filter(village_id__in=village_ids, archived_at__isnull=False).values("pk")
    links = ContactLink.objects.current().filter(InIds("member_id", members)).exclude(InIds("household_id", archived))
    by = "member__village_id" if member_villages is None else "member_id"
    for key, linked, reached in _linked_and_reached(links, by, first, last):
        counted = out[key if member_villages is None else member_villages[key]]
        counted.linked += linked
        counted.contacted += reached
    return out


@dataclass
class VillageCompliance:
    """One village's row on the town's side-by-side page: counts only, no names."""

    village: object
    members: int
    contacts: Contacts
    year: cadence.Tally
    month: cadence.Tally


def town_compliance(villages: list, today: datetime.date | None = None) -> list[VillageCompliance]:
    """Every village given, worst first: the lowest on-time share of this year's meetings first (a village
    that owes none yet last), then the most overdue. Seven queries whatever the number of villages."""
    today = today or timezone.localdate()
    ids = [v.pk for v in villages]
    # Every member of the villages, once: the active ones counted here, and each one's village for the
    # contact links, counted per member (a town's 11,000 links each joined to its member: 13 ms of 40).
    member_villages, members = {}, Counter()
    members_read = PartyMember.objects.filter(village_id__in=ids).order_by()  # unordered: no branch, village, town
    for pk, village_id, archived_at in members_read.values_list("pk", "village_id", "archived_at"):
        member_villages[pk] = village_id
        members[village_id] += archived_at is None
    contacts = contacts_by_village(ids, today, member_villages=member_villages)
    first, last = cadence.year_span(today)
    tallies = cadence.village_tallies(village_ids=ids, first=first, last=last, today=today)
    rows = [VillageCompliance(v, members.get(v.pk, 0), contacts[v.pk], *tallies[v.pk]) for v in villages]
    rows.sort(
        key=lambda r: (
            r.year.on_time_percent is None,
            r.year.on_time_percent if r.year.on_time_percent is not None else 0,
            -r.year.overdue,
            r.village.name,
        )
    )
    return rows


def on_time_this_year(village_ids: list[int], day: datetime.date | None = None) -> dict[int, int | None]:
    """Each village's share of this year's meetings held on time, up to ``day`` (today by default); None
    where nothing is owed yet. Counted as the town's compliance page counts (``cadence.village_tallies``,
    which agrees with the items): without building an item for each of a town's ten thousand periods. Three
    queries."""
    today = day or timezone.localdate()
    first, last = cadence.year_span(today)
    tallies = cadence.village_tallies(village_ids=village_ids, first=first, last=last, today=today)
    return {v: tallies[v][0].on_time_percent for v in village_ids}


def month_figures(village_id: int, month: datetime.date, today: datetime.date | None = None) -> dict:
    """The Party's figures of a village's month, for the monthly report (JSON-safe). A closed month's stay what
    they were when it ended, whatever is recorded later: meetings held are counted by the day they were held;
    the periods overdue at the month's end are those of the year that ended by its last day with no meeting
    held by that day (one recorded later, late, does not change them; for the month still running, the
    periods ended before ``today``); members are those who had joined and were not archived by then. At
    most nine queries."""
    from .models import MeetingKind

    today = today or timezone.localdate()
    first, last = month_bounds(month)
    held = meetings_held([village_id], first, last).get(village_id, Counter())
    items = cadence.items(
        village_ids=[village_id], first=datetime.date(last.year, 1, 1), last=last, today=last + datetime.timedelta(1)
    )
    ended = [i for i in items if i.ends <= last and i.ends < today]
    held_on = dict(
        Meeting.objects.filter(pk__in=[i.meeting_id for i in ended if i.meeting_id]).values_list("pk", "held_on")
    )
    overdue = [i for i in ended if i.meeting_id is None or held_on[i.meeting_id] > last]
    end = timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(1), datetime.time()))
    members = PartyMember.objects.filter(village_id=village_id, joined_on__lte=last).filter(
        Q(archived_at__isnull=True) | Q(archived_at__gte=end)
    )
    counts = members.aggregate(
        total=Count("pk"),
        probation=Count("pk", filter=Q(status=MemberStatus.PROBATION)),
        floating=Count("pk", filter=Q(floating=True)),
    )
    contacts = contacts_by_village([village_id], first)[village_id]
    return {
        "held": [{"kind": str(label), "n": held[kind]} for kind, label in MeetingKind.choices if held.get(kind)],
        "held_total": sum(held.values()),
        "overdue": len(overdue),
        "overdue_by_kind": [
            {"kind": str(label), "n": n}
            for kind, label in MeetingKind.choices
            if (n := sum(1 for i in overdue if i.kind == kind))
        ],
        "members": counts,
        "contacts": {
            "households": contacts.households,
            "linked": contacts.linked,
            "contacted": contacts.contacted,
            "linked_percent": contacts.linked_percent,
            "contacted_percent": contacts.contacted_percent,
        },
    }
