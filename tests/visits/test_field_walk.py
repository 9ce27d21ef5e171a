"""The grid worker's walk: the work list in the order of the street, grouped and filtered, back to the same
place after a visit; the visit screen shows whom the worker visits; the form says what is wrong."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone

from grids.models import MicroGrid, NaturalVillage
from residents.codes import Relation
from residents.models import Household
from tests.conftest import make_household, make_resident
from visits import services
from visits.models import Visit

ID_CHILD = "110101201001011237"


def _visit_url(subject, pk):
    return reverse("visits:visit-new", args=[subject, pk])


def _addresses(page: str) -> list[str]:
    return re.findall(r'/field/visit/household/\d+/[^"]*"><strong>(.*?)</strong>', page)


def _walk(world):
    """Four households in grid 1 added out of order, the fixture's 张庄1号 among them."""
    for number, address in (("0102", "张庄2号"), ("0111", "张庄11号"), ("0103", "李庄3号")):
        make_household(world.micro1, world.group1, number, address)


def test_addresses_come_in_the_order_of_the_street(client, world, worker):
    _walk(world)
    client.force_login(worker)
    page = client.get(reverse("visits:work-list")).content.decode()
    assert _addresses(page) == ["张庄1号", "张庄2号", "张庄11号", "李庄3号"]


def test_the_list_is_grouped_and_filtered_by_micro_grid_or_natural_village(client, world, worker):
    _walk(world)
    other_micro = MicroGrid.objects.create(grid=world.grid1, number=2, name="1b")
    make_household(other_micro, world.group1, "0201", "王庄5号")
    li = NaturalVillage.objects.create(village=world.village, name="李庄")
    Household.objects.filter(number="0103").update(natural_village=li)
    client.force_login(worker)

    page = client.get(reverse("visits:work-list")).content.decode().split('class="tap-list walk"')[1]
    assert page.index('class="group-head">1a') < page.index("张庄1号") < page.index('class="group-head">1b')
    only_b = client.get(reverse("visits:work-list"), {"place": f"m{other_micro.pk}"}).content.decode()
    assert _addresses(only_b) == ["王庄5号"]

    by_village = client.get(reverse("visits:work-list"), {"by": "natural", "place": f"n{li.pk}"}).content.decode()
    assert _addresses(by_village) == ["李庄3号"]
    whole = client.get(reverse("visits:work-list"), {"by": "natural"}).content.decode()
    assert 'class="group-head">李庄' in whole and 'class="group-head">张庄' in whole
    # A filter for a place that is not on this list (someone else's micro-grid) shows nothing of it.
    assert _addresses(client.get(reverse("visits:work-list"), {"place": f"m{world.micro2.pk}"}).content.decode()) == []


def test_after_a_visit_the_list_returns_to_the_same_page_filter_and_row(client, world, worker, settings):
    _walk(world)
    client.force_login(worker)
    import visits.views

    visits.views.FIELD_PAGE = 2
    try:
        listing = client.get(reverse("visits:work-list"), {"page": "2", "by": "micro"}).content.decode()
    finally:
        visits.views.FIELD_PAGE = 30
    eleven = Household.objects.get(number="0111")
    back = f"/field/?page=2&by=micro#h-{eleven.pk}"
    link = f"{_visit_url('household', eleven.pk)}?next={quote(back, safe='')}"
    assert link.replace("&", "&amp;") in listing
    form = client.get(link).content.decode()
    assert f'name="next" value="{back.replace("&", "&amp;")}"' in form
    response = client.post(link, {"token": str(uuid.uuid4()), "quick": "1", "next": back})
    assert response.status_code == 302 and response["Location"] == back


def test_next_must_be_a_path_on_this_site(client, world, worker):
    client.force_login(worker)
    for bad in ("https://evil.example/field/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            _visit_url("household", world.household1.pk), {"token": str(uuid.uuid4()), "quick": "1", "next": bad}
        )
        assert response.status_code == 302 and response["Location"] == reverse("visits:work-list"), bad


def test_a_failed_attempt_shows_on_its_row_unlike_a_visit_done(client, world, worker):
    _walk(world)
    two = Household.objects.get(number="0102")
    services.visit_record(worker=worker, target=world.household1)
    services.visit_record(worker=worker, target=two, outcome="not_possible", reason="away")
    client.force_login(worker)
    page = client.get(reverse("visits:work-list")).content.decode()
    row_done = re.search(rf'<li id="h-{world.household1.pk}".*?</li>', page, re.S).group(0)
    row_away = re.search(rf'<li id="h-{two.pk}".*?</li>', page, re.S).group(0)
    assert "state-done" in row_done and "已走访" in row_done
    assert "state-attempt" in row_away and "未能走访·外出" in row_away and "已走访" not in row_away
    # The attempt still counts as it did: not a visit (due.py), so one household of four is done.
    assert "户 1/4" in page


