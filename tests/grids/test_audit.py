"""The audit log: an entry for every audited action, with who, when, from where, which
object and what changed; readable by the system admin (all) and the town office (its town, sensitive
entries masked); never changed or deleted except by the retention purge."""

import datetime
import io
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit import tasks, trail
from audit.models import AuditAction, AuditEntry, AuditEntryIsFinal, ExportRecord
from disputes import services as case_services
from grids.models import Town, User, Village
from reports import services as report_services
from residents import excel, services
from residents.models import Household, ImportJob, Resident
from tests.conftest import ID1, make_case

ADDRESS = "10.1.2.3"


def entries(action=None, obj=None):
    found = AuditEntry.objects.all()
    if action:
        found = found.filter(action=action)
    if obj is not None:
        found = found.filter(model=obj._meta.label_lower, object_id=str(obj.pk))
    return list(found.order_by("pk"))


def only(action, obj=None) -> AuditEntry:
    found = entries(action, obj)
    assert len(found) == 1, [str(e) for e in found]
    return found[0]


@pytest.fixture
def admin_user(world):
    return User.objects.create_superuser("root", password="unused-in-tests-42")


# --- every audited action writes an entry ------------------------------------------------------------


def test_page_changes_name_the_person_the_address_and_what_changed(client, world, staff):
    client.force_login(staff)
    before = world.household1.address
    response = client.post(
        reverse("residents:household-update", args=[world.household1.pk]),
        {
            "number": world.household1.number,
            "micro_grid": world.micro1.pk,
            "villager_group": world.group1.pk,
            "address": "张庄100号",
            "living_status": "resident",
        },
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302, response.content.decode()[:400]
    entry = only(AuditAction.CHANGE, world.household1)
    assert (entry.actor, entry.actor_label, entry.address) == (staff, staff.username, ADDRESS)
    assert entry.village == world.village
    assert entry.changes == {"address": [before, "张庄100号"]}
    assert timezone.now() - entry.at < datetime.timedelta(minutes=1)


def test_create_move_archive_and_restore(world, staff):
    with trail.acting_as(user=staff, address=ADDRESS):
        household = services.household_save(
            by=staff,
            household=Household(
                number="0099", micro_grid=world.micro1, villager_group=world.group1, address="张庄99号"
            ),
        )
        created = only(AuditAction.CREATE, household)
        assert created.changes["address"] == [None, "张庄99号"]
        assert created.village_id == world.village.pk

        services.household_move(by=staff, household=world.household1, to=world.micro2)
        moved = only(AuditAction.MOVE, world.household1)
        assert moved.changes["micro_grid_id"] == [world.micro1.pk, world.micro2.pk]

        services.household_archive(by=staff, household=world.household1)
        only(AuditAction.ARCHIVE, world.household1)
        # The members archived with it (one bulk UPDATE) get an entry each.
        only(AuditAction.ARCHIVE, world.resident1)

        services.household_restore(by=staff, household=Household.objects.get(pk=world.household1.pk))
        only(AuditAction.RESTORE, world.household1)
        only(AuditAction.RESTORE, world.resident1)


def test_a_state_transition_of_a_case_and_of_a_report(world, staff, town):
    case = make_case(world, staff)
    with trail.acting_as(user=staff):
        case_services.case_accept(case=case, by=staff, tier=2, version=case.version)
    entry = only(AuditAction.TRANSITION, case)
    assert entry.changes["state"] == ["reported", "accepted"]
    assert entry.changes["tier"] == [1, 2]
    assert entry.actor == staff

    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    report = report_services.report_open(village=world.village, month=month, by=staff)
    with trail.acting_as(user=staff):
        report = report_services.report_save(
            report=report, by=staff, revision=report.revision, work_done="走访全覆盖", next_plan="继续走访"
        )
        report_services.report_submit(report=report, by=staff, revision=report.revision)
    assert only(AuditAction.CHANGE, report).changes == {"work_done": ["", "走访全覆盖"], "next_plan": ["", "继续走访"]}
    assert only(AuditAction.TRANSITION, report).changes["state"] == ["draft", "submitted"]


def test_an_import_is_one_entry_not_one_per_row(world, staff, client, django_capture_on_commit_callbacks):
    title, columns = excel.SHEETS["households"]
    row = {
        "household_number": "0500",
        "micro_grid": f"{world.grid1.name}/{world.micro1.name}",
        "villager_group": world.group1.name,
        "natural_village": "张庄",
        "address": "张庄500号",
        "living_status": "resident",
        "name": "导入人",
        "id_number": "110105199003070017",
        "relation": "02",
        "ethnicity": "01",
        "political": "13",
        "registration": "registered",
        "lives_here": True,
    }
    upload = io.BytesIO(excel.write_workbook(title, columns, [row]))
    upload.name = "registry.xlsx"
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("residents:import-new", args=[world.village.pk]), {"kind": "households", "file": upload})
    job = ImportJob.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("residents:import-apply", args=[job.pk]), {"mode": "all"}, REMOTE_ADDR=ADDRESS)
    job.refresh_from_db()
    assert job.status == "done", job.summary
    confirmed, finished = entries(AuditAction.IMPORT, job)
    assert confirmed.address == ADDRESS and confirmed.actor == staff
    assert finished.actor == staff and finished.changes["applied"] == [None, 1]
    assert Resident.objects.filter(name="导入人").exists()
    # The rows are in the job's file and summary, not one entry each.
    assert not AuditEntry.objects.filter(action=AuditAction.CREATE, at__gte=job.created_at).exists()


