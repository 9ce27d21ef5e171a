"""A key person's page shows their care (visits, what is due and why, attempts, cases); a household's
page shows its visits and cases; the key-person list shows the last visit and can show only the overdue.
The panels come from visits and disputes through the registry's extension point (residents/panels.py)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.services import PartyInput
from residents.codes import Relation
from residents.models import KeyCategory, KeyPerson, KeyPersonResponsible, ResponsibleRole
from tests.conftest import make_case, make_resident
from visits.models import Finding, NotPossibleReason, Outcome, Subject, Visit

TODAY = timezone.localdate()


def _visit(world, worker, *, days_ago: int, key_person=None, household=None, **extra) -> Visit:
    day = TODAY - datetime.timedelta(days=days_ago)
    target = {"key_person": key_person} if key_person else {"household": household or world.household1}
    return Visit.objects.create(
        worker=worker,
        subject=Subject.KEY_PERSON if key_person else Subject.HOUSEHOLD,
        village=world.village,
        grid=world.grid1,
        micro_grid=world.micro1,
        visited_on=day,
        month=day.replace(day=1),
        **target,
        **extra,
    )


def _team(world) -> list[KeyPersonResponsible]:
    kp = world.key_person1
    return [
        KeyPersonResponsible.objects.create(key_person=kp, role=ResponsibleRole.DOCTOR, name="精防王医生"),
        KeyPersonResponsible.objects.create(key_person=kp, role=ResponsibleRole.POLICE, name="民警赵警官"),
    ]


def _kp_page(client, world) -> str:
    response = client.get(reverse("residents:keyperson-detail", args=[world.key_person1.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_key_person_page_shows_history_due_attempts_and_cases(client, world, worker, staff):
    team = _team(world)
    done = _visit(world, worker, days_ago=5, key_person=world.key_person1, finding=Finding.INFO_CHANGED)
    done.team.set(team)
    _visit(world, worker, days_ago=2, key_person=world.key_person1, outcome=Outcome.NOT_POSSIBLE,
           reason=NotPossibleReason.HOSPITAL, note="在县医院住院")  # fmt: skip
    by_household = make_case(world, worker, title="院墙倒塌纠纷", household=world.household1)
    as_party = make_case(
        world,
        worker,
        grid=world.grid2,
        title="借款纠纷",
        parties=[PartyInput(role="respondent", resident=world.resident1)],
    )
    elsewhere = make_case(world, worker, grid=world.grid2, title="别人家的纠纷", household=world.household2)

    client.force_login(staff)
    page = _kp_page(client, world)
    text = _text(page)
    last = (TODAY - datetime.timedelta(days=5)).isoformat()
    next_due = (TODAY - datetime.timedelta(days=5) + datetime.timedelta(days=14)).isoformat()
    # Last successful visit, next due date and how it was computed (level 3 patient: 14 days, its source)
    assert f"上次走访 {last} · 网格员甲" in text
    assert f"下次应走访 {next_due}" in text
    assert f"上次走访 {last} 起 14 天" in text
    assert "依据：国家基本公共卫生服务规范" in text
    # History: date, who, outcome, finding, the 四帮一 members who came along
    assert "信息变更" in text and "精防医生 精防王医生、社区民警 民警赵警官" in text
    # Failed attempts with their reason
    attempts = re.search(r'data-care="attempts">(.*?)</ul>', page, re.S).group(1)
    assert "住院" in attempts and "在县医院住院" in attempts
    # Cases of the household and naming the person as a party, not other households' cases
    for case in (by_household, as_party):
        assert reverse("disputes:case-detail", args=[case.pk]) in page and case.title in page
    assert elsewhere.title not in page


def test_key_person_never_visited_is_due_from_the_listing(client, world, staff):
    client.force_login(staff)
    text = _text(_kp_page(client, world))
    assert "尚未走访" in text
    assert f"列管开始 {world.key_person1.listed_from.isoformat()} 起 14 天" in text
    assert "已超期" in text  # listed since 2025-01-01, never visited


@pytest.mark.parametrize("persona", ["colleague", "outsider", "town"])
def test_key_person_page_still_404_for_people_who_may_not_see_them(client, world, worker, personas, persona):
    _visit(world, worker, days_ago=1, key_person=world.key_person1)
    client.force_login(personas[persona])
    assert client.get(reverse("residents:keyperson-detail", args=[world.key_person1.pk])).status_code == 404


def _grow_visits(world, worker, team, n: int) -> None:
    have = Visit.objects.filter(key_person=world.key_person1).count()
    for i in range(have, n):
        visit = _visit(
            world,
            worker,
            days_ago=3 + i * 7,
            key_person=world.key_person1,
            **({"outcome": Outcome.NOT_POSSIBLE, "reason": NotPossibleReason.AWAY} if i % 4 == 3 else {}),
        )
        visit.team.set(team)
        if i % 10 == 0:
            make_case(world, worker, title=f"纠纷{i}", household=world.household1)


def test_key_person_page_query_count_does_not_grow_with_visits(client, world, worker, staff, django_assert_num_queries):
    team = _team(world)
    client.force_login(staff)
    # session, user, scope, the key persons the user is named for outside their places, the key person
    # (resident, village, household, grid joined), the audit entry of the view, the visits (worker and
    # case joined), their teams (one prefetch), the cases, unread inbox, the people responsible;
    # the session is read, not written (core/sessions.py)
    for n in (3, 30):
        _grow_visits(world, worker, team, n)
        with django_assert_num_queries(QUERIES_KEY_PERSON_PAGE):
            page = _kp_page(client, world)
        assert page.count("精防王医生") >= n - n // 4


QUERIES_KEY_PERSON_PAGE = 11


def _household_page(client, world) -> str:
    response = client.get(reverse("residents:household-detail", args=[world.household1.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _visit_rows(page: str) -> str:
    return re.search(r'data-panel="household-visits">(.*?)</table>', page, re.S).group(1)


def test_household_page_shows_its_visits_and_cases(client, world, worker, staff):
    _visit(world, worker, days_ago=9, finding=Finding.NOTHING)
    _visit(world, worker, days_ago=1, household=world.household2)  # another household's
    _visit(world, worker, days_ago=4, key_person=world.key_person1, note="服药规律")
    case = make_case(world, worker, title="院墙倒塌纠纷", household=world.household1)
    other = make_case(world, worker, grid=world.grid2, title="别人家的纠纷", household=world.household2)
    client.force_login(staff)
    page = _household_page(client, world)
    rows = _visit_rows(page)
    # Latest first: the key person's visit (4 days ago) before the household's (9 days ago)
    kp_day, household_day = (TODAY - datetime.timedelta(days=d) for d in (4, 9))
    assert rows.index(kp_day.isoformat()) < rows.index(household_day.isoformat())
    assert (TODAY - datetime.timedelta(days=1)).isoformat() not in rows
    assert reverse("residents:keyperson-detail", args=[world.key_person1.pk]) in rows
    cases = re.search(r'data-panel="cases">(.*?)</table>', page, re.S).group(1)
    assert case.number in cases and case.title in cases and str(case.state_label) in cases
    assert reverse("disputes:case-detail", args=[case.pk]) in cases
    assert other.title not in cases


@pytest.mark.parametrize("persona", ["town", "liaison"])
def test_household_page_hides_key_person_visits_from_who_may_not_see_the_key_person(
    client, world, worker, request, persona
):
    """The town and a micro-grid liaison see the household, not its key person (PIPL): nor their visits."""
    _visit(world, worker, days_ago=9)
    _visit(world, worker, days_ago=4, key_person=world.key_person1)
    client.force_login(request.getfixturevalue(persona))
    rows = _visit_rows(_household_page(client, world))
    assert (TODAY - datetime.timedelta(days=9)).isoformat() in rows
    assert (TODAY - datetime.timedelta(days=4)).isoformat() not in rows
    assert "重点人员随访" not in rows and world.resident1.name not in rows


@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_household_page_still_404_for_other_grids(client, world, worker, personas, persona):
    _visit(world, worker, days_ago=2)
    client.force_login(personas[persona])
    assert client.get(reverse("residents:household-detail", args=[world.household1.pk])).status_code == 404


def test_panels_come_in_order_and_register_once():
    from residents import panels
    from visits import panels as visit_panels

    visit_panels.connect()  # a second ready() (tests, reloads) does not show the panel twice
    registered = [key for _order, key, _f in panels._registry[panels.KEY_PERSON]]
    assert registered == ["visits.panels.key_person_panel", "disputes.panels.key_person_panel"]


def _listed(resident, category, *, days_ago: int, **extra) -> KeyPerson:
    return KeyPerson.objects.create(
        resident=resident, category=category, listed_from=TODAY - datetime.timedelta(days=days_ago), **extra
    )


@pytest.fixture
def cadence_cases(world, worker):
    """Key persons on both sides of their cadence (level-3 patient 14 days, everyone else 30)."""
    from tests.residents.test_list_queries import _unique_id

    def person(name):
        return make_resident(world.household1, name, _unique_id(), relation=Relation.SON)

    late_patient = world.key_person1  # level 3: 14 days; visited 20 days ago
    _visit(world, worker, days_ago=20, key_person=late_patient)
    fresh = _listed(person("刚列管"), KeyCategory.RELEASED, days_ago=5, release_date=TODAY)  # never visited, 5 days
    visited = _listed(person("按时走访"), KeyCategory.RELEASED, days_ago=400, release_date=TODAY)
    _visit(world, worker, days_ago=29, key_person=visited)  # 29 ≤ 30 days: on time
    attempts = _listed(person("屡访不遇"), KeyCategory.LEFT_BEHIND_ELDERLY, days_ago=400)
    _visit(world, worker, days_ago=31, key_person=attempts)  # done 31 days ago: late by a day …
    _visit(world, worker, days_ago=2, key_person=attempts, outcome=Outcome.NOT_POSSIBLE, reason="away")  # … still
    yesterday = TODAY - datetime.timedelta(days=1)
    ended = _listed(person("已解除"), KeyCategory.LEFT_BEHIND_ELDERLY, days_ago=400, listed_until=yesterday)
    return {"overdue": {late_patient.pk, attempts.pk}, "on_time": {fresh.pk, visited.pk}, "ended": ended.pk}


def _list_ids(client, query: str = "") -> list[int]:
    response = client.get(reverse("residents:keyperson-list") + query)
    assert response.status_code == 200
    return [kp.pk for kp in response.context["page"].object_list]


def test_overdue_filter_shows_the_overdue_by_their_cadence(client, world, staff, cadence_cases):
    client.force_login(staff)
    assert set(_list_ids(client, "?overdue=on")) == cadence_cases["overdue"]
    everyone = set(_list_ids(client))
    assert cadence_cases["overdue"] | cadence_cases["on_time"] <= everyone
    assert cadence_cases["ended"] not in set(_list_ids(client, "?current=false&overdue=on"))


def test_each_rows_overdue_mark_agrees_with_the_filter(client, world, staff, cadence_cases):
    """The list marks a row overdue (``KeyPerson.visit_overdue``) exactly when the overdue filter keeps it: a
    listing that ended yesterday is never marked, however long ago its last visit."""
    client.force_login(staff)
    listed = client.get(reverse("residents:keyperson-list")).context["page"].object_list
    assert {kp.pk for kp in listed if kp.visit_overdue} == cadence_cases["overdue"]
    ended = client.get(reverse("residents:keyperson-list") + "?current=false").context["page"].object_list
    assert [kp.pk for kp in ended] == [cadence_cases["ended"]] and not ended[0].visit_overdue
    assert ended[0].next_visit_due < TODAY  # overdue by its cadence, had it still been listed


def test_overdue_filter_agrees_with_what_the_visits_count_as_overdue(world, cadence_cases):
    from visits.due import key_persons_due

    # The month's coverage also counts a listing that ended this month; the list's filter is for those listed now.
    by_visits = {
        d.key_person.pk for d in key_persons_due([world.grid1.pk], TODAY) if d.overdue and d.key_person.is_current
    }
    listed_now = KeyPerson.objects.filter(resident__household__grid=world.grid1)
    assert set(listed_now.overdue().values_list("pk", flat=True)) == by_visits == cadence_cases["overdue"]


def test_list_reads_last_visit_by_the_visits_outcome_value():
    """The list reads visits through the reverse relation with the outcome's value, without importing them."""
    from residents.models.key_persons import VISIT_DONE

    assert VISIT_DONE == Outcome.DONE
    assert KeyPerson._meta.get_field("visits").related_model is Visit


