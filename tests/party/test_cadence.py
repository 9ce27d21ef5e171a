"""The meeting cadence (party/cadence.py): what is owed per period, at month and quarter boundaries, for an
organisation founded mid-quarter, and a meeting held late."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from party import cadence, services
from party.models import Meeting, MeetingKind, MeetingRule, OrgKind, PartyOrganisation
from tests.party.conftest import org

pytestmark = pytest.mark.django_db

D = datetime.date


def hold(organisation, kind, held_on, *, by, period="", present=()):
    meeting = Meeting(
        organisation=organisation,
        kind=kind,
        held_on=held_on,
        period=period,
        place="村部",
        topic="议题",
        others_present=3,
    )
    return services.meeting_record(by=by, meeting=meeting, present=list(present))


def states(found, organisation, kind):
    return {i.period: i.state for i in found if i.organisation_id == organisation.pk and i.kind == kind}


def test_period_keys_and_bounds_at_boundaries():
    assert cadence.period_key(D(2026, 3, 31), "month") == "2026-03"
    assert cadence.period_key(D(2026, 3, 31), "quarter") == "2026-Q1"
    assert cadence.period_key(D(2026, 4, 1), "quarter") == "2026-Q2"
    assert cadence.period_key(D(2026, 12, 31), "quarter") == "2026-Q4"
    assert cadence.period_bounds("2026-Q1") == (D(2026, 1, 1), D(2026, 3, 31))
    assert cadence.period_bounds("2024-02") == (D(2024, 2, 1), D(2024, 2, 29))
    assert cadence.periods("quarter", D(2025, 11, 15), D(2026, 4, 1)) == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert cadence.periods("month", D(2025, 12, 31), D(2026, 1, 1)) == ["2025-12", "2026-01"]


def test_monthly_meeting_is_due_until_the_last_day_then_overdue(world, party, staff):
    kind = MeetingKind.BRANCH_COMMITTEE
    last_day = cadence.items(
        village_ids=[world.village.pk], first=D(2026, 3, 1), last=D(2026, 3, 31), today=D(2026, 3, 31)
    )
    assert states(last_day, party.branch1, kind) == {"2026-03": cadence.DUE}
    next_day = cadence.items(
        village_ids=[world.village.pk], first=D(2026, 3, 1), last=D(2026, 4, 1), today=D(2026, 4, 1)
    )
    assert states(next_day, party.branch1, kind) == {"2026-03": cadence.OVERDUE, "2026-04": cadence.DUE}


def test_quarterly_meeting_spans_the_quarter(world, party, staff):
    kind = MeetingKind.GENERAL_ASSEMBLY
    hold(party.branch1, kind, D(2026, 2, 10), by=staff, present=[party.member1])
    found = cadence.items(village_ids=[world.village.pk], first=D(2026, 1, 1), last=D(2026, 4, 1), today=D(2026, 4, 1))
    assert states(found, party.branch1, kind) == {"2026-Q1": cadence.HELD, "2026-Q2": cadence.DUE}
    # The other branch held none: Q1 overdue from 1 April.
    assert states(found, party.branch2, kind) == {"2026-Q1": cadence.OVERDUE, "2026-Q2": cadence.DUE}


def test_a_branch_founded_mid_quarter_first_owes_the_next_periods(world, party, staff):
    new = org(world.village, OrgKind.BRANCH, "新支部", parent=party.top, founded_on=D(2026, 2, 15))
    found = cadence.items(village_ids=[world.village.pk], first=D(2026, 1, 1), last=D(2026, 7, 1), today=D(2026, 7, 1))
    assert states(found, new, MeetingKind.GENERAL_ASSEMBLY) == {"2026-Q2": cadence.OVERDUE, "2026-Q3": cadence.DUE}
    monthly = states(found, new, MeetingKind.BRANCH_COMMITTEE)
    assert "2026-02" not in monthly and monthly["2026-03"] == cadence.OVERDUE
    # Founded on the first day of a quarter, it owes that quarter.
    on_first = org(world.village, OrgKind.BRANCH, "季初支部", parent=party.top, founded_on=D(2026, 4, 1))
    found = cadence.items(village_ids=[world.village.pk], first=D(2026, 4, 1), last=D(2026, 4, 2), today=D(2026, 4, 2))
    assert states(found, on_first, MeetingKind.GENERAL_ASSEMBLY) == {"2026-Q2": cadence.DUE}


def test_a_meeting_held_late_is_marked_and_counts_as_late(world, party, staff):
    kind = MeetingKind.BRANCH_COMMITTEE
    meeting = hold(party.branch1, kind, D(2026, 4, 3), by=staff, period="2026-03", present=[party.member1])
    assert meeting.late is True
    found = cadence.items(village_ids=[world.village.pk], first=D(2026, 3, 1), last=D(2026, 4, 5), today=D(2026, 4, 5))
    assert states(found, party.branch1, kind) == {"2026-03": cadence.LATE, "2026-04": cadence.DUE}
    on_time = hold(party.branch1, kind, D(2026, 4, 4), by=staff, present=[party.member1])
    assert on_time.period == "2026-04" and on_time.late is False
    tally = cadence.tally(i for i in found if i.organisation_id == party.branch1.pk and i.kind == kind)[None]
    assert (tally.late, tally.due, tally.overdue) == (1, 1, 0)


def test_levels_village_branch_group(world, party, staff):
    found = cadence.items(village_ids=[world.village.pk], first=D(2026, 5, 1), last=D(2026, 5, 2), today=D(2026, 5, 2))
    by_org = {(i.organisation_id, i.kind) for i in found}
    assert (party.top.pk, MeetingKind.FIVE_LINKAGE) in by_org
    assert (party.branch1.pk, MeetingKind.FIVE_LINKAGE) not in by_org
    assert (party.group1.pk, MeetingKind.GROUP_MEETING) in by_org
    assert (party.branch1.pk, MeetingKind.GROUP_MEETING) not in by_org
    assert (party.branch1.pk, MeetingKind.THEME_DAY) in by_org


def test_the_admin_edits_the_rule_table(world, party, staff):
    MeetingRule.objects.filter(kind=MeetingKind.BRANCH_COMMITTEE).update(period="quarter")
    MeetingRule.objects.filter(kind=MeetingKind.THEME_DAY).update(active=False)
    found = cadence.items(village_ids=[world.village.pk], first=D(2026, 5, 1), last=D(2026, 5, 2), today=D(2026, 5, 2))
    assert states(found, party.branch1, MeetingKind.BRANCH_COMMITTEE) == {"2026-Q2": cadence.DUE}
    assert states(found, party.branch1, MeetingKind.THEME_DAY) == {}


def test_an_archived_branch_owes_nothing_after_it_was_archived(world, party, staff):
    services.organisation_archive(by=staff, org=party.branch2)
    today = datetime.date.today()
    later = today + datetime.timedelta(days=70)
    found = cadence.items(village_ids=[world.village.pk], first=later, last=later, today=later)
    assert states(found, party.branch2, MeetingKind.BRANCH_COMMITTEE) == {}


def test_three_queries_whatever_the_number_of_villages(world, party, staff, django_assert_num_queries):
    with django_assert_num_queries(3):
        cadence.items(village_ids=[world.village.pk, world.other_village.pk], first=D(2026, 1, 1), last=D(2026, 12, 31))


def test_contact_coverage_counts_linked_and_contacted_households_per_grid(world, party, member_user, staff):
    from party import selectors

    services.contact_record(by=member_user, member=party.member1, household=world.household1)
    coverage = selectors.contact_coverage([world.village.pk])
    assert (
        coverage[world.grid1.pk].households,
        coverage[world.grid1.pk].linked,
        coverage[world.grid1.pk].contacted,
    ) == (
        1,
        1,
        1,
    )
    assert (coverage[world.grid2.pk].linked, coverage[world.grid2.pk].contacted) == (0, 0)
    # A contact by a member who no longer holds the household does not count for the new member's link.
    services.contact_link(by=staff, member=party.member2, household=world.household1)
    assert selectors.contact_coverage([world.village.pk])[world.grid1.pk].contacted == 0
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        counts = selectors.member_counts([world.village.pk])[world.village.pk]
    assert (counts.total, counts.full, counts.probation) == (2, 1, 1)
    # Counted unordered: the members' default order would join their branches, villages and towns.
    assert "ORDER BY" not in queries[0]["sql"] and "party_partyorganisation" not in queries[0]["sql"]
    assert selectors.compliance([world.village.pk])[world.village.pk].year.owed > 0


def test_contact_coverage_reads_the_links_by_the_villages_household_ids(world, party, staff):
    """The village's links are looked up by its active households' ids (``core.db.InIds``: on PostgreSQL
    ``= ANY(ARRAY(…))``, the links' household index), not joined to a subquery that PostgreSQL answered by
    scanning every link of the county; an archived household's link is still left out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from party import selectors

    services.contact_link(by=staff, member=party.member1, household=world.household2)
    with CaptureQueriesContext(connection) as queries:
        before = selectors.contact_coverage([world.village.pk])
    links = next(q["sql"] for q in queries if 'FROM "party_contactlink"' in q["sql"])
    assert '"party_contactlink"."household_id" = ANY(ARRAY(SELECT' in links, links
    world.household2.archived_at = timezone.now()
    world.household2.save(update_fields=["archived_at"])
    after = selectors.contact_coverage([world.village.pk])
    grid = world.household2.grid_id
    assert before[grid].linked >= 1 and after[grid].linked == before[grid].linked - 1


def test_the_admin_changes_a_rule_on_the_admin_page(client, django_user_model, world, party):
    admin = django_user_model.objects.create_superuser("root", password="x-secret-42")
    client.force_login(admin)
    rule = MeetingRule.objects.get(kind=MeetingKind.PARTY_LECTURE)
    page = client.get(f"/admin/party/meetingrule/{rule.pk}/change/")
    assert page.status_code == 200
    answer = client.post(
        f"/admin/party/meetingrule/{rule.pk}/change/",
        {
            "kind": rule.kind,
            "level": rule.level,
            "period": "month",
            "remind_days_before": 3,
            "active": "on",
            "source": "x",
        },
    )
    assert answer.status_code == 302
    rule.refresh_from_db()
    assert (rule.period, rule.remind_days_before) == ("month", 3)
    found = cadence.items(village_ids=[world.village.pk], first=D(2026, 5, 1), last=D(2026, 5, 2), today=D(2026, 5, 2))
    assert states(found, party.branch1, MeetingKind.PARTY_LECTURE) == {"2026-05": cadence.DUE}


def test_village_tallies_count_what_the_items_say(world, party, staff):
    """The town's tallies are counted without the items (by arithmetic on each rule's run of periods): they
    agree with the items on every day tried, for a branch founded mid-quarter, one archived mid-quarter, a
    meeting recorded for a period before its organisation owed it, a period held late and again on time,
    and a period still running that is already held."""
    hold(
        party.branch1, MeetingKind.BRANCH_COMMITTEE, D(2026, 4, 3), by=staff, period="2026-03", present=[party.member1]
    )
    hold(party.branch1, MeetingKind.GENERAL_ASSEMBLY, D(2026, 2, 10), by=staff, present=[party.member1])
    new = org(world.village, OrgKind.BRANCH, "新支部", parent=party.top, founded_on=D(2026, 2, 15))
    gone = org(world.village, OrgKind.BRANCH, "撤销支部", parent=party.top, founded_on=D(2025, 6, 1))
    PartyOrganisation.objects.filter(pk=gone.pk).update(
        archived_at=timezone.make_aware(datetime.datetime(2026, 3, 15, 10))
    )
    meeting = {"place": "村部", "topic": "议题", "recorded_by": staff, "village": world.village}
    Meeting.objects.create(
        organisation=new, kind=MeetingKind.BRANCH_COMMITTEE, held_on=D(2026, 2, 1), period="2026-02", **meeting
    )
    for held_on, late in ((D(2026, 3, 2), True), (D(2026, 2, 20), False)):
        Meeting.objects.create(
            organisation=gone,
            kind=MeetingKind.BRANCH_COMMITTEE,
            held_on=held_on,
            period="2026-02",
            late=late,
            **meeting,
        )
    Meeting.objects.create(
        organisation=new, kind=MeetingKind.BRANCH_COMMITTEE, held_on=D(2026, 4, 2), period="2026-04", **meeting
    )
    # An organisation that owed the whole run (counted by the database in one row): a period held late and
    # again on time counts once, as held.
    for held_on, late in ((D(2026, 2, 3), True), (D(2026, 1, 28), False)):
        Meeting.objects.create(
            organisation=party.branch1,
            kind=MeetingKind.BRANCH_COMMITTEE,
            held_on=held_on,
            period="2026-01",
            late=late,
            **meeting,
        )
    ids = [world.village.pk, world.other_village.pk]
    first = D(2026, 1, 1)
    for today in (
        D(2026, 1, 1),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 3, 15),
        D(2026, 3, 20),
        D(2026, 4, 1),
        D(2026, 4, 5),
    ):
        found = cadence.items(village_ids=ids, first=first, last=today, today=today)
        tallies = cadence.village_tallies(village_ids=ids, first=first, last=today, today=today)
        for village_id in ids:
            mine = [i for i in found if i.village_id == village_id]
            whole, now = tallies[village_id]
            assert whole == cadence.tally(mine)[None], today
            assert now == cadence.tally([i for i in mine if i.starts <= today <= i.ends])[None], today
    # On 5 April: branch1's March meeting late; held: the assembly, branch1's January once (held late and on
    # time), the archived branch's February once (its late meeting does not count again), the new branch's
    # April; its February, before it owed any, is not.
    assert tallies[world.village.pk][0].late == 1 and tallies[world.village.pk][0].held == 4
    assert tallies[world.village.pk][1].held == 1  # the new branch's April meeting, in the running month
