"""The 六好 scorecard's periods and indicators (docs/scorecard.md): each indicator measured on a hand-built
village whose value is known, for a period that has ended (``today`` given), so nothing depends on the day
the tests run."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civility.models import Activity, ActivityKind, EntryKind, ModelSelection, PointsAccount, PointsEntry
from cogovernance.models import Project
from disputes.models import Case, CaseEvent, State, Tier
from grids.models import Role
from party.models import Contact, Meeting, MeetingKind, MeetingRule, OrgKind
from people.models import GoodPractice, HealthCheck, Training, WorkerInsurance
from reports import scorecard
from reports.models import ScoreRule
from reports.scorecard import indicators
from reports.scorecard.indicators import Context
from reports.scorecard.period import BadPeriod, parse
from residents.models.key_persons import SupervisionGap
from tests.conftest import assign, make_case, make_user
from tests.party.conftest import member, org
from visits.models import CoverageSnapshot
from visits.services import visit_record

TODAY = datetime.date(2027, 1, 10)  # every period below has ended


def ctx(world, key: str, today: datetime.date = TODAY) -> Context:
    return Context([world.village.pk, world.other_village.pk], parse(key), today)


def value(world, code: str, key: str, today: datetime.date = TODAY):
    """The village's value of ``code`` as the scorecard reads it (kept values included: a test that
    changes a record and reads again shows the kept value did not go stale)."""
    cards = scorecard.compute(
        [world.village.pk, world.other_village.pk], parse(key), links=False, previous=False, today=today
    )
    return next(i.value for c in cards[world.village.pk].criteria for i in c.indicators if i.code == code)


def measured(world, code: str, key: str, today: datetime.date = TODAY):
    """The indicator's function itself, no kept value: for a test that changes the code's constants."""
    return indicators.INDICATORS[code][0](ctx(world, key, today))[world.village.pk]


def aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# --- periods ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "first", "last", "label", "previous"),
    [
        ("2026", "year", "2026-01-01", "2026-12-31", "2026年", "2025"),
        ("2026-Q4", "quarter", "2026-10-01", "2026-12-31", "2026年第四季度", "2026-Q3"),
        ("2026-Q1", "quarter", "2026-01-01", "2026-03-31", "2026年第一季度", "2025-Q4"),
        ("2026-02", "month", "2026-02-01", "2026-02-28", "2026年2月", "2026-01"),
        ("2026-01", "month", "2026-01-01", "2026-01-31", "2026年1月", "2025-12"),
    ],
)
def test_a_period_is_read_from_its_key(raw, kind, first, last, label, previous):
    p = parse(raw)
    assert (p.kind, p.first.isoformat(), p.last.isoformat(), p.key, p.label, p.previous.key) == (
        kind,
        first,
        last,
        raw,
        label,
        previous,
    )


def test_the_default_period_is_the_current_year():
    assert parse("").key == str(timezone.localdate().year)
    assert parse(None, datetime.date(2030, 5, 6)).key == "2030"


@pytest.mark.parametrize("raw", ["abc", "2026-13", "2026-00", "2026-Q5", "2026-1", "1899", "26", "2026-Q", "２０２６"])
def test_a_bad_period_is_refused_with_a_message(raw):
    with pytest.raises(BadPeriod) as error:
        parse(raw)
    assert "期间" in str(error.value) or "年份" in str(error.value) or "月份" in str(error.value)


# --- 基层党建好 ----------------------------------------------------------------------------------------------


def test_party_meetings_on_time_counts_the_periods_owed(world, staff):
    MeetingRule.objects.exclude(kind=MeetingKind.JOINT).update(active=False)  # the village-level monthly one
    top = org(world.village, OrgKind.GENERAL_BRANCH, "一村党总支", founded_on=datetime.date(2025, 1, 1))
    assert value(world, "party_meetings_on_time", "2026-Q1") == 0  # three months owed, none held
    for month in (1, 2, 3):
        Meeting.objects.create(
            village=world.village,
            organisation=top,
            kind=MeetingKind.JOINT,
            held_on=datetime.date(2026, month, 10),
            period=f"2026-{month:02d}",
            place="村委会",
            topic="联席会",
            recorded_by=staff,
        )
        assert value(world, "party_meetings_on_time", "2026-Q1") == round(100 * month / 3)
    assert value(world, "party_meetings_on_time", "2026-01") == 100
    # Another village owes nothing: nothing to measure.
    assert indicators.party_meetings_on_time(ctx(world, "2026-Q1"))[world.other_village.pk] is None


def test_five_linkage_counts_months_with_the_meeting(world, staff):
    top = org(world.village, OrgKind.GENERAL_BRANCH, "一村党总支")
    for day in (datetime.date(2026, 1, 5), datetime.date(2026, 1, 25), datetime.date(2026, 3, 2)):
        Meeting.objects.create(
            village=world.village,
            organisation=top,
            kind=MeetingKind.FIVE_LINKAGE,
            held_on=day,
            period=f"{day:%Y-%m}",
            place="村委会",
            topic="五事联动",
            recorded_by=staff,
        )
    assert value(world, "party_five_linkage", "2026-Q1") == 67  # January and March of three months
    assert value(world, "party_five_linkage", "2026-02") == 0
    assert value(world, "party_five_linkage", "2026-03") == 100


def test_party_contacts_counts_households_reached_in_the_period(world, staff):
    branch = org(world.village, OrgKind.BRANCH, "第一网格党支部", grid=world.grid1)
    m = member(world.village, world.resident1, branch)
    assert value(world, "party_contacts", "2026-03") == 0
    Contact.objects.create(
        member=m, household=world.household1, contacted_on=datetime.date(2026, 3, 3), recorded_by=staff
    )
    Contact.objects.create(
        member=m, household=world.household1, contacted_on=datetime.date(2026, 3, 9), recorded_by=staff
    )
    assert value(world, "party_contacts", "2026-03") == 50  # one of two households, counted once
    assert value(world, "party_contacts", "2026-04") == 0


def test_party_contacts_reads_the_members_contacts_by_their_ids(world, staff):
    """The contacts are found by the villages' members' ids (the contacts' member index, not a scan of the
    county's) and counted in their household's village; an archived household is left out, another village's
    member's contact counts there."""
    branch = org(world.village, OrgKind.BRANCH, "第一网格党支部", grid=world.grid1)
    m = member(world.village, world.resident1, branch)
    other = member(world.other_village, world.other_resident, org(world.other_village, OrgKind.BRANCH, "二村支部"))
    day = datetime.date(2026, 3, 3)
    for who, household in ((m, world.household1), (m, world.household2), (other, world.other_household)):
        Contact.objects.create(member=who, household=household, contacted_on=day, recorded_by=staff)
    with CaptureQueriesContext(connection) as queries:
        values = indicators.INDICATORS["party_contacts"][0](ctx(world, "2026-03", TODAY))
    contacts = next(q["sql"] for q in queries if 'FROM "party_contact"' in q["sql"])
    assert '"party_contact"."member_id" = ANY(ARRAY(SELECT' in contacts, contacts
    assert (values[world.village.pk], values[world.other_village.pk]) == (100, 100)
    world.household2.archived_at = timezone.now()
    world.household2.save(update_fields=["archived_at"])
    assert measured(world, "party_contacts", "2026-03") == 100  # one of one active household


# --- 治理架构好 ----------------------------------------------------------------------------------------------


def test_grids_sized_holds_them_to_the_households_rule(world, monkeypatch):
    assert measured(world, "grids_sized", "2026") == 0  # one household each, far under 300
    monkeypatch.setattr(indicators, "GRID_HOUSEHOLDS", (1, 5))
    assert measured(world, "grids_sized", "2026") == 100
    world.grid2.archived_at = timezone.now()
    world.grid2.save(update_fields=["archived_at"])
    world.household2.archived_at = timezone.now()
    world.household2.save(update_fields=["archived_at"])
    monkeypatch.setattr(indicators, "GRID_HOUSEHOLDS", (2, 5))
    assert measured(world, "grids_sized", "2026") == 0


def test_grids_staffed_counts_grids_and_micro_grids_held(world, worker):
    assert value(world, "grids_staffed", "2026", timezone.localdate()) == 25  # grid 1 of 2 grids and 2 micro-grids
    liaison = make_user("liaison", world.village)
    assign(liaison, Role.LIAISON, world.micro1)
    colleague = make_user("colleague", world.village)
    assign(colleague, Role.GRID_WORKER, world.grid2)
    assert value(world, "grids_staffed", "2026", timezone.localdate()) == 75
    assert indicators.grids_staffed(ctx(world, "2026", timezone.localdate()))[world.other_village.pk] == 0


def test_groups_informed_counts_groups_with_an_information_officer(world):
    assert value(world, "groups_informed", "2026", timezone.localdate()) == 0
    officer = make_user("officer", world.village)
    assign(officer, Role.INFO_OFFICER, world.group1)
    assert value(world, "groups_informed", "2026", timezone.localdate()) == 100


# --- 能力建设好 ----------------------------------------------------------------------------------------------


def test_visit_coverage_and_key_persons_sum_the_months_snapshots(world):
    assert value(world, "visit_coverage", "2026-Q1") is None  # nothing due: no record
    CoverageSnapshot.objects.create(
        grid=world.grid1, month=datetime.date(2026, 1, 1), households_due=10, households_done=5,
        key_persons_due=2, key_persons_done=1,
    )  # fmt: skip
    CoverageSnapshot.objects.create(
        grid=world.grid2, month=datetime.date(2026, 2, 1), households_due=10, households_done=10,
        key_persons_due=2, key_persons_done=2,
    )  # fmt: skip
    CoverageSnapshot.objects.create(
        grid=world.other_grid, month=datetime.date(2026, 2, 1), households_due=10, households_done=0
    )
    assert value(world, "visit_coverage", "2026-Q1") == 75
    assert value(world, "key_persons_visited", "2026-Q1") == 75
    assert value(world, "visit_coverage", "2026-01") == 50
    assert indicators.visit_coverage(ctx(world, "2026-Q1"))[world.other_village.pk] == 0


def _training(world, by, held_on, *, village=None, attendees=()):
    t = Training.objects.create(
        town=world.town, village=village, title="技能培训", held_on=held_on, organiser="镇综治办", created_by=by
    )
    t.attendees.set(attendees)
    return t


def test_trainings_count_those_the_villages_workers_attended(world, worker, colleague, staff):
    _training(world, staff, datetime.date(2026, 3, 1), attendees=[worker])  # the town's: counts
    _training(world, staff, datetime.date(2026, 3, 2), village=world.village, attendees=[worker, colleague])
    _training(world, staff, datetime.date(2026, 3, 3), village=world.other_village, attendees=[worker])  # not ours
    _training(world, staff, datetime.date(2026, 3, 4))  # nobody attended
    _training(world, staff, datetime.date(2025, 3, 4), attendees=[worker])  # another year
    assert value(world, "trainings", "2026") == 2
    assert value(world, "trainings", "2026-02") == 0


def test_workers_insured_and_checked(world, worker, colleague, staff):
    assert value(world, "workers_insured", "2026") == 0
    WorkerInsurance.objects.create(
        village=world.village, worker=worker, insurer="人保", starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31), created_by=staff,
    )  # fmt: skip
    WorkerInsurance.objects.create(
        village=world.village, worker=colleague, insurer="人保", starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31), created_by=staff,
    )  # fmt: skip
    assert value(world, "workers_insured", "2026") == 50  # on 31 December 2026, only the worker's is in force
    assert value(world, "workers_insured", "2025") == 50
    HealthCheck.objects.create(
        village=world.village,
        worker=worker,
        checked_on=datetime.date(2026, 5, 1),
        institution="镇卫生院",
        created_by=staff,
    )
    HealthCheck.objects.create(
        village=world.village,
        worker=colleague,
        checked_on=datetime.date(2025, 5, 1),
        institution="镇卫生院",
        created_by=staff,
    )
    assert value(world, "workers_checked", "2026") == 50
    assert value(world, "workers_checked", "2026-Q4") == 50  # the period's year counts
    assert indicators.workers_insured(ctx(world, "2026"))[world.other_village.pk] is None  # no worker


