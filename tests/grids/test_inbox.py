"""The inbox: a notice arrives once per occasion, opening it marks it read, the badge counts unread."""

import pytest
from django.urls import reverse
from django.utils import timezone

from grids.models import Role
from messaging.models import Notice
from messaging.services import notice_send
from tests.conftest import assign, make_case


def test_the_same_occasion_is_delivered_once(world, worker, colleague):
    assert notice_send(recipients=[worker, colleague], key="k1", kind="case", title="t") == 2
    assert notice_send(recipients=[worker, colleague], key="k1", kind="case", title="t") == 0
    assert Notice.objects.filter(key="k1").count() == 2


def test_opening_marks_read_and_goes_to_the_link(client, world, worker):
    notice_send(recipients=[worker], key="k", kind="case", title="请签收", url="/field/")
    client.force_login(worker)
    page = client.get(reverse("messaging:inbox")).content.decode()
    assert "请签收" in page and 'class="badge"' in page
    response = client.post(reverse("messaging:notice-open", args=[Notice.objects.get().pk]))
    assert response["Location"] == "/field/"
    assert Notice.objects.get().read_at is not None
    assert 'class="badge"' not in client.get(reverse("messaging:inbox")).content.decode()


def test_a_notice_never_sends_anyone_off_site(client, world, worker):
    notice = Notice.objects.create(recipient=worker, key="x", kind="case", title="t", url="https://evil.example/")
    client.force_login(worker)
    assert client.post(reverse("messaging:notice-open", args=[notice.pk]))["Location"] == reverse("messaging:inbox")


# --- The inbox on the phone: the field layout, read all, filters, notices done by themselves ----------


def _inbox(client, user, query: str = "") -> str:
    client.force_login(user)
    response = client.get(reverse("messaging:inbox") + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["worker", "liaison"])
def test_people_who_work_in_the_field_read_the_inbox_on_the_phone_layout(client, world, request, who):
    page = _inbox(client, request.getfixturevalue(who))
    assert '<body class="field">' in page
    # The field header leads straight back to the work list, not to a desktop page.
    assert f'href="{reverse("visits:work-list")}" class="brand"><span class="up"' in page
    assert "mainnav" not in page


def test_staff_and_the_town_read_the_inbox_at_a_desk(client, world, staff, town):
    assert '<body class="staff">' in _inbox(client, staff)
    assert '<body class="staff">' in _inbox(client, town)


def test_someone_who_is_also_village_staff_keeps_the_desk_layout(client, world, worker):
    assign(worker, Role.VILLAGE_STAFF, world.village)
    assert '<body class="staff">' in _inbox(client, worker)


def test_mark_all_read_marks_only_ones_own_notices(client, world, worker, colleague):
    notice_send(recipients=[worker, colleague], key="a", kind="case", title="甲")
    notice_send(recipients=[worker], key="b", kind="visit", title="乙")
    client.force_login(worker)
    response = client.post(reverse("messaging:inbox-read-all"), {"show": "unread", "kind": "case"})
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:inbox") + "?show=unread&kind=case"
    # Under a kind's filter, only that kind: what the person did not see stays unread.
    assert list(Notice.objects.filter(recipient=worker, read_at__isnull=True).values_list("key", flat=True)) == ["b"]
    client.post(reverse("messaging:inbox-read-all"))
    assert not Notice.objects.filter(recipient=worker, read_at__isnull=True).exists()
    assert Notice.objects.get(recipient=colleague).read_at is None
    assert 'class="badge"' not in _inbox(client, worker)


def test_mark_all_read_never_sends_anyone_elsewhere(client, world, worker):
    client.force_login(worker)
    response = client.post(reverse("messaging:inbox-read-all"), {"show": "https://evil.example/", "kind": "<b>"})
    assert response["Location"] == reverse("messaging:inbox")


