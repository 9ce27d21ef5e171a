"""The village's activities pages (德治/法治, docs/civility.md): create and edit with photos, residents, teams
and a Party meeting of another village refused, a bad photo refusing all, the list's filters and counts by
kind, the export, who may open what, query counts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import ExportRecord
from civility import services
from civility.models import Activity, ActivityKind, ActivityPhoto, SetDate, VolunteerTeam
from party.models import Meeting, MeetingKind, OrgKind
from tests.conftest import png_bytes
from tests.party.conftest import org

D = datetime.date
DEC4 = D(2026, 12, 4)


def make_activity(village, by, *, title="宪法宣传日普法", held_on=DEC4, kind=ActivityKind.LEGAL, teams=None, **f):
    a = Activity(
        village=village,
        title=title,
        held_on=held_on,
        kind=kind,
        organiser=f.pop("organiser", "村委会"),
        place=f.pop("place", "村文化广场"),
        participants=f.pop("participants", 40),
        **f,
    )
    return services.activity_save(by=by, activity=a, teams=teams)


def team(village, name="学雷锋志愿服务队"):
    return VolunteerTeam.objects.create(village=village, name=name)


def theme_day(village, by, topic="学习宪法"):
    branch = org(village, OrgKind.BRANCH, f"{village.name}支部")
    return Meeting.objects.create(
        village=village,
        organisation=branch,
        kind=MeetingKind.THEME_DAY,
        held_on=D(2026, 12, 4),
        period="2026-12",
        place="村部",
        topic=topic,
        recorded_by=by,
    )


def _post(world, **over) -> dict:
    data = {
        "held_on": "2026-12-04",
        "kind": ActivityKind.LEGAL,
        "title": "宪法宣传日普法",
        "organiser": "村委会",
        "place": "村文化广场",
        "participants": "45",
        "beneficiaries": "120",
        "summary": "发放宣传册，现场解答法律问题。",
    }
    data.update(over)
    return data


def _photo(name="a.png", content=None):
    return SimpleUploadedFile(name, content if content is not None else png_bytes(), content_type="image/png")


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: D(2026, 12, 5))


# --- create and edit -------------------------------------------------------------------------------------


def test_staff_record_an_activity_with_photos_teams_residents_and_a_theme_day(client, world, staff):
    t = team(world.village)
    meeting = theme_day(world.village, staff)
    set_date = SetDate.objects.get(name__contains="宪法")
    client.force_login(staff)
    url = reverse("civility:activity-new", args=[world.village.pk])
    assert client.get(url).status_code == 200
    data = _post(
        world,
        teams=[str(t.pk)],
        residents=[str(world.resident1.pk), str(world.resident2.pk)],
        party_meeting=str(meeting.pk),
        set_date=str(set_date.pk),
        photos=[_photo("a.png"), _photo("b.png")],
    )
    response = client.post(url, data)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("civility:activity-detail", args=[activity.pk])
    assert (activity.participants, activity.created_by, activity.party_meeting, activity.set_date) == (
        45,
        staff,
        meeting,
        set_date,
    )
    assert list(activity.teams.all()) == [t]
    assert set(activity.residents.all()) == {world.resident1, world.resident2}
    photos = list(activity.photos.all())
    assert len(photos) == 2 and photos[0].image.name.endswith(".jpg")  # re-encoded without metadata
    page = client.get(response["Location"]).content.decode()
    assert "宪法宣传日普法" in page and "学雷锋志愿服务队" in page and "学习宪法" in page and "张三" in page
    assert reverse("civility:activity-photo", args=[photos[0].pk]) in page
    assert client.get(reverse("civility:activity-photo", args=[photos[0].pk])).status_code == 200


def test_a_bad_photo_refuses_everything(client, world, staff):
    client.force_login(staff)
    url = reverse("civility:activity-new", args=[world.village.pk])
    response = client.post(url, {**_post(world), "photos": [_photo("a.png"), _photo("b.png", b"not an image")]})
    assert response.status_code == 400
    assert not Activity.objects.exists() and not ActivityPhoto.objects.exists()
    page = response.content.decode()
    assert "宪法宣传日普法" in page  # the form keeps its input


@pytest.mark.parametrize("field", ["teams", "residents", "party_meeting"])
def test_another_villages_choices_are_refused_on_their_field(client, world, staff, field):
    other = {
        "teams": lambda: [str(team(world.other_village, "外村服务队").pk)],
        "residents": lambda: [str(world.other_resident.pk)],
        "party_meeting": lambda: str(theme_day(world.other_village, staff).pk),
    }[field]()
    client.force_login(staff)
    response = client.post(reverse("civility:activity-new", args=[world.village.pk]), _post(world, **{field: other}))
    assert response.status_code == 400 and not Activity.objects.exists()
    assert "本村" in response.context["form"].errors[field][0]


def test_the_service_refuses_another_villages_team_resident_and_meeting(world, staff):
    a = Activity(
        village=world.village,
        title="普法",
        held_on=D(2026, 12, 4),
        kind=ActivityKind.LEGAL,
        organiser="村委会",
        place="村部",
        participants=10,
        party_meeting=theme_day(world.other_village, staff),
    )
    with pytest.raises(Exception) as caught:
        services.activity_save(
            by=staff, activity=a, teams=[team(world.other_village)], residents=[world.other_resident]
        )
    assert set(caught.value.error_dict) == {"teams", "residents", "party_meeting"}
    assert not Activity.objects.exists()


def test_only_a_theme_day_may_be_named(world, staff):
    meeting = theme_day(world.village, staff)
    Meeting.objects.filter(pk=meeting.pk).update(kind=MeetingKind.BRANCH_COMMITTEE)
    meeting.refresh_from_db()
    a = Activity(
        village=world.village,
        title="普法",
        held_on=D(2026, 12, 4),
        kind=ActivityKind.LEGAL,
        organiser="村委会",
        place="村部",
        participants=10,
        party_meeting=meeting,
    )
    with pytest.raises(Exception) as caught:
        services.activity_save(by=staff, activity=a)
    assert "party_meeting" in caught.value.error_dict


def test_a_day_after_today_and_no_participants_are_refused(client, world, staff):
    client.force_login(staff)
    response = client.post(
        reverse("civility:activity-new", args=[world.village.pk]),
        _post(world, held_on="2026-12-06", participants="0"),
    )
    assert response.status_code == 400 and not Activity.objects.exists()
    errors = response.context["form"].errors
    assert "held_on" in errors and "participants" in errors


def test_beneficiaries_left_empty_are_none(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("civility:activity-new", args=[world.village.pk]), _post(world, beneficiaries=""))
    assert response.status_code == 302 and Activity.objects.get().beneficiaries == 0


def test_edit_adds_photos_and_keeps_the_old_ones(client, world, staff):
    activity = make_activity(world.village, staff)
    ActivityPhoto.objects.create(activity=activity, image=_photo(), uploaded_by=staff)
    client.force_login(staff)
    url = reverse("civility:activity-edit", args=[activity.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**_post(world, title="民法典宣传"), "photos": [_photo("c.png")]})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "民法典宣传" and activity.photos.count() == 2


def test_the_town_reads_but_may_not_change(client, world, staff, town):
    activity = make_activity(world.village, staff)
    client.force_login(town)
    page = client.get(reverse("civility:activity-detail", args=[activity.pk])).content.decode()
    assert reverse("civility:activity-edit", args=[activity.pk]) not in page
    assert client.post(reverse("civility:activity-edit", args=[activity.pk]), _post(world)).status_code == 403
    assert client.post(reverse("civility:activity-new", args=[world.village.pk]), _post(world)).status_code == 403
    assert Activity.objects.count() == 1


def test_a_photo_of_another_village_is_a_404(client, world, staff, outsider):
    activity = make_activity(world.village, staff)
    photo = ActivityPhoto.objects.create(activity=activity, image=_photo(), uploaded_by=staff)
    client.force_login(outsider)
    assert client.get(reverse("civility:activity-photo", args=[photo.pk])).status_code == 404


# --- the list --------------------------------------------------------------------------------------------


def test_list_filters_and_counts_by_kind_and_month(client, world, staff):
    t = team(world.village)
    make_activity(world.village, staff, title="宪法宣传日普法", held_on=D(2026, 12, 4), teams=[t])
    make_activity(world.village, staff, title="民法典宣传", held_on=D(2026, 5, 10), organiser="镇司法所")
    make_activity(world.village, staff, title="清理垃圾", held_on=D(2026, 5, 12), kind=ActivityKind.CLEANUP)
    make_activity(world.village, staff, title="去年的普法", held_on=D(2025, 12, 4))
    make_activity(world.other_village, staff, title="外村普法")
    client.force_login(staff)
    url = reverse("civility:activity-list", args=[world.village.pk])

    response = client.get(url)
    titles = [a.title for a in response.context["page"].object_list]
    assert titles == ["宪法宣传日普法", "清理垃圾", "民法典宣传", "去年的普法"]
    counts = response.context["counts"]
    legal = next(row for row in counts["table"] if row["kind"] == ActivityKind.LEGAL)
    cleanup = next(row for row in counts["table"] if row["kind"] == ActivityKind.CLEANUP)
    assert (counts["year"], counts["total"], legal["total"], legal["months"][4], legal["months"][11]) == (
        2026,
        3,
        2,
        1,
        1,
    )
    assert cleanup["months"][4] == 1 and counts["month_totals"][4] == 2
    assert [b["label"] for b in counts["bars"]] == ["普法宣传", "环境整治"]
    assert len(counts["table"]) == len(ActivityKind.choices)  # a kind without activities is a row of nothing

    def shown(**params):
        return [a.title for a in client.get(url, params).context["page"].object_list]

    assert shown(q="司法所") == ["民法典宣传"]
    assert shown(q="广场", kind=ActivityKind.CLEANUP) == ["清理垃圾"]
    assert shown(year="2026", month="5") == ["清理垃圾", "民法典宣传"]
    assert shown(team=str(t.pk)) == ["宪法宣传日普法"]
    assert client.get(url, {"year": "2025"}).context["counts"]["total"] == 1
    assert client.get(url, {"month": "13", "year": "99999"}).status_code == 200  # a form error, not a 500


def test_export_follows_the_filter_and_is_recorded(client, world, staff):
    t = team(world.village)
    make_activity(world.village, staff, title="宪法宣传日普法", teams=[t])
    make_activity(world.village, staff, title="清理垃圾", kind=ActivityKind.CLEANUP)
    client.force_login(staff)
    response = client.get(reverse("civility:activity-export", args=[world.village.pk]), {"kind": "legal"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("日期", "类别", "活动名称")
    assert [r[2] for r in rows[1:]] == ["宪法宣传日普法"] and rows[1][7] == "学雷锋志愿服务队"
    record = ExportRecord.objects.get()
    assert (record.kind, record.rows) == ("civility_activities", 1)


def _add(world, staff, n):
    teams = [team(world.village, "甲队"), team(world.village, "乙队")]
    for i in range(n):
        make_activity(world.village, staff, title=f"活动{i}", teams=teams)


@pytest.mark.parametrize("n", [2, 20])
def test_activity_list_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    _add(world, staff, n)
    client.force_login(staff)
    url = reverse("civility:activity-list", args=[world.village.pk])
    client.get(url)
    # session, user, scope, the village; count, page ids, page rows, their teams; counts by kind and month;
    # the inbox count; the filter's team choices.
    with django_assert_num_queries(QUERIES_ACTIVITY_LIST):
        assert client.get(url).status_code == 200


QUERIES_ACTIVITY_LIST = 10


@pytest.mark.parametrize("n", [2, 20])
def test_activity_export_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    _add(world, staff, n)
    client.force_login(staff)
    url = reverse("civility:activity-export", args=[world.village.pk])
    client.get(url)
    # session, user, scope, the village; the rows, their teams; the user's village for the export record, the
    # record and its audit entry.
    with django_assert_num_queries(QUERIES_ACTIVITY_EXPORT):
        assert client.get(url).status_code == 200


QUERIES_ACTIVITY_EXPORT = 9


def test_the_main_menu_leads_the_villages_staff_to_its_activities(client, world, staff, town, worker):
    link = f'href="{reverse("civility:activity-list", args=[world.village.pk])}"'
    client.force_login(staff)
    assert link in client.get(reverse("cogovernance:project-list", args=[world.village.pk])).content.decode()
    client.force_login(town)  # the town office reads from each village's page: no menu link to one village
    assert link not in client.get(reverse("cogovernance:project-list", args=[world.village.pk])).content.decode()
    client.force_login(worker)
    assert "德治" not in client.get(reverse("home"), follow=True).content.decode()
