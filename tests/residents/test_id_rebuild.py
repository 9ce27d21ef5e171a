"""The attack on masked ID numbers (residents/disclosure.py): gather everything a role is shown of a
resident — the API's list and detail, the resident and household pages, the export when it is allowed —,
work out the numbers that fit, and let the search by full number confirm one. The town office, a grid
worker and a liaison rebuild none; the search is recorded and stops at the day's allowance."""

from __future__ import annotations

import datetime
import random
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEntry
from grids.models import Role
from residents import idnumber
from residents.codes import Relation
from residents.models import Resident
from tests.conftest import assign, make_resident, make_user

# A real county (GB/T 2260: 江苏省连云港市灌南县); the attacker is granted that they know it.
REGION = "320724"
LIMIT = 20
PEOPLE = 12


def _full(first17: str) -> str:
    return first17 + idnumber.check_character(first17)


def _number(rng: random.Random) -> str:
    born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 70))
    return _full(f"{REGION}{born:%Y%m%d}{rng.randrange(1000):03d}")


@pytest.fixture
def people(world):
    rng = random.Random(20261204)  # noqa: S311 - test data, not a secret
    made = []
    for i in range(PEOPLE):
        made.append(make_resident(world.household1, f"居民{i:02d}", _number(rng), relation=Relation.OTHER_RELATIVE))
    return made


@pytest.fixture
def attackers(world, worker, liaison, town):
    return {"town": town, "worker": worker, "liaison": liaison}


