"""Grid-worker care (docs/scorecard.md, "Grid-worker care pages"): the care table per persona, its columns
from the records, the field days counted from visits, insurance and health-check pages, the export, and a
constant number of queries."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import ExportRecord
from grids.models import Role
from people import care, services
from people.models import HealthCheck, WorkerInsurance
from tests.conftest import assign, make_user
from visits.services import visit_record

pytestmark = pytest.mark.django_db
D = datetime.date


def insure(world, staff, worker, starts, ends, insurer="人保财险"):
    return services.insurance_save(
        by=staff,
        insurance=WorkerInsurance(
            village=world.village, worker=worker, insurer=insurer, starts_on=starts, ends_on=ends
        ),
    )


def visit(world, worker, day, household=None):
    # Through the service, which keeps the worker's weeks in the field (visits/fielddays.py).
    return visit_record(worker=worker, target=household or world.household1, visited_on=day, today=day)[0]


@pytest.mark.parametrize(
    "persona,status", [("staff", 200), ("town", 200), ("worker", 404), ("colleague", 404), ("outsider", 404)]
)
def test_care_page_per_persona(client, world, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("people:worker-care", args=[world.village.pk])).status_code == status


def test_party_member_gets_404(client, world):
    member = make_user("member", world.village)
    assign(member, Role.PARTY_MEMBER, world.village)
    client.force_login(member)
    assert client.get(reverse("people:worker-care", args=[world.village.pk])).status_code == 404


def test_rows_are_the_current_grid_workers(client, world, staff, worker, colleague, liaison):
    client.force_login(staff)
    page = client.get(reverse("people:worker-care", args=[world.village.pk]))
    assert {w.pk for w in page.context["page"].object_list} == {worker.pk, colleague.pk}


def test_columns_come_from_the_records(client, world, staff, worker, colleague):
    today = timezone.localdate()
    insure(world, staff, worker, today - datetime.timedelta(days=300), today + datetime.timedelta(days=10))
    insure(world, staff, colleague, today - datetime.timedelta(days=400), today - datetime.timedelta(days=1))
    services.health_check_add(
        by=staff, check=HealthCheck(village=world.village, worker=worker, checked_on=today, institution="镇卫生院")
    )
    client.force_login(staff)
    rows = {w.pk: w for w in client.get(reverse("people:worker-care", args=[world.village.pk])).context["page"]}
    assert rows[worker.pk].insurer == "人保财险"
    assert rows[worker.pk].insurance_expiring
    assert rows[colleague.pk].insured_until is None  # lapsed yesterday: not in force
    assert rows[worker.pk].last_check == today
    assert rows[colleague.pk].last_check is None


def test_insurance_filter(client, world, staff, worker, colleague):
    today = timezone.localdate()
    insure(world, staff, worker, today - datetime.timedelta(days=10), today + datetime.timedelta(days=200))
    client.force_login(staff)
    url = reverse("people:worker-care", args=[world.village.pk])
    missing = client.get(url, {"insurance": "missing"}).context["page"].object_list
    assert [w.pk for w in missing] == [colleague.pk]
    assert list(client.get(url, {"insurance": "expiring"}).context["page"].object_list) == []
    assert [w.pk for w in client.get(url, {"q": "乙"}).context["page"].object_list] == [colleague.pk]


def test_field_days_counts_distinct_dates_per_iso_week(world, worker):
    # November 2026: the week of Mon 2 Nov has visits on 4 distinct days (two on the 2nd), the week of
    # Mon 9 Nov on 3 (two on the 10th).
    for day in [D(2026, 11, 2), D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 4), D(2026, 11, 5)]:
        visit(world, worker, day)
    for day in [D(2026, 11, 9), D(2026, 11, 10), D(2026, 11, 10), D(2026, 11, 11)]:
        visit(world, worker, day)
    days = care.field_days([worker.pk], month=D(2026, 11, 1), today=D(2026, 12, 6))[worker.pk]
    by_monday = {w.monday: w for w in days.weeks}
    assert by_monday[D(2026, 11, 2)].days == 4
    assert by_monday[D(2026, 11, 2)].enough
    assert by_monday[D(2026, 11, 9)].days == 3
    assert not by_monday[D(2026, 11, 9)].enough
    assert days.weeks_enough == 1
    assert days.weeks[0].monday == D(2026, 10, 26)  # 1 November is a Sunday


def test_field_days_in_one_query(world, worker, colleague, django_assert_num_queries):
    visit(world, worker, D(2026, 11, 2))
    with django_assert_num_queries(1):
        care.field_days([worker.pk, colleague.pk], month=D(2026, 11, 1), today=D(2026, 11, 30))


def test_insurance_ending_before_start_is_a_field_error(client, world, staff, worker):
    client.force_login(staff)
    response = client.post(
        reverse("people:insurance-new", args=[world.village.pk]),
        {
            "worker": worker.pk,
            "kind": "人身意外险",
            "insurer": "人保",
            "starts_on": "2026-03-01",
            "ends_on": "2026-02-01",
        },
    )
    assert response.status_code == 400
    assert "ends_on" in response.context["form"].errors
    assert not WorkerInsurance.objects.exists()


def test_insurance_for_someone_else_is_a_field_error(client, world, staff, outsider):
    client.force_login(staff)
    response = client.post(
        reverse("people:insurance-new", args=[world.village.pk]),
        {
            "worker": outsider.pk,
            "kind": "人身意外险",
            "insurer": "人保",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
    )
    assert response.status_code == 400
    assert "worker" in response.context["form"].errors


def test_insurance_add_and_edit(client, world, staff, worker):
    client.force_login(staff)
    response = client.post(
        reverse("people:insurance-new", args=[world.village.pk]),
        {
            "worker": worker.pk,
            "kind": "人身意外险",
            "insurer": "人保",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
    )
    assert response.status_code == 302
    policy = WorkerInsurance.objects.get()
    assert policy.created_by == staff
    response = client.post(
        reverse("people:insurance-edit", args=[policy.pk]),
        {"kind": "人身意外险", "insurer": "平安", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.insurer, policy.worker_id) == ("平安", worker.pk)


def test_insurance_edit_is_403_for_town_and_404_for_outsider(client, world, staff, worker, town, outsider):
    policy = insure(world, staff, worker, D(2026, 1, 1), D(2026, 12, 31))
    client.force_login(town)
    assert client.get(reverse("people:insurance-edit", args=[policy.pk])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("people:insurance-edit", args=[policy.pk])).status_code == 404


def test_health_check_form_keeps_no_results(client, world, staff, worker):
    client.force_login(staff)
    url = reverse("people:health-check-new", args=[world.village.pk])
    page = client.get(url)
    assert set(page.context["form"].fields) == {"worker", "checked_on", "institution"}
    assert "不记录任何体检结果" in page.content.decode()
    today = timezone.localdate().isoformat()
    assert client.post(url, {"worker": worker.pk, "checked_on": today, "institution": "县人民医院"}).status_code == 302
    again = client.post(url, {"worker": worker.pk, "checked_on": today, "institution": "县人民医院"})
    assert again.status_code == 400
    assert "checked_on" in again.context["form"].errors
    assert HealthCheck.objects.count() == 1


@pytest.mark.parametrize(
    "data,field",
    [
        ({"checked_on": "2999-01-01", "institution": "x"}, "checked_on"),
        ({"checked_on": "not a day", "institution": "x"}, "checked_on"),
        ({"checked_on": "2026-01-01", "institution": ""}, "institution"),
    ],
)
def test_bad_health_check(client, world, staff, worker, data, field):
    client.force_login(staff)
    response = client.post(reverse("people:health-check-new", args=[world.village.pk]), {"worker": worker.pk, **data})
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_care_export_reads_back(client, world, staff, worker, colleague):
    today = timezone.localdate()
    insure(world, staff, worker, today - datetime.timedelta(days=5), today + datetime.timedelta(days=100), "平安财险")
    client.force_login(staff)
    response = client.get(reverse("people:worker-care-export", args=[world.village.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "网格员"
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["网格员甲"][1] == "平安财险"
    assert by_name["网格员乙"][2] == "未参保"
    assert ExportRecord.objects.filter(kind="worker_care", rows=2).exists()


def test_care_export_is_404_for_a_worker(client, world, worker):
    client.force_login(worker)
    assert client.get(reverse("people:worker-care-export", args=[world.village.pk])).status_code == 404


@pytest.mark.parametrize("n", [2, 20])
def test_care_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    today = timezone.localdate()
    for i in range(n):
        w = make_user(f"w{i}", world.village, full_name=f"网格员{i:02d}")
        assign(w, Role.GRID_WORKER, world.grid1 if i % 2 else world.grid2)
        insure(world, staff, w, today - datetime.timedelta(days=5), today + datetime.timedelta(days=100))
        visit(world, w, today, world.household1 if i % 2 else world.household2)
    client.force_login(staff)
    url = reverse("people:worker-care", args=[world.village.pk])
    client.get(url)
    # session, user, scope, the village; count, page ids, page rows (their care columns as subqueries); the
    # field days (one query on the kept weeks); the inbox count.
    with django_assert_num_queries(QUERIES_CARE):
        assert client.get(url).status_code == 200


QUERIES_CARE = 8


@pytest.mark.parametrize("n", [2, 20])
def test_records_query_count_is_constant(client, world, staff, worker, django_assert_num_queries, n):
    for i in range(n):
        insure(world, staff, worker, D(2000 + i, 1, 1), D(2000 + i, 12, 31))
    client.force_login(staff)
    url = reverse("people:worker-care-records", args=[world.village.pk])
    client.get(url)
    # session, user, scope, the village; count, page ids, page rows; the year's checks; the inbox count.
    with django_assert_num_queries(QUERIES_RECORDS):
        assert client.get(url).status_code == 200


QUERIES_RECORDS = 8