def test_the_inbox_filters_unread_and_by_kind_and_keeps_them_across_pages(client, world, worker):
    for i in range(35):
        notice_send(recipients=[worker], key=f"c{i}", kind="case", title=f"案件{i:02d}")
    notice_send(recipients=[worker], key="v", kind="visit", title="走访提醒")
    Notice.objects.filter(key="c0").update(read_at=timezone.now())
    unread_cases = _inbox(client, worker, "?show=unread&kind=case")
    assert "走访提醒" not in unread_cases and "案件00" not in unread_cases
    assert "案件34" in unread_cases
    assert "?show=unread&amp;kind=case&amp;page=2" in unread_cases  # paging keeps the filter
    second = _inbox(client, worker, "?show=unread&kind=case&page=2")
    assert "案件01" in second and "案件00" not in second
    assert "走访提醒" in _inbox(client, worker, "?kind=visit")
    assert "案件00" in _inbox(client, worker, "?show=all&kind=case&page=2")


def test_an_unknown_filter_shows_everything_rather_than_failing(client, world, worker):
    notice_send(recipients=[worker], key="v", kind="visit", title="走访提醒")
    assert "走访提醒" in _inbox(client, worker, "?show=bogus&kind=nonsense%00")


def test_a_notice_about_a_case_that_moved_on_is_done_by_itself(client, world, staff, worker):
    from disputes import services

    case = make_case(world, staff)
    case = services.case_accept(case=case, by=staff, version=case.version, tier=1)
    case = services.case_assign(case=case, by=staff, version=case.version, assignee=worker)
    asked = Notice.objects.get(recipient=worker, title__startswith="请签收")
    assert asked.topic == f"case-{case.pk}" and asked.done_at is None
    assert "已处理" not in _inbox(client, worker)
    # The worker signs: the case has moved on, the "please sign" notice is done without being opened.
    case = services.case_sign(case=case, by=worker)
    asked.refresh_from_db()
    assert asked.done_at is not None and asked.read_at is None
    page = _inbox(client, worker)
    assert "已处理" in page and 'class="done' in page
    # A step after that tells the worker again: the new notice is not done.
    case = services.case_escalate(case=case, by=worker, version=case.version, note="调解不成")
    fresh = Notice.objects.filter(recipient=staff, title__startswith="网格员提请").get()
    assert fresh.done_at is None


def test_notices_done_touches_only_its_topic_and_what_was_sent_before(world, worker):
    from messaging.services import notices_done

    notice_send(recipients=[worker], key="a", kind="case", title="a", topic="case-1")
    notice_send(recipients=[worker], key="b", kind="case", title="b", topic="case-2")
    assert notices_done(topic="case-1") == 1
    assert notices_done(topic="case-1") == 0  # once
    assert Notice.objects.get(key="b").done_at is None
    assert notices_done(topic="") == 0  # a notice about nothing in particular is never done by itself


def test_notices_sent_before_topics_existed_are_named_and_closed_by_the_migration(world, staff, worker):
    """The data migration of ``disputes``: old case notices get their topic from their key; those sent
    before the case last moved are done, the others stay open."""
    import importlib
    from datetime import timedelta

    from django.apps import apps

    from disputes import services

    migration = importlib.import_module("disputes.migrations.0006_case_notice_topics")
    case = make_case(world, staff)
    case = services.case_accept(case=case, by=staff, version=case.version, tier=1)
    Notice.objects.update(topic="", done_at=None)
    old = Notice.objects.create(
        recipient=worker, key=f"case-{case.pk}-old", kind="case", title="旧", created_at=case.state_since - timedelta(1)
    )
    new = Notice.objects.create(recipient=worker, key=f"case-{case.pk}-new", kind="case", title="新")
    other = Notice.objects.create(recipient=worker, key="reminder-visit-2026-11", kind="reminder", title="提醒")
    migration.forwards(apps, None)
    old.refresh_from_db(), new.refresh_from_db(), other.refresh_from_db()
    assert (old.topic, new.topic, other.topic) == (f"case-{case.pk}", f"case-{case.pk}", "")
    assert old.done_at == case.state_since and new.done_at is None and other.done_at is None


def test_the_badges_written_out_count_is_the_orms(world, worker, colleague):
    from messaging.context import unread_count

    notice_send(recipients=[worker, colleague], key="a", kind="case", title="t")
    notice_send(recipients=[worker], key="b", kind="case", title="t")
    notice_send(recipients=[worker], key="c", kind="case", title="t")
    Notice.objects.filter(recipient=worker, key="c").update(read_at=timezone.now())
    for user in (worker, colleague):
        assert unread_count(user.pk) == Notice.objects.visible_to(user).unread().count()
    assert (unread_count(worker.pk), unread_count(colleague.pk)) == (2, 1)
