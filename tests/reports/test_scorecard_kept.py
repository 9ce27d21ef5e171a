"""The scorecard's kept values (docs/scorecard.md, "Kept figures"): read again while the tokens of what they
read hold, never after a write of a record they read, nor on another day, nor once a token is lost. The
indicators' own tests (test_scorecard.py) read through the kept values too, changing records between
readings."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.utils import timezone

from disputes import services as case_services
from disputes.models import Case, Tier
from grids.models import Village
from reports import scorecard
from reports.models import KeptReset
from reports.scorecard import indicators, kept
from reports.scorecard.period import parse
from reports.tasks import scorecards_warm
from residents.models import KeyPerson, RetentionRule
from residents.retention import key_person_erase
from residents.signals import registry_bulk_saved
from tests.conftest import make_case
from tests.demo_state import seed_demo

TODAY = datetime.date(2027, 1, 10)
# Every indicator measured, then a second reading: the rules (with the last reset), the coverage's snapshots.
MEASURED, KEPT = 25, 2


def read(world, key="2026", today=TODAY):
    cards = scorecard.compute([world.village.pk, world.other_village.pk], parse(key), previous=False, today=today)
    return {i.code: i.value for c in cards[world.village.pk].criteria for i in c.indicators}


def test_every_indicator_is_kept_under_its_topics_or_measured_live():
    assert set(kept.DEPENDS) | kept.LIVE == set(indicators.INDICATORS)
    assert not set(kept.DEPENDS) & kept.LIVE
    topics = {topic for _model, topic, _where, _when in kept.writers()}
    assert {t for deps in kept.DEPENDS.values() for t in deps} <= topics  # every topic has its writers


def test_a_second_reading_reads_the_kept_values(world, django_assert_num_queries):
    with django_assert_num_queries(MEASURED):
        first = read(world)
    with django_assert_num_queries(KEPT):
        assert read(world) == first


def test_a_value_is_kept_for_its_day_only(world, django_assert_num_queries):
    read(world)
    with django_assert_num_queries(MEASURED):
        read(world, today=TODAY + datetime.timedelta(days=1))


def test_a_write_makes_the_values_of_its_topic_stale_in_its_village_only(world, staff, django_assert_num_queries):
    read(world)
    case = make_case(world, staff)  # a case of the village: the cases' four indicators counted again
    Case.objects.filter(pk=case.pk).update(reported_at=datetime.datetime(2026, 5, 3, 10, tzinfo=datetime.UTC))
    with django_assert_num_queries(KEPT + 3):  # and the policy, the villages' cases, the escalations
        assert read(world)["requests_handled"] is None  # a dispute: still no request
    with django_assert_num_queries(KEPT):  # the other village's values were kept by the first reading
        scorecard.compute([world.other_village.pk], parse("2026"), previous=False, today=TODAY)


def test_a_resolution_through_the_service_is_counted_at_once(world, staff):
    today = timezone.localdate()
    year = str(today.year)
    assert read(world, year, today)["disputes_on_time"] is None  # no dispute resolved this year
    case = make_case(world, staff)
    case = case_services.case_accept(case=case, by=staff, version=case.version, tier=Tier.VILLAGE)
    case = case_services.case_assign(case=case, by=staff, version=case.version, assignee=staff)
    case_services.case_resolve(case=case, by=staff, version=case.version, outcome="agreement", resolution="已调解")
    assert read(world, year, today)["disputes_on_time"] == 100


def test_a_reader_between_a_write_and_its_commit_keeps_nothing_for_long(
    world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    read(world)
    with django_capture_on_commit_callbacks() as callbacks:
        kept.changed("meetings", [world.village.pk])  # the writer, in its transaction
        read(world)  # measured now, before the writer's rows are visible to others: kept under the old token
    with django_assert_num_queries(KEPT):
        read(world)
    for callback in callbacks:
        callback()  # the commit draws the token again
    with django_assert_num_queries(KEPT + 3):  # and the meetings' tally (rules, organisations, meetings)
        read(world)


def test_a_lost_token_makes_values_stale_not_fresh(world, django_assert_num_queries):
    read(world)
    cache.delete(kept._token_key(kept.EVERYTHING, kept.ALL))
    with django_assert_num_queries(MEASURED):
        read(world)
    kept.forget()
    with django_assert_num_queries(MEASURED):
        read(world)


def test_writes_that_send_no_model_signal_still_mark(world, worker, django_assert_num_queries):
    values = read(world)
    assert values["key_persons_lost"] == 0
    # An import's households (bulk): the households' indicators counted again.
    registry_bulk_saved.send(sender=None, grid_ids={world.grid1.pk})
    with django_assert_num_queries(KEPT + 3):  # households per grid, grids, contacts
        read(world)
    # A key person erased by the retention job (an UPDATE): the 脱管 count counted again.
    KeyPerson.objects.filter(pk=world.key_person1.pk).update(supervision_gap="lost")
    kept.changed("key_persons")  # the update above is the test's; the erasure below is the product's
    assert read(world)["key_persons_lost"] == 1
    rule = RetentionRule.objects.first()
    KeyPerson.objects.filter(pk=world.key_person1.pk).update(listed_until=datetime.date(2026, 6, 1))  # ended
    kept.changed("key_persons")
    assert read(world)["key_persons_lost"] == 0  # listed on the last day counted no more
    KeyPerson.objects.filter(pk=world.key_person1.pk).update(listed_until=None)  # as if still listed
    kept.changed("key_persons")
    assert read(world)["key_persons_lost"] == 1
    KeyPerson.objects.filter(pk=world.key_person1.pk).update(listed_until=datetime.date(2026, 6, 1))
    key_person_erase(key_person_id=world.key_person1.pk, rule=rule)  # no save(): its own signal marks
    KeyPerson.objects.filter(pk=world.key_person1.pk).update(listed_until=None)
    assert KeyPerson.objects.filter(pk=world.key_person1.pk, erased_at__isnull=False).exists()
    assert read(world)["key_persons_lost"] == 0


def test_each_writer_renews_its_topics_token(db, settings):
    """Every model the kept values depend on, saved as the product saves it (the demo's first record of
    it), draws its topic's token again: for its village where the record names one, else for all."""
    settings.DEBUG = True
    seed_demo()
    unmarked = []
    for model, topic, where, when in kept.writers():
        instance = next((r for r in model.objects.order_by("pk").iterator() if when is None or when(r)), None)
        assert instance is not None, f"the demo has no {model.__name__}"
        village = where(instance)
        key = kept._token_key(topic, kept.ALL if village is None else village)
        before = cache.get(key)
        kept._pending().clear()  # as a reading between the saves would: each renews its token
        instance.save()
        if cache.get(key) in (None, before):
            unmarked.append(model.__name__)
    assert unmarked == []


