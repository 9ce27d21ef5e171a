"""A list's rows carry the names they show as values (``core.pages.paginate``'s ``rows``), not the related
rows as model objects, and the ids' and the count's statements do not join the tables those names come from
(docs/performance.md, "What a row shows")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core.choices import label_of
from disputes.models import Department
from residents.models import Household, KeyPerson, Resident, Tag
from tests.conftest import make_case, make_household, models_built


def _request(client, url):
    """The page, its statements, and how many model objects of each model it built."""
    with models_built() as built, CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries], built


def _ids_and_count(statements, table):
    """The list's ids' and count's statements (matched as text, not run)."""
    starts = (f'SELECT "{table}"."id" AS "pk"', f'SELECT COUNT(*) AS "__count" FROM "{table}"')  # noqa: S608
    return [sql for sql in statements if sql.startswith(starts)]


@pytest.fixture
def more(world):
    # Enough rows for a full page's count statement to be asked (a short page knows its count).
    for i in range(55):
        make_household(world.micro1, world.group1, f"RV{i:03}", f"一村行{i}号")


def test_the_household_list_names_its_places_without_building_them(client, world, staff, more):
    tags = list(Tag.objects.all())
    for household in Household.objects.filter(number__startswith="RV"):
        household.tags.add(*tags[:2])
    client.force_login(staff)
    page, statements, built = _request(client, reverse("residents:household-list"))
    row = next(r for r in page.split("<tr") if ">0001</a>" in r)
    assert f"{world.grid1.name} · {world.micro1.name}" in row and world.group1.name in row
    assert f'<span class="tag">{tags[0].name}</span><span class="tag">{tags[1].name}</span>' in page
    assert built["Grid"] == built["MicroGrid"] == built["VillagerGroup"] == 0
    assert built["Tag"] == len(tags)  # the filter's options, once each: none for the rows
    assert built["Household"] == 50
    ids_count = _ids_and_count(statements, "residents_household")
    assert len(ids_count) == 2
    assert not any(t in sql for sql in ids_count for t in ("grids_grid", "grids_microgrid", "grids_villagergroup"))


def test_the_resident_and_key_person_lists_name_the_household_and_grid_without_building_them(client, world, staff):
    client.force_login(staff)
    page, _statements, built = _request(client, reverse("residents:resident-list"))
    assert f">{world.household1.number}</a> {world.household1.address}" in page
    assert built["Household"] == 0 and built["Resident"] >= 2
    page, _statements, built = _request(client, reverse("residents:keyperson-list"))
    listing = world.key_person1
    row = next(r for r in page.split("<tr") if f"/{listing.pk}/" in r)
    assert listing.resident.name in row and listing.resident.household.grid.name in row
    assert built["Resident"] == built["Household"] == built["Grid"] == 0 and built["KeyPerson"] >= 1


def test_the_case_list_names_village_grid_department_and_person_as_str_would(client, world, staff, town):
    department = Department.objects.create(town=world.town, name="测试承办部门")
    named = make_case(world, staff, title="有名字的责任人")
    named.assignee, named.department = staff, department
    named.save(update_fields=["assignee", "department"])
    staff.full_name = ""
    staff.save(update_fields=["full_name"])
    bare = make_case(world, staff, grid=world.grid2, title="只有用户名")
    bare.assignee = staff
    bare.save(update_fields=["assignee"])
    client.force_login(town)
    page, _statements, built = _request(client, reverse("disputes:case-list"))
    first = next(r for r in page.split("<tr") if f'data-case="{named.pk}"' in r)
    second = next(r for r in page.split("<tr") if f'data-case="{bare.pk}"' in r)
    staff.refresh_from_db()
    assert str(staff) == staff.username  # no full name: named by the username, as str() names them
    assert f"{world.village.name}</span> · <span" in first and world.grid1.name in first
    assert f'<span class="nowrap">测试承办部门</span> · <span class="nowrap">{staff.username}</span>' in first
    assert world.grid2.name in second and "测试承办部门" not in second
    assert built["Village"] == built["Grid"] == built["Department"] == 0
    assert built["User"] == 1  # the signed-in person only


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_label_read_without_its_row_is_the_rows_own(world, language):
    field = Resident._meta.get_field("gender")
    with translation.override(language):
        for value, _label in field.flatchoices:
            resident = Resident(gender=value)
            assert label_of(Resident, "gender", value) == resident.get_gender_display()
        assert label_of(Resident, "gender", "x") == Resident(gender="x").get_gender_display() == "x"
        listing = KeyPerson(category="nope")
        assert label_of(KeyPerson, "category", "nope") == listing.get_category_display()
        assert (
            label_of(Household, "living_status", "away") == Household(living_status="away").get_living_status_display()
        )


def test_the_person_named_as_a_column_is_named_as_str_names_them(world, staff, town):
    """``User.shown_name_column`` (the case lists' person responsible) is ``User.shown_name`` in SQL: the full
    name, else the username, and nothing where no person is named."""
    from disputes.models import Case

    town.full_name = ""
    town.save(update_fields=["full_name"])
    cases = {make_case(world, staff, title=t).pk: who for t, who in (("甲", staff), ("乙", town), ("丙", None))}
    Case.objects.filter(pk__in=cases).update(assignee=None)
    for pk, who in cases.items():
        Case.objects.filter(pk=pk).update(assignee=who)
    named = dict(Case.objects.filter(pk__in=cases).with_names().values_list("pk", "assignee_name"))
    assert staff.full_name and named == {pk: str(who) if who else None for pk, who in cases.items()}