def test_an_export_records_rows_and_whether_id_numbers_were_full(client, world, staff):
    client.force_login(staff)
    response = client.get(reverse("residents:resident-export"), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    entry = only(AuditAction.EXPORT)
    assert entry.model == "residents" and entry.address == ADDRESS
    assert entry.changes == {"rows": [None, 2], "full_id_numbers": [None, True]}


def test_a_full_id_number_and_a_key_persons_page_are_views_on_record(client, world, staff):
    client.force_login(staff)
    client.post(reverse("residents:resident-id-number", args=[world.resident1.pk]), REMOTE_ADDR=ADDRESS)
    seen = only(AuditAction.VIEW_ID, world.resident1)
    assert seen.sensitive and seen.address == ADDRESS and seen.actor == staff
    client.get(reverse("residents:keyperson-detail", args=[world.key_person1.pk]))
    assert only(AuditAction.VIEW, world.key_person1).sensitive


def test_the_id_number_itself_never_reaches_the_log(world, staff):
    with trail.acting_as(user=staff):
        services.resident_save(by=staff, resident=world.resident2, id_number="110105199003070017")
    entry = only(AuditAction.CHANGE, world.resident2)
    assert entry.changes["id_cipher"] == trail.HIDDEN
    stored = json.dumps(entry.changes) + entry.object_repr + entry.note
    assert "110105199003070017" not in stored and "0017" not in stored and ID1 not in stored


def test_logins_failed_logins_and_logouts(client, world, staff):
    staff.set_password("a-long-passphrase-1")
    staff.save()
    client.post(reverse("login"), {"username": staff.username, "password": "wrong"}, REMOTE_ADDR=ADDRESS)
    failed = only(AuditAction.LOGIN_FAILED)
    assert (failed.actor, failed.actor_label, failed.address) == (None, staff.username, ADDRESS)
    client.post(reverse("login"), {"username": staff.username, "password": "a-long-passphrase-1"}, REMOTE_ADDR=ADDRESS)
    assert only(AuditAction.LOGIN, staff).actor == staff
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)
    logout = only(AuditAction.LOGOUT, staff)
    assert logout.address == ADDRESS
    assert logout.village_id == staff.home_village_id is not None  # the town office sees its villages' logouts
    # The password change above (set_password + save) is on record, as changed, without the hash.
    assert only(AuditAction.CHANGE, staff).changes == {"password": trail.HIDDEN}


def test_a_job_names_itself_and_demo_data_writes_nothing(world):
    with trail.acting_as(label="nightly"):
        Village.objects.filter(pk=world.village.pk).get().save()  # unchanged: no entry
        world.village.name = "一村（改）"
        world.village.save()
    entry = only(AuditAction.CHANGE, world.village)
    assert (entry.actor, entry.actor_label) == (None, "nightly")
    with trail.suspended():
        world.village.name = "一村"
        world.village.save()
    assert len(entries(AuditAction.CHANGE, world.village)) == 1


# --- entries are final -------------------------------------------------------------------------------