def test_list_shows_last_visit_and_marks_the_overdue(client, world, worker, staff, cadence_cases):
    client.force_login(staff)
    page = client.get(reverse("residents:keyperson-list")).content.decode()
    cells = re.findall(r"<td data-last-visit>(.*?)</td>", page)
    assert (TODAY - datetime.timedelta(days=20)).isoformat() + ' <mark class="flag">超期</mark>' in cells
    assert (TODAY - datetime.timedelta(days=29)).isoformat() in cells
    assert "尚未走访" in cells  # the one listed 5 days ago


def test_list_query_count_unchanged_with_the_overdue_filter(client, world, worker, staff, cadence_cases):
    from tests.residents.test_list_queries import _grow, _queries

    client.force_login(staff)
    url = reverse("residents:keyperson-list")
    plain = _queries(client, url)
    assert _queries(client, url + "?overdue=on") == plain
    _grow(world, 30)
    for i, kp in enumerate(KeyPerson.objects.all()):
        _visit(world, worker, days_ago=i % 60, key_person=kp)
    assert _queries(client, url) == plain == _queries(client, url + "?overdue=on")


def test_key_person_care_in_english(client, world, worker, staff):
    _visit(world, worker, days_ago=20, key_person=world.key_person1)
    client.force_login(staff)
    url = reverse("residents:keyperson-detail", args=[world.key_person1.pk])
    text = _text(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Next visit due" in text and "Overdue by 6 days" in text and "14 days from the last visit" in text
