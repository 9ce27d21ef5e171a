"""The town's side-by-side Party compliance page, the dashboard's column and the town home's link: who may
open them, what they show (counts, never names), worst first, and queries that do not grow with villages."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grids.models import Grid, Role, Village
from party import selectors as party_selectors
from party import services
from party.models import Meeting, OrgKind
from tests.conftest import assign, make_user
from tests.party.conftest import org


def _held(organisation, kind, held_on, by, period=""):
    meeting = Meeting(
        organisation=organisation,
        kind=kind,
        held_on=held_on,
        period=period,
        place="党群服务中心",
        topic="学习",
        others_present=3,
    )
    return services.meeting_record(by=by, meeting=meeting, present=[])


def _last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.mark.parametrize(
    ("who", "expected"), [("town", 200), ("staff", 403), ("worker", 403), ("outsider", 403), ("secretary", 403)]
)
def test_only_the_town_office_opens_it(client, world, party, town, staff, worker, outsider, secretary, who, expected):
    client.force_login(
        {"town": town, "staff": staff, "worker": worker, "outsider": outsider, "secretary": secretary}[who]
    )
    assert client.get(reverse("party:town-compliance")).status_code == expected


def test_the_admin_opens_it(admin_client, world, party):
    assert admin_client.get(reverse("party:town-compliance")).status_code == 200


def test_it_shows_counts_side_by_side_worst_first_and_no_names(client, world, party, town, staff, member_user):
    # Village 2's one branch held everything of last month on time; village 1 held one meeting, late.
    last = _last_month()
    for kind in ("branch_committee", "theme_day"):
        _held(party.other_branch, kind, last, staff)
    _held(party.branch1, "branch_committee", timezone.localdate(), staff, period=f"{last:%Y-%m}")
    client.force_login(town)
    response = client.get(reverse("party:town-compliance"))
    page = response.content.decode()
    rows = response.context["rows"]
    assert rows[0].village.name == "一村"  # the lower on-time share first
    one = rows[0]
    assert one.members == 2 and one.year.late == 1 and one.year.held == 0
    assert one.contacts.linked == 1 and one.contacts.households == 2 and one.contacts.linked_percent == 50
    for name in (world.resident1.name, world.resident2.name, party.branch1.name, "支部书记"):
        assert name not in page
    assert "/party/members" not in page and "/party/organisations/" not in page  # no link to the records
    chart = json.loads(page.split('id="party-compliance-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"] == [r.village.name for r in rows]
    assert chart["on_time"] == [r.year.on_time_percent for r in rows]


def test_the_town_home_links_to_it_and_the_dashboard_has_the_column(client, world, party, town, staff):
    _held(party.other_branch, "branch_committee", _last_month(), staff)
    client.force_login(town)
    assert reverse("party:town-compliance") in client.get(reverse("reports:town-home")).content.decode()
    response = client.get(reverse("reports:town-dashboard"))
    assert "党组织会议按时率（本年）" in response.content.decode()
    by_village = {v.pk: v.party_on_time for v in response.context["villages"]}
    assert by_village == party_selectors.on_time_this_year([world.village.pk, world.other_village.pk])
    assert by_village[world.village.pk] in (0, None)  # nothing held on time this year (None in January)
    assert client.get(reverse("reports:town-dashboard-export")).status_code == 200


def _grow(world, n, staff):
    for i in range(Village.objects.filter(town=world.town).count(), n):
        village = Village.objects.create(town=world.town, name=f"村{i:02d}")
        grid = Grid.objects.create(village=village, number=1, name="第一网格")
        worker = make_user(f"vw{i}", village)
        assign(worker, Role.GRID_WORKER, grid)
        top = org(village, OrgKind.GENERAL_BRANCH, f"村{i:02d}党总支")
        branch = org(village, OrgKind.BRANCH, f"村{i:02d}支部", parent=top, grid=grid)
        _held(branch, "branch_committee", _last_month(), staff)


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_villages(client, world, party, town, staff, django_assert_num_queries):
    client.force_login(town)
    url = reverse("party:town-compliance")
    _grow(world, 2, staff)
    # session, user, scope, the villages, members, households, links with their contacts, rules, organisations,
    # meetings, unread inbox
    small = _queries(client, url)
    dashboard = _queries(client, reverse("reports:town-dashboard"))
    _grow(world, 10, staff)
    assert _queries(client, url) == small
    assert _queries(client, reverse("reports:town-dashboard")) == dashboard
    with django_assert_num_queries(11):
        client.get(url)


def test_the_dashboards_kept_share_changes_with_a_meeting_recorded(client, world, party, town, staff):
    """The dashboard keeps the shares while no meeting, organisation or rule changes (reports/dashboard.py);
    a meeting recorded is counted on the next reading, with the Party's three queries only."""
    client.force_login(town)
    url = reverse("reports:town-dashboard")
    client.get(url)
    kept_count = _queries(client, url)
    before = {v.pk: v.party_on_time for v in client.get(url).context["villages"]}
    today = timezone.localdate()
    _held(party.branch1, "branch_committee", today, staff, period=f"{today:%Y-%m}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    after = {v.pk: v.party_on_time for v in response.context["villages"]}
    assert len(queries) == kept_count + 3
    assert after == party_selectors.on_time_this_year([world.village.pk, world.other_village.pk])
    assert after != before


def test_the_town_counts_current_links_of_active_households_only(world, party, staff):
    """The town's contact figures read the links by their members' ids, less the villages' archived
    households (party.selectors.contacts_by_village): an archived household's link is not counted, an ended
    link is not, another village's links count there."""
    services.contact_link(by=staff, member=party.member1, household=world.household1)
    services.contact_link(by=staff, member=party.member1, household=world.household2)
    services.contact_link(by=staff, member=party.other_member, household=world.other_household)
    ids = [world.village.pk, world.other_village.pk]
    before = party_selectors.contacts_by_village(ids)
    assert (before[world.village.pk].linked, before[world.other_village.pk].linked) == (2, 1)
    world.household2.archived_at = timezone.now()
    world.household2.save(update_fields=["archived_at"])
    after = party_selectors.contacts_by_village(ids)
    assert (after[world.village.pk].linked, after[world.other_village.pk].linked) == (1, 1)
    assert after[world.village.pk].households == before[world.village.pk].households - 1


def test_the_town_counts_links_per_member_as_the_join_counts_them(world, party, staff, member_user):
    """``town_compliance`` reads every member's village once and counts the links per member
    (``contacts_by_village(..., member_villages=...)``), with no join of each link to its member: the same
    figures as the links grouped by their member's village, contacted ones and another village's included."""
    services.contact_link(by=staff, member=party.member1, household=world.household1)
    services.contact_link(by=staff, member=party.member1, household=world.household2)
    services.contact_link(by=staff, member=party.other_member, household=world.other_household)
    services.contact_record(by=member_user, member=party.member1, household=world.household1)
    villages = [world.village, world.other_village]
    ids = [v.pk for v in villages]
    joined = party_selectors.contacts_by_village(ids)
    with CaptureQueriesContext(connection) as queries:
        rows = party_selectors.town_compliance(villages)
    by_village = {r.village.pk: r.contacts for r in rows}
    assert by_village == joined
    assert (by_village[world.village.pk].linked, by_village[world.village.pk].contacted) == (2, 1)
    assert by_village[world.other_village.pk].linked == 1
    links = [q["sql"] for q in queries if 'FROM "party_contactlink"' in q["sql"]]
    assert len(links) == 1 and 'JOIN "party_partymember"' not in links[0]
    # The members are read unordered: a member's default order joins its branch, village and town.
    members = [q["sql"] for q in queries if q["sql"].startswith('SELECT "party_partymember"."id" AS "pk"')]
    assert len(members) == 1 and "ORDER BY" not in members[0] and "JOIN" not in members[0]
    assert {r.village.pk: r.members for r in rows} == {world.village.pk: 2, world.other_village.pk: 1}
