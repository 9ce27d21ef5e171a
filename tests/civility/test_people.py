"""Volunteer teams and the 法律明白人 roster (docs/civility.md): teams made and named once, members joining and
leaving with their history kept, advisors with a mediator of the village only, who may change what, query
counts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import ExportRecord
from civility import services
from civility.models import Activity, ActivityKind, LegalAdvisor, Volunteer, VolunteerTeam
from disputes.models import Mediator
from residents import idnumber
from tests.conftest import make_resident

D = datetime.date


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: D(2026, 12, 5))


def team(village, name="学雷锋志愿服务队"):
    return VolunteerTeam.objects.create(village=village, name=name)


# --- teams -----------------------------------------------------------------------------------------------


def test_staff_found_a_team_and_a_second_one_of_the_same_name_is_refused(client, world, staff):
    client.force_login(staff)
    url = reverse("civility:team-new", args=[world.village.pk])
    assert client.get(url).status_code == 200
    data = {"name": "政策宣讲队", "focus": "政策宣讲", "leader": "张三", "founded_on": "2026-03-01"}
    response = client.post(url, data)
    t = VolunteerTeam.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("civility:team-detail", args=[t.pk])
    again = client.post(url, data)
    assert again.status_code == 400 and VolunteerTeam.objects.count() == 1
    assert "同名" in again.context["form"].errors["name"][0]


def test_members_join_leave_and_their_history_stays(client, world, staff):
    t = team(world.village)
    client.force_login(staff)
    add = reverse("civility:team-member-add", args=[t.pk])
    assert client.get(add).status_code == 200
    assert client.post(add, {"resident": world.resident1.pk, "joined_on": "2026-04-01"}).status_code == 302
    twice = client.post(add, {"resident": world.resident1.pk, "joined_on": "2026-05-01"})
    assert twice.status_code == 400 and "已在" in twice.content.decode()
    member = Volunteer.objects.get()
    assert client.post(reverse("civility:team-member-leave", args=[member.pk])).status_code == 302
    member.refresh_from_db()
    assert member.left_on == D(2026, 12, 5)
    # Rejoining after leaving is a new row; the old one stays as history.
    assert client.post(add, {"resident": world.resident1.pk, "joined_on": "2026-12-05"}).status_code == 302
    assert Volunteer.objects.filter(team=t).count() == 2
    page = client.get(reverse("civility:team-detail", args=[t.pk])).content.decode()
    assert 'id="members-past"' in page and "张三" in page


def test_a_resident_of_another_village_may_not_join(client, world, staff):
    t = team(world.village)
    client.force_login(staff)
    response = client.post(
        reverse("civility:team-member-add", args=[t.pk]),
        {"resident": world.other_resident.pk, "joined_on": "2026-04-01"},
    )
    assert response.status_code == 400 and not Volunteer.objects.exists()
    assert "本村" in response.context["form"].errors["resident"][0]
    with pytest.raises(Exception) as caught:
        services.team_member_add(by=staff, team=t, resident=world.other_resident)
    assert "resident" in caught.value.error_dict


def test_team_page_lists_this_years_activities(client, world, staff):
    t = team(world.village)
    for title, day in (("今年的清扫", D(2026, 6, 1)), ("去年的清扫", D(2025, 6, 1))):
        a = Activity(
            village=world.village,
            kind=ActivityKind.CLEANUP,
            title=title,
            held_on=day,
            organiser="村委会",
            place="村道",
            participants=12,
        )
        services.activity_save(by=staff, activity=a, teams=[t])
    client.force_login(staff)
    page = client.get(reverse("civility:team-detail", args=[t.pk])).content.decode()
    assert "今年的清扫" in page and "去年的清扫" not in page
    listed = client.get(reverse("civility:team-list", args=[world.village.pk])).context["page"].object_list
    assert [(x.name, x.activities_year) for x in listed] == [("学雷锋志愿服务队", 1)]


def test_the_town_reads_teams_but_may_not_change_them(client, world, staff, town):
    t = team(world.village)
    member = services.team_member_add(by=staff, team=t, resident=world.resident1)
    client.force_login(town)
    page = client.get(reverse("civility:team-detail", args=[t.pk])).content.decode()
    assert reverse("civility:team-member-leave", args=[member.pk]) not in page
    assert client.post(reverse("civility:team-member-leave", args=[member.pk])).status_code == 403
    member.refresh_from_db()
    assert member.left_on is None


# --- 法律明白人 --------------------------------------------------------------------------------------------


def test_staff_enter_an_advisor_who_is_also_a_mediator(client, world, staff):
    mediator = Mediator.objects.create(village=world.village, name="张三", type="party_veteran")
    client.force_login(staff)
    url = reverse("civility:advisor-new", args=[world.village.pk])
    assert client.get(url).status_code == 200
    data = {
        "resident": world.resident1.pk,
        "trained_on": "2026-03-01",
        "trained_by": "县司法局",
        "mediator": mediator.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    advisor = LegalAdvisor.objects.get()
    assert (advisor.resident, advisor.mediator, advisor.trained_by) == (world.resident1, mediator, "县司法局")
    page = client.get(reverse("civility:advisor-list", args=[world.village.pk])).content.decode()
    assert "县司法局" in page and "2026-03-01" in page
    # The same person twice on the roster is refused with a message.
    again = client.post(url, data)
    assert again.status_code == 400 and "已在法律明白人名册中" in again.content.decode()


def test_another_villages_mediator_or_resident_is_refused(client, world, staff):
    stranger = Mediator.objects.create(village=world.other_village, name="外村乙", type="deputy")
    client.force_login(staff)
    url = reverse("civility:advisor-new", args=[world.village.pk])
    data = {
        "resident": world.other_resident.pk,
        "trained_on": "2026-03-01",
        "trained_by": "县司法局",
        "mediator": stranger.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 400 and not LegalAdvisor.objects.exists()
    errors = response.context["form"].errors
    assert "本村" in errors["resident"][0] and "本村" in errors["mediator"][0]
    with pytest.raises(Exception) as caught:
        services.advisor_save(
            by=staff,
            advisor=LegalAdvisor(
                village=world.village,
                resident=world.other_resident,
                trained_on=D(2026, 3, 1),
                trained_by="x",
                mediator=stranger,
            ),
        )
    assert set(caught.value.error_dict) == {"resident", "mediator"}


def test_archive_takes_an_advisor_off_the_roster(client, world, staff):
    advisor = services.advisor_save(
        by=staff,
        advisor=LegalAdvisor(
            village=world.village, resident=world.resident1, trained_on=D(2026, 3, 1), trained_by="镇司法所"
        ),
    )
    client.force_login(staff)
    assert client.post(reverse("civility:advisor-archive", args=[advisor.pk])).status_code == 302
    advisor.refresh_from_db()
    assert advisor.is_archived
    listed = client.get(reverse("civility:advisor-list", args=[world.village.pk])).context["page"].object_list
    assert list(listed) == []


# --- search, filters and the Excel exports ---------------------------------------------------------------


def _sheet(response):
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_teams_are_found_by_name_or_by_a_current_member_and_exported_as_filtered(client, world, staff, town):
    lei_feng, cleanup = team(world.village, "学雷锋志愿服务队"), team(world.village, "环境整治志愿服务队")
    team(world.other_village, "外村服务队")
    services.team_member_add(by=staff, team=lei_feng, resident=world.resident1)
    gone = services.team_member_add(by=staff, team=cleanup, resident=world.resident1)
    services.team_member_leave(by=staff, volunteer=gone)
    services.team_member_add(by=staff, team=cleanup, resident=world.resident2)
    client.force_login(staff)
    url = reverse("civility:team-list", args=[world.village.pk])
    names = lambda params: [t.name for t in client.get(url, params).context["page"].object_list]  # noqa: E731
    assert names({}) == ["学雷锋志愿服务队", "环境整治志愿服务队"]
    assert names({"q": "环境"}) == ["环境整治志愿服务队"]
    # 张三 left the clean-up team: a search by name finds only the team he is in now.
    assert names({"q": "张三"}) == ["学雷锋志愿服务队"]
    assert "没有符合条件的服务队" in client.get(url, {"q": "无此队"}).content.decode()

    export = reverse("civility:team-export", args=[world.village.pk])
    rows = _sheet(client.get(export))
    assert rows[0][:5] == ("队伍名称", "服务方向", "负责人", "成立日期", "现有队员数")
    assert [(r[0], r[4], r[6]) for r in rows[1:]] == [
        ("学雷锋志愿服务队", 1, "张三"),
        ("环境整治志愿服务队", 1, "李四"),
    ]
    assert [r[0] for r in _sheet(client.get(export, {"q": "李四"}))[1:]] == ["环境整治志愿服务队"]
    record = ExportRecord.objects.filter(kind="civility_teams").latest("pk")
    assert (record.rows, record.user, record.village) == (1, staff, world.village)
    # The town office reads and exports; another village's staff get a 404.
    client.force_login(town)
    assert len(_sheet(client.get(export))) == 3


def test_the_roster_is_filtered_and_exported_without_personal_numbers(client, world, staff):
    mediator = Mediator.objects.create(village=world.village, name="张三", type="party_veteran")
    for resident, day, by, med in (
        (world.resident1, D(2025, 3, 1), "县司法局", mediator),
        (world.resident2, D(2026, 5, 1), "镇司法所", None),
    ):
        services.advisor_save(
            by=staff,
            advisor=LegalAdvisor(village=world.village, resident=resident, trained_on=day, trained_by=by, mediator=med),
        )
    client.force_login(staff)
    url = reverse("civility:advisor-list", args=[world.village.pk])
    names = lambda params: [a.resident.name for a in client.get(url, params).context["page"].object_list]  # noqa: E731
    assert names({}) == ["张三", "李四"]
    assert names({"q": "司法所"}) == ["李四"]
    assert names({"year": 2025}) == ["张三"]
    assert names({"mediator": "yes"}) == ["张三"] and names({"mediator": "no"}) == ["李四"]
    bad = client.get(url, {"year": "99999"})
    assert bad.status_code == 200 and bad.context["filter"].form.errors["year"]

    rows = _sheet(client.get(reverse("civility:advisor-export", args=[world.village.pk]), {"year": 2026}))
    assert rows == [("姓名", "培训日期", "培训单位", "同时是调解团成员"), ("李四", "2026-05-01", "镇司法所", None)]
    everything = _sheet(client.get(reverse("civility:advisor-export", args=[world.village.pk])))
    assert everything[1] == ("张三", "2025-03-01", "县司法局", "张三")
    # Nothing that identifies beyond the name leaves: no ID number, phone or address in any cell.
    cells = {str(c) for row in everything for c in row if c is not None}
    for resident in (world.resident1, world.resident2):
        resident.refresh_from_db()
        for secret in (resident.id_number, resident.phone, world.household1.address, world.household2.address):
            if secret:
                assert not any(secret in c for c in cells)
    assert ExportRecord.objects.filter(kind="civility_advisors").count() == 2


# --- query counts ----------------------------------------------------------------------------------------


def _teams(world, staff, n):
    for i in range(n):
        t = team(world.village, f"服务队{i:02d}")
        services.team_member_add(by=staff, team=t, resident=world.resident1)


def _advisors(world, staff, n):
    for i in range(n):
        first17 = f"110105199001{i + 10:02d}001"
        r = make_resident(world.household1, f"明白人{i}", first17 + idnumber.check_character(first17), relation="20")
        services.advisor_save(
            by=staff,
            advisor=LegalAdvisor(village=world.village, resident=r, trained_on=D(2026, 3, 1), trained_by="县司法局"),
        )


@pytest.mark.parametrize("n", [2, 20])
def test_team_list_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    _teams(world, staff, n)
    client.force_login(staff)
    url = reverse("civility:team-list", args=[world.village.pk])
    client.get(url)
    # session, user, scope, the village; count, page ids, page rows (with their counts); the inbox count;
    #
    with django_assert_num_queries(QUERIES_TEAM_LIST):
        assert client.get(url).status_code == 200


QUERIES_TEAM_LIST = 7


@pytest.mark.parametrize("n", [2, 20])
def test_advisor_list_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    _advisors(world, staff, n)
    client.force_login(staff)
    url = reverse("civility:advisor-list", args=[world.village.pk])
    client.get(url)
    # session, user, scope, the village; count, page ids, page rows with residents and mediators; the inbox
    # count.
    with django_assert_num_queries(QUERIES_ADVISOR_LIST):
        assert client.get(url).status_code == 200


QUERIES_ADVISOR_LIST = 7
