"""A key person's record is kept for its category's period after the listing ended, then erased once by the
nightly job: sensitive fields blanked, the 四帮一 team gone, the resident taken off, one audit entry naming
the rule and the fields (never their values). Visits keep their counts, cases stop naming the person
(residents/retention.py; README, "Security and personal data")."""

from __future__ import annotations

import datetime
import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from core.models import JobRun
from disputes.models import CaseParty
from disputes.services import PartyInput
from residents import retention, tasks
from residents.models import (
    KeyCategory,
    KeyPerson,
    KeyPersonResponsible,
    ResponsibleRole,
    RetentionRule,
)
from residents.models.retention import months_before
from tests.conftest import make_case
from visits.models import Subject, Visit

TODAY = timezone.localdate()
SOURCE = "《个人信息保护法》第19条、第47条；测试村的决定"


def _rule(category=KeyCategory.MENTAL, months=36) -> RetentionRule:
    # Set here, not taken from the seeded rows: a transactional test empties the tables afterwards.
    rule, _ = RetentionRule.objects.update_or_create(category=category, defaults={"months": months, "source": SOURCE})
    return rule


def _ended(kp: KeyPerson, months_ago: int, days: int = 0) -> KeyPerson:
    """The listing ended ``months_ago`` months (and ``days`` more days) before today, with its details."""
    kp.listed_from = datetime.date(1990, 1, 1)
    kp.listed_until = months_before(TODAY, months_ago) - datetime.timedelta(days=days)
    kp.note = "曾多次离家出走"
    kp.guardian_phone = "13800000001"
    kp.treatment = "home"
    kp.save()
    KeyPersonResponsible.objects.create(key_person=kp, role=ResponsibleRole.DOCTOR, name="精防王医生")
    KeyPersonResponsible.objects.create(key_person=kp, role=ResponsibleRole.GUARDIAN, name="张大", phone="13800000001")
    return kp


def _visit(world, worker, kp, day: datetime.date, note="服药正常") -> Visit:
    return Visit.objects.create(
        worker=worker,
        subject=Subject.KEY_PERSON,
        key_person=kp,
        village=world.village,
        grid=world.grid1,
        micro_grid=world.micro1,
        visited_on=day,
        month=day.replace(day=1),
        note=note,
    )


def _erasures():
    return AuditEntry.objects.filter(action=AuditAction.ERASE)


# --- The rule table ---------------------------------------------------------------------------------


def test_every_category_has_a_seeded_rule_with_its_legal_source(db):
    from tests.conftest import restore_reference_data

    restore_reference_data()  # the migration's rows, again after a browser test's flush in this process
    rules = {rule.category: rule for rule in RetentionRule.objects.all()}
    assert set(rules) == set(KeyCategory.values)
    for rule in rules.values():
        assert rule.months >= 12
        assert "个人信息保护法》第19条" in rule.source and "第47条" in rule.source
    assert "社区矫正法" in rules[KeyCategory.CORRECTIONS].source
    assert "精神卫生法" in rules[KeyCategory.MENTAL].source


def test_the_admin_edits_the_periods(client, world):
    from tests.conftest import make_user

    admin = make_user("root", None, is_staff=True, is_superuser=True)
    rule = _rule(months=36)
    client.force_login(admin)
    url = reverse("admin:residents_retentionrule_change", args=[rule.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"category": rule.category, "months": 24, "source": SOURCE})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.months == 24


def test_an_erased_record_shows_in_the_admin_but_cannot_be_filled_in_again(client, world):
    from tests.conftest import make_user

    _rule(months=36)
    kp = _ended(world.key_person1, 37)
    retention.key_persons_erase()
    client.force_login(make_user("root", None, is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:residents_keyperson_changelist"))
    assert listing.status_code == 200 and "张三" not in listing.content.decode()
    url = reverse("admin:residents_keyperson_change", args=[kp.pk])
    assert client.post(url, {"resident": world.resident1.pk, "category": "mental"}).status_code == 403
    kp.refresh_from_db()
    assert kp.resident_id is None


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 12, 4), 36) == datetime.date(2023, 12, 4)
    assert months_before(datetime.date(2026, 1, 15), 13) == datetime.date(2024, 12, 15)


# --- The service, without the worker ----------------------------------------------------------------