def _visit(world, worker, day):
    # Through the service, which keeps the worker's weeks in the field as it records.
    visit_record(worker=worker, target=world.household1, visited_on=day, today=day)


def test_field_days_count_weeks_with_four_days_in_the_field(world, worker, colleague):
    # February 2026: whole ISO weeks 2–8, 9–15, 16–22 (23 February – 1 March runs past the month).
    for d in (2, 3, 3, 4, 5, 9, 10, 11, 23, 24, 25, 26):
        _visit(world, worker, datetime.date(2026, 2, d))
    # Worker: week 1 four days (two visits on the 3rd are one day), week 2 three, week 3 none: 1 of 3;
    # colleague: 0 of 3.
    assert value(world, "field_days", "2026-02") == round(100 / 6)
    _visit(world, worker, datetime.date(2026, 2, 12))
    assert value(world, "field_days", "2026-02") == round(200 / 6)
    assert indicators.field_days(ctx(world, "2026-02"))[world.other_village.pk] is None


def test_good_practices_count_those_reported_in_the_period(world, staff):
    for day in (datetime.date(2026, 4, 1), datetime.date(2026, 11, 2), datetime.date(2025, 12, 31)):
        GoodPractice.objects.create(
            village=world.village, kind="method", title="做法", body="正文", reported_on=day, reported_by=staff
        )
    assert value(world, "good_practices", "2026") == 2
    assert value(world, "good_practices", "2026-Q2") == 1


