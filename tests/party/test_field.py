"""The member's phone page (docs/party.md): their own current contact households, one tap per contact,
recorded once whatever the retries; someone else's household is a 404; nobody else's page."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from grids.models import Role
from party import services
from party.models import Contact
from tests.conftest import assign, make_household, make_user

pytestmark = pytest.mark.django_db

HOME = reverse("party:field-contacts")


def record_url(household) -> str:
    return reverse("party:field-contact-record", kwargs={"pk": household.pk})


def tap(client, household, token=None, note=""):
    return client.post(record_url(household), {"token": str(token or uuid.uuid4()), "note": note})


def test_member_sees_own_households_only(client, world, party, member_user):
    services.contact_link(by=None, member=party.member2, household=world.household2, on=datetime.date(2024, 1, 1))
    client.force_login(member_user)
    response = client.get(HOME)
    assert response.status_code == 200
    body = response.content.decode()
    assert "张庄1号" in body and "张三" in body  # the address and the head's name
    assert "张庄2号" not in body and "李四" not in body  # member 2's household
    assert "本月已联系 0 / 1 户" in body
    assert record_url(world.household1) in body
    assert 'name="token"' in body


def test_one_tap_records_once_with_the_same_token(client, world, party, member_user):
    client.force_login(member_user)
    token = uuid.uuid4()
    first = tap(client, world.household1, token, note="老人身体好")
    assert first.status_code == 302 and first["Location"] == f"{HOME}#h-{world.household1.pk}"
    again = tap(client, world.household1, token, note="老人身体好")  # a double tap, a retry
    assert again.status_code == 302
    contact = Contact.objects.get()
    assert (contact.member, contact.household, contact.note) == (party.member1, world.household1, "老人身体好")
    assert contact.contacted_on == timezone.localdate() and contact.recorded_by == member_user
    page = client.get(HOME).content.decode()
    assert "本月已联系 1 / 1 户" in page
    assert "本月已联系 ·" in page  # the row shows it done
    assert "已经记录过了" in page or "已记录" in page
    tap(client, world.household1)  # a second contact on purpose: a new token
    assert Contact.objects.count() == 2


def test_messages_after_a_tap_and_a_retry(client, world, party, member_user):
    client.force_login(member_user)
    token = uuid.uuid4()
    done = client.get(tap(client, world.household1, token)["Location"]).content.decode()
    assert "已记录：张庄1号 本月已联系" in done
    retried = client.post(record_url(world.household1), {"token": str(token)}, follow=True).content.decode()
    assert "这次联系已经记录过了" in retried


@pytest.mark.parametrize("which", ["another_members", "unlinked", "other_village", "ended", "missing"])
def test_someone_elses_household_is_a_404(client, world, party, member_user, which):
    if which == "another_members":
        services.contact_link(by=None, member=party.member2, household=world.household2)
        household = world.household2
    elif which == "unlinked":
        household = world.household2
    elif which == "other_village":
        household = world.other_household
    elif which == "ended":
        link = party.member1.links.get()
        services.contact_unlink(by=None, link=link)
        link.ended_on = datetime.date(2024, 6, 1)
        link.save(update_fields=["ended_on"])
        household = world.household1
    client.force_login(member_user)
    url = record_url(household) if which != "missing" else reverse("party:field-contact-record", kwargs={"pk": 99999})
    response = client.post(url, {"token": str(uuid.uuid4())})
    assert response.status_code == 404
    assert not Contact.objects.exists()
    if which == "ended":
        assert "张庄1号" not in client.get(HOME).content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"note": "x"}, "页面已过期"),
        ({"token": "not-a-uuid"}, ""),
        ({"token": str(uuid.uuid4()), "note": "长" * 101}, "100 字以内"),
    ],
)
def test_bad_input_saves_nothing_and_says_why(client, world, party, member_user, data, message):
    client.force_login(member_user)
    response = client.post(record_url(world.household1), data, follow=True)
    assert response.status_code == 200
    assert not Contact.objects.exists()
    assert message in response.content.decode()
    assert 'class="messages' in response.content.decode() or "error" in response.content.decode()


def test_a_token_used_by_another_member_is_refused(client, world, party, member_user):
    services.contact_link(by=None, member=party.member2, household=world.household2)
    token = uuid.uuid4()
    services.contact_record(
        by=None or member_user, member=party.member2, household=world.household2, client_token=token
    )
    client.force_login(member_user)
    response = client.post(record_url(world.household1), {"token": str(token)}, follow=True)
    assert "提交的标识已被使用" in response.content.decode()
    assert Contact.objects.count() == 1


def test_works_without_javascript(client, world, party, member_user):
    """A plain form per household: token and note fields, a submit button, no script needed."""
    client.force_login(member_user)
    body = client.get(HOME).content.decode()
    form = body[body.index(f'action="{record_url(world.household1)}"') :]
    form = form[: form.index("</form>")]
    assert 'name="token" value="' in form and 'name="note"' in form and 'type="submit"' in form
    assert "csrfmiddlewaretoken" in form


def test_member_only_login_sees_no_grid_worker_links(client, world, party, member_user, worker):
    client.force_login(member_user)
    body = client.get(HOME).content.decode()
    assert f'href="{reverse("visits:work-list")}"' not in body  # the brand goes home to the contact households
    assert "field-queue.js" not in body and 'id="field-sync"' not in body
    assert reverse("messaging:inbox") in body  # the inbox is theirs
    inbox = client.get(reverse("messaging:inbox")).content.decode()
    assert f'href="{reverse("visits:work-list")}"' not in inbox and f'href="{HOME}"' in inbox
    client.force_login(worker)
    worker_page = client.get(reverse("visits:work-list")).content.decode()
    assert "field-queue.js" in worker_page and reverse("visits:work-list") in worker_page


def test_home_sends_a_member_to_their_households(client, member_user):
    client.force_login(member_user)
    assert client.get(reverse("home"))["Location"] == HOME


def test_member_role_without_a_member_record(client, world, party):
    user = make_user("unlinked", world.village)
    assign(user, Role.PARTY_MEMBER, world.village)
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    assert "还没有关联党员信息" in response.content.decode()
    assert client.post(record_url(world.household1), {"token": str(uuid.uuid4())}).status_code == 404


def test_member_without_households(client, world, party):
    user = make_user("nohouses", world.village)
    services.member_login_grant(by=None, member=party.member2, user=user)
    client.force_login(user)
    body = client.get(HOME).content.decode()
    assert "您目前没有联系户" in body


@pytest.mark.parametrize("persona", ["worker", "staff", "town", "outsider"])
def test_grid_worker_staff_and_town_are_not_members(client, world, party, personas, persona):
    client.force_login(personas[persona])
    assert client.get(HOME).status_code == 403
    assert client.post(record_url(world.household1), {"token": str(uuid.uuid4())}).status_code == 403
    assert not Contact.objects.exists()


def test_staff_who_is_a_linked_member_sees_their_own(client, world, party, staff):
    """A village cadre who is also a member with contact households: the page is theirs too."""
    services.member_login_grant(by=None, member=party.member2, user=staff)
    services.contact_link(by=None, member=party.member2, household=world.household2)
    client.force_login(staff)
    body = client.get(HOME).content.decode()
    assert "张庄2号" in body and "张庄1号" not in body
    assert tap(client, world.household2).status_code == 302
    assert Contact.objects.get().member == party.member2


@pytest.mark.parametrize("rows", [2, 20])
def test_query_count_is_constant(client, world, party, member_user, django_assert_num_queries, rows):
    for n in range(rows - 1):
        h = make_household(world.micro1, world.group1, f"9{n:03d}", f"张庄{100 + n}号")
        services.contact_link(by=None, member=party.member1, household=h)
    services.contact_record(by=member_user, member=party.member1, household=world.household1)
    client.force_login(member_user)
    client.get(HOME)  # warm the session
    # session, user, member, households with their heads, this month's contacts, the scope, the inbox
    # count, the organisations the login leads (the overview link): whatever the number of households
    with django_assert_num_queries(8):
        response = client.get(HOME)
    assert response.content.decode().count('name="token"') == rows


def test_a_secretary_finds_the_overview_from_the_phone_and_a_member_does_not(client, world, party, member_user):
    client.force_login(member_user)
    assert f"/villages/{world.village.pk}/party/" not in client.get(HOME).content.decode()
    party.branch1.secretary = member_user
    party.branch1.save(update_fields=["secretary"])
    client.force_login(member_user)
    assert f"/villages/{world.village.pk}/party/" in client.get(HOME).content.decode()
