"""A case opened by a key person's visit does not tell the town office that it did (README, "Who sees key
persons"): the town reads two cases escalated to it — one found on a key person's visit, one on an
ordinary household visit, written the same way — through every page, export, API and log it may read,
and cannot tell them apart, nor find a key-person word about them. The village's staff still see where
each case came from."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from disputes import services as case_services
from disputes.models import Department, Tier
from residents.models import KeyCategory
from tests.conftest import make_case, make_household, png_bytes
from visits import services as visit_services
from visits.models import Visit

NOTE = "两户因排水沟堵塞发生争执，需要调解。"
ESCALATE_NOTE = "村调委会调解未成，请镇综治中心协调。"


@pytest.fixture
def neighbour(world):
    """A household of grid 1 with nobody listed as a key person."""
    return make_household(world.micro1, world.group1, "0003", "张庄3号")


def _found_on_visit(world, worker, staff, town, target):
    """A worker's visit finds a dispute; the village escalates it; the town settles it with an agreement."""
    photo = SimpleUploadedFile("scene.png", png_bytes(), content_type="image/png")
    visit, _created = visit_services.visit_record(
        worker=worker, target=target, finding="dispute", note=NOTE, case_category="dispute.neighbour", photos=[photo]
    )
    case = visit.case
    case = case_services.case_accept(case=case, by=staff, version=case.version, tier=Tier.VILLAGE)
    case = case_services.case_escalate(case=case, by=staff, version=case.version, note=ESCALATE_NOTE)
    case = case_services.case_accept(case=case, by=town, version=case.version)
    department = Department.objects.order_by("pk").first()
    case = case_services.case_assign(case=case, by=town, version=case.version, department=department)
    return case_services.case_resolve(
        case=case,
        by=town,
        version=case.version,
        outcome="agreement",
        resolution="双方同意共同清理排水沟。",
        agreement_text="双方各出一半费用清理排水沟。",
    )


def _blind(text: str) -> str:
    """What differs between the two cases by construction: ids, numbers, times, addresses' house numbers
    (all digits), and the per-request tokens of a page."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'nonce="[^"]*"', "", text)
    return re.sub(r"\d+", "#", text)


def _content(page: str) -> str:
    """A page without its menu (which names every section, 重点人员 among them, for everyone)."""
    match = re.search(r"<main.*?</main>", page, re.S)
    return _blind(match.group(0) if match else page)


def _audit_rows(client) -> list[tuple]:
    """The town's audit workbook: (who, address, action, object type, object, village, changes, note)."""
    sheet = load_workbook(io.BytesIO(client.get(reverse("audit:audit-export")).content)).active
    return [row[1:] for row in list(sheet.iter_rows(values_only=True))[1:]]  # without the time


def _case_row(page: str, case) -> str:
    match = re.search(rf'<tr data-case="{case.pk}".*?</tr>', page, re.S)
    assert match, f"case {case.number} not listed"
    return _blind(match.group(0))