# --- 社会治安好 ----------------------------------------------------------------------------------------------


def test_key_persons_lost(world):
    assert value(world, "key_persons_lost", "2026") == 0
    world.key_person1.supervision_gap = SupervisionGap.LOST
    world.key_person1.save(update_fields=["supervision_gap"])
    assert value(world, "key_persons_lost", "2026") == 1
    world.key_person1.listed_until = datetime.date(2026, 3, 1)
    world.key_person1.save(update_fields=["listed_until"])
    assert value(world, "key_persons_lost", "2026") == 0  # no longer listed at the period's end


def test_disputes_on_time_against_the_tiers_limit(world, staff):
    assert value(world, "disputes_on_time", "2026-05") is None
    start = aware(datetime.date(2026, 5, 1))
    quick, slow, town = (make_case(world, staff, title=t) for t in ("快", "慢", "镇"))
    Case.objects.filter(pk=quick.pk).update(
        tier=Tier.GROUP, tier_since=start, resolved_at=start + datetime.timedelta(days=10), state=State.RESOLVED
    )
    Case.objects.filter(pk=slow.pk).update(
        tier=Tier.GROUP, tier_since=start, resolved_at=start + datetime.timedelta(days=20), state=State.RESOLVED
    )
    Case.objects.filter(pk=town.pk).update(
        tier=Tier.TOWN, tier_since=start, resolved_at=start + datetime.timedelta(days=20), state=State.CLOSED
    )
    assert value(world, "disputes_on_time", "2026-05") == 67  # 15 days at tier 1, 60 at the town
    assert value(world, "disputes_on_time", "2026-04") is None