def _api(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _all_rows(client, path: str) -> list[dict]:
    rows, url = [], path
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, answer.content[:300]
        body = answer.json()
        rows += body["results"]
        url = body.get("next")
    return rows


def _what_is_shown(client, api: APIClient, resident: Resident) -> dict:
    """Everything about one resident the attacker can read: the API row and detail, the detail page, the
    household page, the list page. Returns the masked numbers, birth dates and ages seen anywhere."""
    seen = {"own_mask": "", "masked": set(), "births": set(), "ages": set()}
    detail = api.get(f"/api/v1/residents/{resident.pk}/")
    if detail.status_code == 200:
        body = detail.json()
        seen["own_mask"] = body["id_number_masked"]
        seen["masked"].add(body["id_number_masked"])
        if body.get("birth_date"):
            seen["births"].add(datetime.date.fromisoformat(body["birth_date"]))
        if body.get("age") is not None:
            seen["ages"].add(body["age"])
    for url in (
        reverse("residents:resident-detail", args=[resident.pk]),
        reverse("residents:household-detail", args=[resident.household_id]),
        reverse("residents:resident-list") + f"?q={resident.name}",
    ):
        page = client.get(url)
        if page.status_code != 200:
            continue
        html = page.content.decode()
        seen["masked"] |= set(re.findall(r"[0-9]{2,6}\*{6,}[0-9X]*", html))
        born = resident.birth_date
        if any(f in html for f in (born.isoformat(), f"{born:%Y%m%d}", f"{born.year}年{born.month}月{born.day}日")):
            seen["births"].add(born)
    return seen


def _candidates(seen: dict, gender_odd: bool, today: datetime.date, cap: int) -> list[str]:
    """The numbers consistent with what was seen, the attacker knowing the county."""
    prefix, tail = seen["own_mask"].split("*")[0], seen["own_mask"].rsplit("*", 1)[-1]
    if seen["births"]:
        births = sorted(seen["births"])
    else:
        years = {today.year - a for a in seen["ages"]} | {today.year - a - 1 for a in seen["ages"]}
        births = [
            datetime.date(y, 1, 1) + datetime.timedelta(days=d)
            for y in sorted(years)
            for d in range(366)
            if (datetime.date(y, 1, 1) + datetime.timedelta(days=d)).year == y
        ]
    found = []
    for born in births:
        for sequence in range(1000):
            if (sequence % 2 == 1) != gender_odd:
                continue
            first17 = f"{REGION}{born:%Y%m%d}{sequence:03d}"
            number = first17 + idnumber.check_character(first17)
            if number.startswith(prefix) and number.endswith(tail):
                found.append(number)
                if len(found) >= cap:
                    return found
    return found


def _confirms(api: APIClient, number: str, resident: Resident) -> bool | None:
    """The search by full number as an oracle: True if it finds the resident, None once refused."""
    answer = api.get("/api/v1/residents/", {"q": number})
    if answer.status_code == 400:
        return None
    assert answer.status_code == 200, answer.content[:300]
    return any(row["id"] == resident.pk for row in answer.json()["results"])


@override_settings(ID_SEARCH_DAILY_LIMIT=LIMIT)
@pytest.mark.parametrize("role", ["town", "worker", "liaison"])
def test_no_one_without_the_reveal_rebuilds_a_number(client, world, people, attackers, role):
    attacker = attackers[role]
    client.force_login(attacker)
    api = _api(attacker)
    today = timezone.localdate()
    visible = {row["id"] for row in _all_rows(api, "/api/v1/residents/")}
    targets = [r for r in people if r.pk in visible]
    assert targets, "the attacker sees the residents of the grid"
    rebuilt, tries, refused, smallest, leaks = 0, 0, False, None, []
    for resident in targets:
        seen = _what_is_shown(client, api, resident)
        # Nothing that gives the birth date away: no date, no masked digit past the province.
        leaks += list(seen["births"]) + [m for m in seen["masked"] if len(m.split("*")[0]) > 2 or m[-1] != "*"]
        candidates = _candidates(seen, int(resident.id_number[16]) % 2 == 1, today, cap=50_000)
        smallest = len(candidates) if smallest is None else min(smallest, len(candidates))
        for number in candidates[: LIMIT + 5]:
            answer = _confirms(api, number, resident)
            tries += 1
            if answer is None:
                refused = True
                break
            if answer:
                rebuilt += 1
                break
        if refused:
            break
    assert rebuilt == 0
    assert not leaks
    assert refused and tries == LIMIT + 1, "the search stops at the day's allowance"
    # What is left to guess: a year of birthdays times half the sequences (≥ 50,000 is the cap).
    assert smallest == 50_000
    logged = AuditEntry.objects.filter(actor=attacker, action=AuditAction.SEARCH_ID)
    assert logged.count() == LIMIT and all(e.sensitive for e in logged)
    assert not any(idnumber.normalize(r.id_number) in e.note for e in logged for r in people)


@pytest.mark.parametrize("role", ["town", "worker", "liaison"])
def test_the_last_four_do_not_find_anyone_for_those_without_the_reveal(client, world, people, attackers, role):
    api = _api(attackers[role])
    resident = people[0]
    answer = api.get("/api/v1/residents/", {"q": resident.id_number[-4:]})
    assert answer.status_code == 200
    assert resident.pk not in {row["id"] for row in answer.json()["results"]}
    client.force_login(attackers[role])
    if role == "worker":
        field = client.get(reverse("residents:field-household-list")).content.decode()
        assert "后四位" not in field
    page = client.get(reverse("residents:household-list"), {"q": resident.id_number[-4:]})
    assert resident.household_id not in {h.pk for h in page.context["page"].object_list}


def test_the_village_staff_keep_birth_dates_tails_and_unlimited_search(client, world, people, staff):
    api = _api(staff)
    resident = people[0]
    row = api.get(f"/api/v1/residents/{resident.pk}/").json()
    assert row["birth_date"] == resident.birth_date.isoformat()
    assert row["id_number_masked"] == idnumber.mask(resident.id_number)
    assert row["age"] == resident.age
    found = api.get("/api/v1/residents/", {"q": resident.id_number[-4:]}).json()["results"]
    assert resident.pk in {r["id"] for r in found}
    with override_settings(ID_SEARCH_DAILY_LIMIT=1):
        for _ in range(3):
            found = api.get("/api/v1/residents/", {"q": resident.id_number}).json()["results"]
            assert [r["id"] for r in found] == [resident.pk]
    assert not AuditEntry.objects.filter(actor=staff, action=AuditAction.SEARCH_ID).exists()
    client.force_login(staff)
    page = client.get(reverse("residents:resident-detail", args=[resident.pk])).content.decode()
    assert resident.birth_date.isoformat() in page and idnumber.mask(resident.id_number) in page


@override_settings(ID_SEARCH_DAILY_LIMIT=2)
def test_a_search_by_full_number_answers_is_recorded_and_then_refused_with_a_message(client, world, people, town):
    resident = people[3]
    api = _api(town)
    found = api.get("/api/v1/residents/", {"q": resident.id_number}).json()["results"]
    assert [r["id"] for r in found] == [resident.pk]  # the person at the desk with their card is found
    client.force_login(town)
    page = client.get(reverse("residents:resident-list"), {"q": resident.id_number})
    assert [r.pk for r in page.context["page"].object_list] == [resident.pk]
    assert "后四位" not in page.content.decode() and "每天最多 2 次" in page.content.decode()
    assert AuditEntry.objects.filter(actor=town, action=AuditAction.SEARCH_ID).count() == 2
    refused = client.get(reverse("residents:resident-list"), {"q": resident.id_number})
    assert list(refused.context["page"].object_list) == []
    assert "今天的次数已用完" in refused.content.decode()
    answer = api.get("/api/v1/households/", {"q": resident.id_number})
    assert answer.status_code == 400 and "今天的次数已用完" in str(answer.json())
    assert AuditEntry.objects.filter(actor=town, action=AuditAction.SEARCH_ID).count() == 2
    # Other searches go on.
    assert client.get(reverse("residents:resident-list"), {"q": resident.name}).context["page"].object_list


def test_ordering_by_birth_does_not_rank_birthdays_within_a_year(world, worker):
    """Sorted by date, people born in one year would line up by birthday; by year and name they do not
    (names in Latin letters: their order is the same in every collation)."""
    early = make_resident(world.household1, "B早生", _full(f"{REGION}19700105123"), relation=Relation.OTHER_RELATIVE)
    late = make_resident(world.household1, "A晚生", _full(f"{REGION}19701230125"), relation=Relation.OTHER_RELATIVE)
    api = _api(worker)
    rows = _all_rows(api, "/api/v1/residents/?ordering=birth")
    names = [r["name"] for r in rows if r["id"] in {early.pk, late.pk}]
    assert names == ["A晚生", "B早生"]
    staff_user = make_user("staff2", world.village)
    assign(staff_user, Role.VILLAGE_STAFF, world.village)
    names = [
        r["name"]
        for r in _all_rows(_api(staff_user), "/api/v1/residents/?ordering=birth")
        if r["id"] in {early.pk, late.pk}
    ]
    assert names == ["B早生", "A晚生"]


def test_the_audit_log_shows_the_town_no_birth_dates(client, world, people, town):
    client.force_login(town)
    page = client.get(reverse("audit:audit-list"), {"model": "residents.resident"})
    assert page.status_code == 200
    html = page.content.decode()
    for resident in people:
        assert resident.birth_date.isoformat() not in html
