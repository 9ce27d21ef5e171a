"""Good practices (docs/scorecard.md): the village reports, the town office adopts once and the village's
staff are told once; attachments checked and served through the door."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from messaging.models import Notice
from people import services
from people.models import GoodPractice, PracticeKind, PracticeStatus

pytestmark = pytest.mark.django_db


def report(staff, village, title="“五步工作法”", kind=PracticeKind.METHOD, attachment=None):
    p = GoodPractice(village=village, kind=kind, title=title, body="第一步……", attachment=attachment or "")
    return services.practice_report(by=staff, practice=p)


@pytest.mark.parametrize(
    "persona,status", [("staff", 200), ("town", 200), ("worker", 404), ("colleague", 404), ("outsider", 404)]
)
def test_village_list_per_persona(client, world, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("people:village-practices", args=[world.village.pk])).status_code == status


def test_staff_report_with_a_document(client, world, staff):
    client.force_login(staff)
    doc = SimpleUploadedFile("方法.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(
        reverse("people:practice-new", args=[world.village.pk]),
        {"kind": PracticeKind.CASE, "title": "调解一起宅基地纠纷", "body": "经过……", "attachment": doc},
    )
    assert response.status_code == 302
    p = GoodPractice.objects.get()
    assert (p.status, p.reported_by, p.village) == (PracticeStatus.REPORTED, staff, world.village)
    download = client.get(reverse("people:practice-attachment", args=[p.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"


@pytest.mark.parametrize("name", ["x.exe", "photo.jpg", "sheet.xlsx"])
def test_other_files_are_refused(client, world, staff, name):
    client.force_login(staff)
    response = client.post(
        reverse("people:practice-new", args=[world.village.pk]),
        {"kind": PracticeKind.CASE, "title": "t", "body": "b", "attachment": SimpleUploadedFile(name, b"abc")},
    )
    assert response.status_code == 400
    assert "attachment" in response.context["form"].errors
    assert not GoodPractice.objects.exists()


@pytest.mark.parametrize(
    "data,field",
    [({"kind": "nope", "title": "t", "body": "b"}, "kind"), ({"kind": "case", "title": "", "body": "b"}, "title")],
)
def test_bad_practice(client, world, staff, data, field):
    client.force_login(staff)
    response = client.post(reverse("people:practice-new", args=[world.village.pk]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_attachment_is_404_outside(client, world, staff, worker, outsider):
    p = report(staff, world.village, attachment=SimpleUploadedFile("a.txt", b"hello"))
    for user in (worker, outsider):
        client.force_login(user)
        assert client.get(reverse("people:practice-attachment", args=[p.pk])).status_code == 404


def test_town_adopts_once_and_the_village_is_told_once(client, world, staff, town):
    p = report(staff, world.village)
    client.force_login(town)
    url = reverse("people:practice-adopt", args=[p.pk])
    first = client.post(url, {"note": "全镇推广"})
    second = client.post(url, {"note": "再点一次"})
    assert first.status_code == second.status_code == 302
    p.refresh_from_db()
    assert (p.status, p.adopted_by, p.town_note) == (PracticeStatus.ADOPTED, town, "全镇推广")
    assert p.adopted_on is not None
    notices = Notice.objects.filter(key=f"practice-{p.pk}-adopted")
    assert list(notices.values_list("recipient", flat=True)) == [staff.pk]
    assert AuditEntry.objects.filter(model="people.goodpractice", action="transition").count() == 1


def test_a_stale_adoption_is_refused(world, staff, town):
    p = report(staff, world.village)
    stale = GoodPractice.objects.get(pk=p.pk)
    services.practice_adopt(by=town, practice=p, note="a")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.practice_adopt(by=town, practice=stale, note="b")
    assert Notice.objects.filter(key=f"practice-{p.pk}-adopted").count() == 1
    p.refresh_from_db()
    assert p.town_note == "a"


def test_village_staff_may_not_adopt(client, world, staff):
    p = report(staff, world.village)
    client.force_login(staff)
    assert client.post(reverse("people:practice-adopt", args=[p.pk])).status_code == 403
    p.refresh_from_db()
    assert p.status == PracticeStatus.REPORTED


def test_town_list_filters(client, world, staff, outsider, town):
    report(staff, world.village, title="一村方法")
    report(outsider, world.other_village, title="二村案例", kind=PracticeKind.CASE)
    client.force_login(town)
    url = reverse("people:town-practices")
    assert {p.title for p in client.get(url).context["page"].object_list} == {"一村方法", "二村案例"}
    assert [p.title for p in client.get(url, {"kind": "case"}).context["page"].object_list] == ["二村案例"]
    assert [p.title for p in client.get(url, {"village": world.village.pk}).context["page"].object_list] == ["一村方法"]
    assert client.get(url, {"village": "999999"}).status_code == 200


@pytest.mark.parametrize("n", [2, 20])
def test_town_list_query_count_is_constant(client, world, staff, town, django_assert_num_queries, n):
    for i in range(n):
        report(staff, world.village, title=f"方法{i}")
    client.force_login(town)
    url = reverse("people:town-practices")
    client.get(url)
    # session, user, scope; the villages of the filter; count, page ids, page rows; the inbox count; saving
    # the session.
    with django_assert_num_queries(QUERIES_TOWN_PRACTICES):
        assert client.get(url).status_code == 200


QUERIES_TOWN_PRACTICES = 7


@pytest.mark.parametrize("n", [2, 20])
def test_village_list_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    for i in range(n):
        report(staff, world.village, title=f"方法{i}")
    client.force_login(staff)
    url = reverse("people:village-practices", args=[world.village.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES_PRACTICES):
        assert client.get(url).status_code == 200


QUERIES_PRACTICES = 7
