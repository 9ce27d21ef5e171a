"""The village's Party pages (docs/party.md): overview, organisations, members (list, import, export,
contact households), meetings — who may open them, what bad input gets, what they cost in queries."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from audit.models import AuditAction, AuditEntry, ExportRecord
from grids.models import Role
from party import services
from party.models import (
    Attendance,
    ContactLink,
    Meeting,
    MeetingKind,
    MeetingPhoto,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrganisation,
)
from residents import idnumber
from residents.codes import Political, Relation
from residents.models import Resident
from tests.conftest import ID1, ID2, assign, make_resident, make_user, png_bytes
from tests.party.conftest import member as make_member

# --- who may open what -----------------------------------------------------------------------------------


def _pages(world, party) -> list[str]:
    v = world.village.pk
    meeting = _meeting(party)
    photo = MeetingPhoto.objects.create(meeting=meeting, image=SimpleUploadedFile("p.jpg", png_bytes()))
    return [
        reverse("party:overview", args=[v]),
        reverse("party:organisation-new", args=[v]),
        reverse("party:organisation-detail", args=[party.branch1.pk]),
        reverse("party:organisation-edit", args=[party.branch1.pk]),
        reverse("party:member-list", args=[v]),
        reverse("party:member-new", args=[v]),
        reverse("party:member-export", args=[v]),
        reverse("party:member-import", args=[v]),
        reverse("party:member-detail", args=[party.member1.pk]),
        reverse("party:member-edit", args=[party.member1.pk]),
        reverse("party:meeting-list", args=[v]),
        reverse("party:meeting-new", args=[v]),
        reverse("party:meeting-new", args=[v]) + f"?organisation={party.branch1.pk}",
        reverse("party:meeting-detail", args=[meeting.pk]),
        reverse("party:meeting-photo", args=[photo.pk]),
    ]


def _meeting(party, *, held_on=None, org=None, kind=MeetingKind.BRANCH_COMMITTEE, by=None, period="") -> Meeting:
    org = org or party.branch1
    meeting = Meeting(
        organisation=org,
        kind=kind,
        held_on=held_on or timezone.localdate(),
        place="村部",
        topic="学习",
        chair=party.member1,
        period=period,
    )
    by = by or make_user(f"rec{Meeting.objects.count()}", org.village)
    return services.meeting_record(by=by, meeting=meeting, present=[party.member1], absent={})


@pytest.mark.parametrize("persona", ["staff", "secretary"])
def test_village_staff_and_secretary_open_every_page(client, world, party, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in _pages(world, party):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["town", "worker", "outsider", "member_user"])
def test_others_get_404_on_every_page(client, world, party, request, persona):
    """Political affiliation is personal: the town (compliance only, on its own page), a grid worker, another
    village's staff and a plain member with a login see none of these pages."""
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in _pages(world, party):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_login(client, world, party):
    response = client.get(reverse("party:overview", args=[world.village.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_other_villages_records_are_404_for_staff(client, world, party, staff):
    client.force_login(staff)
    assert client.get(reverse("party:member-detail", args=[party.other_member.pk])).status_code == 404
    assert client.get(reverse("party:organisation-detail", args=[party.other_branch.pk])).status_code == 404
    assert client.get(reverse("party:overview", args=[world.other_village.pk])).status_code == 404


def test_nav_link_for_those_who_see_the_party(client, world, party, staff, town, secretary):
    overview = reverse("party:overview", args=[world.village.pk])
    client.force_login(staff)
    page = client.get(reverse("residents:household-list")).content.decode()
    assert f'<a href="{overview}">党建</a>' in page
    village_page = client.get(reverse("reports:village-overview", args=[world.village.pk])).content.decode()
    assert overview in village_page
    client.force_login(town)
    assert overview not in client.get(reverse("reports:village-overview", args=[world.village.pk])).content.decode()
    client.force_login(secretary)
    page = client.get(reverse("party:meeting-list", args=[world.village.pk])).content.decode()
    assert f'<a href="{overview}">党建</a>' in page


# --- the overview ----------------------------------------------------------------------------------------


def test_overview_shows_tree_members_ages_coverage_and_overdue(client, world, party, staff):
    services.contact_link(by=staff, member=party.member1, household=world.household1)
    client.force_login(staff)
    response = client.get(reverse("party:overview", args=[world.village.pk]))
    page = response.content.decode()
    for name in ("一村党总支", "第一网格党支部", "产业党支部", "第一党小组", "第二党小组"):
        assert name in page
    assert "二村党支部" not in page
    assert response.context["counts"].total == 2
    assert sum(b["n"] for b in response.context["age_bars"]) == 2
    coverage = {g.pk: c for g, c in response.context["coverage_rows"]}
    assert coverage[world.grid1.pk].households == 1 and coverage[world.grid1.pk].linked == 1
    assert coverage[world.grid2.pk].linked == 0
    # Founded 2024: every period of this year that has ended owes its meetings; none held.
    done = response.context["compliance"]
    assert done.year.overdue == sum(len(row["periods"]) for row in response.context["overdue"])
    if timezone.localdate().month > 1:
        assert done.year.overdue > 0
        first = response.context["overdue"][0]
        record = reverse("party:meeting-new", args=[world.village.pk])
        link = f"{record}?organisation={first['organisation_id']}&amp;kind={first['kind']}&amp;period={first['periods'][0]}"
        assert link in page
        # One line per organisation and kind.
        assert len({(r["organisation_id"], r["kind"]) for r in response.context["overdue"]}) == len(
            response.context["overdue"]
        )


def _add_members(world, party, n: int) -> None:
    for i in range(n):
        number = _id_number(1990, i)
        resident = make_resident(world.household1, f"党员{i}", number, relation=Relation.SIBLING)
        make_member(world.village, resident, party.branch2)


def _id_number(year: int, i: int) -> str:
    first17 = f"110105{year}0101{i:03d}"
    return first17 + idnumber.check_character(first17)


@pytest.mark.parametrize("n", [2, 20])
def test_overview_query_count_is_constant(client, world, party, staff, django_assert_num_queries, n):
    _add_members(world, party, n)
    for i in range(n):
        _meeting(party, held_on=timezone.localdate() - datetime.timedelta(days=i), by=staff)
    client.force_login(staff)
    url = reverse("party:overview", args=[world.village.pk])
    client.get(url)
    # session, user, scope, the village's Party secretaries (rules.led_village_ids), the village; the tree,
    # the members, coverage (the grids, households, links and their contacts), compliance (rules, organisations, meetings), organisation names;
    # the inbox count.
    with django_assert_num_queries(QUERIES_OVERVIEW):
        assert client.get(url).status_code == 200


QUERIES_OVERVIEW = 16


# --- organisations ---------------------------------------------------------------------------------------


def test_create_branch_on_a_grid_with_secretary_and_committee(client, world, party, staff):
    account = make_user("cadre", world.village, full_name="委员甲")
    client.force_login(staff)
    party.branch1.grid = None
    party.branch1.save(update_fields=["grid"])
    response = client.post(
        reverse("party:organisation-new", args=[world.village.pk]),
        {
            "kind": OrgKind.BRANCH,
            "name": "第二网格党支部",
            "parent": party.top.pk,
            "grid": world.grid2.pk,
            "founded_on": "2025-03-15",
            "secretary": account.pk,
            "committee": [account.pk, staff.pk],
        },
    )
    org = PartyOrganisation.objects.get(name="第二网格党支部")
    assert response.status_code == 302 and response["Location"] == reverse("party:organisation-detail", args=[org.pk])
    assert org.grid == world.grid2 and org.secretary == account
    assert set(org.committee.all()) == {account, staff}


def test_new_group_from_a_branch_page_is_prefilled(client, world, party, staff):
    client.force_login(staff)
    page = client.get(reverse("party:organisation-detail", args=[party.branch1.pk])).content.decode()
    url = reverse("party:organisation-new", args=[world.village.pk]) + f"?kind=group&amp;parent={party.branch1.pk}"
    assert url in page
    form = client.get(url.replace("&amp;", "&")).context["form"]
    assert form["kind"].value() == "group" and str(form["parent"].value()) == str(party.branch1.pk)


def test_organisation_form_refuses_other_villages_people_and_a_second_branch_on_a_grid(client, world, party, staff):
    foreigner = make_user("foreigner", world.other_village)
    client.force_login(staff)
    url = reverse("party:organisation-new", args=[world.village.pk])
    data = {"kind": OrgKind.BRANCH, "name": "新支部", "parent": party.top.pk, "founded_on": "2025-01-01"}
    response = client.post(url, data | {"secretary": foreigner.pk})
    assert response.status_code == 400 and "secretary" in response.context["form"].errors
    response = client.post(url, data | {"grid": world.grid1.pk})  # branch 1 stands on grid 1
    assert response.status_code == 400
    assert "一网格一党支部" in response.content.decode() or "已有党支部" in response.content.decode()
    response = client.post(url, data | {"kind": OrgKind.GROUP, "parent": party.top.pk})
    assert response.status_code == 400 and "党小组须设在一个党支部下" in response.content.decode()
    assert response.context["form"]["name"].value() == "新支部"  # kept
    assert not PartyOrganisation.objects.filter(name="新支部").exists()


def test_edit_and_archive(client, world, party, staff):
    client.force_login(staff)
    response = client.post(
        reverse("party:organisation-edit", args=[party.branch2.pk]),
        {"kind": OrgKind.BRANCH, "name": "产业党支部（合作社）", "parent": party.top.pk, "founded_on": "2024-01-01"},
    )
    assert response.status_code == 302
    party.branch2.refresh_from_db()
    assert party.branch2.name == "产业党支部（合作社）"
    # Branch 1 still has members: refused with a message, nothing archived.
    response = client.post(reverse("party:organisation-archive", args=[party.branch1.pk]), follow=True)
    assert "仍有" in response.content.decode() or "下属组织" in response.content.decode()
    party.branch1.refresh_from_db()
    assert not party.branch1.is_archived
    client.post(reverse("party:organisation-archive", args=[party.branch2.pk]))
    party.branch2.refresh_from_db()
    assert party.branch2.is_archived


def test_branch_page_shows_groups_members_coverage_and_periods(client, world, party, staff):
    services.contact_link(by=staff, member=party.member1, household=world.household1)
    meeting = _meeting(party, by=staff)
    client.force_login(staff)
    response = client.get(reverse("party:organisation-detail", args=[party.branch1.pk]))
    page = response.content.decode()
    assert "第一党小组" in page and "张三" in page and "李四" in page
    assert response.context["coverage"].households == 1 and response.context["coverage"].linked == 1
    cells = [c for row in response.context["periods"] for c in row["cells"]]
    held = [c for c in cells if c["item"].meeting_id == meeting.pk]
    assert held and held[0]["item"].state == "held"
    # One row per organisation and kind: the branch's five kinds and each group's meetings.
    assert len(response.context["periods"]) == len({(c["item"].organisation_id, c["item"].kind) for c in cells})
    assert reverse("party:meeting-detail", args=[meeting.pk]) in page


# --- members ---------------------------------------------------------------------------------------------


def test_member_list_search_by_name_and_exact_id_number(client, world, party, staff):
    client.force_login(staff)
    url = reverse("party:member-list", args=[world.village.pk])
    names = lambda r: [m.resident.name for m in r.context["page"].object_list]  # noqa: E731
    assert sorted(names(client.get(url))) == ["张三", "李四"]
    assert names(client.get(url, {"q": "张"})) == ["张三"]
    assert names(client.get(url, {"q": ID2})) == ["李四"]
    assert names(client.get(url, {"q": ID2[:-1]})) == []  # not a partial number match
    assert names(client.get(url, {"status": MemberStatus.PROBATION})) == ["李四"]
    assert names(client.get(url, {"group": party.group1.pk})) == ["张三"]
    assert names(client.get(url, {"branch": party.branch2.pk})) == []


def test_member_list_age_and_floating_filters(client, world, party, staff):
    party.member2.floating = True
    party.member2.away_place = "广东东莞"
    party.member2.save()
    client.force_login(staff)
    url = reverse("party:member-list", args=[world.village.pk])
    names = lambda r: sorted(m.resident.name for m in r.context["page"].object_list)  # noqa: E731
    # 张三 born 1949 (over 60), 李四 1980.
    assert names(client.get(url, {"age": "under60"})) == ["李四"]
    assert names(client.get(url, {"age": "3"})) == ["张三"]
    assert names(client.get(url, {"floating": "true"})) == ["李四"]


def test_member_list_rows_name_resident_branch_and_group_without_building_them(client, world, party, staff):
    """The rows carry the names, gender label and birth date as values (docs/performance.md, "What a row
    shows"): no resident or organisation object is made for them."""
    from tests.conftest import models_built

    url = reverse("party:member-list", args=[world.village.pk])

    def built(query: str):
        with models_built() as made:
            return client.get(url + query).content.decode(), made

    client.force_login(staff)
    page, made = built("")
    _empty, made_for_none = built("?q=没有这个人")  # the same page without rows: its filter's options
    row = next(r for r in page.split("<tr") if f'data-member="{party.member1.pk}"' in r)
    resident = party.member1.resident
    assert resident.name in row and resident.get_gender_display() in row
    assert party.branch1.name in row and party.group1.name in row
    assert f'<td class="num">{resident.age_on(timezone.localdate())}</td>' in row
    assert made["Resident"] == 0 and made["PartyMember"] == 2
    assert made["PartyOrganisation"] == made_for_none["PartyOrganisation"]


@pytest.mark.parametrize("n", [2, 20])
def test_member_list_query_count_is_constant(client, world, party, staff, django_assert_num_queries, n):
    _add_members(world, party, n)
    client.force_login(staff)
    url = reverse("party:member-list", args=[world.village.pk])
    client.get(url)
    # session, user, scope, secretaries, the village; count, page ids, page rows; the inbox count; the
    # filter's branch and group choices.
    with django_assert_num_queries(QUERIES_MEMBER_LIST):
        assert client.get(url).status_code == 200


QUERIES_MEMBER_LIST = 10


def test_a_secretarys_search_by_full_id_number_is_recorded(client, world, party, secretary):
    """A secretary does not see full ID numbers: their search by one is recorded like a reveal (the
    registry's rule, residents/disclosure.py), and still finds the member."""
    client.force_login(secretary)
    response = client.get(reverse("party:member-list", args=[world.village.pk]), {"q": ID2})
    assert [m.resident.name for m in response.context["page"].object_list] == ["李四"]
    assert AuditEntry.objects.filter(actor=secretary, action=AuditAction.SEARCH_ID).count() == 1


def test_new_member_by_id_number_and_by_choice(client, world, party, staff):
    resident = make_resident(world.household2, "赵六", _id_number(1985, 7), relation=Relation.SON)
    other = make_resident(world.household2, "钱七", _id_number(1986, 8), relation=Relation.SON)
    client.force_login(staff)
    url = reverse("party:member-new", args=[world.village.pk])
    data = {"branch": party.branch2.pk, "joined_on": "2015-07-01", "status": MemberStatus.FULL}
    response = client.post(url, data | {"id_number": resident.id_number})
    member = PartyMember.objects.get(resident=resident)
    assert response.status_code == 302 and response["Location"] == reverse("party:member-detail", args=[member.pk])
    resident.refresh_from_db()
    assert resident.political == Political.CPC_MEMBER
    response = client.post(url, data | {"resident": other.pk, "status": MemberStatus.PROBATION})
    assert PartyMember.objects.get(resident=other).status == MemberStatus.PROBATION


def test_new_member_bad_input_keeps_the_form_and_saves_nothing(client, world, party, staff):
    client.force_login(staff)
    url = reverse("party:member-new", args=[world.village.pk])
    before = PartyMember.objects.count()
    data = {"branch": party.branch2.pk, "joined_on": "2015-07-01", "status": MemberStatus.FULL}
    # An ID number of another village's resident: not found among this village's.
    response = client.post(url, data | {"id_number": world.other_resident.id_number})
    assert response.status_code == 400 and "id_number" in response.context["form"].errors
    # Neither number nor choice.
    response = client.post(url, data)
    assert response.status_code == 400 and "resident" in response.context["form"].errors
    # A group of another branch; floating without where; joined tomorrow.
    resident = make_resident(world.household2, "赵六", _id_number(1985, 7), relation=Relation.SON)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        url, data | {"id_number": resident.id_number, "group": party.group1.pk, "floating": "on", "joined_on": tomorrow}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "党小组须属于所选的党支部" in page or "入党日期不能晚于今天" in page
    assert response.context["form"]["id_number"].value() == resident.id_number
    assert PartyMember.objects.count() == before
    # Someone already a member.
    response = client.post(url, data | {"id_number": ID1})
    assert response.status_code == 400
    assert PartyMember.objects.count() == before


def test_edit_member(client, world, party, staff):
    client.force_login(staff)
    response = client.post(
        reverse("party:member-edit", args=[party.member2.pk]),
        {
            "branch": party.branch1.pk,
            "group": party.group2.pk,
            "joined_on": "2020-07-01",
            "status": MemberStatus.FULL,
            "floating": "on",
            "away_place": "浙江义乌",
        },
    )
    assert response.status_code == 302
    party.member2.refresh_from_db()
    assert party.member2.status == MemberStatus.FULL and party.member2.away_place == "浙江义乌"
    assert Resident.objects.get(pk=world.resident2.pk).political == Political.CPC_MEMBER


def test_link_household_moves_it_from_another_member_and_end(client, world, party, staff):
    services.contact_link(by=staff, member=party.member2, household=world.household1, on=datetime.date(2025, 1, 1))
    client.force_login(staff)
    response = client.post(reverse("party:member-link", args=[party.member1.pk]), {"household": "0001"}, follow=True)
    assert "原联系党员" in response.content.decode()
    links = ContactLink.objects.filter(household=world.household1)
    current = links.get(ended_on__isnull=True)
    assert current.member == party.member1
    assert links.get(member=party.member2).ended_on == timezone.localdate() - datetime.timedelta(days=1)
    # Another village's household, or no such number: a message, nothing linked.
    response = client.post(reverse("party:member-link", args=[party.member1.pk]), {"household": "9999"}, follow=True)
    assert "9999" in response.content.decode()
    assert ContactLink.objects.filter(member=party.member1).count() == 1
    page = client.get(reverse("party:member-detail", args=[party.member2.pk])).content.decode()
    assert "以往联系户" in page
    client.post(reverse("party:link-end", args=[current.pk]))
    current.refresh_from_db()
    assert current.ended_on == timezone.localdate()


def test_link_end_of_another_village_is_404(client, world, party, staff, outsider):
    link = services.contact_link(by=staff, member=party.member1, household=world.household1)
    client.force_login(outsider)
    assert client.post(reverse("party:link-end", args=[link.pk])).status_code == 404
    assert client.post(reverse("party:member-link", args=[party.member1.pk]), {"household": "0001"}).status_code == 404


def test_member_detail_lists_contacts_and_meetings(client, world, party, staff, member_user):
    services.contact_record(by=member_user, member=party.member1, household=world.household1, note="看望老人")
    meeting = _meeting(party, by=staff)
    client.force_login(staff)
    page = client.get(reverse("party:member-detail", args=[party.member1.pk])).content.decode()
    assert "看望老人" in page and "张庄1号" in page
    assert reverse("party:meeting-detail", args=[meeting.pk]) in page


# --- export and import -----------------------------------------------------------------------------------


def test_export_holds_the_filtered_members_and_is_recorded(client, world, party, staff):
    client.force_login(staff)
    response = client.get(reverse("party:member-export", args=[world.village.pk]), {"group": party.group2.pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:8] == ("姓名", "身份证号", "支部", "党小组", "入党日期", "党员类别", "是否流动党员", "流动去向")
    assert rows[1:] == [("李四", ID2, "第一网格党支部", "第二党小组", "2010-07-01", "预备党员", "否", None)]
    export = ExportRecord.objects.get(kind="party_members")
    assert export.user == staff and export.rows == 1 and export.full_id_numbers
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, model="party_members").exists()


def test_export_masks_id_numbers_for_a_secretary(client, world, party, secretary):
    client.force_login(secretary)
    response = client.get(reverse("party:member-export", args=[world.village.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert ID1 not in [r[1] for r in rows] and len(rows) == 3
    assert not ExportRecord.objects.get(kind="party_members").full_id_numbers


def _sheet(rows: list[tuple]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = "党员名册"
    sheet.append(["身份证号", "支部", "党小组", "入党日期", "党员类别", "是否流动党员", "流动去向"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("members.xlsx", out.getvalue())


def _residents(world, n: int) -> list[Resident]:
    return [
        make_resident(world.household2, f"居民{i}", _id_number(1970 + i % 40, i), relation=Relation.SIBLING)
        for i in range(n)
    ]


@pytest.fixture
def three_hundred(world):
    return _residents(world, 300)


def test_import_300_rows_with_one_bad_saves_nothing_and_names_row_and_column(
    client, world, party, staff, three_hundred
):
    rows = [(r.id_number, "产业党支部", "", "2012-07-01", "正式党员", "否", "") for r in three_hundred]
    rows[149] = (three_hundred[149].id_number, "不存在的支部", "", "2012-07-01", "正式党员", "否", "")
    client.force_login(staff)
    before = PartyMember.objects.count()
    response = client.post(reverse("party:member-import", args=[world.village.pk]), {"file": _sheet(rows)})
    assert response.status_code == 400
    outcome = response.context["outcome"]
    assert outcome.rows == 300 and not outcome.saved
    assert outcome.errors == [(151, "支部", "本村没有名为“不存在的支部”的党支部。")]
    page = response.content.decode()
    assert "第 151 行" in page and "不存在的支部" in page
    assert PartyMember.objects.count() == before
    # Corrected, the whole file goes in at once.
    rows[149] = (three_hundred[149].id_number, "产业党支部", "", "2012-07-01", "正式党员", "否", "")
    response = client.post(reverse("party:member-import", args=[world.village.pk]), {"file": _sheet(rows)})
    assert response.status_code == 200 and response.context["outcome"].created == 300
    assert PartyMember.objects.count() == before + 300
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT, model="party_members").exists()


def test_import_checks_each_cell_and_may_keep_the_good_rows(client, world, party, staff):
    residents = _residents(world, 3)
    rows = [
        (residents[0].id_number, "第一网格党支部", "第一党小组", "2012-07-01", "预备党员", "否", ""),
        (residents[1].id_number, "第一网格党支部", "不存在的小组", "2012-07-01", "正式党员", "否", ""),
        ("110105190001019999", "产业党支部", "", "昨天", "正式党员", "是", ""),
        (ID1, "产业党支部", "", "2001-07-01", "正式党员", "是", "江苏苏州"),  # updates member 1
        (residents[0].id_number, "产业党支部", "", "2012-07-01", "正式党员", "否", ""),
    ]
    client.force_login(staff)
    url = reverse("party:member-import", args=[world.village.pk])
    response = client.post(url, {"file": _sheet(rows)})
    errors = {(n, column) for n, column, _reason in response.context["outcome"].errors}
    assert (3, "党小组") in errors and (4, "身份证号") in errors and (4, "入党日期") in errors
    assert (6, "身份证号") in errors  # the same person twice
    assert not PartyMember.objects.filter(resident=residents[0]).exists()
    response = client.post(url, {"file": _sheet(rows), "mode": "valid"})
    assert response.context["outcome"].saved
    assert PartyMember.objects.get(resident=residents[0]).status == MemberStatus.PROBATION
    party.member1.refresh_from_db()
    assert party.member1.branch == party.branch2 and party.member1.floating and party.member1.away_place == "江苏苏州"


def test_import_refuses_a_file_that_is_not_a_sheet(client, world, party, staff):
    client.force_login(staff)
    url = reverse("party:member-import", args=[world.village.pk])
    response = client.post(url, {"file": SimpleUploadedFile("m.xlsx", b"not a workbook")})
    assert response.status_code == 400 and "无法读取该文件" in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("m.csv", b"a,b")})
    assert response.status_code == 400 and ".xlsx" in response.content.decode()


def test_export_reimports(client, world, party, staff):
    client.force_login(staff)
    exported = client.get(reverse("party:member-export", args=[world.village.pk])).content
    response = client.post(
        reverse("party:member-import", args=[world.village.pk]),
        {"file": SimpleUploadedFile("m.xlsx", exported)},
    )
    assert response.status_code == 200 and response.context["outcome"].updated == 2


# --- meetings --------------------------------------------------------------------------------------------


def _meeting_post(party, **extra) -> dict:
    data = {
        "kind": MeetingKind.BRANCH_COMMITTEE,
        "held_on": timezone.localdate().isoformat(),
        "period": "",
        "place": "村党群服务中心",
        "topic": "研究本月网格工作",
        "chair": party.member1.pk,
        "chair_name": "",
        "others_present": "2",
        "minutes": "讨论了……",
        "decisions": "一、……",
        f"att-{party.member1.pk}": "present",
        f"att-{party.member2.pk}": "absent",
        f"reason-{party.member2.pk}": "外出务工",
    }
    data.update(extra)
    return data


def test_record_a_meeting_with_attendance_and_photos(client, world, party, staff):
    client.force_login(staff)
    url = reverse("party:meeting-new", args=[world.village.pk]) + f"?organisation={party.branch1.pk}"
    page = client.get(url)
    assert [row["member"] for row in page.context["checklist"]] == [party.member1, party.member2]
    photo = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    response = client.post(url, _meeting_post(party, photos=[photo]))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("party:meeting-detail", args=[meeting.pk])
    assert meeting.period == timezone.localdate().strftime("%Y-%m") and not meeting.late
    assert meeting.recorded_by == staff and meeting.village == world.village
    assert set(Attendance.objects.values_list("member_id", "present", "absence_reason")) == {
        (party.member1.pk, True, ""),
        (party.member2.pk, False, "外出务工"),
    }
    detail = client.get(reverse("party:meeting-detail", args=[meeting.pk])).content.decode()
    assert "外出务工" in detail
    photo = meeting.photos.get()
    assert reverse("party:meeting-photo", args=[photo.pk]) in detail
    assert client.get(reverse("party:meeting-photo", args=[photo.pk])).status_code == 200


def test_a_meeting_for_an_ended_period_is_marked_late(client, world, party, staff):
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    client.force_login(staff)
    url = reverse("party:meeting-new", args=[world.village.pk]) + f"?organisation={party.branch1.pk}"
    response = client.post(url, _meeting_post(party, period=last_month_end.strftime("%Y-%m")))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.late
    assert "逾期召开" in client.get(reverse("party:meeting-detail", args=[meeting.pk])).content.decode()


def test_meeting_bad_input_keeps_the_form_and_saves_nothing(client, world, party, staff):
    client.force_login(staff)
    url = reverse("party:meeting-new", args=[world.village.pk]) + f"?organisation={party.branch1.pk}"
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    cases = [
        ({f"reason-{party.member2.pk}": ""}, "请填写缺席原因"),
        ({"held_on": tomorrow}, "召开日期不能晚于今天"),
        ({"period": "2026-13"}, "所属周期的格式"),
        ({"chair": ""}, "请选择主持人"),
        ({"chair": party.other_member.pk}, "主持人"),
        ({"photos": [SimpleUploadedFile("a.png", b"not an image")]}, "照片"),
        (
            {f"att-{party.member1.pk}": "", f"att-{party.member2.pk}": "", "others_present": "0"},
            "请登记出席的人员",
        ),
    ]
    for change, message in cases:
        response = client.post(url, _meeting_post(party, **change))
        assert response.status_code == 400, change
        page = response.content.decode()
        assert message in page, change
        assert response.context["form"]["topic"].value() == "研究本月网格工作"
    assert not Meeting.objects.exists() and not Attendance.objects.exists() and not MeetingPhoto.objects.exists()


def test_meeting_of_another_villages_organisation_is_refused(client, world, party, staff):
    client.force_login(staff)
    url = reverse("party:meeting-new", args=[world.village.pk]) + f"?organisation={party.other_branch.pk}"
    response = client.get(url)
    assert response.status_code == 200 and response.context.get("chooser").errors
    assert client.post(url, _meeting_post(party)).status_code == 200
    assert not Meeting.objects.exists()


def test_meeting_list_filters(client, world, party, staff):
    on_time = _meeting(party, by=staff)
    group = _meeting(party, org=party.group1, kind=MeetingKind.GROUP_MEETING, by=staff)
    client.force_login(staff)
    url = reverse("party:meeting-list", args=[world.village.pk])
    ids = lambda r: [m.pk for m in r.context["page"].object_list]  # noqa: E731
    assert set(ids(client.get(url))) == {on_time.pk, group.pk}
    assert ids(client.get(url, {"organisation": party.group1.pk})) == [group.pk]
    assert ids(client.get(url, {"kind": MeetingKind.BRANCH_COMMITTEE})) == [on_time.pk]
    assert ids(client.get(url, {"late": "true"})) == []
    today = timezone.localdate()
    assert len(ids(client.get(url, {"year": today.year, "month": today.month}))) == 2
    assert ids(client.get(url, {"year": today.year - 1})) == []
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    late = _meeting(party, by=staff, period=last_month)
    response = client.get(url, {"late": "true"})
    assert ids(response) == [late.pk] and "逾期召开" in response.content.decode()


@pytest.mark.parametrize("n", [2, 20])
def test_meeting_list_query_count_is_constant(client, world, party, staff, django_assert_num_queries, n):
    for i in range(n):
        _meeting(party, held_on=timezone.localdate() - datetime.timedelta(days=i), by=staff)
    client.force_login(staff)
    url = reverse("party:meeting-list", args=[world.village.pk])
    client.get(url)
    # session, user, scope, secretaries, the village; count, page ids, page rows; the inbox count; the
    # organisation choices.
    with django_assert_num_queries(QUERIES_MEETING_LIST):
        assert client.get(url).status_code == 200


QUERIES_MEETING_LIST = 9


def test_meeting_photo_only_for_who_sees_the_meeting(client, world, party, staff, outsider, town):
    meeting = _meeting(party, by=staff)
    photo = MeetingPhoto.objects.create(meeting=meeting, image=SimpleUploadedFile("p.jpg", png_bytes()))
    url = reverse("party:meeting-photo", args=[photo.pk])
    for user in (outsider, town):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_committee_member_of_the_village_sees_the_pages(client, world, party):
    cadre = make_user("cadre", world.village)
    assign(cadre, Role.PARTY_MEMBER, world.village)
    party.top.committee.add(cadre)
    client.force_login(cadre)
    assert client.get(reverse("party:member-list", args=[world.village.pk])).status_code == 200
    assert client.get(reverse("party:member-list", args=[world.other_village.pk])).status_code == 404


def test_staff_give_a_member_a_phone_login_and_take_it_away(client, world, party, staff):
    from grids import access
    from grids.models import Assignment, Role
    from tests.conftest import make_user

    account = make_user("zhangsan", world.village, full_name="张三")
    outsider_account = make_user("wangwu", world.other_village, full_name="王五")
    client.force_login(staff)
    url = f"/party/members/{party.member1.pk}/login/"
    refused = client.post(url, {"user": outsider_account.pk}, follow=True)
    assert "该账号不属于本村，或已关联其他党员" in refused.content.decode()
    assert not Assignment.objects.filter(user=outsider_account).exists()
    done = client.post(url, {"user": account.pk}, follow=True)
    assert "已为 张三 开通手机登录" in done.content.decode()
    party.member1.refresh_from_db()
    assert party.member1.user == account
    assert access.scope_for(account).member_village_ids == {world.village.pk}
    # The same account cannot be linked to a second member.
    taken = client.post(f"/party/members/{party.member2.pk}/login/", {"user": account.pk}, follow=True)
    assert "该账号不属于本村，或已关联其他党员" in taken.content.decode()
    client.post(url, {"remove": "1"})
    party.member1.refresh_from_db()
    assert party.member1.user is None
    from django.utils import timezone

    # The field role ends today (its last day), so the nightly job ends the account's sessions after it.
    assert Assignment.objects.get(user=account, role=Role.PARTY_MEMBER).end == timezone.localdate()
