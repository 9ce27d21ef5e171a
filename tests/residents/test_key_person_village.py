"""A listing keeps its resident's village (docs/performance.md, "A key person's village"): set by every way a
listing is made, read by the scope and the village's figures instead of a join to every resident, and never a
way to show a listing to another village."""

import re

from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids import access
from grids.models import Role
from residents import selectors
from residents.models import KeyCategory, KeyPerson, KeyPersonResponsible, ResponsibleRole
from tests.conftest import SINCE, assign, make_user


def test_a_new_listing_takes_its_residents_village_by_save_and_by_validation(world):
    assert world.key_person1.village_id == world.village.pk
    # Validated before it is saved, as the import's check does: the village is there for the rules.
    probe = KeyPerson(resident=world.other_resident, category=KeyCategory.DRUG, listed_from=SINCE)
    probe.full_clean()
    assert probe.village_id == world.other_village.pk
    probe.save()
    assert KeyPerson.objects.get(pk=probe.pk).village_id == world.other_village.pk


def test_a_listing_made_on_the_staff_page_carries_the_village(world, staff, client):
    client.force_login(staff)
    url = reverse("residents:keyperson-create", args=[world.resident2.pk])
    data = {
        "category": KeyCategory.DRUG,
        "attention": "medium",
        "listed_from": SINCE.isoformat(),
        "responsible-TOTAL_FORMS": "0",
        "responsible-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = KeyPerson.objects.get(resident=world.resident2)
    assert created.village_id == world.village.pk


def test_the_scope_and_the_figures_read_the_listings_village_not_every_resident(world, staff, client):
    client.force_login(staff)
    with CaptureQueriesContext(connection) as statements:
        assert client.get(reverse("residents:keyperson-list")).status_code == 200
    listings = [q["sql"] for q in statements.captured_queries if 'FROM "residents_keyperson"' in q["sql"]]
    by_village = re.compile(r'("residents_keyperson"|U0|k)\."?village_id"? IN')  # k: _named_outside's
    assert listings and all(by_village.search(sql) for sql in listings), listings
    # The resident's village is still selected for the rows, but no longer what the rows are found by.
    assert not any(re.search(r'"residents_resident"\."village_id" (IN|=)', sql) for sql in listings), listings
    with CaptureQueriesContext(connection) as statements:
        counted = selectors.key_persons_by_grid(world.village)
    assert counted == {world.grid1.pk: {KeyCategory.MENTAL: 1}}
    assert '"residents_keyperson"."village_id" = ' in statements.captured_queries[0]["sql"]


def test_another_villages_staff_never_see_a_listing_of_this_village(world, client):
    """The attack: a listing is found by its own village now, so one saved with the wrong village would show
    a key person to strangers. Every way in takes it from the resident; the other village's staff see nothing
    of this village's listings, on the list, the page, the figures or the API."""
    stranger = make_user("other_staff", world.other_village)
    assign(stranger, Role.VILLAGE_STAFF, world.other_village)
    assert not KeyPerson.objects.exclude(village=F("resident__village")).exists()
    client.force_login(stranger)
    assert world.key_person1.pk not in {kp.pk for kp in KeyPerson.objects.visible_to(stranger)}
    page = client.get(reverse("residents:keyperson-list")).content.decode()
    assert "张三" not in page
    assert client.get(reverse("residents:keyperson-detail", args=[world.key_person1.pk])).status_code == 404
    assert selectors.key_persons_by_grid(world.other_village) == {}
    api = client.get("/api/v1/key-persons/")
    assert api.status_code == 200 and api.json()["count"] == 0


def test_the_village_is_not_for_forms_or_the_api_to_set():
    from residents.api import KeyPersonWriteSerializer
    from residents.forms import KeyPersonForm

    assert KeyPerson._meta.get_field("village").editable is False
    assert "village" not in KeyPersonForm.base_fields
    assert "village" not in KeyPersonWriteSerializer().fields


def test_the_listings_one_is_named_for_outside_ones_places_are_found_for_every_kind_of_scope(world, staff, worker):
    """``_named_outside``: the listings a person is named responsible for that their places do not show, for a
    scope of a village, of a grid and of nothing at all (a town's person reaches no key person by place), in
    one statement each; those are then on their list beside what their places show."""
    from django.contrib.auth.models import AnonymousUser

    from residents.models.key_persons import _named_outside

    other = KeyPerson.objects.create(resident=world.other_resident, category=KeyCategory.DRUG, listed_from=SINCE)
    nobody = make_user("doctor", None)
    for user in (staff, worker, nobody):
        for listing in (world.key_person1, other):
            KeyPersonResponsible.objects.create(
                key_person=listing, role=ResponsibleRole.OTHER, user=user, name=user.username
            )
    expected = {staff: [other.pk], worker: [other.pk], nobody: sorted([world.key_person1.pk, other.pk])}
    for user, outside in expected.items():
        user = type(user).objects.get(pk=user.pk)  # nothing kept on the object from before
        access.scope_for(user)  # read once per request, before
        with CaptureQueriesContext(connection) as statements:
            assert _named_outside(user) == outside, user
        # One statement, kept on the object, the person's own villages left out in it; a second, the listings'
        # grids, only for someone who holds grids and is named outside their villages.
        assert len(statements) == (2 if user == worker else 1)
        assert _named_outside(user) == outside
        assert {kp.pk for kp in KeyPerson.objects.visible_to(user)} == {world.key_person1.pk, other.pk}
        # What the ORM finds: the listings named for the person that their scope does not show.
        scope = access.visible_q(user, village="village", grid="resident__household__grid")
        named = KeyPersonResponsible.objects.filter(user=user).values_list("key_person_id", flat=True)
        assert outside == sorted(
            set(named) - set(KeyPerson.objects.filter(scope, pk__in=named).values_list("pk", flat=True))
        )
    erased = KeyPerson.objects.create(resident=world.resident1, category=KeyCategory.DRUG, listed_from=SINCE)
    KeyPersonResponsible.objects.create(key_person=erased, role=ResponsibleRole.OTHER, user=worker, name="w")
    KeyPerson.objects.filter(pk=erased.pk).update(resident=None)  # a listing erased keeps its village only
    fresh = type(worker).objects.get(pk=worker.pk)
    assert erased.pk in _named_outside(fresh)  # a grid worker reaches no listing without a household by grid
    fresh_staff = type(staff).objects.get(pk=staff.pk)
    KeyPersonResponsible.objects.create(key_person=erased, role=ResponsibleRole.OTHER, user=staff, name="s")
    assert erased.pk not in _named_outside(fresh_staff)  # the village's staff see it by its village
    admin = make_user("root", None)
    type(admin).objects.filter(pk=admin.pk).update(is_superuser=True)
    admin = type(admin).objects.get(pk=admin.pk)
    with CaptureQueriesContext(connection) as statements:
        assert _named_outside(admin) == []
    assert [q for q in statements.captured_queries if "keypersonresponsible" in q["sql"]] == []
    assert _named_outside(AnonymousUser()) == []
