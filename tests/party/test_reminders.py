"""Party meeting reminders: who gets what at a month's and a quarter's end, when they go out, and exactly once —
in process and with real Celery workers on Redis (twice, and after a worker is killed)."""

from __future__ import annotations

import datetime
import signal
import time

import pytest

from grids.models import Role
from messaging.models import Delivery, Notice, ReminderRun
from party import reminders, services, tasks
from party.models import Meeting, MeetingRule, OrgKind
from tests.conftest import assign, make_user
from tests.party.conftest import org

D = datetime.date


def _texts(kind: str) -> dict[str, str]:
    return dict(Delivery.objects.filter(kind=kind).values_list("recipient__username", "text"))


def _meeting(organisation, kind, held_on, *, period=""):
    """A meeting recorded by the village's staff (five people present who are not members)."""
    from grids.models import User

    meeting = Meeting(
        organisation=organisation,
        kind=kind,
        held_on=held_on,
        period=period,
        place="党群服务中心",
        topic="学习",
        others_present=5,
    )
    return services.meeting_record(by=User.objects.get(username="staff"), meeting=meeting, present=[])


@pytest.fixture
def group2_secretary(world, party):
    user = make_user("group2sec", world.village)
    party.group2.secretary = user
    party.group2.save(update_fields=["secretary"])
    return user


def test_secretaries_are_told_what_is_still_owed_before_a_months_end(world, party, staff, secretary, group2_secretary):
    _meeting(party.branch1, "branch_committee", D(2026, 2, 3))
    _messages, sent = reminders.send(reminders.DUE, D(2026, 2, 25))
    texts = _texts(reminders.DUE)
    # Branch 1's secretary answers for the branch and for its group without a secretary of its own; the
    # general branch and branch 2 have no secretary: nobody is told for them.
    assert set(texts) == {"secretary", "group2sec"} and sent == 2
    mine = texts["secretary"]
    assert "第一网格党支部 主题党日（2026-02）" in mine and "第一党小组 党小组会（2026-02）" in mine
    assert "支部委员会" not in mine  # held this month
    assert "党员大会（2026-Q1）" in mine and "党课（2026-Q1）" in mine  # the quarter runs on: still owed
    assert "第二党小组" not in mine and "产业党支部" not in mine
    assert (
        texts["group2sec"].startswith("以下会议本周期尚未召开 1 项")
        and "第二党小组 党小组会（2026-02）" in texts["group2sec"]
    )
    assert Delivery.objects.get(recipient=secretary).period == "2026-02"


def test_at_a_quarters_end_a_quarterly_meeting_held_is_not_reminded(world, party, staff, secretary):
    _meeting(party.branch1, "assembly", D(2026, 1, 20))
    reminders.send(reminders.DUE, D(2026, 3, 28))
    text = _texts(reminders.DUE)["secretary"]
    assert "党员大会" not in text and "党课（2026-Q1）" in text and "03月31日前" in text


def test_the_first_of_the_month_tells_staff_what_is_overdue_and_the_town_counts(
    world, party, staff, town, outsider, secretary
):
    for kind in ("branch_committee", "theme_day"):
        _meeting(party.branch1, kind, D(2026, 3, 10))
    _meeting(party.branch1, "assembly", D(2026, 2, 10))
    _meeting(party.branch1, "lecture", D(2026, 4, 1), period="2026-Q1")  # late, but held: not overdue
    _messages, sent = reminders.send(reminders.OVERDUE, D(2026, 4, 1))
    texts = _texts(reminders.OVERDUE)
    assert set(texts) == {"staff", "outsider", "town"} and sent == 3
    # Village 1: the general branch's 3 (two monthly, one quarterly), branch 2's 4, the two groups' 2.
    assert texts["staff"].startswith("2026-03 结束时仍未召开的党组织会议 9 项")
    assert "产业党支部 党员大会（2026-Q1）" in texts["staff"] and "一村党总支 五事联动（2026-03）" in texts["staff"]
    assert "第一网格党支部" not in texts["staff"] and "（2026-02）" not in texts["staff"]
    assert "二村党支部 支部委员会（2026-03）" in texts["outsider"] and "一村" not in texts["outsider"]
    # The town: counts per village, no organisation named.
    assert texts["town"] == "2026-03 结束时各村逾期未召开的党组织会议：一村 9 项；二村 4 项"
    assert Delivery.objects.get(recipient=town).period == "2026-03"


def test_a_month_not_at_a_quarters_end_reports_only_monthly_periods(world, party, staff):
    reminders.send(reminders.OVERDUE, D(2026, 5, 1))
    text = _texts(reminders.OVERDUE)["staff"]
    assert "（2026-04）" in text and "Q" not in text