def test_the_visit_screen_shows_the_members_without_id_number_or_birth_date(client, world, worker):
    child = make_resident(world.household1, "张小明", ID_CHILD, relation=Relation.SON)
    child.lives_here = False
    child.away_place = "广州"
    child.save()
    client.force_login(worker)
    page = client.get(_visit_url("household", world.household1.pk)).content.decode()
    members = page.split('class="members"')[1].split("</ul>")[0]
    assert "张三" in members and "张小明" in members and "外出" in members and "岁" in members
    for secret in (ID_CHILD, ID_CHILD[-4:], child.birth_date.isoformat(), child.birth_date.strftime("%Y年")):
        assert secret not in page


def test_the_visit_screen_of_a_key_person_shows_guardian_phone_and_risk(client, world, worker):
    kp = world.key_person1
    kp.guardian_phone = "13800000001"
    kp.save()
    world.resident1.phone = "13900000002"
    world.resident1.save()
    client.force_login(worker)
    page = client.get(_visit_url("key_person", kp.pk)).content.decode()
    assert "张大" in page and 'href="tel:13800000001"' in page and 'href="tel:13900000002"' in page
    assert "3级" in page


def test_the_household_field_page_has_a_button_to_record_a_visit(client, world, worker):
    client.force_login(worker)
    url = reverse("residents:field-household-detail", args=[world.household1.pk])
    page = client.get(url).content.decode()
    assert f'href="{_visit_url("household", world.household1.pk)}?next={quote(url, safe="")}"' in page
    assert "记录走访" in page


def test_not_possible_is_its_own_choice_outside_the_findings_fold(client, world, worker):
    client.force_login(worker)
    page = client.get(_visit_url("household", world.household1.pk)).content.decode()
    fold = page.split("<details")[1].split("</details>")[0]
    assert 'name="reason"' not in fold and 'name="not_possible"' in page.split("<details")[0]
    response = client.post(
        _visit_url("household", world.household1.pk),
        {"token": str(uuid.uuid4()), "not_possible": "1", "reason": "away", "finding": "dispute", "note": "x"},
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.outcome, visit.reason, visit.finding, visit.case_id) == ("not_possible", "away", "nothing", None)


def test_not_possible_without_a_reason_says_so(client, world, worker):
    client.force_login(worker)
    response = client.post(
        _visit_url("household", world.household1.pk), {"token": str(uuid.uuid4()), "not_possible": "1"}
    )
    assert response.status_code == 400 and "请选择未能走访的原因" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_category_of_another_kind_is_refused_with_a_message(client, world, worker):
    client.force_login(worker)
    data = {
        "token": str(uuid.uuid4()),
        "done": "1",
        "outcome": "done",
        "finding": "hazard",
        "case_category": "dispute.neighbour",
        "note": "电线老化",
        "visited_on": timezone.localdate().isoformat(),
    }
    response = client.post(_visit_url("household", world.household1.pk), data)
    assert response.status_code == 400 and "不属于" in response.content.decode()
    assert not Visit.objects.exists()
    response = client.post(_visit_url("household", world.household1.pk), {**data, "case_category": "hazard.fire"})
    assert response.status_code == 302
    assert Visit.objects.get().case.category == "hazard.fire"


def test_phone_fields_on_field_forms_open_the_number_pad(client, world, worker):
    client.force_login(worker)
    for url in (
        reverse("disputes:field-case-new"),
        reverse("residents:field-household-edit", args=[world.household1.pk]),
    ):
        page = client.get(url).content.decode()
        phones = re.findall(r"<input[^>]*name=\"(?:phone|party_phone)\"[^>]*>", page)
        assert phones and all('inputmode="tel"' in p for p in phones), url


def test_key_persons_and_places_on_the_list_also_lead_back_to_their_row(client, world, worker):
    client.force_login(worker)
    page = client.get(reverse("visits:work-list"), {"q": "张"}).content.decode()
    kp = f"{_visit_url('key_person', world.key_person1.pk)}?next={quote('/field/?q=' + quote('张'), safe='')}%23k-"
    assert f'id="k-{world.key_person1.pk}"' in page and kp in page
    assert f'id="p-{world.key_place1.pk}"' in page
    place = f"{_visit_url('key_place', world.key_place1.pk)}?next={quote('/field/?q=' + quote('张'), safe='')}%23p-"
    assert f'href="{place}{world.key_place1.pk}"' in page


def _in_order(page: str, addresses: list[str]) -> list[str]:
    """The addresses as they come in the page."""
    return sorted(addresses, key=page.index)


def test_every_field_list_of_households_follows_the_street(client, world, worker, staff):
    """The household search on the phone, a grid's outstanding list and the API's work list: 张庄2号 before
    张庄11号, as on the work list (text order would put 张庄11号 first)."""
    _walk(world)
    street = ["张庄1号", "张庄2号", "张庄11号", "李庄3号"]
    client.force_login(worker)
    search = client.get(reverse("residents:field-household-list")).content.decode()
    assert _in_order(search, street) == street
    searched = client.get(reverse("residents:field-household-list"), {"q": "张庄"}).content.decode()
    assert _in_order(searched, street[:3]) == street[:3]
    api = client.get("/api/v1/me/work-list/").json()
    assert [h["address"] for h in api["households"]] == street

    client.force_login(staff)
    outstanding = client.get(reverse("visits:grid-outstanding", args=[world.grid1.pk])).content.decode()
    assert _in_order(outstanding, street) == street