def _section(page: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">.*?</section>', page, re.S)
    return _blind(match.group(0)) if match else ""


def test_the_town_cannot_tell_a_key_person_case_from_a_household_case(client, world, worker, staff, town, neighbour):
    key_person = world.key_person1
    client.force_login(town)
    before = len(_audit_rows(client))
    from_key_person = _found_on_visit(world, worker, staff, town, key_person)
    after_first = _audit_rows(client)
    from_household = _found_on_visit(world, worker, staff, town, neighbour)
    after_second = _audit_rows(client)
    # Newest first: what each flow added to the log the town reads.
    log_of = {
        from_key_person.pk: after_first[: len(after_first) - before],
        from_household.pk: after_second[: len(after_second) - len(after_first)],
    }
    homes = {from_key_person.pk: key_person.resident.household, from_household.pk: neighbour}
    pair = (from_key_person, from_household)

    seen: dict[int, dict[str, str]] = {case.pk: {} for case in pair}
    lists = {
        "list": client.get(reverse("disputes:case-list")).content.decode(),
        "town desk": client.get(reverse("disputes:town-desk")).content.decode(),
    }
    api_list = {row["id"]: row for row in client.get(reverse("api:case-list")).json()["results"]}
    export = load_workbook(io.BytesIO(client.get(reverse("disputes:case-export")).content)).active
    export_rows = {row[0]: row for row in export.iter_rows(min_row=2, values_only=True)}
    visits_api = client.get(reverse("api:visit-list")).json()["results"]
    for case in pair:
        shown = seen[case.pk]
        for name, url in (
            ("page", "disputes:case-detail"),
            ("record", "disputes:case-record"),
            ("agreement", "disputes:case-agreement"),
        ):
            response = client.get(reverse(url, args=[case.pk]))
            assert response.status_code == 200, name
            shown[name] = _content(response.content.decode())
        for name, page in lists.items():
            shown[name] = _case_row(page, case)
        shown["api list"] = _blind(json.dumps(api_list[case.pk], ensure_ascii=False))
        shown["api detail"] = _blind(
            json.dumps(client.get(reverse("api:case-detail", args=[case.pk])).json(), ensure_ascii=False)
        )
        shown["export"] = _blind(repr(export_rows[case.number]))
        shown["audit log"] = _blind(repr(log_of[case.pk]))
        # The visit behind the case, looked for from the visits' side: the list, and the household's page.
        shown["visits api"] = _blind(json.dumps([v for v in visits_api if v["case"] == case.pk], ensure_ascii=False))
        home = client.get(reverse("residents:household-detail", args=[homes[case.pk].pk])).content.decode()
        shown["household visits"] = _section(home, "visits")
        shown["household cases"] = _section(home, "cases")
        searched = client.get(reverse("disputes:case-list"), {"q": key_person.resident.name}).content.decode()
        shown["search"] = str(f'data-case="{case.pk}"' in searched)

    key_person_words = [
        "重点人员",
        str(KeyCategory(key_person.category).label),
        key_person.resident.name,
        "/key-persons/",
        "key_person",
    ]
    told_apart = [
        name for name in seen[from_key_person.pk] if seen[from_key_person.pk][name] != seen[from_household.pk][name]
    ]
    assert told_apart == [], told_apart
    words = [
        (name, word) for name, text in seen[from_key_person.pk].items() for word in key_person_words if word in text
    ]
    assert words == [], words


def _households_told(client, case, households) -> dict[str, object]:
    """Every way the reader of ``client`` might learn the household a case was found at."""
    page = client.get(reverse("disputes:case-detail", args=[case.pk])).content.decode()
    return {
        "api": client.get(reverse("api:case-detail", args=[case.pk])).json()["household"],
        "page": [h.address for h in households if h.address in page.split("<main", 1)[1]],
        "household pages": [
            h.address
            for h in households
            if reverse("disputes:case-detail", args=[case.pk])
            in client.get(reverse("residents:household-detail", args=[h.pk])).content.decode()
        ],
        "audit log": [
            row
            for row in _audit_rows(client)
            if case.title in (row[4] or "") and any(f"相关户: None → {h.pk}" in (row[6] or "") for h in households)
        ]
        if client.get(reverse("audit:audit-list")).status_code == 200
        else [],
    }


def test_the_town_is_not_told_which_household_a_visit_case_was_found_at(
    client, world, worker, staff, town, liaison, neighbour
):
    """The coverage pages show the town which households are still to be visited this month (by design);
    a case "走访发现" at a household still to visit would tell it the visit was to a key person there. So
    a case found on a visit, of any kind, names no household to the town; one reported otherwise does."""
    from_key_person = _found_on_visit(world, worker, staff, town, world.key_person1)
    from_household = _found_on_visit(world, worker, staff, town, neighbour)
    walk_in = make_case(world, staff, source="walk_in", household=neighbour)
    households = [world.household1, neighbour]
    outstanding = reverse("visits:grid-outstanding", args=[world.grid1.pk])
    client.force_login(town)
    assert world.household1.address in client.get(outstanding).content.decode()
    nothing = {"api": None, "page": [], "household pages": [], "audit log": []}
    for user in (town, liaison):  # the liaison of micro-grid 1a sees the cases of its households
        client.force_login(user)
        assert _households_told(client, from_key_person, households) == nothing, user
        assert _households_told(client, from_household, households) == nothing, user
        assert _households_told(client, walk_in, households)["api"] == neighbour.pk, user
    for user in (staff, worker):
        client.force_login(user)
        told = _households_told(client, from_key_person, households)
        assert (told["api"], told["page"], told["household pages"]) == (
            world.household1.pk,
            [world.household1.address],
            [world.household1.address],
        )


def test_the_village_still_sees_the_visit_a_case_came_from(client, world, worker, staff, town, neighbour):
    case = _found_on_visit(world, worker, staff, town, world.key_person1)
    visit = Visit.objects.get(case=case)
    for user in (staff, worker):
        client.force_login(user)
        page = client.get(reverse("residents:keyperson-detail", args=[world.key_person1.pk])).content.decode()
        assert reverse("disputes:case-detail", args=[case.pk]) in page
        listed = client.get(reverse("api:visit-list")).json()["results"]
        assert [v["case"] for v in listed if v["id"] == visit.pk] == [case.pk]