def test_a_listing_past_its_period_is_erased_once_and_the_entry_names_the_rule(world, worker):
    rule = _rule(months=36)
    kp = _ended(world.key_person1, 36, days=1)

    assert retention.key_persons_erase() == 1

    kp.refresh_from_db()
    assert kp.resident_id is None and kp.erased_at is not None
    assert (kp.note, kp.guardian_name, kp.guardian_phone, kp.treatment, kp.risk_level) == ("", "", "", "", None)
    assert kp.category == KeyCategory.MENTAL  # the counts keep what and where
    assert (kp.erased_village_id, kp.erased_grid_id) == (world.village.pk, world.grid1.pk)
    assert kp.village_id == world.village.pk  # kept, and still behind the scope's erased_at condition
    assert not KeyPerson.objects.visible_to(worker).filter(pk=kp.pk).exists()
    assert not KeyPersonResponsible.objects.filter(key_person=kp).exists()
    assert "张三" not in str(kp)

    [entry] = _erasures()
    assert entry.model == "residents.keyperson" and entry.object_id == str(kp.pk)
    assert entry.changes["retention_rule"] == {"category": "mental", "months": 36, "source": rule.source}
    assert {"resident", "risk_level", "guardian_name", "guardian_phone", "note", "treatment", "responsibles"} <= set(
        entry.changes
    )
    assert "36" in entry.note and SOURCE in entry.note
    assert entry.sensitive and entry.village_id == world.village.pk
    # What was erased is named, never written down.
    written = json.dumps(entry.changes, ensure_ascii=False) + entry.note + entry.object_repr
    for value in ("张三", "张大", "13800000001", "离家出走", "精防王医生"):
        assert value not in written

    erased_at = kp.erased_at
    assert retention.key_persons_erase() == 0
    kp.refresh_from_db()
    assert kp.erased_at == erased_at
    assert _erasures().count() == 1


def test_a_listing_inside_its_period_and_a_current_one_are_untouched(world, worker):
    _rule(KeyCategory.MENTAL, months=36)
    _rule(KeyCategory.RELEASED, months=36)
    inside = _ended(world.key_person1, 35)
    current = KeyPerson.objects.create(
        resident=world.resident2, category=KeyCategory.RELEASED, release_date=datetime.date(2020, 1, 1),
        listed_from=datetime.date(2015, 1, 1), note="仍在帮教",
    )  # fmt: skip

    assert retention.key_persons_erase() == 0

    for kp, note in ((inside, "曾多次离家出走"), (current, "仍在帮教")):
        kp.refresh_from_db()
        assert kp.resident_id is not None and kp.erased_at is None and kp.note == note
    assert KeyPersonResponsible.objects.filter(key_person=inside).count() == 2
    assert not _erasures().exists()


def test_the_period_is_the_rule_of_the_listings_category(world):
    _rule(KeyCategory.MENTAL, months=120)
    kp = _ended(world.key_person1, 40)
    assert retention.key_persons_erase() == 0
    RetentionRule.objects.filter(category=KeyCategory.MENTAL).update(months=36)
    assert retention.key_persons_erase() == 1
    kp.refresh_from_db()
    assert kp.erased_at is not None


def test_a_category_without_a_rule_is_kept(world):
    RetentionRule.objects.all().delete()
    kp = _ended(world.key_person1, 400)
    assert retention.key_persons_erase() == 0
    kp.refresh_from_db()
    assert kp.erased_at is None


def test_visits_keep_their_counts_and_lose_the_name(client, world, worker, staff):
    _rule(months=36)
    kp = _ended(world.key_person1, 37)
    day = kp.listed_until - datetime.timedelta(days=10)
    _visit(world, worker, kp, day)
    _visit(world, worker, kp, day - datetime.timedelta(days=1), note="")
    month = day.replace(day=1)

    def per_month():
        return Visit.objects.filter(grid=world.grid1, month=month, subject=Subject.KEY_PERSON).count()

    client.force_login(staff)
    household_page = reverse("residents:household-detail", args=[world.household1.pk])
    assert "重点人员随访 · 张三" in client.get(household_page).content.decode()
    before = per_month()

    retention.key_persons_erase()

    assert per_month() == before == 2
    assert set(Visit.objects.filter(key_person=kp).values_list("note", flat=True)) == {""}
    assert "重点人员随访 · 张三" not in client.get(household_page).content.decode()
    # The visits API still lists the visits (the month's counts), with nothing that leads to the person.
    listed = client.get("/api/v1/visits/", {"month": month.isoformat()}).json()
    assert {row["key_person"] for row in listed["results"]} == {kp.pk}
    assert client.get(f"/api/v1/key-persons/{kp.pk}/").status_code == 404
    [entry] = _erasures()
    assert entry.changes["anonymised"]["visit_notes"] == 1


