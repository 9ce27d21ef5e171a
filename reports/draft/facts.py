"""The facts a village's 汇报材料 is written from (docs/scorecard.md, "The 汇报材料 draft").

One function, ``gather``, reads every domain for one village and one period and hands back plain numbers,
labels and a few lists. Each read is one grouped query, so the draft costs the same number of queries for a
village of 50 households and one of 5,000 (tests/reports/test_draft.py pins it).

What is read and what is never read: counts of cases, visits and key persons, never their parties, notes,
descriptions or names; names only of the people and households the village honoured (ModelSelection), of
its own organisations, teams, facilities and works. The free text of cases, visits and key persons is not
even selected, so it cannot leak into a sentence.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from civility.models import Activity, EntryKind, LegalAdvisor, ModelSelection, PointsEntry, VolunteerTeam
from cogovernance.models import Deliberation, Project
from disputes.models import Case, Kind, Mediator, State, Tier
from grids.models import (
    Assignment,
    FacilityKind,
    Grid,
    MicroGrid,
    NaturalVillage,
    ServiceFacility,
    Village,
    VillageHonour,
    VillageIncome,
    VillagerGroup,
)
from party.models import Contact, ContactLink, Meeting, OrgKind, PartyMember, PartyOrganisation
from people.models import GoodPractice, HealthCheck, Training, WorkerInsurance
from residents.codes import Relation
from residents.models import Household, KeyPerson, Registration, Resident
from visits.models import Outcome, Subject, Visit

from ..scorecard.period import Period

# A case counts as handled once it left the handling states (resolved, fed back, closed).
_DONE_STATES = [State.RESOLVED, State.FEEDBACK, State.CLOSED]


@dataclass
class Facts:
    village: Village
    period: Period
    as_of: datetime.date
    territory: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    holders: dict = field(default_factory=dict)
    party: dict = field(default_factory=dict)
    income: VillageIncome | None = None
    honours: list = field(default_factory=list)
    facilities: list = field(default_factory=list)
    meetings: dict = field(default_factory=dict)
    contacts: dict = field(default_factory=dict)
    care: dict = field(default_factory=dict)
    trainings: dict = field(default_factory=dict)
    practices: dict = field(default_factory=dict)
    visits: dict = field(default_factory=dict)
    key_persons: int = 0
    cases: dict = field(default_factory=dict)
    mediators: int = 0
    deliberations: dict = field(default_factory=dict)
    projects: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    party_activities: int = 0
    set_dates: list = field(default_factory=list)
    teams: list = field(default_factory=list)
    advisors: int = 0
    selections: list = field(default_factory=list)
    redemptions: dict = field(default_factory=dict)


def _count_of(model, village_path: str, *conditions: Q, **filters) -> Subquery:
    """A correlated count of ``model`` rows of the outer village, for one query over the village row."""
    rows = (
        model.objects.filter(*conditions, **{village_path: OuterRef("pk")}, **filters)
        .order_by()
        .values(village_path)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _day_range(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period.last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def gather(village: Village, period: Period, *, today: datetime.date | None = None) -> Facts:
    """Everything the draft says about ``village`` in ``period``. The registry (households, residents, the
    grids and who holds them) is read as it stands on the period's last day or today, whichever is first:
    the registry keeps no history of its counts."""
    today = today or timezone.localdate()
    as_of = min(period.last, today)
    start, end = period.first, period.last
    facts = Facts(village=village, period=period, as_of=as_of)
    v = village.pk

    # 1. The territory's counts, one row.
    facts.territory = (
        Village.objects.filter(pk=v)
        .annotate(
            n_natural_villages=_count_of(NaturalVillage, "village", archived_at__isnull=True),
            n_groups=_count_of(VillagerGroup, "village", archived_at__isnull=True),
            n_grids=_count_of(Grid, "village", archived_at__isnull=True),
            n_micro_grids=_count_of(
                MicroGrid, "grid__village", archived_at__isnull=True, grid__archived_at__isnull=True
            ),
            n_mediators=_count_of(Mediator, "village", archived_at__isnull=True),
            n_advisors=_count_of(LegalAdvisor, "village", archived_at__isnull=True, trained_on__lte=end),
            # By the listing's own village (its index), not its resident's (every key person of the county
            # joined: 19 ms of the draft's 200); an erased listing names no resident and is not counted.
            n_key_persons=_count_of(
                KeyPerson,
                "village",
                Q(listed_until__isnull=True) | Q(listed_until__gte=start),
                listed_from__lte=end,
                resident__isnull=False,
            ),
        )
        .values(
            "n_natural_villages", "n_groups", "n_grids", "n_micro_grids", "n_mediators", "n_advisors", "n_key_persons"
        )
        .get()
    )
    facts.territory = {name[2:]: n for name, n in facts.territory.items()}
    facts.mediators = facts.territory.pop("mediators")
    facts.advisors = facts.territory.pop("advisors")
    # 2–3. Households and residents (常住: registered residents who live in the village, as the overview).
    facts.people = (
        Household.objects.active()
        .filter(village=v)
        .aggregate(households=Count("pk"), wechat=Count("pk", filter=Q(in_wechat_group=True)))
    )
    facts.people.update(
        Resident.objects.active()
        .filter(village=v, household__village=v, registration=Registration.REGISTERED)
        .aggregate(registered=Count("pk"), living=Count("pk", filter=Q(lives_here=True)))
    )
    # 4. Who holds the grids, micro-grids and villager groups on the day.
    held = (
        Assignment.objects.active_on(as_of)
        .in_village(v, village_roles=False)
        .order_by()
        .values("role")
        .annotate(n=Count("user", distinct=True))
    )
    facts.holders = {row["role"]: row["n"] for row in held}
    # 5–6. The Party organisation and its members.
    orgs = list(PartyOrganisation.objects.active().filter(village=v).order_by("kind", "pk").values_list("kind", "name"))
    top = next((name for kind, name in orgs if kind in (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH)), "")
    facts.party = {
        "top": top,
        "branches": sum(1 for kind, _ in orgs if kind == OrgKind.BRANCH),
        "groups": sum(1 for kind, _ in orgs if kind == OrgKind.GROUP),
        "members": PartyMember.objects.active().filter(village=v).count(),
    }
    # 7–9. The profile: the latest income recorded up to the period, the honours up to it, the facilities.
    facts.income = VillageIncome.objects.filter(village=v, year__lte=end.year).order_by("-year").first()
    facts.honours = list(
        VillageHonour.objects.active()
        .filter(village=v, year__lte=end.year)
        .order_by("year", "pk")
        .values("year", "title", "awarded_by")
    )
    order = {value: i for i, value in enumerate(FacilityKind.values)}
    facilities = ServiceFacility.objects.active().filter(village=v).values_list("kind", "name")
    facts.facilities = [
        name or FacilityKind(kind).label for kind, name in sorted(facilities, key=lambda row: order.get(row[0], 99))
    ]
    # 10–12. Party meetings by kind, contacts with households, households with a contact member.
    facts.meetings = dict(
        Meeting.objects.filter(village=v, held_on__range=(start, end))
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    facts.contacts = Contact.objects.filter(member__village=v, contacted_on__range=(start, end)).aggregate(
        contacts=Count("pk"), households=Count("household", distinct=True)
    )
    facts.contacts["linked"] = (
        ContactLink.objects.filter(member__village=v, started_on__lte=as_of)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
        .values("household")
        .distinct()
        .count()
    )
    # 13–16. Care for the grid workers, their trainings and the good practices sent up.
    facts.care = {
        "insured": WorkerInsurance.objects.filter(village=v, starts_on__lte=end, ends_on__gte=start)
        .values("worker")
        .distinct()
        .count(),
        "checked": HealthCheck.objects.filter(village=v, checked_on__range=(start, end))
        .values("worker")
        .distinct()
        .count(),
    }
    trainings = Training.objects.filter(
        Q(village=v) | Q(village__isnull=True, town=village.town_id), held_on__range=(start, end)
    )
    facts.trainings = trainings.aggregate(trainings=Count("pk"), hours=Sum("hours"))
    facts.trainings["attendees"] = (
        Training.attendees.through.objects.filter(training__in=trainings, user__home_village=v)
        .values("user")
        .distinct()
        .count()
    )
    practices = (
        GoodPractice.objects.filter(village=v, reported_on__range=(start, end))
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"), adopted=Count("pk", filter=Q(status="adopted")))
    )
    facts.practices = {row["kind"]: row for row in practices}
    # 17. Visits: counts only (who was visited and what was noted is never read).
    done = Q(outcome=Outcome.DONE)
    facts.visits = Visit.objects.filter(village=v, visited_on__range=(start, end)).aggregate(
        household_visits=Count("pk", filter=done & Q(subject=Subject.HOUSEHOLD)),
        households=Count("household", filter=done & Q(subject=Subject.HOUSEHOLD), distinct=True),
        key_person_visits=Count("pk", filter=done & Q(subject=Subject.KEY_PERSON)),
        key_persons=Count("key_person", filter=done & Q(subject=Subject.KEY_PERSON), distinct=True),
        place_visits=Count("pk", filter=done & Q(subject=Subject.KEY_PLACE)),
        workers=Count("worker", distinct=True),
    )
    facts.key_persons = facts.territory.pop("key_persons")
    # 18. Cases reported in the period, by kind and by where they were handled: counts only.
    since, until = _day_range(period)
    dispute, hazard, request = Q(kind=Kind.DISPUTE), Q(kind=Kind.HAZARD), Q(kind=Kind.REQUEST)
    handled = Q(state__in=_DONE_STATES)
    facts.cases = Case.objects.filter(village=v, reported_at__gte=since, reported_at__lt=until).aggregate(
        disputes=Count("pk", filter=dispute),
        disputes_village=Count("pk", filter=dispute & handled & Q(tier__in=[Tier.GROUP, Tier.VILLAGE])),
        disputes_agreement=Count("pk", filter=dispute & Q(outcome="agreement")),
        disputes_town=Count("pk", filter=dispute & Q(tier=Tier.TOWN)),
        hazards=Count("pk", filter=hazard),
        hazards_closed=Count("pk", filter=hazard & handled),
        requests=Count("pk", filter=request),
        requests_done=Count("pk", filter=request & handled),
    )
    # 19. Deliberations published in the period; their topics have been made public (the publicity notice).
    deliberations = list(
        Deliberation.objects.active()
        .filter(village=v)
        .filter(Q(publish_on__range=(start, end)) | Q(resolved_on__range=(start, end)))
        .order_by("publish_on", "pk")
        .values("title", "publish_on", "resolved_on")
    )
    facts.deliberations = {
        "published": [d["title"] for d in deliberations if d["publish_on"] and start <= d["publish_on"] <= end],
        "resolved": sum(1 for d in deliberations if d["resolved_on"] and start <= d["resolved_on"] <= end),
    }
    # 20. The village's works (民生实事) done or under way in the period.
    facts.projects = list(
        Project.objects.active()
        .filter(village=v, started_on__lte=end)
        .filter(Q(done_on__isnull=True) | Q(done_on__gte=start))
        .order_by("started_on", "pk")
        .values("title", "quantity", "unit", "spent", "budget", "done_on")
    )
    for project in facts.projects:
        project["done"] = project["done_on"] is not None and project["done_on"] <= end
    # 21–22. Activities by kind, and the legal publicity held on the set dates.
    held_activities = Activity.objects.active().filter(village=v, held_on__range=(start, end))
    facts.activities = list(
        held_activities.order_by().values("kind").annotate(n=Count("pk"), people=Sum("participants"))
    )
    facts.set_dates = list(
        held_activities.filter(set_date__isnull=False)
        .order_by()
        .values("set_date__name")
        .annotate(n=Count("pk"))
        .order_by("set_date__month", "set_date__day")
        .values_list("set_date__name", "n")
    )
    facts.party_activities = held_activities.filter(party_meeting__isnull=False).count()
    # 23. Volunteer teams and their current members.
    facts.teams = list(
        VolunteerTeam.objects.active()
        .filter(village=v, founded_on__lte=end)
        .annotate(members_now=Count("members", filter=Q(members__left_on__isnull=True)))
        .order_by("founded_on", "pk")
        .values_list("name", "members_now")
    )
    # 24–25. Those the village honoured in the period: the one place names are written (they were honoured
    # publicly). A household is named by its head. Someone listed as a key person is never named, even when
    # honoured: the honour is counted, the name left out (key-person records are sensitive, PIPL).
    listed = KeyPerson.objects.filter(Q(listed_until__isnull=True) | Q(listed_until__gte=start), listed_from__lte=end)
    selections = list(
        ModelSelection.objects.active()
        .filter(village=v, selected_on__range=(start, end))
        .annotate(key=Exists(listed.filter(resident=OuterRef("resident"))))
        .order_by("selected_on", "pk")
        .values("honour", "household_id", "resident__name", "key")
    )
    heads = dict(
        Resident.objects.filter(
            household__in={s["household_id"] for s in selections if s["household_id"] and not s["resident__name"]},
            relation=Relation.HEAD,
            archived_at__isnull=True,
        )
        .exclude(Exists(listed.filter(resident=OuterRef("pk"))))
        .values_list("household_id", "name")
    )
    facts.selections = [
        {
            "honour": s["honour"],
            "name": "" if s["key"] else (s["resident__name"] or heads.get(s["household_id"], "")),
            "household": not s["resident__name"],
        }
        for s in selections
    ]
    # 26. Points redeemed at the points supermarket (积分超市).
    redeemed = PointsEntry.objects.filter(
        account__village=v, kind=EntryKind.REDEMPTION, at__gte=since, at__lt=until
    ).aggregate(n=Count("pk"), points=Sum("points"))
    facts.redemptions = {"n": redeemed["n"], "points": -(redeemed["points"] or 0)}
    return facts


def plain_number(value: Decimal | int | float) -> str:
    """10.20 → "10.2", 123.60 → "123.6", 200000 → "200000"."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)