def test_escalations_count_cases_sent_to_the_town(world, staff):
    case = make_case(world, staff)
    for tier, day in ((Tier.VILLAGE, 3), (Tier.TOWN, 4), (Tier.TOWN, 5)):
        CaseEvent.objects.create(
            case=case,
            at=aware(datetime.date(2026, 6, day)),
            action="escalate",
            to_state=State.ESCALATED,
            to_tier=tier,
            by=staff,
        )
    assert value(world, "escalations", "2026-06") == 1  # one case, twice to the town
    assert value(world, "escalations", "2026-07") == 0


@pytest.mark.parametrize(("code", "kind"), [("hazards_closed", "hazard"), ("requests_handled", "request")])
def test_hazards_and_requests_handled(world, staff, code, kind):
    cases = [make_case(world, staff, kind=kind, title=f"{kind}{n}") for n in range(3)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(reported_at=aware(datetime.date(2026, 8, 3)))
    Case.objects.filter(pk=cases[0].pk).update(resolved_at=aware(datetime.date(2026, 9, 3)), state=State.CLOSED)
    Case.objects.filter(pk=cases[1].pk).update(state=State.REJECTED)
    assert value(world, code, "2026-08") == 50  # one of the two not rejected
    assert value(world, code, "2026-09") is None


# --- 共治成效好 ----------------------------------------------------------------------------------------------


def test_deliberations_and_projects(world, staff):
    from tests.cogovernance.conftest import propose

    d = propose(world.village, staff)
    assert value(world, "deliberations", "2026") == 0
    d.resolved_on = datetime.date(2026, 7, 1)  # as the resolution saves it (cogovernance.services)
    d.save(update_fields=["resolved_on"])
    assert value(world, "deliberations", "2026") == 1
    assert value(world, "deliberations", "2026-Q1") == 0
    Project.objects.create(
        village=world.village, title="路灯", budget=Decimal(1000), started_on=datetime.date(2026, 1, 1),
        done_on=datetime.date(2026, 6, 30), created_by=staff,
    )  # fmt: skip
    Project.objects.create(
        village=world.village,
        title="广场",
        budget=Decimal(1000),
        started_on=datetime.date(2026, 1, 1),
        created_by=staff,
    )
    assert value(world, "projects_done", "2026") == 1
    assert value(world, "projects_done", "2026-Q2") == 1
    assert value(world, "projects_done", "2026-Q3") == 0


# --- 乡风民风好 ----------------------------------------------------------------------------------------------


def _activity(world, by, held_on, kind=ActivityKind.CLEANUP, **extra):
    return Activity.objects.create(
        village=world.village, kind=kind, title="活动", held_on=held_on, organiser="村委", place="广场",
        participants=10, created_by=by, **extra,
    )  # fmt: skip


def test_selections_and_activities(world, staff):
    ModelSelection.objects.create(
        village=world.village, year=2026, honour=ModelSelection._meta.get_field("honour").choices[0][0],
        household=world.household1, reason="孝老爱亲", selected_on=datetime.date(2026, 3, 8), created_by=staff,
    )  # fmt: skip
    _activity(world, staff, datetime.date(2026, 3, 1))
    _activity(world, staff, datetime.date(2026, 4, 1))
    archived = _activity(world, staff, datetime.date(2026, 4, 2))
    archived.archived_at = timezone.now()
    archived.save(update_fields=["archived_at"])
    assert value(world, "model_selections", "2026") == 1
    assert value(world, "activities", "2026") == 2
    assert value(world, "activities", "2026-04") == 1


def test_legal_set_dates_answered_by_a_legal_activity_near_the_date(world, staff):
    assert value(world, "legal_set_dates", "2026-11") is None  # no set date in November
    assert value(world, "legal_set_dates", "2026-12") == 0  # 宪法宣传日 4 December, nothing held
    _activity(world, staff, datetime.date(2026, 10, 1), kind=ActivityKind.LEGAL)  # too early
    assert value(world, "legal_set_dates", "2026-12") == 0
    _activity(world, staff, datetime.date(2026, 12, 4), kind=ActivityKind.LEGAL)
    assert value(world, "legal_set_dates", "2026-12") == 100
    # The year has three: 民法典宣传月 (May) and 安全生产月 (June) were not answered.
    assert value(world, "legal_set_dates", "2026") == 33


def test_points_redeemed(world, staff):
    account = PointsAccount.objects.create(household=world.household1, village=world.village, balance=100)
    for kind, points, day in (
        (EntryKind.ACTIVITY, 100, 1),
        (EntryKind.REDEMPTION, -30, 2),
        (EntryKind.REDEMPTION, -20, 3),
    ):
        PointsEntry.objects.create(
            account=account, kind=kind, points=points, balance_after=0, reason="r", by=staff,
            at=aware(datetime.date(2026, 5, day)),
        )  # fmt: skip
    assert value(world, "points_redeemed", "2026-05") == 50
    assert value(world, "points_redeemed", "2026-06") == 0


# --- the scorecard ---------------------------------------------------------------------------------------


def test_every_rule_has_its_function_and_every_function_a_rule(world):
    assert set(ScoreRule.objects.values_list("code", flat=True)) == set(indicators.INDICATORS)


def test_scores_weigh_the_indicators_met(world, staff):
    card = scorecard.compute([world.village.pk], parse("2026"), today=TODAY)[world.village.pk]
    assert [c.code for c in card.criteria] == ["party", "structure", "capacity", "safety", "cogovernance", "civility"]
    civility = next(c for c in card.criteria if c.code == "civility")
    by_code = {i.code: i for i in civility.indicators}
    assert by_code["activities"].value == 0 and by_code["activities"].met is False
    assert by_code["points_redeemed"].met is True and by_code["points_redeemed"].weight == 0  # shown only
    # selections 0 < 10, activities 0 < 24, set dates 0 %: none met; points are not scored.
    assert civility.score == 0
    ScoreRule.objects.filter(code="activities").update(target=0)
    card = scorecard.compute([world.village.pk], parse("2026"), today=TODAY)[world.village.pk]
    assert next(c for c in card.criteria if c.code == "civility").score == 33


def test_a_per_year_target_is_scaled_to_the_period(world):
    cards = {
        key: scorecard.compute([world.village.pk], parse(key), today=TODAY)[world.village.pk]
        for key in ("2026", "2026-Q2", "2026-05")
    }
    targets = {key: {i.code: i.target for c in card.criteria for i in c.indicators} for key, card in cards.items()}
    assert (targets["2026"]["activities"], targets["2026-Q2"]["activities"], targets["2026-05"]["activities"]) == (
        24,
        6,
        2,
    )
    assert (targets["2026"]["good_practices"], targets["2026-Q2"]["good_practices"]) == (2, 1)
    assert targets["2026-05"]["visit_coverage"] == 100  # a share is not scaled


def test_a_changed_record_changes_the_next_computation_and_the_trend(world, staff):
    def activities():
        card = scorecard.compute([world.village.pk], parse("2026-05"), today=TODAY)[world.village.pk]
        return next(i for c in card.criteria for i in c.indicators if i.code == "activities")

    _activity(world, staff, datetime.date(2026, 4, 3))
    first = activities()
    assert (first.value, first.previous, first.trend) == (0, 1, "down")
    _activity(world, staff, datetime.date(2026, 5, 3))
    second = activities()
    assert (second.value, second.trend) == (1, "same")
    _activity(world, staff, datetime.date(2026, 5, 4))
    assert activities().trend == "up"


def test_nothing_to_measure_is_no_record_and_not_scored(world):
    card = scorecard.compute([world.other_village.pk], parse("2026-05"), today=TODAY)[world.other_village.pk]
    safety = next(c for c in card.criteria if c.code == "safety")
    disputes = next(i for i in safety.indicators if i.code == "disputes_on_time")
    assert disputes.value is None and disputes.met is None and disputes.trend is None
    # 脱管 0 ≤ 0 is met; the rest of safety has nothing to measure; escalations are shown only.
    assert safety.score == 100


def test_a_disabled_rule_is_left_out(world):
    ScoreRule.objects.filter(code="activities").update(enabled=False)
    card = scorecard.compute([world.village.pk], parse("2026"), today=TODAY)[world.village.pk]
    assert "activities" not in {i.code for c in card.criteria for i in c.indicators}


def test_a_future_period_has_nothing_measured(world):
    card = scorecard.compute([world.village.pk], parse("2030"), today=TODAY)[world.village.pk]
    assert all(i.value is None for c in card.criteria for i in c.indicators)
    assert card.total is None


def test_the_draft_gets_plain_data(world):
    data = scorecard.compute([world.village.pk], parse("2026-Q2"), today=TODAY)[world.village.pk].to_dict()
    assert data["period"] == "2026-Q2" and data["period_label"] == "2026年第二季度"
    first = data["criteria"][0]["indicators"][0]
    assert set(first) >= {"code", "label", "value", "target", "unit", "met", "previous", "trend", "url"}
    assert first["url"].startswith("/")


def test_the_admin_edits_the_rules(admin_client, world):
    from django.urls import reverse

    rule = ScoreRule.objects.get(code="activities")
    assert admin_client.get(reverse("admin:reports_scorerule_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:reports_scorerule_change", args=[rule.pk]))
    assert page.status_code == 200 and "activities" in page.content.decode()
    assert admin_client.get(reverse("admin:reports_scorerule_add")).status_code == 403