def test_the_key_person_leaves_the_village_list_and_api_by_name(client, world, worker, staff):
    _rule(months=36)
    kp = _ended(world.key_person1, 37)
    other = KeyPerson.objects.create(
        resident=world.resident2, category=KeyCategory.YOUTH, listed_from=datetime.date(2025, 1, 1)
    )
    client.force_login(staff)
    list_url = reverse("residents:keyperson-list") + "?current="  # 在管: 全部 (ended listings too)
    assert "张三" in client.get(list_url).content.decode()
    assert kp.pk in {row["id"] for row in client.get("/api/v1/key-persons/").json()["results"]}

    retention.key_persons_erase()

    page = client.get(list_url).content.decode()
    assert "张三" not in page and "李四" in page
    ids = {row["id"] for row in client.get("/api/v1/key-persons/").json()["results"]}
    assert kp.pk not in ids and other.pk in ids
    assert client.get(reverse("residents:keyperson-detail", args=[kp.pk])).status_code == 404
    export = client.get(reverse("residents:keyperson-export"))
    assert export.status_code == 200
    # The resident stays in the registry; only the listing is gone from them.
    resident_page = client.get(reverse("residents:resident-detail", args=[world.resident1.pk])).content.decode()
    assert "重点人员列管" not in resident_page


def test_the_cases_of_the_listing_no_longer_name_the_person(world, worker):
    _rule(months=36)
    kp = _ended(world.key_person1, 37)
    during = make_case(
        world, worker, title="张三借款纠纷", description="张三与李四因借款发生争执。",
        parties=[PartyInput(role="respondent", resident=world.resident1, phone="13900000009")],
    )  # fmt: skip
    during.__class__.objects.filter(pk=during.pk).update(
        reported_at=timezone.make_aware(datetime.datetime.combine(kp.listed_until, datetime.time(10)))
    )
    after = make_case(
        world, worker, title="张三院墙纠纷", parties=[PartyInput(role="applicant", resident=world.resident1)]
    )

    retention.key_persons_erase()

    during.refresh_from_db()
    party = CaseParty.objects.get(case=during)
    assert party.resident_id is None and "张三" not in party.name and party.phone == ""
    assert party.role == "respondent"
    assert "张三" not in during.title and "张三" not in during.description and "李四" in during.description
    # A case of the same resident after the listing ended is their own matter, kept by the cases' rules.
    assert CaseParty.objects.get(case=after).resident_id == world.resident1.pk
    [entry] = _erasures()
    assert entry.changes["anonymised"]["case_parties"] == 1
    assert "张三" not in json.dumps(entry.changes, ensure_ascii=False)


# --- The nightly task on a real worker --------------------------------------------------------------


def _wait_for(condition, process, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, process.stdout.read().decode()
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_the_nightly_job_is_scheduled():
    from django.conf import settings

    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "residents.tasks.key_persons_erase" in beat


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_on_a_real_worker_erases_once_and_leaves_the_rest(world, worker, start_worker):
    rule = _rule(KeyCategory.MENTAL, months=36)
    _rule(KeyCategory.RELEASED, months=36)
    past = _ended(world.key_person1, 36, days=1)
    inside = KeyPerson.objects.create(
        resident=world.resident2, category=KeyCategory.RELEASED, release_date=datetime.date(2020, 1, 1),
        listed_from=datetime.date(2015, 1, 1), listed_until=months_before(TODAY, 35), note="安置就业",
    )  # fmt: skip
    day = past.listed_until - datetime.timedelta(days=3)
    _visit(world, worker, past, day)
    month_count = Visit.objects.filter(month=day.replace(day=1)).count()
    process = start_worker()

    tasks.key_persons_erase.delay()
    _wait_for(lambda: JobRun.objects.filter(name="key_persons_erase").exists(), process)

    past.refresh_from_db()
    assert past.resident_id is None and past.erased_at is not None and past.guardian_name == ""
    [entry] = _erasures()
    assert entry.object_id == str(past.pk)
    assert entry.changes["retention_rule"] == {"category": "mental", "months": 36, "source": rule.source}
    inside.refresh_from_db()
    assert inside.resident_id == world.resident2.pk and inside.note == "安置就业" and inside.erased_at is None
    assert Visit.objects.filter(month=day.replace(day=1)).count() == month_count

    assert JobRun.objects.get(name="key_persons_erase").detail == "erased 1"

    # The second night changes nothing.
    erased_at = past.erased_at
    tasks.key_persons_erase.delay()
    _wait_for(lambda: JobRun.objects.filter(name="key_persons_erase").count() == 2, process)
    assert JobRun.objects.filter(name="key_persons_erase").latest("pk").detail == "erased 0"
    past.refresh_from_db()
    assert past.erased_at == erased_at
    assert _erasures().count() == 1
