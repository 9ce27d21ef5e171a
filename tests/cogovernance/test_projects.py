"""The village's projects pages (民生实事, docs/cogovernance.md): create and edit with photos, places of another
village refused, the list's filters and yearly total, the export, who may open what, query counts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditAction, AuditEntry, ExportRecord
from cogovernance import services
from cogovernance.models import Project, ProjectKind, ProjectPhoto, Stage
from grids.models import NaturalVillage
from tests.cogovernance.conftest import propose, to_stage
from tests.conftest import png_bytes

D = datetime.date
STARTED = D(2026, 3, 1)
TODAY = timezone.localdate


def make_project(village, by, *, title="安装路灯", started_on=STARTED, natural_villages=None, **fields):
    fields.setdefault("budget", Decimal("200000"))
    p = Project(village=village, title=title, started_on=started_on, **fields)
    return services.project_save(by=by, project=p, natural_villages=natural_villages)


def _post(world, **over) -> dict:
    data = {
        "title": "主干道路灯",
        "kind": ProjectKind.LIGHTING,
        "description": "沿主干道安装太阳能路灯。",
        "quantity": "187",
        "unit": "盏",
        "grid": str(world.grid1.pk),
        "natural_villages": [str(NaturalVillage.objects.get(village=world.village).pk)],
        "budget": "200000",
        "spent": "150000",
        "started_on": "2026-03-01",
        "done_on": "",
    }
    data.update(over)
    return data


def _photo(name="a.png", content=None):
    return SimpleUploadedFile(name, content if content is not None else png_bytes(), content_type="image/png")


# --- create and edit -------------------------------------------------------------------------------------


def test_staff_create_a_project_with_photos(client, world, staff):
    client.force_login(staff)
    url = reverse("cogovernance:project-new", args=[world.village.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**_post(world), "photos": [_photo("a.png"), _photo("b.png")]})
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cogovernance:project-detail", args=[project.pk]
    )
    assert (project.quantity, project.unit, project.grid, project.created_by) == (187, "盏", world.grid1, staff)
    assert [n.name for n in project.natural_villages.all()] == ["张庄"]
    photos = list(project.photos.all())
    assert len(photos) == 2 and photos[0].image.name.endswith(".jpg")  # re-encoded without metadata
    detail = client.get(response["Location"]).content.decode()
    assert "主干道路灯" in detail and "187 盏" in detail
    assert reverse("cogovernance:project-photo", args=[photos[0].pk]) in detail
    assert client.get(reverse("cogovernance:project-photo", args=[photos[0].pk])).status_code == 200


def test_edit_adds_photos_and_keeps_the_old_ones(client, world, staff):
    project = make_project(world.village, staff)
    ProjectPhoto.objects.create(project=project, image=_photo(), uploaded_by=staff)
    client.force_login(staff)
    url = reverse("cogovernance:project-edit", args=[project.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**_post(world, done_on="2026-04-01"), "photos": [_photo()]})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.done_on == D(2026, 4, 1) and project.title == "主干道路灯"
    assert project.photos.count() == 2


def test_a_project_on_a_grid_since_archived_can_still_be_edited(client, world, staff):
    project = make_project(world.village, staff, grid=world.grid2)
    world.grid2.archived_at = timezone.now()
    world.grid2.save(update_fields=["archived_at"])
    client.force_login(staff)
    url = reverse("cogovernance:project-edit", args=[project.pk])
    assert client.post(url, _post(world, grid=str(world.grid2.pk), spent="1")).status_code == 302
    # A new project is not put on it.
    response = client.post(
        reverse("cogovernance:project-new", args=[world.village.pk]), _post(world, grid=str(world.grid2.pk))
    )
    assert response.status_code == 400 and "grid" in response.context["form"].errors


def test_a_bad_photo_refuses_everything(client, world, staff):
    client.force_login(staff)
    url = reverse("cogovernance:project-new", args=[world.village.pk])
    response = client.post(url, {**_post(world), "photos": [_photo("a.png"), _photo("b.png", b"not an image")]})
    assert response.status_code == 400
    assert not Project.objects.exists() and not ProjectPhoto.objects.exists()
    page = response.content.decode()
    assert "无法识别这个文件" in page
    assert 'value="主干道路灯"' in page  # the form keeps its input


def test_a_bad_photo_on_edit_changes_nothing(client, world, staff):
    project = make_project(world.village, staff)
    client.force_login(staff)
    response = client.post(
        reverse("cogovernance:project-edit", args=[project.pk]),
        {**_post(world, title="改过的名称"), "photos": [_photo("b.png", b"not an image")]},
    )
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.title == "安装路灯" and not project.photos.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("grid", "other_grid"), ("natural_villages", "other_natural"), ("deliberation", "other_deliberation")],
)
def test_places_of_another_village_are_refused_on_their_field(client, world, staff, outsider, field, value):
    other_natural = NaturalVillage.objects.create(village=world.other_village, name="李庄")
    ids = {
        "other_grid": str(world.other_grid.pk),
        "other_natural": [str(other_natural.pk)],
        "other_deliberation": str(propose(world.other_village, outsider).pk),
    }
    client.force_login(staff)
    response = client.post(
        reverse("cogovernance:project-new", args=[world.village.pk]), _post(world, **{field: ids[value]})
    )
    assert response.status_code == 400
    assert not Project.objects.exists()
    assert "本村" in " ".join(response.context["form"].errors[field])


def test_done_before_start_is_refused(client, world, staff):
    client.force_login(staff)
    response = client.post(
        reverse("cogovernance:project-new", args=[world.village.pk]),
        _post(world, started_on="2026-03-01", done_on="2026-02-01"),
    )
    assert response.status_code == 400
    assert "完工日期不能早于开工日期" in " ".join(response.context["form"].errors["done_on"])
    assert not Project.objects.exists()


def test_done_in_the_future_is_refused(client, world, staff):
    client.force_login(staff)
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse("cogovernance:project-new", args=[world.village.pk]), _post(world, done_on=tomorrow))
    assert response.status_code == 400 and "done_on" in response.context["form"].errors


def test_a_project_from_a_resolution_links_to_its_deliberation(client, world, staff):
    d = to_stage(propose(world.village, staff), Stage.RESOLVED, staff)
    client.force_login(staff)
    url = reverse("cogovernance:project-new", args=[world.village.pk])
    assert client.get(url, {"deliberation": d.pk}).context["form"].initial["deliberation"] == d.pk
    response = client.post(url, _post(world, deliberation=str(d.pk)))
    assert response.status_code == 302
    project = Project.objects.get()
    assert project.deliberation == d
    detail = client.get(reverse("cogovernance:project-detail", args=[project.pk])).content.decode()
    assert d.title in detail


def test_an_open_deliberation_is_not_offered(client, world, staff):
    d = propose(world.village, staff)  # not resolved yet
    client.force_login(staff)
    response = client.post(
        reverse("cogovernance:project-new", args=[world.village.pk]), _post(world, deliberation=str(d.pk))
    )
    assert response.status_code == 400 and "deliberation" in response.context["form"].errors


# --- who may ---------------------------------------------------------------------------------------------


def test_the_town_reads_but_cannot_change(client, world, staff, town):
    project = make_project(world.village, staff)
    photo = ProjectPhoto.objects.create(project=project, image=_photo(), uploaded_by=staff)
    client.force_login(town)
    list_page = client.get(reverse("cogovernance:project-list", args=[world.village.pk]))
    assert list_page.status_code == 200 and "安装路灯" in list_page.content.decode()
    assert reverse("cogovernance:project-new", args=[world.village.pk]) not in list_page.content.decode()
    detail = client.get(reverse("cogovernance:project-detail", args=[project.pk]))
    assert detail.status_code == 200
    assert reverse("cogovernance:project-edit", args=[project.pk]) not in detail.content.decode()
    assert client.get(reverse("cogovernance:project-photo", args=[photo.pk])).status_code == 200
    assert client.get(reverse("cogovernance:project-export", args=[world.village.pk])).status_code == 200
    assert client.get(reverse("cogovernance:project-new", args=[world.village.pk])).status_code == 403
    assert client.post(reverse("cogovernance:project-new", args=[world.village.pk]), _post(world)).status_code == 403
    response = client.post(reverse("cogovernance:project-edit", args=[project.pk]), _post(world, title="改"))
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title == "安装路灯" and Project.objects.count() == 1


def test_out_of_scope_ids_are_404(client, world, staff, outsider, worker):
    project = make_project(world.village, staff)
    photo = ProjectPhoto.objects.create(project=project, image=_photo(), uploaded_by=staff)
    for user in (outsider, worker):
        client.force_login(user)
        for url in (
            reverse("cogovernance:project-list", args=[world.village.pk]),
            reverse("cogovernance:project-export", args=[world.village.pk]),
            reverse("cogovernance:project-new", args=[world.village.pk]),
            reverse("cogovernance:project-detail", args=[project.pk]),
            reverse("cogovernance:project-edit", args=[project.pk]),
            reverse("cogovernance:project-photo", args=[photo.pk]),
        ):
            assert client.get(url).status_code == 404, (user, url)
    client.force_login(outsider)
    assert client.post(reverse("cogovernance:project-edit", args=[project.pk]), _post(world)).status_code == 404


# --- the list --------------------------------------------------------------------------------------------


def titles(response) -> list[str]:
    return [p.title for p in response.context["page"].object_list]


def test_list_search_and_filters(client, world, staff):
    natural = NaturalVillage.objects.get(village=world.village)
    make_project(world.village, staff, title="路灯", kind=ProjectKind.LIGHTING, grid=world.grid1, done_on=D(2026, 4, 1))
    make_project(
        world.village,
        staff,
        title="文化广场",
        kind=ProjectKind.SQUARE,
        description="含健身器材",
        started_on=D(2025, 5, 1),
        natural_villages=[natural],
    )
    make_project(world.village, staff, title="污水管网", kind=ProjectKind.SEWAGE, grid=world.grid2)
    client.force_login(staff)
    url = reverse("cogovernance:project-list", args=[world.village.pk])
    assert titles(client.get(url)) == ["污水管网", "路灯", "文化广场"]  # latest start first, then latest entered
    assert titles(client.get(url, {"q": "健身"})) == ["文化广场"]
    assert titles(client.get(url, {"kind": "sewage"})) == ["污水管网"]
    assert titles(client.get(url, {"grid": world.grid1.pk})) == ["路灯"]
    assert titles(client.get(url, {"natural_village": natural.pk})) == ["文化广场"]
    assert titles(client.get(url, {"year": 2025})) == ["文化广场"]
    assert titles(client.get(url, {"state": "done"})) == ["路灯"]
    assert titles(client.get(url, {"state": "going"})) == ["污水管网", "文化广场"]
    # A grid of another village is not a choice: the filter's error, no rows of anyone else.
    response = client.get(url, {"grid": world.other_grid.pk})
    assert response.status_code == 200 and "grid" in response.context["filter"].form.errors


def test_list_shows_only_the_village(client, world, staff, outsider):
    make_project(world.village, staff, title="本村路灯")
    make_project(world.other_village, outsider, title="外村路灯")
    client.force_login(staff)
    assert titles(client.get(reverse("cogovernance:project-list", args=[world.village.pk]))) == ["本村路灯"]


def test_the_yearly_total(client, world, staff):
    year = TODAY().year
    make_project(
        world.village, staff, title="甲", budget=Decimal(100000), spent=Decimal(80000), started_on=D(year, 1, 1)
    )
    make_project(
        world.village,
        staff,
        title="乙",
        budget=Decimal(50000),
        spent=Decimal(50000),
        started_on=D(year, 1, 1),
        done_on=D(year, 1, 1),
    )
    make_project(
        world.village, staff, title="丙", budget=Decimal(7000), spent=Decimal(7000), started_on=D(year - 1, 6, 1)
    )
    client.force_login(staff)
    url = reverse("cogovernance:project-list", args=[world.village.pk])
    total = client.get(url).context["total"]  # this year by default
    assert (total["year"], total["n"], total["budget"], total["spent"], total["done"]) == (
        year,
        2,
        Decimal(150000),
        Decimal(130000),
        1,
    )
    response = client.get(url, {"year": year - 1})
    total = response.context["total"]
    assert (total["n"], total["budget"], total["spent"], total["done"]) == (1, Decimal(7000), Decimal(7000), 0)
    page = response.content.decode()
    assert f"{year - 1} 年开工" in page and 'data-stat="budget">0.70<' in page
    # A year with nothing: zeros, not an error.
    assert client.get(url, {"year": 2001}).context["total"]["n"] == 0
    # The chart: one bar a year for six years (none without projects left out), the highest the full height.
    bars = client.get(url).context["chart"]["bars"]
    assert [(b["year"], b["h"]) for b in bars] == [(year - 5 + i, 0) for i in range(4)] + [(year - 1, 5), (year, 100)]
    assert 'class="bar"' in page


def test_export_opens_in_openpyxl_and_is_recorded(client, world, staff):
    natural = NaturalVillage.objects.get(village=world.village)
    make_project(
        world.village,
        staff,
        title="=HYPERLINK(1)",
        grid=world.grid1,
        natural_villages=[natural],
        quantity=187,
        unit="盏",
    )
    make_project(world.village, staff, title="广场", kind=ProjectKind.SQUARE)
    client.force_login(staff)
    response = client.get(reverse("cogovernance:project-export", args=[world.village.pk]), {"kind": "other"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("项目名称", "类别", "建设内容")
    assert len(rows) == 2  # the square is not of the kind asked for
    first = rows[1]
    assert first[0] == "=HYPERLINK(1)"  # text stays text
    assert first[3:7] == (187, "盏", "第一网格", "张庄") and first[7] == 200000
    export = ExportRecord.objects.get(kind="cogov_projects")
    assert export.user == staff and export.rows == 1 and not export.full_id_numbers
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, model="cogov_projects").exists()
    response = client.get(reverse("cogovernance:project-export", args=[world.village.pk]), {"kind": "square"})
    assert len(list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows())) == 2


def _add_projects(world, staff, n):
    natural = NaturalVillage.objects.get(village=world.village)
    for i in range(n):
        make_project(
            world.village,
            staff,
            title=f"项目{i}",
            grid=world.grid1,
            natural_villages=[natural],
            started_on=D(2020 + i % 6, 3, 1),
        )


@pytest.mark.parametrize("n", [2, 20])
def test_project_list_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    _add_projects(world, staff, n)
    client.force_login(staff)
    url = reverse("cogovernance:project-list", args=[world.village.pk])
    client.get(url)
    # session, user, scope, the village; count, page ids, page rows, their natural villages; spending by
    # year; the inbox count; the filter's grid and natural village choices.
    with django_assert_num_queries(QUERIES_PROJECT_LIST):
        assert client.get(url).status_code == 200


QUERIES_PROJECT_LIST = 11


@pytest.mark.parametrize("n", [2, 20])
def test_project_export_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    _add_projects(world, staff, n)
    client.force_login(staff)
    url = reverse("cogovernance:project-export", args=[world.village.pk])
    client.get(url)
    # session, user, scope, the village; the rows, their natural villages; the user's village for the export
    # record, the record and its audit entry.
    with django_assert_num_queries(QUERIES_PROJECT_EXPORT):
        assert client.get(url).status_code == 200


QUERIES_PROJECT_EXPORT = 9
