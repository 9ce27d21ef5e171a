"""Excel import (check → preview → all-or-nothing or valid rows only) and export that re-imports."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import ExportRecord
from residents import excel
from residents.idnumber import check_character
from residents.models import (
    Household,
    ImportJob,
    ImportStatus,
    KeyPerson,
    KeyPersonResponsible,
    KeyPlace,
    Resident,
    ResidentMove,
)


def _valid_id(n: int) -> str:
    first17 = f"3207231985{(n // 28) % 12 + 1:02d}{n % 28 + 1:02d}{(n * 7) % 1000:03d}"
    return first17 + check_character(first17)


def _rows(count: int, bad_row: int | None = None) -> list[dict]:
    rows = []
    for i in range(count):
        number = _valid_id(i)
        if i == bad_row:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")  # wrong check digit
        rows.append(
            {
                "household_number": f"H{i // 2:04d}",
                "micro_grid": "第一网格/1a" if i % 4 < 2 else "第二网格/2a",
                "villager_group": "第1组",
                "natural_village": "张庄",
                "address": f"张庄新{i // 2}号",
                "household_phone": "13800000000",
                "living_status": "resident",
                "tags": "党员户" if (i // 2) % 5 == 0 else "",
                "name": f"导入{i}",
                "id_number": number,
                "relation": "02" if i % 2 == 0 else "10",
                "ethnicity": "01",
                "political": "13",
                "registration": "registered",
                "lives_here": True,
            }
        )
    return rows


def _workbook(rows) -> bytes:
    title, columns = excel.SHEETS["households"]
    return excel.write_workbook(title, columns, rows)


def _upload(client, village, data: bytes, kind="households", capture=None):
    upload = io.BytesIO(data)
    upload.name = "registry.xlsx"
    with capture(execute=True):
        response = client.post(reverse("residents:import-new", args=[village.pk]), {"kind": kind, "file": upload})
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportJob.objects.latest("pk")


def _apply(client, job, mode, capture):
    with capture(execute=True):
        client.post(reverse("residents:import-apply", args=[job.pk]), {"mode": mode})
    job.refresh_from_db()
    return job


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_one_bad_row_in_500_saves_nothing_and_names_the_row(staff_client, world, django_capture_on_commit_callbacks):
    before = Resident.objects.count()
    job = _upload(
        staff_client, world.village, _workbook(_rows(500, bad_row=137)), capture=django_capture_on_commit_callbacks
    )
    assert job.status == ImportStatus.PLANNED
    assert job.summary["rows"] == 500 and job.summary["error_rows"] == 1
    assert job.summary["errors"] == [
        {"row": 139, "column": "身份证号码", "reason": job.summary["errors"][0]["reason"]}
    ]  # row 139 of the sheet: header + 137 rows before it
    assert "校验位错误" in job.summary["errors"][0]["reason"]
    page = staff_client.get(reverse("residents:import-detail", args=[job.pk])).content.decode()
    assert "校验位错误" in page and "139" in page
    assert Resident.objects.count() == before  # the preview saved nothing
    job = _apply(staff_client, job, "all", django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.FAILED
    assert Resident.objects.count() == before
    assert not Household.objects.filter(number__startswith="H").exists()


def test_valid_rows_only_saves_499_and_returns_the_bad_one(staff_client, world, django_capture_on_commit_callbacks):
    before = Resident.objects.count()
    job = _upload(
        staff_client, world.village, _workbook(_rows(500, bad_row=137)), capture=django_capture_on_commit_callbacks
    )
    # The rows in error are downloaded before confirming: the file goes once the import is done.
    response = staff_client.get(reverse("residents:import-errors", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "错误原因"
    assert len(rows) == 2
    assert rows[1][rows[0].index("姓名")] == "导入137"
    assert "校验位错误" in rows[1][-1]
    job = _apply(staff_client, job, "valid", django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE
    assert Resident.objects.count() == before + 499
    assert Household.objects.filter(village=world.village, number__startswith="H").count() == 250
    assert Household.objects.get(number="H0000").tags.filter(name="党员户").exists()
    page = staff_client.get(reverse("residents:import-detail", args=[job.pk])).content.decode()
    assert "校验位错误" in page and "139" in page  # the reasons stay on the job's page


def test_reimporting_the_same_file_changes_nothing(staff_client, world, django_capture_on_commit_callbacks):
    data = _workbook(_rows(40))
    job = _apply(
        staff_client,
        _upload(staff_client, world.village, data, capture=django_capture_on_commit_callbacks),
        "all",
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportStatus.DONE
    snapshot = sorted(Resident.objects.values_list("pk", "name", "household_id", "updated_at"))
    again = _upload(staff_client, world.village, data, capture=django_capture_on_commit_callbacks)
    assert (again.summary["create"], again.summary["update"], again.summary["unchanged"]) == (0, 0, 40)
    again = _apply(staff_client, again, "all", django_capture_on_commit_callbacks)
    assert again.status == ImportStatus.DONE and again.summary["applied"] == 0
    assert sorted(Resident.objects.values_list("pk", "name", "household_id", "updated_at")) == snapshot
    assert not ResidentMove.objects.exists()


def test_bad_cells_are_reported_by_row_column_and_reason(staff_client, world, django_capture_on_commit_callbacks):
    rows = _rows(6)
    rows[1]["micro_grid"] = "第九网格/9z"
    rows[2]["id_number"] = rows[0]["id_number"]
    rows[5]["relation"] = "02"
    job = _upload(staff_client, world.village, _workbook(rows), capture=django_capture_on_commit_callbacks)
    errors = {(e["row"], e["column"]) for e in job.summary["errors"]}
    assert (3, "网格/微网格") in errors
    assert (4, "身份证号码") in errors  # repeats row 2's number
    assert (7, "与户主关系") in errors  # a second head for household H0002


def test_not_a_workbook(staff_client, world, django_capture_on_commit_callbacks):
    job = _upload(staff_client, world.village, b"not a zip", capture=django_capture_on_commit_callbacks)
    assert "无法读取该文件" in job.summary["file_error"]


def test_export_reimports_into_an_empty_village(staff_client, world, django_capture_on_commit_callbacks):
    _apply(
        staff_client,
        _upload(staff_client, world.village, _workbook(_rows(30)), capture=django_capture_on_commit_callbacks),
        "all",
        django_capture_on_commit_callbacks,
    )
    kp_rows = [{"id_number": _valid_id(0), "name": "导入0", "category": "lb_elderly", "listed_from": "2026-01-01"}]
    title, columns = excel.SHEETS["key_persons"]
    kp_job = _upload(
        staff_client,
        world.village,
        excel.write_workbook(
            title, columns, [{**r, "listed_from": __import__("datetime").date(2026, 1, 1)} for r in kp_rows]
        ),
        kind="key_persons",
        capture=django_capture_on_commit_callbacks,
    )
    assert _apply(staff_client, kp_job, "all", django_capture_on_commit_callbacks).status == ImportStatus.DONE

    def fingerprint():
        people = sorted(
            Resident.objects.filter(village=world.village).values_list(
                "id_hash",
                "name",
                "relation",
                "household__number",
                "household__micro_grid__name",
                "household__address",
                "lives_here",
                "political",
            )
        )
        households = sorted(
            Household.objects.filter(village=world.village).values_list(
                "number", "micro_grid__name", "phone", "living_status"
            )
        )
        tags = sorted(Household.tags.through.objects.values_list("household__number", "tag__name"))
        listings = sorted(KeyPerson.objects.values_list("resident__id_hash", "category", "listed_from", "attention"))
        return people, households, tags, listings

    expected = fingerprint()
    households_xlsx = staff_client.get(reverse("residents:household-export")).content
    key_persons_xlsx = staff_client.get(reverse("residents:keyperson-export")).content
    assert ExportRecord.objects.filter(user__username="staff", full_id_numbers=True).count() == 2
    staff_user = ExportRecord.objects.filter(user__username="staff").first().user
    assert ExportRecord.objects.visible_to(staff_user).filter(village=world.village).count() == 2

    # Empty the village's registry (a test-only hard delete), then import both exports back.
    KeyPersonResponsible.objects.all().delete()
    KeyPerson.objects.all().delete()
    KeyPlace.objects.all().delete()
    ResidentMove.objects.all().delete()
    Resident.objects.filter(village=world.village).delete()
    Household.tags.through.objects.all().delete()
    Household.objects.filter(village=world.village).delete()

    job = _upload(staff_client, world.village, households_xlsx, capture=django_capture_on_commit_callbacks)
    assert job.summary["error_rows"] == 0, job.summary["errors"][:5]
    assert _apply(staff_client, job, "all", django_capture_on_commit_callbacks).status == ImportStatus.DONE
    job = _upload(
        staff_client, world.village, key_persons_xlsx, kind="key_persons", capture=django_capture_on_commit_callbacks
    )
    assert job.summary["error_rows"] == 0, job.summary["errors"][:5]
    assert _apply(staff_client, job, "all", django_capture_on_commit_callbacks).status == ImportStatus.DONE
    assert fingerprint() == expected


def test_exports_mask_id_numbers_for_the_town(client, world, town):
    client.force_login(town)
    sheet = load_workbook(io.BytesIO(client.get(reverse("residents:resident-export")).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    id_col = rows[0].index("身份证号码")
    assert all("**********" in row[id_col] for row in rows[1:])
    record = ExportRecord.objects.get(user=town)
    assert record.full_id_numbers is False and record.rows == len(rows) - 1


def test_template_has_the_chinese_headers(staff_client):
    sheet = load_workbook(
        io.BytesIO(staff_client.get(reverse("residents:import-template", args=["households"])).content)
    ).active
    headers = next(sheet.iter_rows(values_only=True))
    assert headers[:3] == ("户编号", "网格/微网格", "村民小组") and "身份证号码" in headers


def test_a_running_import_shows_its_progress(staff_client, world):
    from django.core.files.base import ContentFile

    from residents import imports

    job = ImportJob(village=world.village, created_by=world.village.people.get(username="staff"), kind="households")
    job.filename, job.status = "big.xlsx", ImportStatus.APPLYING
    job.file.save("big.xlsx", ContentFile(excel.template("households")), save=True)
    imports.progress_set(job, 4000, 10000, "apply")
    page = staff_client.get(reverse("residents:import-detail", args=[job.pk])).content.decode()
    assert 'value="40" max="100"' in page and "4000 / 10000" in page
    assert '<meta http-equiv="refresh" content="2">' in page


# --- applying in bulk (10,000 new households took 144 s one row at a time) ------------------


def _job(world, rows, mode="all") -> ImportJob:
    from django.core.files.base import ContentFile

    job = ImportJob(
        village=world.village, created_by=world.village.people.get(username="staff"), kind="households", mode=mode
    )
    job.filename = "registry.xlsx"
    job.file.save("registry.xlsx", ContentFile(_workbook(rows)), save=True)
    return job


def test_new_households_are_applied_in_a_number_of_queries_that_does_not_grow(world, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from residents import imports

    counts = []
    for first, count in ((0, 20), (100, 120)):
        rows = [{**r, "household_number": f"N{first}-{r['household_number']}"} for r in _rows(first + count)[first:]]
        with CaptureQueriesContext(connection) as queries:
            job = imports.import_apply(job=_job(world, rows))
        assert job.status == ImportStatus.DONE and job.summary["applied"] == count
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    household = Household.objects.get(number="N100-H0050")
    assert household.grid_id == household.micro_grid.grid_id and household.village_id == world.village.pk
    assert list(household.tags.values_list("name", flat=True)) == ["党员户"]
    head = household.members.get(relation="02")
    assert head.id_number == _valid_id(100) and head.gender == "2" and head.birth_date.year == 1985


def test_a_file_mixing_new_and_known_households_and_people(world, staff):
    from residents import imports

    first = imports.import_apply(job=_job(world, _rows(4)))  # H0000 (people 0, 1) and H0001 (people 2, 3)
    assert first.status == ImportStatus.DONE
    rows = _rows(4)
    rows[0] |= {"address": "张庄新100号", "tags": ""}  # H0000 changes (and loses its tag)
    rows[1] |= {"household_number": "H0100", "address": "张庄新101号", "relation": "02"}  # 1 moves to a new one
    rows.append(rows[2] | {"name": "导入4", "id_number": _valid_id(4), "relation": "10"})  # new, known household
    rows.append(_rows(6)[5] | {"household_number": "H0101", "address": "张庄新102号", "relation": "02"})
    job = imports.import_apply(job=_job(world, rows))
    assert job.status == ImportStatus.DONE, job.summary["errors"]
    h0 = Household.objects.get(village=world.village, number="H0000")
    assert h0.address == "张庄新100号" and not h0.tags.exists()
    moved = Resident.objects.with_id_number(_valid_id(1)).get()
    assert (moved.household.number, moved.relation) == ("H0100", "02")
    assert ResidentMove.objects.filter(resident=moved).count() == 1
    assert Resident.objects.with_id_number(_valid_id(4)).get().household.number == "H0001"
    assert Resident.objects.with_id_number(_valid_id(5)).get().household.number == "H0101"
    assert Household.objects.get(village=world.village, number="H0000").members.count() == 1


def test_a_number_registered_after_the_check_stops_the_bulk_write_and_keeps_nothing(world, staff, monkeypatch):
    from residents import imports
    from tests.conftest import make_resident

    make_resident(world.other_household, "外村人", _valid_id(3), relation="10")
    # The plan reads the registry before someone registers the number: here it simply does not see it.
    monkeypatch.setattr(imports._VillageIndex, "residents_in", lambda self, rows: {})
    job = imports.import_apply(job=_job(world, _rows(6)))
    assert job.status == ImportStatus.FAILED
    assert "相同的户编号或身份证号码" in job.summary["file_error"]
    assert not Household.objects.filter(village=world.village, number__startswith="H").exists()
    assert not Resident.objects.filter(name__startswith="导入").exists()


# --- the uploaded file holds ID numbers in clear: it goes when the job ends ------------------------------------


def _stored(job: ImportJob):
    from pathlib import Path

    return Path(job.file.path)


def test_the_file_is_removed_from_disk_once_applied(staff_client, world, django_capture_on_commit_callbacks):
    job = _upload(staff_client, world.village, _workbook(_rows(6)), capture=django_capture_on_commit_callbacks)
    path = _stored(job)
    assert path.exists()  # kept while the job waits for the user's confirmation
    job = _apply(staff_client, job, "all", django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE
    assert not path.exists()
    assert not job.file and ImportJob.objects.filter(pk=job.pk, file="").exists()
    assert job.summary["applied"] == 6 and job.summary["rows"] == 6  # what the user needs to see stays
    page = staff_client.get(reverse("residents:import-detail", args=[job.pk]))
    assert page.status_code == 200 and 'data-stat="rows">6<' in page.content.decode()


def test_the_file_is_removed_when_the_import_fails(staff_client, world, django_capture_on_commit_callbacks):
    data = _workbook(_rows(6, bad_row=2))
    job = _upload(staff_client, world.village, data, capture=django_capture_on_commit_callbacks)
    path = _stored(job)
    job = _apply(staff_client, job, "all", django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.FAILED and not path.exists()
    # The error rows were cut from the file: now there is none, and the user is told so (no 500).
    response = staff_client.get(reverse("residents:import-errors", args=[job.pk]), follow=True)
    assert response.status_code == 200
    assert "上传的文件已删除" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("residents:import-detail", args=[job.pk])


def test_the_file_is_removed_when_the_import_is_cancelled(staff_client, world, django_capture_on_commit_callbacks):
    job = _upload(staff_client, world.village, _workbook(_rows(6)), capture=django_capture_on_commit_callbacks)
    path = _stored(job)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("residents:import-cancel", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED and not path.exists() and not job.file
    assert not Resident.objects.filter(name__startswith="导入").exists()
    page = staff_client.get(reverse("residents:import-detail", args=[job.pk])).content.decode()
    assert "已取消" in page and "确认导入" not in page
    # A cancelled import cannot be applied afterwards.
    job = _apply(staff_client, job, "all", django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.CANCELLED
    assert not Resident.objects.filter(name__startswith="导入").exists()


def test_files_left_behind_are_removed_by_the_nightly_sweep(world, staff):
    """An import nobody confirmed (its check is older than a week) is cancelled, and a finished job that
    still holds its file (one finished before files were removed) loses it; a fresh plan keeps its file."""
    import datetime

    from django.utils import timezone

    from residents import tasks

    old, finished, fresh = _job(world, _rows(2)), _job(world, _rows(2)), _job(world, _rows(2))
    ImportJob.objects.filter(pk=old.pk).update(
        status=ImportStatus.PLANNED, created_at=timezone.now() - datetime.timedelta(days=8)
    )
    ImportJob.objects.filter(pk=finished.pk).update(status=ImportStatus.DONE)
    ImportJob.objects.filter(pk=fresh.pk).update(status=ImportStatus.PLANNED)
    paths = {job.pk: _stored(job) for job in (old, finished, fresh)}
    tasks.import_files_expire.delay()
    assert not paths[old.pk].exists() and not paths[finished.pk].exists()
    assert paths[fresh.pk].exists()
    assert ImportJob.objects.get(pk=old.pk).status == ImportStatus.CANCELLED
    assert ImportJob.objects.get(pk=finished.pk).status == ImportStatus.DONE
    assert set(ImportJob.objects.filter(file="").values_list("pk", flat=True)) == {old.pk, finished.pk}