def test_a_second_run_sends_nothing_new(world, party, staff, town, secretary):
    for kind, day in ((reminders.DUE, D(2026, 2, 25)), (reminders.OVERDUE, D(2026, 3, 1))):
        _messages, first = reminders.send(kind, day)
        _messages, again = reminders.send(kind, day)
        assert first > 0 and again == 0
    assert Delivery.objects.count() == Notice.objects.filter(kind="reminder").count() == 3


def test_dispatch_opens_each_window_once_and_skips_a_month_that_ended(world, party, staff, town, secretary):
    MeetingRule.objects.filter(kind="theme_day").update(remind_days_before=3)  # the smallest opens the window
    started = tasks.reminders_dispatch("2026-02-10")
    # January's are over (skipped); February's overdue report (on January) goes; the due one is not open yet.
    assert "party_overdue 2026-01" in started and "skipped party_due 2026-01" in started
    assert not any(s.startswith("party_due 2026-02") for s in started)
    assert ReminderRun.objects.filter(kind=reminders.OVERDUE, period="2026-01").exists()
    assert not any(s.startswith("party_overdue") for s in tasks.reminders_dispatch("2026-02-20"))
    assert tasks.reminders_dispatch("2026-02-24") == []
    assert tasks.reminders_dispatch("2026-02-25") == ["party_due 2026-02"]  # 28 − 3 days, at the send hour
    assert tasks.reminders_dispatch("2026-02-26") == []
    assert Delivery.objects.filter(kind=reminders.DUE, recipient=secretary).count() == 1


def test_a_missed_run_is_caught_up_within_its_month(world, party, staff):
    assert tasks.reminders_dispatch("2026-03-17") == [
        "skipped party_due 2026-02",
        "skipped party_overdue 2026-01",
        "party_overdue 2026-02",
    ]
    assert Delivery.objects.filter(kind=reminders.OVERDUE, period="2026-02", recipient=staff).exists()


def test_the_send_hour_is_the_visit_reminders(world, party):
    from visits.models import ReminderPolicy

    policy = ReminderPolicy.current()
    policy.send_hour = 10
    policy.save()
    assert reminders.send_hour() == 10
    windows = reminders.windows(reminders.at(D(2026, 4, 1), 9), reminders.send_hour())
    overdue = next(w for w in windows if w.kind == reminders.OVERDUE and w.period == "2026-03")
    assert overdue.opens == reminders.at(D(2026, 4, 1), 10)


# --- With real Celery workers -------------------------------------------------------------------------


def _wait_for(predicate, processes, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        for p in processes:
            assert p.poll() is None or p.returncode == -signal.SIGKILL, p.stdout.read().decode()
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_each_kind_once_with_a_real_worker_even_sent_twice(
    world, party, staff, town, outsider, secretary, start_worker
):
    process = start_worker()
    for kind, day in ((reminders.DUE, "2026-02-25"), (reminders.OVERDUE, "2026-03-01")):
        tasks.reminders_send.delay(kind, day)
        tasks.reminders_send.delay(kind, day)
    _wait_for(lambda: ReminderRun.objects.filter(kind__startswith="party_").count() == 2, [process])
    time.sleep(1)  # the second copies finish too
    assert sorted(Delivery.objects.filter(kind=reminders.DUE).values_list("recipient__username", flat=True)) == [
        "secretary"
    ]
    assert sorted(Delivery.objects.filter(kind=reminders.OVERDUE).values_list("recipient__username", flat=True)) == [
        "outsider",
        "staff",
        "town",
    ]
    assert Notice.objects.filter(kind="reminder").count() == Delivery.objects.count() == 4


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_and_the_task_retried_delivers_the_rest_once(world, party, start_worker):
    for i in range(30):
        user = make_user(f"sec{i:02d}", world.village)
        assign(user, Role.PARTY_MEMBER, world.village)
        org(world.village, OrgKind.BRANCH, f"支部{i:02d}", parent=party.top, secretary=user)
    first = start_worker(REMINDER_SEND_PAUSE="0.2")
    tasks.reminders_send.delay(reminders.DUE, "2026-02-25")
    _wait_for(lambda: Delivery.objects.count() >= 5, [first])
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    done_before = Delivery.objects.count()
    assert 5 <= done_before < 30
    second = start_worker()
    tasks.reminders_send.delay(reminders.DUE, "2026-02-25")  # the retry (beat's next dispatch does the same)
    _wait_for(lambda: ReminderRun.objects.filter(kind=reminders.DUE).exists(), [second])
    assert Delivery.objects.filter(kind=reminders.DUE).count() == 30
    assert Notice.objects.filter(kind="reminder").count() == 30
    assert Notice.objects.values("recipient").distinct().count() == 30


def test_beat_starts_the_party_dispatch(settings):
    from governance.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["party-reminders"]
    assert entry["task"] == "party.tasks.reminders_dispatch" and entry["task"] in app.tasks