def test_entries_cannot_be_changed_or_deleted_through_the_app(world):
    entry = trail.record(AuditAction.CHANGE, world.village, note="x")
    entry.note = "changed"
    with pytest.raises(AuditEntryIsFinal):
        entry.save()
    with pytest.raises(AuditEntryIsFinal):
        entry.delete()
    with pytest.raises(AuditEntryIsFinal):
        AuditEntry.objects.filter(pk=entry.pk).update(note="changed")
    with pytest.raises(AuditEntryIsFinal):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).note == "x"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_an_update_or_an_early_delete(world):
    entry = trail.record(AuditAction.CHANGE, world.village, note="x")
    table = AuditEntry._meta.db_table
    for sql in (f"UPDATE {table} SET note = 'changed' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):  # noqa: S608
        with pytest.raises(DatabaseError, match="audit entries"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).note == "x"


def test_the_purge_removes_only_entries_past_the_retention(world, settings):
    settings.AUDIT_RETENTION_DAYS = 200
    now = timezone.now()
    old = trail.entry(AuditAction.CHANGE, world.village, note="old")
    old.at = now - datetime.timedelta(days=201)
    kept = trail.entry(AuditAction.CHANGE, world.village, note="kept")
    kept.at = now - datetime.timedelta(days=199)
    trail.record_many([old, kept])
    user = User.objects.create_user("exporter", home_village=world.village)
    for days, query in ((201, "q=张三"), (199, "q=李四")):
        ExportRecord.objects.create(
            village=world.village,
            user=user,
            kind="residents",
            rows=1,
            query=query,
            exported_at=now - datetime.timedelta(days=days),
        )
    assert tasks.audit_purge.delay().get() == 1  # the Celery job (eager here; the beat runs it nightly)
    assert set(AuditEntry.objects.filter(note__in=["old", "kept"]).values_list("note", flat=True)) == {"kept"}
    # Export records go at the same age: their filter text may hold a searched name.
    assert list(ExportRecord.objects.values_list("query", flat=True)) == ["q=李四"]


# --- who reads the log -------------------------------------------------------------------------------


@pytest.fixture
def far_entry(world):
    """An entry of a village of another town."""
    far_town = Town.objects.create(name="远镇")
    far_village = Village.objects.create(town=far_town, name="远村")
    return trail.record(AuditAction.CHANGE, far_village, note="远方的修改")


def test_the_town_reads_its_towns_entries_with_sensitive_ones_masked(client, world, staff, town, far_entry):
    with trail.acting_as(user=staff, address=ADDRESS):
        world.household1.address = "张庄1号之一"
        world.household1.save()
        trail.record(AuditAction.VIEW, world.key_person1)
    client.force_login(town)
    page = client.get(reverse("audit:audit-list")).content.decode()
    assert "张庄1号之一" in page and ADDRESS in page
    assert "远方的修改" not in page  # another town's village
    assert "查看重点人员" in page and "仅系统管理员可见" in page
    assert str(world.key_person1) not in page  # the key person's name and category
    # Nor can the entry be found by searching for it.
    found = client.get(reverse("audit:audit-list"), {"q": "精神障碍"}).content.decode()
    assert "没有符合条件的记录" in found


def test_the_admin_reads_everything(client, world, admin_user, far_entry):
    trail.record(AuditAction.VIEW, world.key_person1)
    client.force_login(admin_user)
    page = client.get(reverse("audit:audit-list")).content.decode()
    assert "远方的修改" in page and str(world.key_person1) in page


def test_filters_search_and_paging(client, world, town, staff, colleague):
    with trail.acting_as(user=staff):
        for n in range(55):
            trail.record(AuditAction.CHANGE, world.household1, note=f"第{n}次")
    with trail.acting_as(user=colleague):
        trail.record(AuditAction.EXPORT, model="residents", village_id=world.village.pk, note="colleague export")
    client.force_login(town)
    url = reverse("audit:audit-list")
    assert "colleague export" in client.get(url, {"action": "export"}).content.decode()
    assert "第3次" not in client.get(url, {"action": "export"}).content.decode()
    assert "colleague export" in client.get(url, {"q": colleague.username}).content.decode()
    assert "colleague export" not in client.get(url, {"model": "residents.household"}).content.decode()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "没有符合条件的记录" in client.get(url, {"since": tomorrow}).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert "第 2 / 2 页" in second
    bad = client.get(url, {"since": "not-a-date"})
    assert bad.status_code == 200 and "有效的日期" in bad.content.decode()


def test_the_workbook_holds_the_filtered_entries_and_is_itself_on_record(client, world, town, staff):
    with trail.acting_as(user=staff):
        for n in range(3):
            trail.record(AuditAction.CHANGE, world.household1, note=f"第{n}次")
        trail.record(AuditAction.VIEW, world.key_person1)
    client.force_login(town)
    response = client.get(reverse("audit:audit-export"), {"action": "change"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "时间" and len(rows) == 1 + 3
    assert {r[8] for r in rows[1:]} == {"第0次", "第1次", "第2次"}
    export = only(AuditAction.EXPORT)
    assert export.actor == town and export.changes == {"rows": [None, 3]}


def test_the_list_costs_the_same_for_one_page_and_for_more(client, world, town, staff, django_assert_num_queries):
    client.force_login(town)
    for added in (60, 90):
        with trail.acting_as(user=staff):
            trail.record_many([trail.entry(AuditAction.CHANGE, world.household1) for _ in range(added)])
        # session, user, scope, the page's ids, the count (the page is full: core.pages), its entries (village
        # joined), inbox count, the filter's villages
        with django_assert_num_queries(8 if connection.vendor == "postgresql" else 9):
            assert client.get(reverse("audit:audit-list")).status_code == 200


def test_a_save_of_untracked_fields_only_is_neither_read_before_nor_recorded(world, staff):
    """A login's save(update_fields=["last_login"]) (audit/trail.py: nothing recorded can change): no read of the
    row before it, no entry after it; a save that names a recorded field is read and recorded as before."""
    from django.test.utils import CaptureQueriesContext

    before = AuditEntry.objects.count()
    staff.last_login = timezone.now()
    with CaptureQueriesContext(connection) as ctx:
        staff.save(update_fields=["last_login"])
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["UPDATE"]
    assert AuditEntry.objects.count() == before
    staff.first_name = "改名"
    with CaptureQueriesContext(connection) as ctx:
        staff.save(update_fields=["first_name", "last_login"])
    assert ctx.captured_queries[0]["sql"].startswith("SELECT")  # the row as it was, for the change
    assert only(AuditAction.CHANGE, staff).changes["first_name"][1] == "改名"