def test_the_nightly_run_keeps_every_villages_current_periods(world, django_assert_num_queries):
    assert scorecards_warm() == Village.objects.count()
    today = timezone.localdate()
    villages = [world.village.pk, world.other_village.pk]
    with django_assert_num_queries(KEPT + 2):  # and this month's kept coverage (its grids, their rows)
        scorecard.compute(villages, parse(str(today.year)), previous=False, today=today)


def test_values_are_kept_per_database():
    assert kept._token_key("cases", 1) != kept._token_key("cases", 2)
    from django.db import connection

    assert connection.settings_dict["NAME"] in kept._value_key(1, "2026", TODAY)


class Unreachable:
    """A cache whose server is gone: every call raises, as django's Redis cache does."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache unreachable")

        return fail


def test_a_write_without_the_cache_is_kept_and_resets_every_value(world, staff, monkeypatch):
    assert read(world, "2026", TODAY)["requests_handled"] is None  # no request reported in 2026: kept
    monkeypatch.setattr(kept, "cache", Unreachable())
    case = make_case(world, staff, kind="request")  # its mark fails: the case is saved all the same
    assert Case.objects.filter(pk=case.pk, reported_at__year=2026).exists()
    assert KeptReset.objects.count() == 1
    monkeypatch.setattr(kept, "cache", cache)  # back, with the tokens the values were kept under
    assert read(world, "2026", TODAY)["requests_handled"] == 0  # the reset made them stale: one, unhandled


def test_a_reading_without_the_cache_measures_everything(world, monkeypatch, django_assert_num_queries):
    expected = read(world)
    monkeypatch.setattr(kept, "cache", Unreachable())
    with django_assert_num_queries(MEASURED):
        assert read(world) == expected


def test_the_nightly_run_keeps_the_last_reset_only(world):
    first = KeptReset.objects.create(at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))
    last = KeptReset.objects.create(at=datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC))
    scorecards_warm()
    assert list(KeptReset.objects.values_list("pk", flat=True)) == [last.pk]
    assert first.pk != last.pk
