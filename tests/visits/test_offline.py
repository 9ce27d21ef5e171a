"""The field view offline: the service worker and manifest from the root, the list of pages a phone keeps
(scoped, no ID numbers), the queue's posts recorded once per token, refusals it can read, logout wiping."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from residents.codes import Relation
from residents.idnumber import check_character
from residents.models import KeyCategory, KeyPerson, KeyPlace, PlaceType
from tests.conftest import ID1, ID2, SINCE, make_resident, png_bytes
from visits import services
from visits.models import Visit

QUEUE = {"HTTP_X_FIELD_QUEUE": "1"}


def _visit_url(subject, pk):
    return reverse("visits:visit-new", args=[subject, pk])


def test_service_worker_is_served_from_the_root_and_loads_nothing_from_another_host(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert 'importScripts("/static/vendor/workbox-7.4.1/workbox-sw.js")' in body
    assert "modulePathCb" in body  # Workbox would otherwise load its modules from its CDN
    assert not re.search(r"https?://", body)
    for url in re.findall(r'"(/static/[^"]+)"', body):
        assert finders.find(
            url.removeprefix(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/")
        ), url
    assert "/static/js/field-queue.js" in body and "/static/vendor/idb-8.0.4/idb.umd.js" in body


def test_vendored_libraries_carry_their_licences_and_no_cdn_address():
    for folder in ("vendor/workbox-7.4.1", "vendor/idb-8.0.4"):
        assert finders.find(f"{folder}/LICENSE"), folder
    for name in ("core", "routing", "strategies", "precaching", "cacheable-response"):
        assert finders.find(f"vendor/workbox-7.4.1/workbox-{name}.prod.js"), name


def test_web_manifest_names_the_app_in_chinese(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["short_name"] == "网格工作" and manifest["start_url"] == "/field/"
    assert manifest["icons"][0]["src"].startswith("/static/")


def test_field_layout_registers_the_worker_and_staff_pages_do_not(client, world, worker, staff):
    client.force_login(worker)
    page = client.get(reverse("visits:work-list")).content.decode()
    assert 'rel="manifest"' in page and "js/field-queue.js" in page and 'id="field-sync"' in page
    client.force_login(staff)
    page = client.get(reverse("residents:household-list")).content.decode()
    assert "field-queue.js" not in page


def test_offline_manifest_lists_only_the_workers_grid_and_no_id_numbers(client, world, worker, colleague):
    assert client.get(reverse("visits:offline-manifest")).status_code == 302  # to the login page
    client.force_login(worker)
    response = client.get(reverse("visits:offline-manifest"))
    assert response.status_code == 200
    data = json.loads(response.content)
    urls = data["urls"]
    assert data["user"] == worker.pk and data["csrf"]
    assert _visit_url("household", world.household1.pk) in urls
    assert _visit_url("key_person", world.key_person1.pk) in urls
    assert _visit_url("key_place", world.key_place1.pk) in urls
    assert reverse("residents:field-household-detail", args=[world.household1.pk]) in urls
    assert _visit_url("household", world.household2.pk) not in urls  # the colleague's grid
    assert reverse("residents:field-household-detail", args=[world.household2.pk]) not in urls
    for url in urls:  # what is kept: the pages the field view shows, none with an ID number
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert ID1 not in text and ID2 not in text and ID1[-4:] not in text, url


def test_offline_manifest_is_for_field_workers_only(client, world, staff):
    client.force_login(staff)
    assert client.get(reverse("visits:offline-manifest")).status_code == 403


def test_the_queue_sends_one_token_twice_and_one_visit_with_its_photo_is_recorded(client, world, worker):
    client.force_login(worker)
    token = str(uuid.uuid4())

    def post():
        photo = SimpleUploadedFile("visit.png", png_bytes(), content_type="image/png")
        data = {
            "token": token,
            "outcome": "done",
            "finding": "nothing",
            "visited_on": "2026-12-01",
            "note": "离线记录",
            "photos": photo,
        }
        return client.post(_visit_url("household", world.household1.pk), data, **QUEUE)

    first, again = post(), post()
    assert first.status_code == 201 and json.loads(first.content)["created"] is True
    assert again.status_code == 200 and json.loads(again.content)["created"] is False
    assert Visit.objects.count() == 1
    visit = Visit.objects.get()
    assert visit.photos.count() == 1 and str(visit.client_token) == token
    assert visit.visited_on.isoformat() == "2026-12-01"  # the day it was made, not the day it arrived
    photo = visit.photos.get()
    url = reverse("visits:visit-photo", args=[visit.pk, photo.pk])
    assert client.get(url).status_code == 200
    # A file gone from storage (a restore without the data folder) is a 404, not a 500.
    photo.image.storage.delete(photo.image.name)
    assert client.get(url).status_code == 404


def test_a_refused_visit_answers_a_reason_the_phone_can_show(client, world, worker):
    client.force_login(worker)
    world.household1.archived_at = timezone.now()
    world.household1.save(update_fields=["archived_at"])
    data = {"token": str(uuid.uuid4()), "outcome": "done", "finding": "nothing", "visited_on": "2026-12-01"}
    response = client.post(_visit_url("household", world.household1.pk), data, **QUEUE)
    assert response.status_code == 400
    assert json.loads(response.content)["message"]
    assert Visit.objects.count() == 0
    bad = {"token": str(uuid.uuid4()), "outcome": "not_possible", "visited_on": "2026-12-01", "finding": "nothing"}
    response = client.post(_visit_url("key_place", world.key_place1.pk), bad, **QUEUE)
    assert response.status_code == 400 and "未能走访的原因" in json.loads(response.content)["message"]


def test_the_queue_cannot_record_in_another_grid(client, world, worker):
    client.force_login(worker)
    data = {"token": str(uuid.uuid4()), "outcome": "done", "finding": "nothing", "visited_on": "2026-12-01"}
    assert client.post(_visit_url("household", world.household2.pk), data, **QUEUE).status_code == 404
    assert Visit.objects.count() == 0


def test_logout_tells_the_browser_to_empty_the_sites_storage(client, world, worker):
    client.force_login(worker)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_the_api_records_one_visit_for_one_idempotency_key_with_a_photo(world, worker):
    api = APIClient()
    api.force_authenticate(worker)
    key = str(uuid.uuid4())

    def post():
        photo = SimpleUploadedFile("visit.png", png_bytes(), content_type="image/png")
        body = {"household": world.household1.pk, "note": "离线", "photos": [photo]}
        return api.post(reverse("api:visit-list"), body, format="multipart", HTTP_IDEMPOTENCY_KEY=key)

    first, again = post(), post()
    assert first.status_code == 201 and again.status_code == 201
    assert again["Idempotent-Replay"] == "true"
    assert Visit.objects.count() == 1 and Visit.objects.get().photos.count() == 1


@pytest.mark.parametrize("path", ["/sw.js", "/manifest.webmanifest"])
def test_root_files_carry_the_content_security_policy(client, path):
    assert "script-src 'self'" in client.get(path)["Content-Security-Policy"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_service_worker_is_valid_javascript_in_every_language(client, tmp_path, language):
    """Its words come from the catalogue: an English apostrophe once ended a JavaScript string early."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = tmp_path / "sw.js"
    script.write_bytes(client.get("/sw.js", HTTP_ACCEPT_LANGUAGE=language).content)
    result = subprocess.run([node, "--check", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_offline_manifest_query_count_does_not_grow_with_the_households(client, world, worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make_household

    client.force_login(worker)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("visits:offline-manifest")).status_code == 200
        return len(queries)

    few = count()
    for n in range(30):
        make_household(world.micro1, world.group1, f"1{n:03d}", f"张庄{100 + n}号")
    assert count() == few


def test_with_hashed_static_names_the_worker_installs_from_the_browsers_cache(client, monkeypatch, tmp_path):
    """With a revision Workbox fetches each file again past the browser's cache (``cache: "reload"``): a
    phone on a slow line downloads the field's static files twice on its first visit. In production the
    names carry their hash (WhiteNoise's manifest storage): the URL is the revision, and Workbox takes the
    file the page has just loaded (tests/browser/test_field_budgets.py reports the bytes)."""
    from django.contrib.staticfiles.storage import ManifestStaticFilesStorage

    from visits import offline

    class Hashed(ManifestStaticFilesStorage):
        def url(self, name, force=False):
            return f"/static/{name.rsplit('.', 1)[0]}.0123456789ab.{name.rsplit('.', 1)[1]}"

    monkeypatch.setattr(offline, "staticfiles_storage", Hashed(location=str(tmp_path)))
    body = client.get("/sw.js").content.decode()
    precache = json.loads(re.search(r"precacheAndRoute\((\[.*?\])\)", body).group(1))
    assert {"url": "/static/vendor/pico-2.1.1/pico.min.0123456789ab.css", "revision": None} in precache
    assert all(entry["revision"] is None for entry in precache)
    # Without hashed names (DEBUG, the tests' live server) each file keeps its content's revision.
    monkeypatch.undo()
    body = client.get("/sw.js").content.decode()
    precache = json.loads(re.search(r"precacheAndRoute\((\[.*?\])\)", body).group(1))
    assert all(entry["revision"] for entry in precache)


def _open_on_the_work_list(client, query=""):
    """What the work list hands the phone for counting queued visits: key persons as {id: visits still
    due}, key places as ids (README, "Offline field view")."""
    page = client.get(reverse("visits:work-list") + query).content.decode()
    persons = re.search(r'data-open-key-persons="([^"]*)"', page).group(1).split()
    places = re.search(r'data-open-places="([^"]*)"', page).group(1).split()
    return {int(k): int(n) for k, n in (p.split(":") for p in persons)}, {int(p) for p in places}, page


def test_work_list_tells_the_phone_which_key_persons_and_places_a_queued_visit_counts_for(client, world, worker):
    first17 = "11010519700101123"
    spouse = make_resident(world.household1, "张妻", first17 + check_character(first17), relation=Relation.SPOUSE)
    monthly = KeyPerson.objects.create(resident=spouse, category=KeyCategory.CORRECTIONS, listed_from=SINCE)
    other_place = KeyPlace.objects.create(
        village=world.village,
        grid=world.grid1,
        micro_grid=world.micro1,
        type=PlaceType.RENTAL,
        name="李家店",
        address="张庄9号",
    )
    elsewhere = KeyPlace.objects.create(
        village=world.village,
        grid=world.grid2,
        micro_grid=world.micro2,
        type=PlaceType.RENTAL,
        name="二网格店",
        address="张庄2号",
    )
    client.force_login(worker)
    twice = world.key_person1  # mental disorder, risk level 3: due twice a month (residents/cadence.py)
    persons, places, _ = _open_on_the_work_list(client)
    assert persons == {twice.pk: 2, monthly.pk: 1}
    assert places == {world.key_place1.pk, other_place.pk}  # not another grid's
    assert elsewhere.pk not in places

    # A visit that was not possible counts for nothing; a done one leaves one more to count.
    services.visit_record(worker=worker, target=twice, outcome="not_possible", reason="away")
    services.visit_record(worker=worker, target=twice)
    services.visit_record(worker=worker, target=world.key_place1)
    persons, places, _ = _open_on_the_work_list(client)
    assert persons == {twice.pk: 1, monthly.pk: 1}
    assert places == {other_place.pk}

    # The search narrows the rows shown, not what the phone may count (every page, every row).
    persons, places, page = _open_on_the_work_list(client, "?q=张三")
    assert _visit_url("key_place", other_place.pk) not in page
    assert persons == {twice.pk: 1, monthly.pk: 1}
    assert places == {other_place.pk}

    services.visit_record(worker=worker, target=twice)
    services.visit_record(worker=worker, target=monthly)
    persons, _places, _ = _open_on_the_work_list(client)
    assert persons == {}
